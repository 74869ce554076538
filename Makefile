# Two entry points, each setting up its own virtual environment in .venv:
#   make run   - install modlc with its backends, compile mechanisms/ for JAX into build/jax, run
#                every mechanism's kernels on JAX, TensorFlow and ONNX against the NumPy reference,
#                and run examples/hh_cell.py (the quickest example) into build/hh_cell.png
#   make test  - install modlc with its test extras and run the whole test suite
#   make golden - regenerate tests/golden/ (the committed generated code) after an intended change
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

BACKENDS := numpy jax tf onnx

.PHONY: run test golden venv venv-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

venv: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[all,examples]'

venv-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'

run: venv
	$(BIN)/modlc check mechanisms/*.mod
	$(BIN)/modlc compile mechanisms/*.mod --backend jax -o build/jax -v
	$(BIN)/modlc corpus mechanisms --backends jax,tf,onnx
	$(BIN)/python examples/hh_cell.py --backend jax --out build

test: venv-test
	$(BIN)/python -m pytest -n 2 -q

golden: venv-test
	for b in $(BACKENDS); do rm -rf tests/golden/$$b && $(BIN)/modlc compile mechanisms/*.mod --backend $$b -o tests/golden/$$b || exit 1; done

clean:
	rm -rf $(VENV) build *.egg-info
