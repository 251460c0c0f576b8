"""gunicorn settings for the web process (``make web``).

Prometheus counters live per process; with ``PROMETHEUS_MULTIPROC_DIR`` set
(``make web`` sets it) every worker writes them to that directory and
``/metrics`` adds them up. A worker that exits is marked dead there so its
gauges stop counting.
"""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
accesslog = "-"
# No query strings: a lookup's query holds the number being looked up.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(M)sms'


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
