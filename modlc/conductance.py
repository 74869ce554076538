"""Membrane conductance g = dI/dv for every current a mechanism writes (DESIGN.md stage 4).

`symbolic` (the default) differentiates the current kernel exactly, forward mode through its
single-assignment statements, so the derivative costs one extra statement per temporary that
depends on v. `numeric` reproduces NEURON's nocmodl: the BREAKPOINT code runs at v + 0.001 and at
v, and g = (I(v + 0.001) - I(v)) / 0.001. A CONDUCTANCE hint names the conductance outright.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import sympy as sp

from . import ir
from .semantics import SymbolTable
from .symbolic import free_symbols_sorted, sym

NUMERIC_DV = sp.Float(0.001)
MODES = ("symbolic", "numeric")


@dataclass(frozen=True)
class CurrentSpec:
    name: str
    ion: Optional[str]
    electrode: bool


def currents(table: SymbolTable) -> list[CurrentSpec]:
    """Every current the mechanism contributes, in declaration order."""
    found = []
    for ion in table.ions:
        name = f"i{ion.name}"
        if name in ion.write:
            found.append(CurrentSpec(name, ion.name, False))
    for name, s in table.symbols.items():
        if "nonspecific_current" in s.flags or "electrode_current" in s.flags:
            found.append(CurrentSpec(name, None, "electrode_current" in s.flags))
    return found


def conductance_key(current: str, taken) -> str:
    """The output name of dI/dv: `d<current>_dv`, underscored until it names nothing else."""
    key = f"d{current}_dv"
    while key in taken:
        key = "_" + key
    return key


def differentiate(statements: list, outputs: dict[str, sp.Expr], names: list[str],
                  fresh: Callable[[str], sp.Symbol]) -> tuple[list, dict[str, sp.Expr]]:
    """Forward-mode d/dv through single-assignment statements: the statements with a derivative
    statement after each assignment that depends on v (kept only where a requested derivative
    needs it), and d(outputs[name])/dv for each name."""
    derivative: dict[sp.Symbol, sp.Expr] = {sym("v"): sp.Integer(1)}

    def d(expr: sp.Expr) -> sp.Expr:
        moving = [s for s in free_symbols_sorted(expr) if s in derivative]
        if expr.has(sp.Piecewise) and moving:
            # Directional derivative, so that a branch differentiates to its own derivative:
            # the chain rule through each branch's symbol would give d(untaken branch) * 0,
            # which is NaN where that branch is 0/0 (the guarded vtrap idiom).
            eps = sp.Dummy("eps")
            shifted = expr.xreplace({s: s + eps * derivative[s] for s in moving})
            return sp.diff(shifted, eps).xreplace({eps: sp.Integer(0)})
        total = sp.Integer(0)
        for s in moving:
            total += sp.diff(expr, s) * derivative[s]
        return total

    out = []
    added = set()
    for stmt in statements:
        out.append(stmt)
        if isinstance(stmt, ir.Assign):
            dv = d(stmt.value)
            if dv != 0:
                target = fresh(f"d{stmt.target.name}_dv")
                out.append(ir.Assign(target, dv))
                derivative[stmt.target] = target
                added.add(target)
    results = {name: d(outputs.get(name, sym(name))) for name in names}
    roots = set().union(*(e.free_symbols for e in results.values())) | set().union(
        *(e.free_symbols for e in outputs.values()))
    return ir.live_statements(out, roots, prunable=added), results


def needs_numeric(statements: list, derivatives: dict[str, sp.Expr]) -> bool:
    """SymPy could not differentiate (an unevaluated Derivative or Subs remains in a derivative or
    in a statement one needs)."""
    exprs = list(derivatives.values()) + [s.value for s in statements if isinstance(s, ir.Assign)]
    return any(e.has(sp.Derivative) or e.has(sp.Subs) for e in exprs)
