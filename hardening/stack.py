"""Private service instances for fault, fuzz and soak runs.

Every fault here stops or kills a process, so it must never be the shared
PostgreSQL or Redis other people's tests use. This module starts its own:
a PostgreSQL cluster initialised into a temporary directory, a Redis with no
persistence, the production WSGI server (gunicorn, DEBUG off) and a Celery
worker and beat, all on 127.0.0.1, each with start/stop/kill and a health
wait. Everything started is stopped when the ``Stack`` closes, when the
interpreter exits, and (through the parent-death signal) when the process
that started it is killed.

    with Stack.start() as stack:
        stack.redis.stop()
        ...
        stack.redis.start()
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_BIN = Path(os.environ.get("HARDENING_PG_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = os.environ.get("HARDENING_REDIS_SERVER", "redis-server")
VENV_BIN = Path(sys.executable).parent

# Port ranges, overridable so parallel runs on one machine do not collide.
PG_PORTS = range(55460, 55465)
REDIS_PORTS = range(55465, 55470)
HTTP_PORTS = range(8160, 8180)

# Sent by every client of the private server: it runs with the production
# setting SECURE_SSL_REDIRECT on, behind a (pretend) TLS-terminating proxy.
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}

TEMPLATE_DATABASE = "callguard_template"
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
_PR_SET_PDEATHSIG = 1
_live: list[Service] = []


def _env_range(name: str, default: range) -> range:
    value = os.environ.get(name)
    if not value:
        return default
    first, _, last = value.partition("-")
    return range(int(first), int(last or first) + 1)


def free_port(candidates: range) -> int:
    """The first port of ``candidates`` nothing listens on or has bound."""
    for port in candidates:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {candidates.start}-{candidates.stop - 1}")


def _die_with_parent() -> None:
    """In the child: get SIGKILL when the process that started us dies."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _is_root() -> bool:
    return os.geteuid() == 0


def wait_until(check, *, timeout: float, interval: float = 0.1, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(interval)
    raise TimeoutError(f"{what} not ready after {timeout:.0f}s")


class Service:
    """A long-running child process with a log file."""

    name = "service"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.log_path = root / f"{self.name}.log"
        self.proc: subprocess.Popen | None = None

    # Subclasses say how to run, and when it is ready.
    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self) -> Mapping[str, str] | None:
        return None

    def popen_kwargs(self) -> dict:
        return {}

    def ready(self) -> bool:
        raise NotImplementedError

    startup_timeout = 30.0

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def start(self) -> Service:
        if self.running:
            return self
        log = open(self.log_path, "ab")  # noqa: SIM115 (the child keeps it)
        self.proc = subprocess.Popen(
            self.command(),
            cwd=REPO,
            env=self.environment(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
            **self.popen_kwargs(),
        )
        log.close()
        if self not in _live:
            _live.append(self)
        try:
            wait_until(
                lambda: self._alive_or_raise() and self.ready(),
                timeout=self.startup_timeout,
                what=self.name,
            )
        except TimeoutError as exc:
            self.kill()
            raise TimeoutError(f"{exc}; its log ends:\n{self.log_tail()}") from exc
        except Exception:
            self.kill()
            raise
        return self

    def _alive_or_raise(self) -> bool:
        if not self.running:
            raise RuntimeError(f"{self.name} exited at start-up:\n{self.log_tail()}")
        return True

    def send_signal(self, signum: int) -> None:
        if self.running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signum)

    def stop(self, timeout: float = 15.0) -> None:
        """Graceful stop (SIGTERM), SIGKILL if it does not exit in time."""
        if not self.running:
            return
        self.send_signal(self.stop_signal)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        self._after_exit()

    stop_signal = signal.SIGTERM

    def kill(self) -> None:
        """SIGKILL the whole process group at once: no clean-up happens."""
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(10)
        self._after_exit()

    def _after_exit(self) -> None:
        """Reap what the group left (a killed master's workers)."""

    def restart(self) -> Service:
        self.stop()
        return self.start()

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""


# --- PostgreSQL --------------------------------------------------------------


class PrivatePostgres(Service):
    """A throw-away cluster: initdb into a temp dir, trust auth, 127.0.0.1."""

    name = "postgres"
    stop_signal = signal.SIGINT  # "fast" shutdown: roll back, disconnect, exit

    def __init__(self, root: Path, port: int) -> None:
        super().__init__(root)
        self.port = port
        self.data_dir = root / "pgdata"
        self.socket_dir = root / "pgsocket"

    def _owner_kwargs(self) -> dict:
        if not _is_root():
            return {}
        return {"user": "postgres", "group": "postgres", "extra_groups": []}

    def popen_kwargs(self) -> dict:
        return self._owner_kwargs()

    def init(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        for path in (self.data_dir, self.socket_dir):
            path.mkdir(mode=0o700, exist_ok=True)
            if _is_root():
                shutil.chown(path, "postgres", "postgres")
        if _is_root():
            shutil.chown(self.root, "postgres", "postgres")
            os.chmod(self.root, 0o755)
        cmd = [str(PG_BIN / "initdb"), "-D", str(self.data_dir)]
        cmd += ["-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync"]
        cmd += ["--locale=C.UTF-8"]
        if _is_root():
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, cwd="/")
        if result.returncode != 0:
            raise RuntimeError(f"initdb failed:\n{result.stdout}\n{result.stderr}")

    def start(self) -> Service:
        self.init()
        return super().start()

    def command(self) -> list[str]:
        return [
            str(PG_BIN / "postgres"),
            "-D",
            str(self.data_dir),
            "-p",
            str(self.port),
            "-h",
            "127.0.0.1",
            "-k",
            str(self.socket_dir),
            # Writes reach the kernel on commit (synchronous_commit stays on),
            # so a killed server loses no acknowledged transaction; fsync only
            # guards against the machine itself crashing, not simulated here.
            "-c",
            "fsync=off",
            "-c",
            "full_page_writes=off",
            "-c",
            "max_connections=200",
            "-c",
            "log_min_messages=warning",
        ]

    def ready(self) -> bool:
        result = subprocess.run(
            [str(PG_BIN / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(self.port)],
            capture_output=True,
        )
        return result.returncode == 0

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL with psql; return its unaligned, tuples-only output."""
        result = subprocess.run(
            [
                str(PG_BIN / "psql"),
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                database,
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql failed: {result.stderr.strip()}")
        return result.stdout.strip()

    def create_database(self, name: str, template: str | None = None) -> None:
        sql = f'CREATE DATABASE "{name}"'
        if template:
            sql += f' TEMPLATE "{template}"'
        self.psql(sql)

    def drop_database(self, name: str) -> None:
        self.psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _after_exit(self) -> None:
        # Backends outlive a stopping postmaster for a moment; wait until the
        # port is free so the next start does not find it taken.
        with contextlib.suppress(TimeoutError):
            wait_until(
                lambda: not _port_open(self.port), timeout=10, what="postgres exit"
            )


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# --- Redis -------------------------------------------------------------------


class PrivateRedis(Service):
    """A Redis that keeps nothing: a restart comes back empty, as in the
    worst case of production (cache and queued task messages gone)."""

    name = "redis"

    def __init__(self, root: Path, port: int) -> None:
        super().__init__(root)
        self.port = port

    def command(self) -> list[str]:
        return [
            REDIS_SERVER,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
            "--dir",
            str(self.root),
        ]

    def ready(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"


# --- The application ---------------------------------------------------------


@dataclass
class AppConfig:
    """Environment of every application process (web, worker, beat)."""

    database_url: str
    redis_url: str
    broker_url: str
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(50))
    metrics_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    # Shared by every process, so /metrics adds up web workers and Celery.
    metrics_dir: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def environment(self) -> dict[str, str]:
        keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ", "USER")
        env = {k: os.environ[k] for k in keep if k in os.environ}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings.base",
                "PYTHONUNBUFFERED": "1",
                "DEBUG": "false",
                "SECRET_KEY": self.secret_key,
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "CELERY_BROKER_URL": self.broker_url,
                "METRICS_TOKEN": self.metrics_token,
                "BEHIND_TLS_PROXY": "true",
                "LOG_LEVEL": "INFO",
                "PUSH_BACKEND": "log",
                "DATA_DIR": str(Path(tempfile.gettempdir()) / "callguard-hardening"),
            }
        )
        if self.metrics_dir:
            env["PROMETHEUS_MULTIPROC_DIR"] = self.metrics_dir
        env.update(self.extra)
        return env


class Gunicorn(Service):
    """The production WSGI server, as deployed: config.wsgi, DEBUG off."""

    name = "gunicorn"
    startup_timeout = 60.0

    def __init__(
        self, root: Path, port: int, config: AppConfig, workers: int = 2
    ) -> None:
        super().__init__(root)
        self.port = port
        self.config = config
        self.workers = workers

    def environment(self) -> dict[str, str]:
        return self.config.environment()

    def command(self) -> list[str]:
        return [
            str(VENV_BIN / "gunicorn"),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            "--keep-alive",
            "30",
            "--access-logfile",
            "-",
            # The path without the query string: a lookup's query holds the
            # number looked up, which must not reach the logs.
            "--access-logformat",
            ACCESS_LOG_FORMAT,
            "--error-logfile",
            "-",
        ]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def ready(self) -> bool:
        status, _, _ = http_request(self.base_url, "GET", "/healthz", timeout=1)
        return status == 200


class CeleryWorker(Service):
    name = "celery-worker"
    startup_timeout = 120.0

    def __init__(self, root: Path, config: AppConfig, concurrency: int = 1) -> None:
        super().__init__(root)
        self.config = config
        self.concurrency = concurrency
        self._started_at = 0

    def environment(self) -> dict[str, str]:
        return self.config.environment()

    def command(self) -> list[str]:
        return [
            str(VENV_BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--loglevel=INFO",
            f"--concurrency={self.concurrency}",
            "--pool=prefork",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{self.name}-{os.getpid()}@%h",
        ]

    def start(self) -> Service:
        self._started_at = len(self.log_text())
        return super().start()

    def ready(self) -> bool:
        return " ready." in self.log_text()[self._started_at :]


class CeleryBeat(Service):
    name = "celery-beat"
    startup_timeout = 120.0

    def __init__(self, root: Path, config: AppConfig) -> None:
        super().__init__(root)
        self.config = config

    def environment(self) -> dict[str, str]:
        return self.config.environment()

    def command(self) -> list[str]:
        return [
            str(VENV_BIN / "celery"),
            "-A",
            "config",
            "beat",
            "--loglevel=INFO",
            f"--schedule={self.root / 'celerybeat-schedule'}",
        ]

    def ready(self) -> bool:
        return "beat: Starting" in self.log_text()


# --- HTTP helper -------------------------------------------------------------


def http_request(
    base_url: str,
    method: str,
    path: str,
    *,
    body: object | None = None,
    headers: Mapping[str, str] | None = None,
    timeout: float = 10,
) -> tuple[int, dict[str, str], object]:
    """One request; returns (status, headers, JSON body or text). Status 0
    means the connection failed."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base_url + path, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    for name, value in {**PROXY_HEADERS, **(headers or {})}.items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw, got = response.status, response.read(), response.headers
    except urllib.error.HTTPError as exc:
        status, raw, got = exc.code, exc.read(), exc.headers
    except (urllib.error.URLError, OSError):
        return 0, {}, None
    try:
        parsed: object = json.loads(raw) if raw else None
    except ValueError:
        parsed = raw.decode(errors="replace")
    return status, dict(got.items()), parsed


# --- The whole stack ---------------------------------------------------------


class Stack:
    """PostgreSQL + Redis + gunicorn (+ optional Celery worker and beat)."""

    def __init__(self, root: Path, *, keep: bool = False) -> None:
        self.root = root
        self.keep = keep
        self.postgres = PrivatePostgres(
            root, free_port(_env_range("HARDENING_PG_PORTS", PG_PORTS))
        )
        self.redis = PrivateRedis(
            root, free_port(_env_range("HARDENING_REDIS_PORTS", REDIS_PORTS))
        )
        self.database = "callguard"
        self.config = AppConfig(
            database_url=self.postgres.url(self.database),
            redis_url=self.redis.url(0),
            broker_url=self.redis.url(1),
            metrics_dir=str(root / "prometheus"),
        )
        (root / "prometheus").mkdir()
        self.web: Gunicorn | None = None
        self.worker: CeleryWorker | None = None
        self.beat: CeleryBeat | None = None
        self.extra_webs: list[Gunicorn] = []
        self.extra_workers: list[CeleryWorker] = []

    @classmethod
    @contextlib.contextmanager
    def start(
        cls,
        *,
        web: bool = True,
        worker: bool = False,
        beat: bool = False,
        env: Mapping[str, str] | None = None,
        web_workers: int = 2,
    ) -> Iterator[Stack]:
        root = Path(tempfile.mkdtemp(prefix="callguard-hardening-"))
        stack = cls(root, keep=bool(os.environ.get("HARDENING_KEEP")))
        try:
            stack.config.extra.update(env or {})
            stack.up(web=web, worker=worker, beat=beat, web_workers=web_workers)
            yield stack
        finally:
            stack.close()

    def up(
        self,
        *,
        web: bool = True,
        worker: bool = False,
        beat: bool = False,
        web_workers: int = 2,
    ) -> None:
        self.postgres.start()
        self.redis.start()
        self.postgres.create_database(self.database)
        self.migrate()
        # A migrated copy to clone databases from (CREATE DATABASE ...
        # TEMPLATE needs a source nobody is connected to).
        self.postgres.create_database(TEMPLATE_DATABASE, template=self.database)
        if web:
            port = free_port(_env_range("HARDENING_HTTP_PORTS", HTTP_PORTS))
            self.web = Gunicorn(self.root, port, self.config, workers=web_workers)
            self.web.start()
        if worker:
            self.worker = CeleryWorker(self.root, self.config)
            self.worker.start()
        if beat:
            self.beat = CeleryBeat(self.root, self.config)
            self.beat.start()

    def _config_with(self, env: Mapping[str, str]) -> AppConfig:
        return AppConfig(
            database_url=env.get("DATABASE_URL", self.config.database_url),
            redis_url=env.get("REDIS_URL", self.config.redis_url),
            broker_url=env.get("CELERY_BROKER_URL", self.config.broker_url),
            secret_key=self.config.secret_key,
            metrics_token=self.config.metrics_token,
            metrics_dir=self.config.metrics_dir,
            extra={**self.config.extra, **env},
        )

    def another_worker(self, env: Mapping[str, str]) -> CeleryWorker:
        """A Celery worker with settings of its own (another database or
        broker, a slowed-down aggregation...)."""
        worker = CeleryWorker(self.root, self._config_with(env))
        worker.name = f"celery-worker-{len(self.extra_workers) + 2}"
        worker.log_path = self.root / f"{worker.name}.log"
        self.extra_workers.append(worker)
        return worker

    def another_web(self, env: Mapping[str, str], workers: int = 1) -> Gunicorn:
        """A second gunicorn on the same database and Redis, with settings of
        its own (other rate limits, a trusted proxy count...)."""
        config = self._config_with(env)
        port = free_port(_env_range("HARDENING_HTTP_PORTS", HTTP_PORTS))
        web = Gunicorn(self.root, port, config, workers=workers)
        web.name = f"gunicorn-{port}"
        web.log_path = self.root / f"{web.name}.log"
        self.extra_webs.append(web)
        return web.start()

    def manage(self, *args: str, env: Mapping[str, str] | None = None) -> str:
        """Run a manage.py command with the stack's environment."""
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env={**self.config.environment(), **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result.stdout

    def migrate(self) -> None:
        self.manage("migrate", "--noinput")

    def django(
        self,
        action: str,
        payload: object = None,
        *,
        database: str | None = None,
        env: Mapping[str, str] | None = None,
    ):
        """Run ``hardening.probe <action>`` against the stack's database:
        seeding, aggregation and checks that need the ORM, in a child process
        so the caller's own Django (a test database) is never touched."""
        child_env = {**self.config.environment(), **(env or {})}
        if database:
            child_env["DATABASE_URL"] = self.postgres.url(database)
        result = subprocess.run(
            [sys.executable, "-m", "hardening.probe", action],
            cwd=REPO,
            env=child_env,
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            raise RuntimeError(f"probe {action} failed:\n{result.stderr[-4000:]}")
        return json.loads(result.stdout.strip().splitlines()[-1])

    def clone_database(self, name: str) -> str:
        """A fresh, migrated database; returns its URL."""
        self.postgres.drop_database(name)
        self.postgres.create_database(name, template=TEMPLATE_DATABASE)
        return self.postgres.url(name)

    def sql(self, query: str, database: str | None = None) -> str:
        return self.postgres.psql(query, database or self.database)

    @property
    def base_url(self) -> str:
        assert self.web is not None, "the stack was started without a web server"
        return self.web.base_url

    def request(self, method: str, path: str, **kwargs):
        return http_request(self.base_url, method, path, **kwargs)

    def services(self) -> list[Service]:
        found = [self.beat, self.worker, *self.extra_workers]
        found += [*self.extra_webs, self.web]
        found += [self.redis, self.postgres]
        return [s for s in found if s is not None]

    def close(self) -> None:
        for service in self.services():
            with contextlib.suppress(Exception):
                service.stop(timeout=10)
            with contextlib.suppress(ValueError):
                _live.remove(service)
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)


@atexit.register
def _kill_leftovers() -> None:
    for service in list(_live):
        with contextlib.suppress(Exception):
            service.kill()
