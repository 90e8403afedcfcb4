# Two commands matter: `make run` (the demo school on SQLite) and `make test` (the whole suite).
# Everything else they need is installed here, into .venv, from uv.lock.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
VENV := .venv
UV := $(TOOLS)/bin/uv
PY := $(VENV)/bin/python
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := $(PYTHON)

.PHONY: run test lint typecheck check messages install-browser clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --quiet
	touch $@

run: $(VENV)/.synced
	$(PY) manage.py migrate --verbosity 0
	$(PY) manage.py demo_load --if-empty
	$(PY) manage.py runserver 127.0.0.1:8000

test: $(VENV)/.synced
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.synced
	$(VENV)/bin/mypy parta tests

check: lint typecheck
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

# Needs GNU gettext (apt-get install gettext); the compiled .mo files are committed so that
# a fresh machine without it still shows both languages.
messages: $(VENV)/.synced
	mkdir -p parta/locale
	$(PY) manage.py makemessages -l ru -l en --no-location --no-obsolete --no-wrap \
		--ignore='.venv/*' --ignore='.tools/*' --ignore='var/*' --ignore='test-artifacts/*'
	$(PY) manage.py compilemessages --ignore='.venv/*' --ignore='.tools/*' 

clean:
	rm -rf $(VENV) $(TOOLS) var
