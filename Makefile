# The commands the README shows. Each works on a fresh Debian machine.
SHELL := /bin/bash
# The interpreter the venv is made from: Debian's python3 when it can make one (it has
# the interpreter in its executable; a python3 built with --enable-shared, as pyenv
# builds them, calls it in a shared library: pages ~10 % slower, bench/README.md),
# else the first python3 on PATH.
PYTHON ?= $(shell /usr/bin/python3 -c 'import sys, ensurepip, venv; \
	sys.exit(sys.version_info < (3, 11))' 2>/dev/null && echo /usr/bin/python3 || echo python3)
VENV := .venv
PORT ?= 5000

.PHONY: run serve test test-sqlite test-postgres test-browser bench lint translations venv venv-dev

$(VENV)/.runtime: requirements.txt
	test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check --no-warn-script-location -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(VENV)/bin/pip install -q --disable-pip-version-check --no-warn-script-location -r requirements-dev.txt
	touch $@

venv: $(VENV)/.runtime
venv-dev: $(VENV)/.dev

## run: migrate the database in instance/, load demo data when empty, serve on :$(PORT)
## with the task worker beside it (messages, periodic work)
run: venv
	$(VENV)/bin/flask --app wsgi db upgrade
	$(VENV)/bin/flask --app wsgi seed-demo --if-empty
	$(VENV)/bin/flask --app wsgi worker & worker=$$!; trap "kill $$worker" EXIT; \
	FLASK_SESSION_COOKIE_SECURE=false $(VENV)/bin/flask --app wsgi run --host 127.0.0.1 --port $(PORT)

## serve: production: migrate, no demo data, gunicorn with gunicorn.conf.py on :$(PORT),
## the task worker beside it (in production it may run as its own service: `flask worker`)
serve: venv
	$(VENV)/bin/flask --app wsgi db upgrade
	$(VENV)/bin/flask --app wsgi worker & worker=$$!; trap "kill $$worker" EXIT; \
	PORT=$(PORT) $(VENV)/bin/gunicorn --config gunicorn.conf.py wsgi:app

## test: install what the tests need, then run every test on SQLite, PostgreSQL and in Chromium
test:
	bash scripts/test.sh

## bench: seed --scale 10000 into a temporary database and print the figures
bench: venv-dev
	$(VENV)/bin/python bench/run.py

## translations: extract strings and compile the catalogues
translations: venv-dev
	bash scripts/translations.sh
