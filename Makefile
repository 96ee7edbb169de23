# Talat: `make demo` to try it, `make test` to check it. Both create .venv themselves.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
DEMO_ENV := TALAT_SECRET_KEY_FILE=var/secret_key TALAT_FIELD_KEYS_FILE=var/field_keys \
	TALAT_INDEX_KEY_FILE=var/index_key TALAT_AUDIT_SIGNING_KEY_FILE=var/audit_signing_key \
	TALAT_INSECURE_HTTP=1 TALAT_EMAIL_URL=file:var/mail
TEST_ENV := DJANGO_SETTINGS_MODULE=tests.settings

.PHONY: demo test test-sqlite test-postgres lint bench messages clean

$(INSTALLED): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(INSTALLED)

# The demo's keys, made once and kept in var/ (production keeps them outside the database and
# outside the code, e.g. in files readable only by Talat's user).
KEY := import base64, os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())
var/secret_key:
	mkdir -p var/mail
	umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@
var/field_keys:
	mkdir -p var && umask 077 && $(PYTHON) -c '$(KEY)' | sed 's/^/1:/' > $@
var/index_key var/audit_signing_key:
	mkdir -p var && umask 077 && $(PYTHON) -c '$(KEY)' > $@

demo: $(INSTALLED) var/secret_key var/field_keys var/index_key var/audit_signing_key
	@echo "Password-reset and other e-mails are written to var/mail/."
	$(DEMO_ENV) $(PY) manage.py demo

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(TEST_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(PY) manage.py check

# The whole suite runs twice: on SQLite, then on a real PostgreSQL
# (TALAT_TEST_DATABASE_URL, else a server on 127.0.0.1:5432, else a throwaway cluster).
test: lint
	scripts/ensure-chromium.sh
	$(MAKE) --no-print-directory test-sqlite test-postgres

test-sqlite: $(INSTALLED)
	@echo "== test suite on SQLite =="
	$(TEST_ENV) TALAT_DATABASE_URL=sqlite:///var/test.sqlite3 $(PY) -m pytest $(PYTEST_ARGS)

test-postgres: $(INSTALLED)
	@echo "== test suite on PostgreSQL =="
	url=$$(scripts/test-database-url.sh) && \
	  $(TEST_ENV) TALAT_DATABASE_URL="$$url" $(PY) -m pytest $(PYTEST_ARGS)

messages: $(INSTALLED)
	cd talat && ../$(PY) ../manage.py makemessages --no-obsolete --no-location -l th -l en -l zh_Hans
	cd talat && ../$(PY) ../manage.py compilemessages

bench: $(INSTALLED)
	@set -e; for script in bench/[!_]*.py; do $(TEST_ENV) $(PY) "$$script"; done

clean:
	rm -rf $(VENV) var/static var/test.sqlite3 .cache
