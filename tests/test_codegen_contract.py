"""The generated modules keep the kernel contract: they import only their backend, define only
META, helpers and kernels, and the kernels behave as JAX and TensorFlow code must (jit, vmap,
grad; XLA), with the ONNX graphs valid and their text form the source of the binary."""

from __future__ import annotations

import ast
import re
from fractions import Fraction

import numpy as np
import pytest
import sympy

from codegen_cases import CASES, MECHANISMS
from ir_eval import EPS, newton_step_bound
from modlc import backends, exercise
from modlc.compiler import compile_file
from modlc.loader import import_module_file

ALLOWED_IMPORTS = {
    "numpy": {"math", "numpy"},
    "jax": {"jax", "jax.numpy"},
    "tf": {"tensorflow"},
    "onnx": {"pathlib", "numpy", "onnxruntime"},
}
HH = next(p for p in MECHANISMS if p.name == "hh.mod")


def generated(tmp_path, path, backend, dtype="float64"):
    files = compile_file(path, backend, dtype)
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    backends.prepare(backend, dtype)
    stem = next(n for n in files if n.endswith(".py"))
    return files, import_module_file(tmp_path / stem, f"contract_{backend}")


@pytest.mark.parametrize("backend", sorted(ALLOWED_IMPORTS))
@pytest.mark.parametrize("path", MECHANISMS + CASES, ids=lambda p: p.name)
def test_module_imports_only_its_backend_and_defines_only_kernels(path, backend):
    files = compile_file(path, backend)
    source = files[next(n for n in files if n.endswith(".py"))].decode()
    tree = ast.parse(source)
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    assert imported <= ALLOWED_IMPORTS[backend], imported
    kernels = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            if not node.name.startswith("_"):
                kernels.add(node.name)
        else:
            assert isinstance(node, (ast.Expr, ast.Import, ast.ImportFrom, ast.Assign, ast.If)), ast.dump(node)[:80]
    assert {"init", "current", "state"} <= kernels
    assert kernels <= {"init", "current", "state", "net_receive", "net_init"} | {
        k for k in kernels if k.startswith(("before_", "after_"))}


@pytest.mark.vs_closed_form
def test_jax_kernels_jit_vmap_and_grad(tmp_path):
    import jax
    import jax.numpy as jnp

    _, hh = generated(tmp_path, HH, "jax")
    meta = hh.META
    inputs = exercise.sample_inputs(meta, 5, seed=3)
    p, ion, v = inputs["p"], inputs["ion"], inputs["v"]
    s, _ = jax.jit(hh.init)(p, inputs["s"], v, ion, 0.0)

    # grad: d(sum of i)/dv through the generated current kernel is the kernel's own dI/dv
    def total_current(voltage):
        return jnp.sum(hh.current(p, s, voltage, ion, 0.0)[1])

    dv = jax.grad(total_current)(jnp.asarray(v))
    g = hh.current(p, s, v, ion, 0.0)[2]
    # At fixed gates hh's current is sum_j g_j (v - e_j), so both are gnabar m³h + gkbar n⁴ + gl:
    # positive terms, each a product within ~4u (a pow's ulp and two products), the sum 2u more:
    # <= 6u a side in any operation order, 6 EPS apart (measured 0). The hand formula is the
    # independent reference; grad against the kernel's own dI/dv checks they are one derivative.
    m, h, n = (np.asarray(s[k]) for k in ("m", "h", "n"))
    by_hand = p["gnabar"] * m**3 * h + p["gkbar"] * n**4 + p["gl"]
    np.testing.assert_allclose(np.asarray(g), by_hand, rtol=6 * EPS)
    np.testing.assert_allclose(np.asarray(dv), np.asarray(g), rtol=6 * EPS)

    # vmap over parameter sets: a batch of gnabar values equals calling once per value. The current
    # sums terms of both signs, so the bound is relative to their magnitudes: each term a product
    # within ~6u, the sum 2u more, 8u a side, 8 EPS of sum_j |g_j (v - e_j)| apart (measured 0).
    gnabar = jnp.asarray([0.05, 0.12, 0.2])
    batched = jax.vmap(lambda gna: hh.current({**p, "gnabar": gna * jnp.ones(5)}, s, v, ion, 0.0)[1])(gnabar)
    for k, value in enumerate(np.asarray(gnabar)):
        single = hh.current({**p, "gnabar": value * np.ones(5)}, s, v, ion, 0.0)[1]
        terms = [value * m**3 * h * (v - ion["ena"]), p["gkbar"] * n**4 * (v - ion["ek"]), p["gl"] * (v - p["el"])]
        bound = 8 * EPS * sum(np.abs(t) for t in terms)
        assert np.all(np.abs(np.asarray(batched[k]) - np.asarray(single)) <= bound), value
        assert np.all(np.abs(np.asarray(single) - sum(terms)) <= bound), value


def test_jax_float64_kernels_refuse_to_run_as_float32(tmp_path):
    import jax

    files = compile_file(HH, "jax", "float64")
    (tmp_path / "hh.py").write_bytes(files["hh.py"])
    enabled = jax.config.jax_enable_x64
    jax.config.update("jax_enable_x64", False)
    try:
        with pytest.raises(ImportError, match="jax_enable_x64"):
            import_module_file(tmp_path / "hh.py", "contract_x64")
    finally:
        jax.config.update("jax_enable_x64", enabled)


@pytest.mark.parametrize("dtype, hlo_type", [("float64", "f64"), ("float32", "f32")])
def test_tf_kernels_compile_with_xla_and_keep_their_precision(tmp_path, dtype, hlo_type):
    """XLA's own program for hh's state kernel holds floating-point values of the module's precision
    only: float64 never passes through float32 (nor float32 through float64)."""
    import tensorflow as tf

    _, hh = generated(tmp_path, HH, "tf", dtype)
    inputs = exercise.sample_inputs(hh.META, 4, seed=2)
    cast = {key: {k: tf.constant(v, dtype) for k, v in group.items()} if isinstance(group, dict)
            else tf.constant(group, dtype) for key, group in inputs.items()}
    args = (cast["p"], cast["s"], cast["v"], cast["ion"], tf.constant(1.0, dtype), tf.constant(0.025, dtype))
    step = tf.function(hh.state, jit_compile=True)
    s = step(*args)
    assert all(value.dtype == dtype for value in s.values())
    hlo = step.experimental_get_compiler_ir(*args)(stage="hlo")
    assert "exponential(" in hlo  # the gates' update, compiled by XLA
    assert set(re.findall(r"\b(bf16|f16|f32|f64)\[", hlo)) == {hlo_type}


def test_onnx_text_is_the_source_of_each_binary_graph():
    import onnx
    import onnx.checker
    import onnx.parser

    files = compile_file(next(p for p in CASES if p.name == "kinetic3.mod"), "onnx")
    texts = sorted(n for n in files if n.endswith(".onnxtxt"))
    assert texts, files.keys()
    for name in texts:
        model = onnx.parser.parse_model(files[name].decode())
        onnx.checker.check_model(model, full_check=True)
        assert model.SerializeToString(deterministic=True) == files[name[: -len("txt")]]
        assert model.opset_import[0].version == 17


@pytest.mark.vs_closed_form
def test_onnx_elimination_solves_systems_that_need_pivoting(tmp_path, write_mod):
    """LINEAR blocks give matrices with zero diagonals: the ONNX elimination must pivot."""
    path = write_mod("""
        NEURON { SUFFIX pivot RANGE a, b, c }
        ASSIGNED { v (mV) }
        STATE { a b c }
        BREAKPOINT { SOLVE eqs }
        LINEAR eqs {
            ~ b + 2*c = v
            ~ a + c = 1
            ~ 3*a + b = v/10
        }
    """, "pivot.mod")
    _, onnx_module = generated(tmp_path, path, "onnx")
    v = np.array([-80.0, -10.0, 30.0])
    s = onnx_module.state({}, {"a": np.zeros(3), "b": np.zeros(3), "c": np.zeros(3)}, v, {}, 0.0, 0.025)
    matrix = np.array([[0.0, 1, 2], [1, 0, 1], [3, 1, 0]])
    exact = sympy.Matrix(matrix.astype(int).tolist())  # the exact solution, in rational arithmetic
    got = np.stack([s["a"], s["b"], s["c"]])
    for k, value in enumerate(v):
        rhs = sympy.Matrix([sympy.Rational(Fraction(value)), 1, sympy.Rational(Fraction(value / 10))])
        expected = np.array([float(x) for x in exact.LUsolve(rhs)])
        # a Newton step from 0 by elimination with partial pivoting: within solve_bound's
        # 19 cond EPS (n = 3, cond 5.2) of |x| (measured <= 0.8 EPS relative)
        tolerance = newton_step_bound(matrix, np.zeros(3), expected)
        np.testing.assert_allclose(got[:, k], expected, rtol=0, atol=tolerance)


@pytest.mark.parametrize("dtype, smallest_normal", [("float64", 2.0 ** -1022), ("float32", 2.0 ** -126)])
def test_onnx_text_has_no_subnormal_literal(dtype, smallest_normal):
    """onnx's text parser reads numbers with std::stod/stof, which refuse subnormals (onnx < 1.23):
    functions.mod's 1e-300 * 1e-20 must reach the graph as a product of normal numbers."""
    files = compile_file(next(p for p in CASES if p.name == "functions.mod"), "onnx", dtype)
    literals = [float(x) for name, text in files.items() if name.endswith(".onnxtxt")
                for x in re.findall(r"\{([-+0-9.e]+)\}", text.decode())]
    assert any(abs(x) > 1e18 or 0 < abs(x) < 1e-18 for x in literals)  # the scaled factors are there
    assert all(x == 0 or abs(x) >= smallest_normal for x in literals), sorted(map(abs, literals))[:3]
