# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
AXE := .axe/node_modules/axe-core/axe.min.js
PORT ?= 8501

.PHONY: run test test-unit test-app test-browser lint bench store clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@# WeasyPrint (the report's PDF) needs Pango; Debian images carry it, else apt installs it (quietly skipped without apt).
	ldconfig -p | grep -q libpango-1.0 || (command -v apt-get >/dev/null && apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0) || true
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m streamlit run streamlit_app.py --server.port $(PORT)

# axe-core (for the accessibility test) comes from the npm registry; skipped quietly where npm is missing.
$(AXE):
	command -v npm >/dev/null 2>&1 && npm install --silent --no-save --no-audit --no-fund --prefix .axe axe-core@4.14.1 || true

test: lint $(AXE)
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

# One tier at a time: unit (sendlib and the CLI), app (AppTest), browser (Chromium). `make test` runs them all.
test-unit: $(STAMP)
	$(PY) -m pytest -n 2 -m unit $(PYTEST_ARGS)

test-app: $(STAMP)
	$(PY) -m pytest -n 2 -m app $(PYTEST_ARGS)

test-browser: $(STAMP) $(AXE)
	$(PY) -m pytest -n 2 -m browser $(PYTEST_ARGS)

# ruff (style, complexity), import-linter (the layers in pyproject.toml), mypy (strict on sendlib).
lint: $(STAMP)
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m mypy sendlib

bench: $(STAMP)
	$(PY) bench/bench.py
	$(PY) bench/bench_upload.py
	$(PY) bench/bench_long.py
	$(PY) bench/bench_dfe.py
	$(PY) bench/bench_start.py
	$(PY) bench/bench_cases.py

store: $(STAMP)
	$(PY) -m sendlib init

clean:
	rm -rf $(VENV) .axe data/store .pytest_cache
