"""Common-subexpression elimination over a kernel's single-assignment statements.

SymPy's `cse` sees every assignment of a kernel at once; each shared subexpression becomes a
new assignment placed just before its first use, so the order stays valid. The residual and
Jacobian of each Newton solve are eliminated together into the solve's own body, which runs
once per iteration.
"""

from __future__ import annotations

from typing import Callable

import sympy as sp

from . import ir
from .symbolic import is_atomic


def _symbols(fresh: Callable[[str], sp.Symbol]):
    while True:
        yield fresh("cse")


def _place(replacements, reduced_count: int, uses) -> dict[int, list]:
    """Replacements grouped by the index of the first expression that needs them."""
    first: dict[sp.Symbol, int] = {}
    for symbol, value in reversed(replacements):
        positions = [i for i in range(reduced_count) if symbol in uses[i]]
        positions += [first[s] for s, v in replacements if s in first and symbol in v.free_symbols]
        first[symbol] = min(positions) if positions else reduced_count
    grouped: dict[int, list] = {}
    for symbol, value in replacements:  # SymPy lists them in dependency order
        grouped.setdefault(first[symbol], []).append(ir.Assign(symbol, value))
    return grouped


def propagate_copies(kernel: ir.Kernel) -> ir.Kernel:
    """Drop `a = b` (b a symbol or a number), using b wherever a was read."""
    copies: dict[sp.Symbol, sp.Expr] = {}
    out = []

    def sub(e):
        return e.xreplace(copies) if copies else e

    for stmt in kernel.statements:
        if isinstance(stmt, ir.Assign):
            value = sub(stmt.value)
            if isinstance(value, sp.Symbol) or value.is_number:
                copies[stmt.target] = value
                continue
            out.append(ir.Assign(stmt.target, value))
        elif isinstance(stmt, ir.Event):
            out.append(ir.Event(stmt.kind, tuple(sub(a) for a in stmt.args), sub(stmt.mask)))
        elif isinstance(stmt, ir.ImplicitSolve):
            out.append(ir.ImplicitSolve(
                stmt.unknowns, tuple(sub(e) for e in stmt.initial),
                tuple(ir.Assign(a.target, sub(a.value)) for a in stmt.body), tuple(sub(e) for e in stmt.residual),
                tuple(tuple(sub(e) for e in row) for row in stmt.jacobian), stmt.iterations, stmt.results,
                stmt.converged, stmt.tolerance))
        else:
            out.append(stmt)
    return ir.Kernel(kernel.name, out, {k: sub(v) for k, v in kernel.outputs.items()})


def _common(exprs: list, fresh) -> tuple[list, list]:
    """SymPy's cse, minus the subexpressions that are only a negated name (`cse_1 = -v`): naming
    those saves nothing and turns `v - ena` into `-cse_1 - ena`."""
    replacements, reduced = sp.cse(exprs, symbols=_symbols(fresh))
    negations: dict = {}
    kept = []
    for symbol, value in replacements:
        value = value.xreplace(negations) if negations else value
        if isinstance(value, sp.Mul) and len(value.args) == 2 and value.args[0] == -1 and is_atomic(value.args[1]):
            negations[symbol] = value
        else:
            kept.append((symbol, value))
    if negations:
        reduced = [e.xreplace(negations) for e in reduced]
    return kept, reduced


def eliminate(kernel: ir.Kernel, fresh: Callable[[str], sp.Symbol]) -> ir.Kernel:
    kernel = propagate_copies(kernel)
    statements = [_solve_body(s, fresh) if isinstance(s, ir.ImplicitSolve) else s for s in kernel.statements]
    positions = [i for i, s in enumerate(statements) if isinstance(s, ir.Assign)]
    if not positions:
        return ir.Kernel(kernel.name, statements, kernel.outputs)
    replacements, reduced = _common([statements[i].value for i in positions], fresh)
    uses = [e.free_symbols for e in reduced]
    grouped = _place(replacements, len(reduced), uses)
    out = []
    k = 0
    for i, stmt in enumerate(statements):
        if isinstance(stmt, ir.Assign):
            out.extend(grouped.get(k, []))
            out.append(ir.Assign(stmt.target, reduced[k]))
            k += 1
        else:
            out.append(stmt)
    out.extend(grouped.get(len(reduced), []))
    return ir.Kernel(kernel.name, out, kernel.outputs)


def _solve_body(solve: ir.ImplicitSolve, fresh) -> ir.ImplicitSolve:
    n = len(solve.residual)
    exprs = list(solve.residual) + [e for row in solve.jacobian for e in row]
    replacements, reduced = _common(exprs, fresh)
    body = tuple(ir.Assign(s, v) for s, v in replacements)
    residual = tuple(reduced[:n])
    jacobian = tuple(tuple(reduced[n + r * n: n + (r + 1) * n]) for r in range(n))
    return ir.ImplicitSolve(solve.unknowns, solve.initial, solve.body + body, residual, jacobian,
                            solve.iterations, solve.results, solve.converged, solve.tolerance)
