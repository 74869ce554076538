"""Readable and JSON renderings of the lowered, solved and IR stages, for `modlc show`.

Expressions print with SymPy's `sstr`, whose term order is canonical, so the text is the same on
every run and machine.
"""

from __future__ import annotations

from typing import Iterable

import sympy as sp

from . import ir


def expr_text(expr) -> str:
    return sp.sstr(expr)


def statements_text(statements: Iterable, indent: str) -> list[str]:
    lines = []
    for stmt in statements:
        if isinstance(stmt, ir.Assign):
            lines.append(f"{indent}{stmt.target} = {expr_text(stmt.value)}")
        elif isinstance(stmt, ir.Derivative):
            lines.append(f"{indent}{stmt.state}' = {expr_text(stmt.rhs)}")
        elif isinstance(stmt, ir.Conserve):
            terms = " + ".join(f"{expr_text(c)}*{k}" for k, c in stmt.terms)
            lines.append(f"{indent}CONSERVE {terms} = {expr_text(stmt.total)}")
        elif isinstance(stmt, ir.Equation):
            lines.append(f"{indent}0 = {expr_text(stmt.residual)}")
        elif isinstance(stmt, ir.Event):
            args = ", ".join(expr_text(a) for a in stmt.args)
            mask = "" if stmt.mask is sp.true else f"  where {expr_text(stmt.mask)}"
            lines.append(f"{indent}net_{stmt.kind}({args}){mask}")
        elif isinstance(stmt, ir.System):
            steady = " STEADYSTATE" if stmt.steadystate else ""
            lines.append(f"{indent}SOLVE {stmt.kind} {stmt.block} METHOD {stmt.method}{steady} {{")
            for key, volume in stmt.volumes.items():
                lines.append(f"{indent}  COMPARTMENT {key}: {expr_text(volume)}")
            lines.extend(statements_text(stmt.statements, indent + "  "))
            results = ", ".join(f"{k} -> {s}" for k, s in stmt.results.items())
            lines.append(f"{indent}}} results: {results}")
        elif isinstance(stmt, ir.ImplicitSolve):
            lines.extend(_implicit_text(stmt, indent))
    return lines


def _implicit_text(stmt: ir.ImplicitSolve, indent: str) -> list[str]:
    unknowns = ", ".join(s.name for s in stmt.unknowns)
    lines = [f"{indent}newton [{unknowns}] = [{', '.join(expr_text(e) for e in stmt.initial)}], "
             f"{stmt.iterations} iteration{'s' if stmt.iterations > 1 else ''} (tolerance {stmt.tolerance:g}) {{"]
    lines.extend(statements_text(stmt.body, indent + "  "))
    for i, r in enumerate(stmt.residual):
        lines.append(f"{indent}  F[{i}] = {expr_text(r)}")
    for i, row in enumerate(stmt.jacobian):
        for j, e in enumerate(row):
            if e != 0:
                lines.append(f"{indent}  J[{i},{j}] = {expr_text(e)}")
    lines.append(f"{indent}}} -> [{', '.join(s.name for s in stmt.results)}], converged: {stmt.converged}")
    return lines


def kernels_text(kernels: dict[str, ir.Kernel]) -> list[str]:
    lines = []
    for kernel in kernels.values():
        lines.append(f"kernel {kernel.name}({', '.join(kernel.inputs())}):")
        lines.extend(statements_text(kernel.statements, "  "))
        for name, value in kernel.outputs.items():
            lines.append(f"  -> {name} = {expr_text(value)}")
    return lines


def stage_text(name: str, kind: str, kernels: dict[str, ir.Kernel], notes: list[str]) -> str:
    lines = [f"mechanism {name} ({kind})"]
    lines.extend(f"note: {n}" for n in notes)
    lines.extend(kernels_text(kernels))
    return "\n".join(lines)


def mechanism_text(mech: ir.MechanismIR) -> str:
    lines = [f"mechanism {mech.name} ({mech.kind})"]
    if mech.title:
        lines.append(f"title: {mech.title}")
    for ion, valence in mech.ions:
        lines.append(f"ion {ion} valence {valence if valence is not None else 'default'}")
    for c in mech.currents:
        kind = "electrode current" if c.electrode else f"{c.ion} current" if c.ion else "nonspecific current"
        lines.append(f"current {c.name} ({kind}), dI/dv -> {c.conductance}")
    if mech.net_receive_args:
        lines.append(f"net_receive args: {', '.join(mech.net_receive_args)}")
    lines.append("variables:")
    for v in mech.variables:
        ion = f" {v.access} {v.ion}" if v.ion else ""
        default = "" if v.default is None else f" = {v.default:g}"
        units = f" ({v.units})" if v.units else ""
        lines.append(f"  {v.name}: {v.role} {v.scope}{ion}{default}{units}")
    lines.extend(f"note: {n}" for n in mech.notes)
    lines.extend(kernels_text(mech.kernels))
    return "\n".join(lines)


def _statement_json(stmt) -> dict:
    if isinstance(stmt, ir.Assign):
        return {"assign": stmt.target.name, "value": expr_text(stmt.value)}
    if isinstance(stmt, ir.Event):
        return {"event": stmt.kind, "args": [expr_text(a) for a in stmt.args], "mask": expr_text(stmt.mask)}
    if isinstance(stmt, ir.ImplicitSolve):
        return {"newton": [s.name for s in stmt.unknowns], "initial": [expr_text(e) for e in stmt.initial],
                "body": [_statement_json(a) for a in stmt.body],
                "residual": [expr_text(e) for e in stmt.residual],
                "jacobian": [[expr_text(e) for e in row] for row in stmt.jacobian],
                "iterations": stmt.iterations, "results": [s.name for s in stmt.results],
                "converged": stmt.converged.name, "tolerance": stmt.tolerance}
    return {"statement": statements_text([stmt], "")}


def mechanism_json(mech: ir.MechanismIR) -> dict:
    return {
        "name": mech.name, "kind": mech.kind, "title": mech.title,
        "ions": [{"ion": i, "valence": v} for i, v in mech.ions],
        "currents": [{"name": c.name, "ion": c.ion, "electrode": c.electrode, "conductance": c.conductance}
                     for c in mech.currents],
        "net_receive_args": mech.net_receive_args,
        "variables": [{"name": v.name, "role": v.role, "units": v.units, "default": v.default,
                       "scope": v.scope, "ion": v.ion, "access": v.access} for v in mech.variables],
        "kernels": {k.name: {"inputs": k.inputs(), "statements": [_statement_json(s) for s in k.statements],
                             "outputs": {n: expr_text(e) for n, e in k.outputs.items()}}
                    for k in mech.kernels.values()},
        "notes": mech.notes,
    }
