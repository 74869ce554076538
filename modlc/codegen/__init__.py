"""Code generation: the IR rendered into modules for each backend (DESIGN.md stage 6).

`generate(mechanism_ir, backend, dtype)` returns the generated files as {file name: bytes}; the
bytes depend on nothing but the IR, the backend and the dtype.
"""

from __future__ import annotations

from .. import ir
from ..diagnostics import ModlcError
from .dialects import PYTHON_DIALECTS
from .layout import mechanism_layout
from .names import identifier_stem
from .python_view import module_context
from .render import render

BACKENDS = ("numpy", "jax", "tf", "onnx")
DTYPES = ("float64", "float32")


# Modules the generated code imports: a generated `numpy.py` next to a script would shadow NumPy.
_IMPORTED_MODULES = frozenset({"numpy", "jax", "tensorflow", "onnx", "onnxruntime", "math", "pathlib", "modlc"})


def module_name(mechanism: ir.MechanismIR) -> str:
    """The file stem of a mechanism's generated module (its NMODL name, made an identifier, and
    never the name of a module generated code imports)."""
    stem = identifier_stem(mechanism.name)
    return f"{stem}_mechanism" if stem in _IMPORTED_MODULES else stem


def generate(mechanism: ir.MechanismIR, backend: str, dtype: str = "float64") -> dict[str, bytes]:
    if backend not in BACKENDS:
        raise ModlcError.at(None, f"unknown backend '{backend}' (choose from {', '.join(BACKENDS)})")
    if dtype not in DTYPES:
        raise ModlcError.at(None, f"unknown dtype '{dtype}' (choose float64 or float32)")
    layout = mechanism_layout(mechanism)
    stem = module_name(mechanism)
    if backend == "onnx":
        from .onnx_module import onnx_files
        return onnx_files(layout, stem, dtype)
    context = module_context(layout, backend, PYTHON_DIALECTS[backend], dtype)
    return {f"{stem}.py": render(f"{backend}/module.py.j2", **context).encode("utf-8")}
