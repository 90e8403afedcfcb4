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
# The demo and the developer's checks run with DEBUG (and its demo key); production sets neither.
DEV := PARTA_DEBUG=1

.PHONY: run test lint typecheck check messages install-browser clean bench bench-quick

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --frozen --quiet
	touch $@

run: $(VENV)/.synced
	$(DEV) $(PY) manage.py migrate --verbosity 0
	$(DEV) $(PY) manage.py demo_load --if-empty
	$(DEV) $(PY) manage.py vapid_keys --verbosity 0
	$(DEV) $(PY) manage.py runserver 127.0.0.1:8000

test: $(VENV)/.synced
	$(PY) -m pytest -n auto --dist loadfile $(PYTEST_ARGS)

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.synced
	$(VENV)/bin/mypy parta tests bench

check: lint typecheck
	$(DEV) $(PY) manage.py makemigrations --check --dry-run
	$(DEV) $(PY) manage.py check

# Needs GNU gettext (apt-get install gettext); the compiled .mo files are committed so that
# a fresh machine without it still shows both languages.
messages: $(VENV)/.synced
	mkdir -p parta/locale
	$(DEV) $(PY) manage.py makemessages -l ru -l en --no-location --no-obsolete --no-wrap \
		--ignore='.venv/*' --ignore='.tools/*' --ignore='var/*' --ignore='test-artifacts/*'
	$(DEV) $(PY) manage.py compilemessages --ignore='.venv/*' --ignore='.tools/*' 

# The city-scale benchmark (bench/README.md): needs the machine's PostgreSQL (postgres@127.0.0.1)
# and Redis; installs wrk with apt-get when missing. Results go to bench/results/.
# BENCH_ARGS passes more options, e.g. BENCH_ARGS=--fresh to make the cities again.
bench: $(VENV)/.synced
	$(PY) bench/city.py --scales 0.01,0.05,0.2 --duration 10 --warmup 5 --repeat 3 $(BENCH_ARGS)

# What a reviewer runs: S=0.01, 10 s per scenario and concurrency, about 14 minutes on two cores.
bench-quick: $(VENV)/.synced
	$(PY) bench/city.py --scales 0.01 --duration 10 --warmup 2 --users 1000 $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(TOOLS) var
