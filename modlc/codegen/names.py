"""Mangling of NMODL names into identifiers of generated code.

A `.mod` file may name a variable `import`, `tf`, `p` or `__class__`. In generated Python every
such name is only ever a dictionary key (a quoted string) or a local variable; locals are mangled
here so that none can shadow a keyword, a builtin, the backend module, a kernel argument or one of
the generated module's own helpers (which all start with `_`).
"""

from __future__ import annotations

import builtins
import keyword
import re

# Names the generated modules themselves define or import.
GENERATED_NAMES = frozenset({
    "np", "numpy", "jnp", "jax", "tf", "tensorflow", "onnx", "ort", "onnxruntime", "math", "warnings",
    "META", "DTYPE", "p", "s", "ion", "args", "mask", "shape", "events",
})
RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist) | frozenset(dir(builtins)) | GENERATED_NAMES

_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_]")


def identifier_stem(name: str) -> str:
    """A name reduced to identifier characters: `x[3]` becomes `x_3`."""
    stem = _NOT_IDENTIFIER.sub("_", name.replace("]", ""))
    if not stem or stem[0].isdigit():
        stem = "x" + stem
    return stem


class Mangler:
    """Assigns each name one unique, safe identifier, deterministically in order of first request."""

    def __init__(self, fixed: dict[str, str] | None = None):
        self._chosen: dict[str, str] = dict(fixed or {})
        self._taken: set[str] = set(self._chosen.values())

    def __call__(self, name: str) -> str:
        if name in self._chosen:
            return self._chosen[name]
        candidate = identifier_stem(name)
        if candidate.startswith("_"):
            candidate = "x" + candidate
        while candidate in RESERVED or candidate in self._taken:
            candidate += "_"
        self._chosen[name] = candidate
        self._taken.add(candidate)
        return candidate
