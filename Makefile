# Two entry points, each setting up its own virtual environment in .venv:
#   make run   - install modlc with its backends, compile mechanisms/ for JAX into build/jax, run
#                every mechanism's kernels on JAX, TensorFlow and ONNX against the NumPy reference,
#                and run examples/hh_cell.py (the quickest example) into build/hh_cell.png
#   make test  - install modlc with its test extras and run the whole test suite
# Both install the exact versions in constraints.txt (the environment CI runs; LOCK= installs the
# newest releases instead). Keeping up with new releases, and with the oldest ones pyproject.toml
# admits, is deliberate (README, "Tests"):
#   make lock        - the suite on the newest releases, in .venv-latest; if it passes, their versions
#                      become constraints.txt
#   make test-floors - the suite on the oldest releases pyproject.toml admits, in .venv-floors
#   make golden      - regenerate tests/golden/ (the committed generated code) after an intended change
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK ?= constraints.txt
PYTEST := -m pytest -n 2 -q

BACKENDS := numpy jax tf onnx

.PHONY: run test golden venv venv-test lock test-floors clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

venv: $(BIN)/python
	$(BIN)/python -m pip install --quiet $(if $(LOCK),-c $(LOCK)) -e '.[all,examples]'

venv-test: $(BIN)/python
	$(BIN)/python -m pip install --quiet $(if $(LOCK),-c $(LOCK)) -e '.[test]'

run: venv
	$(BIN)/modlc check mechanisms/*.mod
	$(BIN)/modlc compile mechanisms/*.mod --backend jax -o build/jax -v
	$(BIN)/modlc corpus mechanisms --backends jax,tf,onnx
	$(BIN)/python examples/hh_cell.py --backend jax --out build

test: venv-test
	$(BIN)/python $(PYTEST)

lock:
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --upgrade pip
	.venv-latest/bin/python -m pip install --quiet -e '.[test]'
	.venv-latest/bin/python $(PYTEST)
	{ echo "# The environment 'make test' and CI install (Python $$(.venv-latest/bin/python -c 'import platform; print(platform.python_version(), platform.machine())')),"; \
	  echo "# written by 'make lock' on $$(date -u +%F) after the whole suite passed on it."; \
	  .venv-latest/bin/python -m pip freeze --exclude-editable; } > $(LOCK)

test-floors:
	rm -rf .venv-floors
	$(PYTHON) -m venv .venv-floors
	.venv-floors/bin/python -m pip install --quiet uv
	.venv-floors/bin/uv pip install --quiet -p .venv-floors/bin/python --resolution lowest-direct -e '.[test]'
	.venv-floors/bin/python $(PYTEST)

golden: venv-test
	for b in $(BACKENDS); do rm -rf tests/golden/$$b && $(BIN)/modlc compile mechanisms/*.mod --backend $$b -o tests/golden/$$b || exit 1; done

clean:
	rm -rf $(VENV) .venv-latest .venv-floors build *.egg-info
