"""The generated modules keep the kernel contract: they import only their backend, define only
META, helpers and kernels, and the kernels behave as JAX and TensorFlow code must (jit, vmap,
grad; XLA), with the ONNX graphs valid and their text form the source of the binary."""

from __future__ import annotations

import ast

import numpy as np
import pytest

from codegen_cases import CASES, MECHANISMS
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
    np.testing.assert_allclose(np.asarray(dv), np.asarray(g), rtol=1e-12)

    # vmap over parameter sets: a batch of gnabar values equals calling once per value
    gnabar = jnp.asarray([0.05, 0.12, 0.2])
    batched = jax.vmap(lambda gna: hh.current({**p, "gnabar": gna * jnp.ones(5)}, s, v, ion, 0.0)[1])(gnabar)
    for k, value in enumerate(np.asarray(gnabar)):
        single = hh.current({**p, "gnabar": value * np.ones(5)}, s, v, ion, 0.0)[1]
        np.testing.assert_allclose(np.asarray(batched[k]), np.asarray(single), rtol=1e-15)


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


def test_tf_kernels_compile_with_xla_and_keep_float64(tmp_path):
    import tensorflow as tf

    _, hh = generated(tmp_path, HH, "tf")
    inputs = exercise.sample_inputs(hh.META, 4, seed=2)
    step = tf.function(hh.state, jit_compile=True)
    s = step(inputs["p"], {k: tf.constant(v) for k, v in inputs["s"].items()}, tf.constant(inputs["v"]),
             inputs["ion"], tf.constant(1.0, tf.float64), tf.constant(0.025, tf.float64))
    assert all(value.dtype == tf.float64 for value in s.values())
    # XLA really compiled it: the concrete function carries the XLA attribute
    assert step.experimental_get_compiler_ir(inputs["p"], inputs["s"], inputs["v"], inputs["ion"],
                                             tf.constant(1.0, tf.float64), tf.constant(0.025, tf.float64))()


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
    expected = np.linalg.solve(matrix, np.stack([v, np.ones(3), v / 10]))
    np.testing.assert_allclose(np.stack([s["a"], s["b"], s["c"]]), expected, rtol=1e-14)
