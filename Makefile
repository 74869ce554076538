# Two entry points, each setting up its own virtual environment in .venv:
#   make run   - install modlc, check every mechanism in mechanisms/ and show hh's IR (its kernels)
#   make test  - install modlc with its test extras and run the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test venv venv-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

venv: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

venv-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'

run: venv
	$(BIN)/modlc check mechanisms/*.mod
	$(BIN)/modlc show mechanisms/hh.mod --stage ir

test: venv-test
	$(BIN)/python -m pytest -n 2 -q

clean:
	rm -rf $(VENV) build *.egg-info
