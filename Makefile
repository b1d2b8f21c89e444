# Two commands: `make run` (the product with demo data, no servers needed) and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
TEST_WORKERS ?= auto
STAMP := $(VENV)/.installed
# The translation catalogues: each locale's django.po compiled to the django.mo Django reads
# (built here and in the Dockerfile, never committed).
PO_FILES := $(wildcard locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: install run test bench lint format chromium system-packages test-tools messages clean

install: $(STAMP) $(MO_FILES)

messages: $(MO_FILES)

# compilemessages needs msgfmt (GNU gettext): scripts/install-system-packages installs it.
$(MO_FILES): %.mo: %.po $(STAMP)
	@command -v msgfmt >/dev/null || ./scripts/install-system-packages
	ENV_FILE= DEBUG=true $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules --ignore=var

$(STAMP): requirements.lock requirements-dev.lock
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed: set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-virtualenv -r requirements.lock -r requirements-dev.lock
	@# Make the project importable from the venv (celery -A clinic, pytest -p tests.services_plugin).
	$(PY) -c "import site, pathlib; pathlib.Path(site.getsitepackages()[0], 'clinic-triage.pth').write_text('$(CURDIR)\n')"
	@test -f .env || { printf '# Local development only (written by make install; not used by containers or tests).\nDEBUG=true\nSECRET_KEY=%s\n' "$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" > .env; echo "wrote .env for local use"; }
	touch $(STAMP)

run: install system-packages
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true SITE_URL=http://127.0.0.1:$(PORT) $(PY) manage.py seed_demo
	DEBUG=true $(PY) manage.py seed_rule_history
	DEBUG=true TWO_FACTOR_DEMO_CODES=true PORT=$(PORT) SITE_URL=http://127.0.0.1:$(PORT) ./scripts/run-embedded

chromium:
	@./scripts/install-chromium

# axe-core for the browser tests' accessibility check, from the npm registry (package-lock.json).
test-tools:
	@./scripts/install-test-tools

system-packages:
	@./scripts/install-system-packages

test: install chromium system-packages test-tools
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

bench: install
	@for b in bench/[!_]*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DEBUG=true $(VENV)/bin/mypy .
	$(VENV)/bin/mypy --strict triage/rules psychosocial/scoring.py  # the rule engine and the questionnaire scoring are typed strictly
	$(VENV)/bin/mypy --strict programmes/core  # so is the programmes' pure clinical code

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var staticfiles node_modules .pytest_cache .mypy_cache .ruff_cache
	find locale -name '*.mo' -delete
