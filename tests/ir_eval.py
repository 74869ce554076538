"""A small NumPy interpreter for IR kernels, for tests that check the IR's numbers directly
(before any backend exists, and independently of the generated code), and the error bounds and
exact references those tests compare against."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import sympy as sp

from modlc import ir
from modlc.symbolic import sym
from parity import EPS  # 2.2e-16 = 2u

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


def run(kernel: ir.Kernel, values: dict, matrices: list | None = None) -> tuple[dict, list]:
    """Run a kernel on named inputs; returns (outputs by name, events as (kind, args, mask)).
    With `matrices`, the Jacobian of every Newton iteration is appended to it (shape (..., n, n)),
    for tests that derive their tolerance from the conditioning of the systems actually solved."""
    env = {sym(k): v for k, v in values.items()}
    events = []
    for stmt in kernel.statements:
        if isinstance(stmt, ir.Assign):
            env[stmt.target] = evaluate(stmt.value, env)
        elif isinstance(stmt, ir.Event):
            events.append((stmt.kind, [evaluate(a, env) for a in stmt.args], evaluate(stmt.mask, env)))
        elif isinstance(stmt, ir.ImplicitSolve):
            newton(stmt, env, matrices)
        else:
            raise TypeError(f"unsolved statement {stmt}")
    return {name: evaluate(value, env) for name, value in kernel.outputs.items()}, events


def newton(stmt: ir.ImplicitSolve, env: dict, matrices: list | None = None) -> None:
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
        if matrices is not None:
            matrices.append(j)
        delta = np.linalg.solve(j, f[..., None])[..., 0]
        x = [x[i] - delta[..., i] for i in range(n)]
    for r, value in zip(stmt.results, x):
        env[r] = value
    scale = 1 + np.abs(np.stack(x, axis=-1))
    env[stmt.converged] = bool(np.all(np.abs(delta) <= stmt.tolerance * scale))




def solve_bound(matrix) -> float:
    """Norm-wise (2-norm) relative error of d solved from M d = b in float64: Gaussian elimination
    with partial pivoting is backward stable, (M + dM) d = b with |dM| <= 3n u rho |M| (Higham,
    Accuracy and Stability of Numerical Algorithms, Thm 9.4; growth rho <= 2^(n-1)), and b is
    rounded by about 2u, so |error| / |d| <= cond(M) (3n 2^(n-1) + 2) u: 7 cond(M) EPS for n = 2."""
    n = len(matrix)
    return float(np.linalg.cond(matrix)) * (3 * n * 2 ** (n - 1) + 2) * EPS / 2


def newton_step_bound(matrix, x0, x1) -> float:
    """How far a linear system's one Newton step x1 = x0 - M^-1 F(x0) (what every implicit method
    takes on a linear scheme) can land from the exact x1, in any component: the update's error,
    solve_bound(M) |x1 - x0|_2, plus the rounding of the subtraction, u |x1|."""
    x0, x1 = np.asarray(x0, dtype=float), np.asarray(x1, dtype=float)
    return solve_bound(matrix) * float(np.linalg.norm(x1 - x0)) + EPS / 2 * float(np.abs(x1).max())


def skeel_condition(matrix) -> float:
    """Skeel's condition number || |M^-1| |M| ||_inf: the conditioning that partial pivoting's
    row-wise backward error sees. It ignores how the rows are scaled, so a matrix whose rows hold
    1e9 next to 1 (a STEADYSTATE step with a CONSERVE row) can be well conditioned by it while
    np.linalg.cond says 1e9; a matrix close to singular after any row scaling is not."""
    m = np.asarray(matrix, dtype=float)
    return float(np.max(np.abs(np.linalg.inv(m)) @ np.abs(m) @ np.ones(len(m))))


def exact_solve_2x2(matrix, rhs) -> list[Fraction]:
    """Cramer's rule in rational arithmetic: the exact solution for the float entries given."""
    (a, b), (c, d) = [[Fraction(x) for x in row] for row in matrix]
    e, f = (Fraction(x) for x in rhs)
    det = a * d - b * c
    return [(e * d - b * f) / det, (a * f - e * c) / det]
