"""Stage 4: the SOLVE methods — each `ir.System` becomes explicit updates or an `ImplicitSolve`.

- cnexp: x' = a + b·x (linear in its own state) updates exactly, in place and in source order:
  x = x∞ + (x - x∞)·exp(b·dt) with x∞ = -a/b (x += a·dt when b = 0). This is NEURON's update
  x += (1 - exp(b·dt))·(x∞ - x) rearranged so that a fast decay keeps full relative precision.
  A derivative that is not linear in its state falls back to derivimplicit, with a note.
- euler: x += dt·f(x_old) for every state at once; runge: classic 4-stage Runge–Kutta.
- derivimplicit, sparse (KINETIC), LINEAR, NONLINEAR: backward Euler (or the equations) as a
  residual and its SymPy Jacobian for Newton's method, each step one batched dense linear solve
  at run time — never a symbolic inverse. CONSERVE replaces the equation of its last-written
  state, as nocmodl does. STEADYSTATE takes a step of dt = 1e9 ms, as NEURON's scopmath does.
"""

from __future__ import annotations

import math

from dataclasses import replace
from typing import Iterable

import sympy as sp
from sympy.codegen.cfunctions import expm1

from . import ir
from .diagnostics import ModlcError
from .symbolic import sym, symbol_base

NEWTON_ITERATIONS = 6
NEWTON_TOLERANCE = 1e-9
SPARSE_TOLERANCE = 1e-6  # NEURON's CONVERGE: scopmath's sparse stops once its summed step is below it
STEADYSTATE_DT = 1e9


class Namer:
    """Fresh symbol names that collide with nothing already used in a kernel."""

    def __init__(self, used: Iterable[str]):
        self.used = set(used)
        self.counters: dict[str, int] = {}

    def __call__(self, base: str) -> sp.Symbol:
        base = symbol_base(base)
        while True:
            self.counters[base] = self.counters.get(base, 0) + 1
            name = f"{base}_{self.counters[base]}"
            if name not in self.used:
                self.used.add(name)
                return sym(name)


class Definitions:
    """The single-assignment definitions of a statement list, to see through temporaries."""

    def __init__(self, statements):
        self.values = {s.target: s.value for s in statements if isinstance(s, ir.Assign)}

    def expand(self, expr: sp.Expr, wrt: set) -> sp.Expr:
        """`expr` with every temporary that depends on a symbol of `wrt` replaced by its value."""
        memo: dict[sp.Symbol, sp.Expr] = {}

        def resolve(symbol):
            if symbol not in memo:
                memo[symbol] = symbol  # guards against cycles, which single assignment rules out
                replaced = substitute(self.values[symbol])
                memo[symbol] = replaced if replaced.free_symbols & wrt else symbol
            return memo[symbol]

        def substitute(e):
            mapping = {s: resolve(s) for s in e.free_symbols if s in self.values}
            mapping = {k: v for k, v in mapping.items() if v is not k}
            return e.xreplace(mapping) if mapping else e

        return substitute(expr)


def solve_kernel(kernel: ir.Kernel, reserved: Iterable[str], notes: list[str]) -> ir.Kernel:
    """The kernel with every System replaced by its solution."""
    used = set(reserved) | kernel.symbol_names()
    namer = Namer(used)
    statements = []
    for stmt in kernel.statements:
        if isinstance(stmt, ir.System):
            statements.extend(solve_system(stmt, namer, notes))
        else:
            statements.append(stmt)
    return ir.Kernel(kernel.name, statements, dict(kernel.outputs))


def solve_system(system: ir.System, namer: Namer, notes: list[str]) -> list:
    if system.reactants and not _frozen_rates(system):
        system = _thaw(system)
    if system.kind in ("LINEAR", "NONLINEAR"):
        return _equations(system, namer)
    if system.steadystate:
        return _implicit(system, namer, steadystate=True)
    method = system.method
    if system.kind == "KINETIC" and method != "sparse":
        if any(isinstance(s, ir.Conserve) for s in system.statements):
            notes.append(f"{system.loc}: METHOD {method} ignores CONSERVE in KINETIC {system.block} (as NEURON's does)")
    if method == "cnexp":
        solved = _cnexp(system, namer)
        if solved is not None:
            return solved
        notes.append(f"{system.loc}: cnexp: a derivative in {system.block} is not linear in its own "
                     "state; solved with derivimplicit instead")
        return _implicit(system, namer)
    if method == "euler":
        return _explicit(system, namer, _euler_step)
    if method == "runge":
        return _explicit(system, namer, _rk4_step)
    return _implicit(system, namer)


# --------------------------------------------------------------------------- helpers

def _frozen_rates(system: ir.System) -> bool:
    """NEURON's `sparse` on a scheme nocmodl calls linear: a single Newton step from the old
    states with a matrix of the mass-action terms alone, so every rate expression, and anything
    else the block computes from a state, keeps its value at the old states (the step's only
    unknowns are the reactants). Otherwise (a product of species, STEADYSTATE, another method)
    NEURON iterates to the fully implicit solution, which is what modlc solves for."""
    return system.kind == "KINETIC" and system.method == "sparse" and not system.steadystate and system.linear


def _thaw(system: ir.System) -> ir.System:
    """The system with every reactant symbol back to its state's entry symbol."""
    back = {r: system.entry[k] for k, r in system.reactants.items()}

    def fix(stmt):
        if isinstance(stmt, ir.Assign):
            return ir.Assign(stmt.target, stmt.value.xreplace(back))
        if isinstance(stmt, ir.Derivative):
            return replace(stmt, rhs=stmt.rhs.xreplace(back))
        return stmt

    return replace(system, statements=[fix(s) for s in system.statements], reactants={},
                   values={k: v.xreplace(back) for k, v in system.values.items()})


def _last_derivatives(system: ir.System) -> dict[str, ir.Derivative]:
    last: dict[str, ir.Derivative] = {}
    for stmt in system.statements:
        if isinstance(stmt, ir.Derivative):
            last[stmt.state] = stmt
    return last


def _body(system: ir.System, subs: dict) -> list:
    """The block's own assignments (events cannot occur in SOLVEd blocks), placeholders replaced."""
    return [ir.Assign(s.target, s.value.xreplace(subs)) for s in system.statements if isinstance(s, ir.Assign)]


def _finish(system: ir.System, new_states: dict[str, sp.Expr], values_at: dict) -> list:
    """Define `system.results`: new states, then the block's variables (optionally re-evaluated)."""
    out = [ir.Assign(system.results[key], value) for key, value in new_states.items()]
    for key, value in system.values.items():
        out.append(ir.Assign(system.results[key], value.xreplace(values_at) if values_at else value))
    return out


# --------------------------------------------------------------------------- cnexp

def _cnexp(system: ir.System, namer: Namer):
    last = _last_derivatives(system)
    defs = Definitions(system.statements)
    dt = sym("dt")
    subs: dict = {}
    out: list = []
    for stmt in system.statements:
        if isinstance(stmt, ir.Assign):
            out.append(ir.Assign(stmt.target, stmt.value.xreplace(subs)))
            defs.values[stmt.target] = out[-1].value
        elif isinstance(stmt, ir.Derivative) and last[stmt.state] is stmt:
            x = system.entry[stmt.state]
            rhs = defs.expand(stmt.rhs.xreplace(subs), {x})
            b = sp.diff(rhs, x)
            if b.has(x) or rhs.has(sp.Derivative):
                return None
            a = rhs.xreplace({x: sp.Integer(0)})
            if b == 0:
                value = x + dt * a
            else:
                # x(t+dt) = x·e^(b·dt) + x∞·(1 − e^(b·dt)), with 1 − e^z taken as −expm1(z): every
                # term is then as large as the state or its change, so no digits cancel, whether
                # x∞ dwarfs x (a calcium pool, dt ≪ τ) or x decays to 0 (dt ≫ τ).
                steady = -a / b
                value = x * sp.exp(dt * b) - steady * expm1(dt * b)
            target = system.results[stmt.state]
            out.append(ir.Assign(target, value))
            subs[stmt.placeholder] = target
    leftover = {d.placeholder: system.entry[d.state] for d in last.values() if d.placeholder not in subs}
    out = [ir.Assign(s.target, s.value.xreplace(leftover)) for s in out]
    return out + _finish(system, {}, {**leftover, **subs})


# --------------------------------------------------------------------------- explicit methods

def _derivative_functions(system: ir.System):
    """Each state's derivative as an expression of the states' symbols: the entry symbols, or the
    reactant symbols where rates are frozen (see _frozen_rates)."""
    last = _last_derivatives(system)
    placeholders = {d.placeholder: system.entry[d.state] for d in last.values()}
    body = _body(system, placeholders)
    defs = Definitions(body)
    states = list(last)
    wrt = {_variable(system, k) for k in states}
    rhs = {k: defs.expand(last[k].rhs.xreplace(placeholders), wrt) for k in states}
    return body, states, rhs


def _euler_step(system, states, rhs, namer):
    dt = sym("dt")
    return [], {k: system.entry[k] + dt * rhs[k] for k in states}


def _rk4_step(system, states, rhs, namer):
    dt = sym("dt")
    x = {k: system.entry[k] for k in states}
    statements: list = []

    def stage(point: dict, label: str) -> dict:
        mapping = {x[k]: point[k] for k in states}
        ks = {}
        for k in states:
            target = namer(f"{label}_{k}")
            statements.append(ir.Assign(target, rhs[k].xreplace(mapping)))
            ks[k] = target
        return ks

    k1 = stage(x, "k1")
    k2 = stage({k: x[k] + dt / 2 * k1[k] for k in states}, "k2")
    k3 = stage({k: x[k] + dt / 2 * k2[k] for k in states}, "k3")
    k4 = stage({k: x[k] + dt * k3[k] for k in states}, "k4")
    new = {k: x[k] + dt / 6 * (k1[k] + 2 * k2[k] + 2 * k3[k] + k4[k]) for k in states}
    return statements, new


def _explicit(system: ir.System, namer: Namer, step) -> list:
    body, states, rhs = _derivative_functions(system)
    extra, new = step(system, states, rhs, namer)
    # the block runs once, at the old states: a read of x after its x' = … sees the old x
    old = {d.placeholder: system.entry[d.state] for d in _last_derivatives(system).values()}
    return body + extra + _finish(system, new, old)


# --------------------------------------------------------------------------- implicit methods

def _newton(unknowns, initial, residual, results, namer, tolerance: float = NEWTON_TOLERANCE) -> ir.ImplicitSolve:
    jacobian = tuple(tuple(sp.diff(r, u) for u in unknowns) for r in residual)
    linear = not any(e.free_symbols & set(unknowns) for row in jacobian for e in row)
    if any(e.has(sp.Derivative) for row in jacobian for e in row):
        raise ModlcError.at(None, "unsupported: a residual whose Jacobian SymPy cannot differentiate")
    return ir.ImplicitSolve(tuple(unknowns), tuple(initial), (), tuple(residual), jacobian,
                            1 if linear else NEWTON_ITERATIONS, tuple(results), namer("converged"),
                            math.inf if linear else tolerance)  # one step is exact: only NaN fails


def _variable(system: ir.System, key: str) -> sp.Symbol:
    """The symbol an implicit step solves for: the state's reactant symbol when rates are frozen."""
    return system.reactants.get(key, system.entry[key])


def _implicit(system: ir.System, namer: Namer, steadystate: bool = False) -> list:
    """Backward Euler: U - x - dt·f(U) = 0 (CONSERVE rows replaced), solved by Newton."""
    body, states, rhs = _derivative_functions(system)
    if not states:
        return body + _finish(system, {}, {})
    dt = sp.Float(STEADYSTATE_DT) if steadystate else sym("dt")
    unknowns = [namer(f"{k}_new") for k in states]
    to_unknown = {_variable(system, k): u for k, u in zip(states, unknowns)}
    if steadystate:  # the same root, with rows of the conservation rows' scale: better pivots in LU
        residual = {k: (u - system.entry[k]) / dt - rhs[k].xreplace(to_unknown) for k, u in zip(states, unknowns)}
    else:
        residual = {k: u - system.entry[k] - dt * rhs[k].xreplace(to_unknown) for k, u in zip(states, unknowns)}
    if system.kind == "KINETIC" and system.method == "sparse" or steadystate:
        _apply_conservation(system, states, residual, dict(zip(states, unknowns)))
    if steadystate:
        residual = {k: r.xreplace({sym("dt"): dt}) for k, r in residual.items()}
    results = [system.results[k] for k in states]
    # a sparse step counts as converged where NEURON's does: a KINETIC scheme's steady state (dt =
    # 1e9 ms) is so ill-conditioned that Newton's steps stall far above 1e-9 of the states
    tolerance = SPARSE_TOLERANCE if system.method == "sparse" else NEWTON_TOLERANCE
    solve = _newton(unknowns, [system.entry[k] for k in states], [residual[k] for k in states], results, namer,
                    tolerance)
    at_solution = {system.entry[k]: r for k, r in zip(states, results)}
    at_solution.update({system.reactants[k]: r for k, r in zip(states, results) if k in system.reactants})
    # a read of a state after its `x' = …` sees the state itself: at the solution, the new value
    at_solution.update({d.placeholder: system.results[d.state] for d in system.statements
                        if isinstance(d, ir.Derivative) and d.state in states})
    defs = Definitions(body)
    values = {key: defs.expand(value, set(at_solution)) for key, value in system.values.items()}
    return body + [solve] + _finish(replace(system, values=values), {}, at_solution)


def _apply_conservation(system: ir.System, states, residual: dict, unknown: dict) -> None:
    diagonals: set[str] = set()
    for stmt in system.statements:
        if not isinstance(stmt, ir.Conserve):
            continue
        # nocmodl keeps a CONSERVE's terms in a list built by prepending, and replaces the equation
        # of the first state in that list: the *last* state written (checked against NEURON 9).
        row = next((k for k, _ in reversed(stmt.terms) if k in residual and k not in diagonals), None)
        if row is None:
            raise ModlcError.at(stmt.loc, "CONSERVE: no state of this law is left to replace (nocmodl: "
                                          "'Failed to diagonalize the Kinetic matrix')")
        diagonals.add(row)
        total = sum((c * system.volumes.get(k, sp.Integer(1)) * unknown.get(k, system.entry[k]) for k, c in stmt.terms),
                    sp.Integer(0))
        residual[row] = total - stmt.total


def _equations(system: ir.System, namer: Namer) -> list:
    body = _body(system, {})
    equations = [s for s in system.statements if isinstance(s, ir.Equation)]
    states = [k for k in system.results if k in system.entry]
    if len(equations) != len(states):
        raise ModlcError.at(system.loc, f"{system.kind} {system.block}: {len(equations)} equations for "
                                        f"{len(states)} states ({', '.join(states)})")
    defs = Definitions(body)
    wrt = {system.entry[k] for k in states}
    unknowns = [namer(f"{k}_new") for k in states]
    to_unknown = {system.entry[k]: u for k, u in zip(states, unknowns)}
    residual = [defs.expand(e.residual, wrt).xreplace(to_unknown) for e in equations]
    results = [system.results[k] for k in states]
    solve = _newton(unknowns, [system.entry[k] for k in states], residual, results, namer)
    at_solution = {system.entry[k]: r for k, r in zip(states, results)}
    values = [ir.Assign(system.results[key], defs.expand(value, wrt).xreplace(at_solution))
              for key, value in system.values.items()]
    return body + [solve] + values
