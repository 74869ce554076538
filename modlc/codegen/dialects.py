"""How each Python backend spells the operations generated kernels use."""

from __future__ import annotations

from .pyprinter import Dialect

_COMMON = ("exp", "expm1", "log", "sin", "cos", "tan", "sinh", "cosh", "tanh", "floor", "sign")


def _names(module: str, extra: dict[str, str]) -> dict[str, str]:
    names = {f: f"{module}.{f}" for f in _COMMON}
    names.update(extra)
    return names


NUMPY = Dialect(
    functions=_names("np", {
        "asin": "np.arcsin", "acos": "np.arccos", "atan": "np.arctan", "atan2": "np.arctan2",
        "abs": "np.abs", "ceil": "np.ceil", "erf": "_erf", "erfc": "_erfc", "fmod": "np.fmod", "mod": "np.mod",
    }),
    where="np.where", select="np.select", logical_and="np.logical_and", logical_or="np.logical_or", logical_not="np.logical_not",
    minimum="np.minimum", maximum="np.maximum", sqrt="np.sqrt",
)

JAX = Dialect(
    functions=_names("jnp", {
        "asin": "jnp.arcsin", "acos": "jnp.arccos", "atan": "jnp.arctan", "atan2": "jnp.arctan2",
        "abs": "jnp.abs", "ceil": "jnp.ceil", "erf": "jax.lax.erf", "erfc": "jax.lax.erfc",
        "fmod": "jnp.fmod", "mod": "jnp.mod",
    }),
    where="jnp.where", select="jnp.select", logical_and="jnp.logical_and", logical_or="jnp.logical_or", logical_not="jnp.logical_not",
    minimum="jnp.minimum", maximum="jnp.maximum", sqrt="jnp.sqrt",
)

TENSORFLOW = Dialect(
    functions=_names("tf.math", {
        "asin": "tf.math.asin", "acos": "tf.math.acos", "atan": "tf.math.atan", "atan2": "tf.math.atan2",
        "abs": "tf.math.abs", "ceil": "tf.math.ceil", "erf": "tf.math.erf", "erfc": "tf.math.erfc",
        "fmod": "tf.truncatemod", "mod": "tf.math.floormod",
    }),
    where="tf.where", select="tf.experimental.numpy.select", logical_and="tf.math.logical_and", logical_or="tf.math.logical_or",
    logical_not="tf.math.logical_not", minimum="tf.math.minimum", maximum="tf.math.maximum", sqrt="tf.math.sqrt",
    literal_in_call=lambda text: f"_c({text})",
)

PYTHON_DIALECTS = {"numpy": NUMPY, "jax": JAX, "tf": TENSORFLOW}
