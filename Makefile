# casereview: `make run` to try it, `make test` to check it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
CHROMIUM ?= /usr/bin/chromium
# PostgreSQL used by `make test` for its second run (pytest-django creates test_casereview).
TEST_DATABASE_URL ?= postgres://root@127.0.0.1:5432/casereview
# Set REQUIRE_POSTGRES=1 (as .ci/run does) to fail instead of skipping the PostgreSQL run.
REQUIRE_POSTGRES ?= 0
export DJANGO_ALLOW_ASYNC_UNSAFE := true

.PHONY: run serve test test-sqlite test-postgres lint venv chromium migrate demo screenshots clean

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

chromium:
	@if [ -x "$(CHROMIUM)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Chromium is missing: installing Debian's chromium package for the browser tests."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "Chromium is needed for the browser tests. Install it with:"; \
	  echo "  sudo apt-get update && sudo apt-get install -y chromium"; \
	  exit 1; \
	fi

migrate: venv
	DEBUG=true $(PY) manage.py migrate --noinput

demo: migrate
	DEBUG=true $(PY) manage.py load_demo

# PORT=8001 make run (or make run PORT=8001) serves on another port.
# The development server and one task worker (PDF chronologies, reminders) together: Ctrl-C
# stops both. The worker does not reload on code changes (runserver does): restart after
# changing a task.
PORT ?= 8000
run: demo
	@echo
	@echo "casereview is starting: sign in at http://127.0.0.1:$(PORT)/accounts/login/"
	@echo "Demo logins (password for all: demo-password):"
	@echo "  caseworker  supervisor  provider  chair  inquiry  admin"
	@echo
	@export DEBUG=true; \
	$(PY) manage.py db_worker --no-reload --interval 1 & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: venv chromium
	$(PY) manage.py makemigrations --check --dry-run --settings=casereview.test_settings
	$(VENV)/bin/lint-imports --no-cache
	$(MAKE) --no-print-directory test-sqlite
	@if $(PY) -c "import psycopg,sys; psycopg.connect('$(TEST_DATABASE_URL)'.replace('/casereview','/postgres'), connect_timeout=3).close()" 2>/dev/null; then \
	  $(MAKE) --no-print-directory test-postgres; \
	elif [ "$(REQUIRE_POSTGRES)" = 1 ]; then \
	  echo "PostgreSQL is required but not reachable at $(TEST_DATABASE_URL)"; exit 1; \
	else \
	  echo "PostgreSQL not reachable at $(TEST_DATABASE_URL): the PostgreSQL run was not done."; \
	fi

test-sqlite: venv
	@echo "== test suite on SQLite"
	DATABASE_URL= $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: venv
	@echo "== test suite on PostgreSQL ($(TEST_DATABASE_URL))"
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest $(PYTEST_ARGS)

# Production mode on this machine: gunicorn + whitenoise against PostgreSQL, DEBUG off.
# Plain HTTP on loopback, so HTTPS redirect and Secure cookies are off unless you set them;
# behind a TLS proxy set SECURE_SSL_REDIRECT=true SECURE_COOKIES=true SECURE_PROXY_SSL_HEADER=true.
# migrate runs as DATABASE_URL's user (the tables' owner); gunicorn then connects as
# SERVE_APP_ROLE, made here if missing, which owns nothing: it may read and write rows but
# not TRUNCATE, ALTER or DROP the tables or switch off their audit triggers. The audit chain
# key is AUDIT_HMAC_KEY, else var/audit-hmac-key (made on first use: keep it, the chains
# verify only with it).
# Task workers (`manage.py db_worker`, SERVE_TASK_WORKERS of them, default 1) run beside
# gunicorn as the same role and stop with it; on other machines run more with the same
# DATABASE_URL and PDF storage (README "Production").
SERVE_DATABASE_URL ?= postgres://root@127.0.0.1:5432/casereview
SERVE_APP_ROLE ?= casereview_app
SERVE_TASK_WORKERS ?= 1
serve: venv
	@if [ -z "$$SECRET_KEY" ]; then echo "SECRET_KEY is not set: using a random key for this run (sessions end when it stops)."; fi
	@if [ -z "$$AUDIT_HMAC_KEY" ] && [ ! -s var/audit-hmac-key ]; then \
	  mkdir -p var && (umask 077; $(PY) -c 'import secrets; print(secrets.token_urlsafe(48))' > var/audit-hmac-key) && \
	  echo "AUDIT_HMAC_KEY is not set: made var/audit-hmac-key (keep it: the audit chains verify only with it)."; fi
	@export SECRET_KEY="$${SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')}" \
	  AUDIT_HMAC_KEY="$${AUDIT_HMAC_KEY:-$$(cat var/audit-hmac-key)}" \
	  DATABASE_URL="$${DATABASE_URL:-$(SERVE_DATABASE_URL)}" ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" \
	  SECURE_SSL_REDIRECT="$${SECURE_SSL_REDIRECT:-false}" SECURE_COOKIES="$${SECURE_COOKIES:-false}" \
	  SECURE_HSTS_SECONDS="$${SECURE_HSTS_SECONDS:-0}" DEBUG=false; \
	APP_DATABASE_URL="$${APP_DATABASE_URL:-$$($(PY) -c 'import os, urllib.parse as p; u = p.urlsplit(os.environ["DATABASE_URL"]); print(u._replace(netloc="$(SERVE_APP_ROLE)@" + u.netloc.rpartition("@")[2]).geturl())')}"; \
	$(PY) manage.py migrate --noinput && \
	{ psql "$$DATABASE_URL" -qtAX -c "SELECT 1 FROM pg_roles WHERE rolname = '$(SERVE_APP_ROLE)'" | grep -q 1 || \
	  psql "$$DATABASE_URL" -qX -v ON_ERROR_STOP=1 -c "CREATE ROLE $(SERVE_APP_ROLE) LOGIN"; } && \
	psql "$$DATABASE_URL" -qX -v ON_ERROR_STOP=1 \
	  -c "GRANT USAGE ON SCHEMA public TO $(SERVE_APP_ROLE)" \
	  -c "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO $(SERVE_APP_ROLE)" \
	  -c "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO $(SERVE_APP_ROLE)" && \
	$(PY) manage.py collectstatic --noinput -v0 && \
	echo "casereview (production mode, database role $(SERVE_APP_ROLE)) on http://127.0.0.1:8000/ — health: http://127.0.0.1:8000/healthz" || exit 1; \
	export DATABASE_URL="$$APP_DATABASE_URL"; workers=""; \
	for n in $$(seq 1 $(SERVE_TASK_WORKERS)); do $(PY) manage.py db_worker --no-reload & workers="$$workers $$!"; done; \
	trap 'kill -TERM $$workers 2>/dev/null; wait $$workers 2>/dev/null' EXIT INT TERM; \
	$(VENV)/bin/gunicorn casereview.wsgi -b 127.0.0.1:8000 -k gthread -w 3 --threads 4 --keep-alive 5 --timeout 180 --access-logfile - --forwarded-allow-ips "$${FORWARDED_ALLOW_IPS:-}"

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles

# PNGs of the main pages into docs/screenshots/ (throwaway SQLite demo DB, runserver on 127.0.0.1:8765).
screenshots: venv chromium
	$(PY) scripts/screenshots.py

.PHONY: bench loadtest

# Server-side timings against the raw-SQL floor on a seeded PostgreSQL archive (casereview_bench,
# 70,000 cases, seeded on first use) into docs/benchmarks.md. BENCH_CASES=5000 for a quick run.
bench: venv
	$(PY) scripts/bench.py

# gunicorn (production settings, 127.0.0.1:8765) under locust: 50 signed-in users for 2 minutes.
# LOADTEST_USERS / LOADTEST_SECONDS shorten it. Fails on a p95 over 500 ms or any error.
loadtest: venv
	$(PY) scripts/loadtest.py
