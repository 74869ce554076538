"""The backends' runtime side: whether each is installed, and compiling a kernel its way
(jax.jit; tf.function with XLA; ONNX Runtime and NumPy run kernels as they are)."""

from __future__ import annotations

import importlib.util
import os
from typing import Callable

BACKEND_PACKAGES = {"numpy": "numpy", "jax": "jax", "tf": "tensorflow", "onnx": "onnxruntime"}


def available(backend: str) -> bool:
    return importlib.util.find_spec(BACKEND_PACKAGES[backend]) is not None


def prepare(backend: str, dtype: str) -> None:
    """Make the backend ready for kernels of this dtype (JAX needs float64 switched on)."""
    if backend == "jax" and dtype == "float64":
        import jax

        jax.config.update("jax_enable_x64", True)
    if backend == "tf":
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # TensorFlow's start-up chatter on stderr
        import tensorflow as tf  # noqa: F401 - imported once here so kernels import fast


def compiled(backend: str) -> Callable[[Callable], Callable]:
    """The backend's compiler for one kernel function."""
    if backend == "jax":
        import jax

        return jax.jit
    if backend == "tf":
        import tensorflow as tf

        return lambda f: tf.function(f, jit_compile=True, reduce_retracing=True)
    return lambda f: f
