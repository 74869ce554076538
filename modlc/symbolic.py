"""The SymPy vocabulary shared by lowering, the solvers and the IR.

Every variable is a real SymPy symbol made by `sym`, so that `Abs`, `sqrt` and derivatives stay
real-valued and two stages naming the same variable get the same object. NMODL's conditions
become SymPy booleans; `select` builds the branch-free `Piecewise` that tensor backends turn into
`where`. Random-number calls carry a serial number so that common-subexpression elimination can
never merge two draws into one.
"""

from __future__ import annotations

from typing import Callable, Optional

import sympy as sp
from sympy.logic.boolalg import Boolean, BooleanFalse, BooleanTrue


def sym(name: str) -> sp.Symbol:
    """The one SymPy symbol for a name (real-valued, so derivatives and Abs stay real)."""
    return sp.Symbol(name, real=True)


def symbol_base(name: str) -> str:
    """A name usable as the stem of a fresh symbol: array elements `x[3]` become `x_3`."""
    return name.replace("[", "_").replace("]", "")


def number(value: float) -> sp.Expr:
    """An NMODL literal: integral values stay exact (so `m^3` stays a power), others are doubles."""
    if value == int(value) and abs(value) < 2**53:
        return sp.Integer(int(value))
    return sp.Float(value)


def is_boolean(expr) -> bool:
    """A truth value (relation, and/or/not, true/false); symbols are numbers here, though SymPy
    also counts them as Boolean."""
    return isinstance(expr, Boolean) and not isinstance(expr, sp.Expr)


def as_number(expr) -> sp.Expr:
    """A condition used as a number is 1 or 0, as in C."""
    if expr is sp.true or isinstance(expr, BooleanTrue):
        return sp.Integer(1)
    if expr is sp.false or isinstance(expr, BooleanFalse):
        return sp.Integer(0)
    if is_boolean(expr):
        return sp.Piecewise((sp.Integer(1), expr), (sp.Integer(0), True))
    return expr


def as_condition(expr) -> Boolean:
    """A number used as a condition is true when non-zero, as in C."""
    if is_boolean(expr):
        return expr
    if expr.is_number:
        return sp.true if expr != 0 else sp.false
    return sp.Ne(expr, 0)


def select(condition, then, otherwise) -> sp.Expr:
    """`condition ? then : otherwise`, folded when the condition is known."""
    if condition is sp.true or then == otherwise:
        return then
    if condition is sp.false:
        return otherwise
    return sp.Piecewise((then, condition), (otherwise, True))


def is_atomic(expr) -> bool:
    """Values cheap enough to copy instead of naming (symbols and literals)."""
    return isinstance(expr, sp.Symbol) or expr.is_number


# --------------------------------------------------------------------------- functions

class fmod(sp.Function):
    """C's fmod: the remainder with the sign of the dividend (SymPy's Mod follows Python's sign)."""

    @classmethod
    def eval(cls, x, y):
        if x.is_number and y.is_number and y != 0:
            return sp.sign(x) * sp.Mod(sp.Abs(x), sp.Abs(y))
        return None


class TableIndex(sp.Function):
    """The grid interval a NEURON TABLE lookup uses: floor(xi) kept within [0, n - 1]
    (xi = (x - FROM)·n/(TO - FROM)). Piecewise constant, so its derivative is 0: dI/dv and Newton's
    Jacobian see the table's slope, not the staircase. Spelled out by `expand_table_lookups`."""

    nargs = 2

    def fdiff(self, argindex=1):
        return sp.Integer(0)

    def expanded(self) -> sp.Expr:
        xi, n = self.args
        return sp.Min(sp.Max(sp.floor(xi), 0), n - 1)


class TableFraction(sp.Function):
    """Where xi lies in the interval `index` of a TABLE lookup, kept within [0, 1] (so the end
    values hold outside FROM..TO); its derivative is 1 with respect to xi."""

    nargs = 2

    def fdiff(self, argindex=1):
        return sp.Integer(1) if argindex == 1 else sp.Integer(-1)

    def expanded(self) -> sp.Expr:
        xi, index = self.args
        return sp.Min(sp.Max(xi - index, 0), 1)


def expand_table_lookups(expr: sp.Expr) -> sp.Expr:
    """TableIndex and TableFraction as the min/max/floor the backends print."""
    if not expr.has(TableIndex, TableFraction):
        return expr
    return expr.replace(lambda e: isinstance(e, (TableIndex, TableFraction)), lambda e: e.expanded())


class RandomDraw(sp.Function):
    """A random draw `Kind(serial, *args)`, one subclass per distribution.

    The serial number makes every call site (and every inlined copy) a distinct expression, so no
    rewrite can merge two draws. Its derivative is zero: randomness is not differentiated.
    """

    def fdiff(self, argindex=1):
        return sp.Integer(0)


class NormalDraw(RandomDraw):
    """normrand(mean, sd)"""


class ExponentialDraw(RandomDraw):
    """exprand(mean)"""


class UniformDraw(RandomDraw):
    """scop_random() / unirand(): uniform on [0, 1)"""


class PoissonDraw(RandomDraw):
    """poisrand(mean)"""


RANDOM_DRAWS = {"normrand": NormalDraw, "exprand": ExponentialDraw, "scop_random": UniformDraw,
                "unirand": UniformDraw, "poisrand": PoissonDraw}


def _pow(x, y):
    return sp.Pow(x, y)


def _fmin(x, y):
    return sp.Min(x, y)


def _fmax(x, y):
    return sp.Max(x, y)


# NMODL builtin → SymPy; the value is (arity, constructor).
MATH_FUNCTIONS: dict[str, tuple[int, Callable]] = {
    "exp": (1, sp.exp), "log": (1, sp.log), "log10": (1, lambda x: sp.log(x, 10)),
    "sqrt": (1, sp.sqrt), "fabs": (1, sp.Abs), "abs": (1, sp.Abs),
    "sin": (1, sp.sin), "cos": (1, sp.cos), "tan": (1, sp.tan),
    "asin": (1, sp.asin), "acos": (1, sp.acos), "atan": (1, sp.atan), "atan2": (2, sp.atan2),
    "sinh": (1, sp.sinh), "cosh": (1, sp.cosh), "tanh": (1, sp.tanh),
    "floor": (1, sp.floor), "ceil": (1, sp.ceiling), "pow": (2, _pow), "fmod": (2, fmod),
    "erf": (1, sp.erf), "erfc": (1, sp.erfc), "fmin": (2, _fmin), "fmax": (2, _fmax),
    "cbrt": (1, sp.cbrt), "expm1": (1, lambda x: sp.exp(x) - 1), "log1p": (1, lambda x: sp.log(1 + x)),
    "hypot": (2, lambda x, y: sp.sqrt(x**2 + y**2)),
}


def math_function(name: str) -> Optional[tuple[int, Callable]]:
    return MATH_FUNCTIONS.get(name)


def free_symbols_sorted(expr) -> list[sp.Symbol]:
    """Free symbols in name order: set iteration order depends on the hash seed, output must not."""
    return sorted(expr.free_symbols, key=lambda s: s.name)
