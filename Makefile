# TPM Workspace — the two commands: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install lint check worker beat clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11 or newer is needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

# Serve the demo at http://$(HOST):$(PORT). Embedded mode (SQLite, tasks in-process) unless
# DATABASE_URL / REDIS_URL are set; with REDIS_URL a Celery worker (with beat) runs beside the server.
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	@if [ -n "$$REDIS_URL" ]; then \
		DEBUG=1 $(BIN)/celery -A tpm_workspace worker --beat --loglevel=INFO --concurrency=2 & \
		worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT); \
	else \
		DEBUG=1 $(BIN)/python manage.py runserver $(HOST):$(PORT); \
	fi

# The whole suite on PostgreSQL and Redis (tpm_workspace/test_settings.py); the test
# database is created and dropped by the run.
test: install
	$(BIN)/pytest -n 2 --create-db

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install
	DEBUG=1 $(BIN)/python manage.py check
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

worker: install
	$(BIN)/celery -A tpm_workspace worker --loglevel=INFO

beat: install
	$(BIN)/celery -A tpm_workspace beat --loglevel=INFO

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
