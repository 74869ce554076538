"""Upper bounds of run-time values, for unrolling a loop whose bounds are known only at run time.

`FROM i = imax(n - 5, 0) TO n` runs at most 6 times whatever n is: the span n - max(n - 5, 0) is
5 where n > 5 and n (so at most 5) elsewhere. `upper_bound` finds such a bound for a SymPy
expression that is a number, a Piecewise of them, or a linear function of one symbol in a piece
whose condition bounds that symbol from above; anything else has no bound (None).
"""

from __future__ import annotations

from typing import Optional

import sympy as sp


def upper_bound(expr: sp.Expr) -> Optional[float]:
    expr = sp.piecewise_fold(expr)
    if expr.is_number:
        return float(expr)
    if isinstance(expr, sp.Piecewise):
        bounds, excluded = [], sp.true
        for value, condition in expr.args:
            bound = _bounded(value, sp.And(condition, excluded))
            if bound is None:
                return None
            bounds.append(bound)
            excluded = sp.And(excluded, sp.Not(condition))
        return max(bounds)
    return _bounded(expr, sp.true)


def _bounded(value: sp.Expr, condition) -> Optional[float]:
    """The largest `value` (a number, or linear in one symbol) where `condition` holds."""
    if condition is sp.false:
        return float("-inf")
    if value.is_number:
        return float(value)
    symbols = value.free_symbols
    if len(symbols) != 1:
        return None
    (s,) = symbols
    slope, offset = value.coeff(s, 1), value.coeff(s, 0)
    if not (value.is_polynomial(s) and sp.degree(value, s) == 1 and slope.is_number and offset.is_number):
        return None
    limits = [limit for c in sp.And.make_args(condition) if (limit := _limit(c, s, upward=slope > 0)) is not None]
    if not limits:
        return None
    extreme = min(limits) if slope > 0 else max(limits)
    return float(slope * extreme + offset)


def _limit(condition, s: sp.Symbol, upward: bool) -> Optional[float]:
    """From a relation linear in s: the upper (upward) or lower limit it puts on s, if any."""
    if not isinstance(condition, (sp.Le, sp.Lt, sp.Ge, sp.Gt)):
        return None
    difference = condition.lhs - condition.rhs  # relation: difference (<=, <, >=, >) 0
    if difference.free_symbols != {s} or not difference.is_polynomial(s) or sp.degree(difference, s) != 1:
        return None
    slope, offset = difference.coeff(s, 1), difference.coeff(s, 0)
    if not (slope.is_number and offset.is_number):
        return None
    below = isinstance(condition, (sp.Le, sp.Lt)) == (slope > 0)  # the relation says s <= or < a limit
    return float(-offset / slope) if below == upward else None
