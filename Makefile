# Two commands for a fresh machine:  make example  (the bundled plan)  and  make test.
# make typecheck  runs mypy over src/kantorovich (settings in pyproject.toml); CI runs it.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
TYPED := $(VENV)/.typecheck

.PHONY: example test typecheck bench clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

example: $(STAMP)
	$(VENV)/bin/kantorovich explain examples/leningrad.yaml

test: $(STAMP)
	$(PY) -m pytest -q

$(TYPED): $(STAMP)
	$(PY) -m pip install --quiet -e '.[typecheck]'
	touch $(TYPED)

typecheck: $(TYPED)
	$(PY) -m mypy

bench: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache
