"""CONSTRUCTOR blocks that only initialise, folded into the variables' default values.

NEURON runs a mechanism's CONSTRUCTOR once per instance, when the instance is created (`insert`,
or a point process's creation), before the user can set anything on it and long before INITIAL.
So a constructor that computes values from constants and the parameters' declared defaults gives
every instance the same values: they are the instance's starting values, and parameters the user
sets afterwards override them. That is exactly what a variable's default is to the runtime
(`Network.insert(..., gbar=...)` overrides a default), so modlc evaluates the constructor kernel
once, at compile time, and stores its results as defaults. Anything whose value is not fixed at
creation (v, geometry, GLOBALs shared by all instances, events) stays a located error.
"""

from __future__ import annotations

import sympy as sp

from . import ir
from .diagnostics import ModlcError
from .semantics import SymbolTable
from .symbolic import free_symbols_sorted, sym


def fold(kernel: ir.Kernel, table: SymbolTable, array_sizes: dict[str, int], loc) -> tuple[dict[str, float], list[str]]:
    """The constructor's assignments as numbers (element keys like `w[2]`), and the notes to add."""
    values = {}
    for name, s in table.symbols.items():
        if s.role in ("parameter", "assigned", "constant") and "global" not in s.flags:
            size = array_sizes.get(name)
            for key in ([f"{name}[{i}]" for i in range(size)] if size else [name]):
                values[sym(key)] = sp.Float(s.value) if s.value is not None else sp.Integer(0)
    for stmt in kernel.statements:
        if not isinstance(stmt, ir.Assign):
            raise ModlcError.at(loc, f"unsupported: CONSTRUCTOR that does more than assign values ({type(stmt).__name__})")
        values[stmt.target] = _number(stmt.value.xreplace(values), loc)
    defaults, notes = {}, []
    for key, expr in kernel.outputs.items():
        base = key.split("[")[0]
        s = table.symbols[base]
        if s.role == "state":
            notes.append(f"{loc}: CONSTRUCTOR value of STATE '{key}' dropped: finitialize resets states "
                         f"to their start values, as in NEURON")
            continue
        if "global" in s.flags or s.role not in ("parameter", "assigned"):
            raise ModlcError.at(loc, f"unsupported: CONSTRUCTOR assigning '{key}' (a GLOBAL or {s.role} value, "
                                     "changed once per instance)")
        defaults[key] = float(_number(expr.xreplace(values), loc))
    return defaults, notes


def _number(expr: sp.Expr, loc) -> sp.Expr:
    value = sp.N(expr, 17)
    if not value.is_number:
        names = ", ".join(s.name for s in free_symbols_sorted(value))
        raise ModlcError.at(loc, f"unsupported: CONSTRUCTOR reading {names} (modlc folds a CONSTRUCTOR into "
                                 "default values: it may read only constants and RANGE values)")
    return value
