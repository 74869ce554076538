"""Nothing in a .mod file becomes executable code: names are mangled, text is only ever a
string literal. The hostile file names its variables `import`, `tf`, `__class__`, `p`, `s`,
`np`, `META`, `_full`, `lambda`…, and its TITLE and COMMENT hold triple quotes and shell commands."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from codegen_cases import ROOT
from ir_eval import EPS
from modlc import backends
from modlc.compiler import compile_file
from modlc.loader import import_module_file

HOSTILE = ROOT / "tests" / "data" / "codegen" / "hostile.mod"
CANARY = Path("/tmp/modlc-pwned")
BACKENDS = ["numpy", "jax", "tf", "onnx"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_hostile_file_yields_a_module_that_only_defines_kernels(backend, tmp_path):
    CANARY.unlink(missing_ok=True)
    files = compile_file(HOSTILE, backend)
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    source = files["tf.py"].decode()
    tree = ast.parse(source)
    top_level = {type(node).__name__ for node in tree.body}
    assert top_level <= {"Expr", "Import", "ImportFrom", "Assign", "FunctionDef", "If"}
    docstring = ast.get_docstring(tree)
    assert "touch" not in docstring and "__import__" not in docstring
    # every call made at import time is a known helper of the generated module, never os/system
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            assert node.func.attr not in ("system", "popen", "exec", "eval")
        if isinstance(node, ast.Name):
            assert node.id not in ("os", "__import__", "eval", "exec", "open")

    backends.prepare(backend, "float64")
    module = import_module_file(tmp_path / "tf.py", f"hostile_{backend}")
    assert not CANARY.exists()
    title = HOSTILE.read_text().splitlines()[0][len("TITLE "):]
    assert module.META["title"] == title.strip()
    names = {v["name"] for v in module.META["variables"]}
    assert {"import", "__class__", "p", "s", "np", "META", "_full", "lambda", "print", "ion"} <= names

    # and the kernels still compute what the file says, under the mangled names
    n = 3
    p = {"import": np.full(n, 0.12), "__class__": np.full(n, 2.0), "p": np.full(n, 3.0), "s": np.full(n, 4.0),
         "np": np.full(n, 5.0), "META": np.full(n, 6.0), "_full": np.full(n, 7.0), "celsius": 6.3}
    s = {k: np.zeros(n) for k in ("class", "shape", "jnp", "def", "lambda", "print", "ion", "ina")}
    v = np.array([-70.0, -20.0, 10.0])
    ion = {"ena": np.full(n, 50.0)}
    s, _ = module.init(p, s, v, ion, 0.0)
    np.testing.assert_array_equal(np.asarray(s["class"]), 0.5)  # INITIAL { class = 0.5 }: a copy
    s, i, g, ion_i, ion_g = module.current(p, s, v, ion, 0.0)
    # Every quantity below is a short sum or product of positive terms (v - ena is exact: integers),
    # so each side is within its count of roundings, u each, relative: shape 2, ion 6, i and g 2.
    np.testing.assert_allclose(np.asarray(s["shape"]), 0.12 * 3 + 4, rtol=2 * EPS)
    np.testing.assert_allclose(np.asarray(s["ion"]), 2 * ((0.12 * 3 + 4) + 5 * 6 + (7 + 2)) + 1, rtol=6 * EPS)
    np.testing.assert_allclose(np.asarray(i), 0.12 * 0.5 * (v - 50.0), rtol=2 * EPS)
    np.testing.assert_allclose(np.asarray(ion_i["na"]), 0.12 * 0.5 * (v - 50.0), rtol=2 * EPS)
    # dI/dv = import*class, exactly linear: the symbolic derivative is that product (one rounding)
    np.testing.assert_allclose(np.asarray(g), 0.12 * 0.5, rtol=EPS)
    np.testing.assert_allclose(np.asarray(ion_g["na"]), 0.12 * 0.5, rtol=EPS)
    # and the state kernel, which reads `__class__` and `p`: cnexp's exact exponential relaxation
    # class' = (__class__/10 - class)/p towards 0.2 with tau = 3, e^(-dt/3) within 3u and ~4 more
    # roundings on terms <= 0.5: 8 EPS
    s = module.state(p, s, v, ion, 0.0, 0.025)
    np.testing.assert_allclose(np.asarray(s["class"]), 0.2 + 0.3 * np.exp(-0.025 / 3), rtol=8 * EPS)
