"""A small NumPy interpreter for IR kernels, for tests that check the IR's numbers directly
(before any backend exists, and independently of the generated code)."""

from __future__ import annotations

import numpy as np
import sympy as sp

from modlc import ir
from modlc.symbolic import sym

_cache: dict = {}


def evaluate(expr, env: dict):
    expr = sp.sympify(expr)
    if expr is sp.true:
        return True
    if expr is sp.false:
        return False
    args = sorted(expr.free_symbols, key=lambda s: s.name)
    key = (expr, tuple(args))
    if key not in _cache:
        _cache[key] = sp.lambdify(args, expr, modules="numpy")
    missing = [a.name for a in args if a not in env]
    if missing:
        raise KeyError(f"kernel input(s) not given: {missing}")
    return _cache[key](*[env[a] for a in args])


def run(kernel: ir.Kernel, values: dict) -> tuple[dict, list]:
    """Run a kernel on named inputs; returns (outputs by name, events as (kind, args, mask))."""
    env = {sym(k): v for k, v in values.items()}
    events = []
    for stmt in kernel.statements:
        if isinstance(stmt, ir.Assign):
            env[stmt.target] = evaluate(stmt.value, env)
        elif isinstance(stmt, ir.Event):
            events.append((stmt.kind, [evaluate(a, env) for a in stmt.args], evaluate(stmt.mask, env)))
        elif isinstance(stmt, ir.ImplicitSolve):
            newton(stmt, env)
        else:
            raise TypeError(f"unsolved statement {stmt}")
    return {name: evaluate(value, env) for name, value in kernel.outputs.items()}, events


def newton(stmt: ir.ImplicitSolve, env: dict) -> None:
    x = [np.asarray(evaluate(e, env), dtype=float) for e in stmt.initial]
    n = len(x)
    delta = None
    for _ in range(stmt.iterations):
        for u, value in zip(stmt.unknowns, x):
            env[u] = value
        for a in stmt.body:
            env[a.target] = evaluate(a.value, env)
        shape = np.broadcast(*x).shape
        f = np.stack([np.broadcast_to(evaluate(r, env), shape) for r in stmt.residual], axis=-1)
        j = np.stack([np.stack([np.broadcast_to(evaluate(e, env), shape) for e in row], axis=-1)
                      for row in stmt.jacobian], axis=-2)
        delta = np.linalg.solve(j, f[..., None])[..., 0]
        x = [x[i] - delta[..., i] for i in range(n)]
    for r, value in zip(stmt.results, x):
        env[r] = value
    scale = 1 + np.abs(np.stack(x, axis=-1))
    env[stmt.converged] = bool(np.all(np.abs(delta) <= stmt.tolerance * scale))
