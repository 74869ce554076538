"""FUNCTION_TABLE values given from Python, and NEURON's interpolation of them as an expression.

A `FUNCTION_TABLE tau(v)` has no body: NEURON's user fills it from hoc (`table_tau(...)`) and
nocmodl calls `hoc_func_table`, which interpolates linearly and clamps at the ends
(src/oc/functabl.cpp). modlc takes the values when the mechanism is compiled
(`modlc.runtime.Mechanism(path, tables={"tau": FunctionTable(...)})`, or `tables=` of
`modlc.compile`/`modlc.load`) and lowers each call into a branch-free select over the table's
intervals that repeats hoc_func_table's arithmetic step by step:

- an axis given as grid points a_0 < … < a_{n-1} (hoc's `table_tau(yvec, xvec)` or `&x` form):
  x <= a_0 gives t_0, x >= a_{n-1} gives t_{n-1}, otherwise the interval a_j <= x < a_{j+1} and
  frac = (x - a_j) / (a_{j+1} - a_j);
- an evenly spaced axis `Evenly(lo, hi)` (hoc's `n, min, max` form): d = (hi - lo) / (n - 1),
  x1 = (x - lo) / d, j = (int) x1, frac = x1 - j, clamped the same way;
- the value is (1 - frac) t_j + frac t_{j+1}; with two arguments, rows are the first argument
  (row-major, as NEURON's), each row is interpolated in the second argument and the two rows
  around the first argument are interpolated in turn;
- a single number (hoc's `table_tau(value)`) makes the function that constant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence, Union

import sympy as sp

from .symbolic import number


@dataclass(frozen=True)
class Evenly:
    """An evenly spaced axis from lo to hi, as many points as the table has along it."""

    lo: float
    hi: float


Axis = Union[Evenly, tuple]


@dataclass(frozen=True)
class FunctionTable:
    """The values of a FUNCTION_TABLE: a number, or a 1-D or 2-D (row-major) array with one axis
    per argument (grid points, or `Evenly(lo, hi)`)."""

    values: Union[float, tuple]
    axes: tuple = ()

    def __init__(self, values, *axes: Union[Evenly, Sequence[float]]):
        if isinstance(values, (int, float)):
            if axes:
                raise ValueError("a constant FUNCTION_TABLE takes no axes")
            object.__setattr__(self, "values", float(values))
            object.__setattr__(self, "axes", ())
            return
        rows = tuple(tuple(float(x) for x in row) for row in values) if len(axes) == 2 else \
            tuple(float(x) for x in values)
        shape = (len(rows), len(rows[0])) if len(axes) == 2 else (len(rows),)
        if len(axes) not in (1, 2):
            raise ValueError("a FUNCTION_TABLE has one or two arguments")
        if len(axes) == 2 and any(len(r) != shape[1] for r in rows):
            raise ValueError("the rows of a 2-D FUNCTION_TABLE differ in length")
        fixed = []
        for n, axis in zip(shape, axes):
            if n < 1:
                raise ValueError("a FUNCTION_TABLE axis needs at least one point")
            if isinstance(axis, Evenly):
                if axis.hi < axis.lo:
                    raise ValueError("Evenly(lo, hi) needs lo <= hi")
                fixed.append(Evenly(float(axis.lo), float(axis.hi)))
            else:
                points = tuple(float(x) for x in axis)
                if len(points) != n:
                    raise ValueError(f"an axis of {len(points)} points for {n} table values")
                fixed.append(points)
        object.__setattr__(self, "values", rows)
        object.__setattr__(self, "axes", tuple(fixed))

    @property
    def arity(self) -> int:
        return len(self.axes)


Tables = Mapping[str, FunctionTable]  # FUNCTION_TABLE name -> its values
Bind = Callable[[str, sp.Expr], sp.Expr]


def lookup(table: FunctionTable, args: Sequence[sp.Expr], bind: Bind) -> sp.Expr:
    """hoc_func_table(table, args) as an expression; `bind` names intermediate values."""
    if table.arity == 0:
        return number(table.values)
    if table.arity == 1:
        return _interpolate(table.axes[0], [number(t) for t in table.values], args[0], bind)
    rows = [bind("table_row", _interpolate(table.axes[1], [number(t) for t in row], args[1], bind))
            for row in table.values]
    return _interpolate(table.axes[0], rows, args[0], bind)


def _interpolate(axis: Axis, values: list, x: sp.Expr, bind: Bind) -> sp.Expr:
    n = len(values)
    if n == 1:
        return values[0]
    x = bind("table_arg", x)
    if isinstance(axis, Evenly):
        lo, hi = number(axis.lo), number(axis.hi)
        d = number(float(axis.hi - axis.lo) / float(n - 1))
        x1 = bind("table_x1", (x - lo) / d)
        inner = [(_mix(values, j, x1 - j, bind), sp.Lt(x1, j + 1)) for j in range(n - 2)]
        last = _mix(values, n - 2, x1 - (n - 2), bind)
        return sp.Piecewise((values[0], sp.Le(x, lo)), (values[-1], sp.Ge(x, hi)), *inner, (last, True))
    a = [number(p) for p in axis]
    inner = [(_mix(values, j, (x - a[j]) / number(float(axis[j + 1]) - float(axis[j])), bind), sp.Lt(x, a[j + 1]))
             for j in range(n - 1)]
    return sp.Piecewise((values[0], sp.Le(x, a[0])), *inner, (values[-1], True))


def _mix(values: list, j: int, frac: sp.Expr, bind: Bind) -> sp.Expr:
    """(1 - frac) t_j + frac t_{j+1}, frac named so that SymPy cannot fold neighbouring intervals'
    lines into one (which would round differently from hoc_func_table, even at the grid points)."""
    frac = bind("table_frac", frac)
    return (1 - frac) * values[j] + frac * values[j + 1]
