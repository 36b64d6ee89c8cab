# Two commands for a fresh clone: `make run` (the app on the demo mall) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench demo clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m dashboard.bootstrap
	$(PY) -m streamlit run streamlit_app.py

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

test: lint
	$(PY) -m pytest -n 2 --dist loadgroup

bench: $(STAMP)
	$(PY) -m bench.run
	$(PY) -m bench.refresh
	$(PY) -m bench.states
	$(PY) -m bench.rls
	$(PY) -m bench.shards
	$(PY) -m bench.load --replica same

clean:
	rm -rf $(VENV) data/*.sqlite
