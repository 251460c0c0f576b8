# Two commands matter: `make run` and `make test`. Everything else helps them.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
ADDR ?= 127.0.0.1:8000

.PHONY: install run test lint format web worker beat realdata

install: $(VENV)/.installed

$(VENV)/.installed: requirements/base.txt requirements/dev.txt requirements/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/dev.txt -c requirements/constraints.txt
	touch $@

# The embedded default: SQLite in var/, tasks in-process, push to the log.
run: install
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(PY) manage.py runserver $(ADDR)

test: install
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

worker: install
	$(VENV)/bin/celery -A config worker --loglevel=INFO --concurrency=2

beat: install
	$(VENV)/bin/celery -A config beat --loglevel=INFO --schedule=var/celerybeat-schedule

# Production WSGI server; set SECRET_KEY, DATABASE_URL, REDIS_URL first.
web: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput
	rm -rf var/prometheus && mkdir -p var/prometheus
	PROMETHEUS_MULTIPROC_DIR=var/prometheus \
		$(VENV)/bin/gunicorn config.wsgi --config config/gunicorn.py --bind $(ADDR)

# The main job on real data: NANPA's area codes and a week of FTC complaints
# from ../shared/data, aggregated into reputations and block lists.
SHARED_DATA ?= ../shared/data
realdata: install
	DEBUG=$${DEBUG:-true} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-true} $(PY) manage.py import_nanpa $(SHARED_DATA)/nanpa_npa_report_2025-11-26.csv
	DEBUG=$${DEBUG:-true} $(PY) manage.py import_ftc --replay \
		$(SHARED_DATA)/ftc_dnc_api_numbers_fullweek_2021-03-15_to_2021-03-21.csv \
		$(SHARED_DATA)/ftc_dnc_api_fullfields_2021-02-02_to_2021-03-01.csv
	DEBUG=$${DEBUG:-true} $(PY) manage.py aggregate_reports
