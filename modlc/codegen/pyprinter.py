"""SymPy expressions → Python source for the NumPy, JAX and TensorFlow backends.

One printer, one `Dialect` per backend (the module alias and the spelling of each function), so
the three Python backends print the same arithmetic in the same order and differ only where the
libraries do. Written here rather than on SymPy's code printers so that every choice that affects
the bytes or the rounding is explicit:

- numbers print as Python's shortest round-trip `repr`; anything without symbols (`exp(2)`,
  `1/log(10)`) is evaluated by SymPy at 30 digits and printed once, correctly rounded;
- small integer powers become products (`m*m*m`), so every backend rounds them the same way;
- `Piecewise` becomes nested `where` (a flat `select` when long), booleans `logical_and`/`logical_or`/`logical_not`;
- the order of terms is SymPy's canonical argument order, which does not depend on hashing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import sympy as sp
from sympy.logic.boolalg import BooleanFalse, BooleanTrue

from ..diagnostics import ModlcError
from sympy.codegen.cfunctions import expm1

from ..symbolic import RandomDraw, fmod

# Precedence, loosest to tightest (Python's own order).
OR, AND, NOT, COMPARE, ADD, MUL, UNARY, POWER, ATOM = range(9)

UNARY_FUNCTIONS = {
    sp.exp: "exp", sp.log: "log", sp.sin: "sin", sp.cos: "cos", sp.tan: "tan", sp.asin: "asin",
    sp.acos: "acos", sp.atan: "atan", sp.sinh: "sinh", sp.cosh: "cosh", sp.tanh: "tanh",
    sp.Abs: "abs", expm1: "expm1", sp.floor: "floor", sp.ceiling: "ceil", sp.sign: "sign", sp.erf: "erf", sp.erfc: "erfc",
}
BINARY_FUNCTIONS = {sp.atan2: "atan2", fmod: "fmod", sp.Mod: "mod"}
RELATIONS = {sp.StrictLessThan: "<", sp.LessThan: "<=", sp.StrictGreaterThan: ">",
             sp.GreaterThan: ">=", sp.Equality: "==", sp.Unequality: "!="}
MAX_PRODUCT_POWER = 4
# Python's parser refuses ~200 nested parentheses; a run-time index into a 1,000-element array is
# a Piecewise of 1,000 pieces, printed as one flat select instead of nested where
MAX_NESTED_WHERE = 32


@dataclass(frozen=True)
class Dialect:
    """How one backend spells the operations the printer needs."""

    functions: Mapping[str, str]  # printer's name → callable expression, e.g. "exp" → "jnp.exp"
    where: str
    select: str  # select([conditions], [values], default): the first true condition's value
    logical_and: str
    logical_or: str
    logical_not: str
    minimum: str
    maximum: str
    sqrt: str
    # TF converts a bare Python float to float32 wherever no tensor fixes the type (tf.where's
    # branches, a constant held in a variable): such values are wrapped.
    literal_in_call: Callable[[str], str] = field(default=lambda text: text)


def float_literal(value: float) -> str:
    """Shortest round-trip text of a double; inf/nan spelled so the generated module defines them."""
    if value != value:
        return "_nan"
    if value in (float("inf"), float("-inf")):
        return "_inf" if value > 0 else "(-_inf)"
    return repr(float(value))


def is_constant(expr) -> bool:
    """A value known at compile time (so printed once as a number); a random draw is not."""
    return (getattr(expr, "is_number", False) and not expr.free_symbols and not isinstance(expr, sp.Piecewise)
            and not expr.has(RandomDraw))


class PythonPrinter:
    def __init__(self, dialect: Dialect, names: Callable[[sp.Symbol], str],
                 draws: Mapping[sp.Basic, sp.Symbol] | None = None):
        self.dialect = dialect
        self.names = names
        self.draws = dict(draws or {})

    def __call__(self, expr) -> str:
        return self.print(expr)[0]

    # Each _print method returns (text, precedence).
    def print(self, expr) -> tuple[str, int]:
        if isinstance(expr, (bool, BooleanTrue, BooleanFalse)):
            return ("True" if expr else "False"), ATOM
        if isinstance(expr, sp.Symbol):
            return self.names(expr), ATOM
        if isinstance(expr, RandomDraw):
            return self.random(expr)
        if is_constant(expr):
            return self.number(expr)
        if isinstance(expr, sp.Add):
            return self.add(expr)
        if isinstance(expr, sp.Mul):
            return self.mul(expr)
        if isinstance(expr, sp.Pow):
            return self.power(expr)
        if isinstance(expr, sp.Piecewise):
            return self.piecewise(expr)
        if type(expr) in RELATIONS:
            return f"{self.operand(expr.lhs, ADD)} {RELATIONS[type(expr)]} {self.operand(expr.rhs, ADD)}", COMPARE
        if isinstance(expr, (sp.And, sp.Or)):
            fn = self.dialect.logical_and if isinstance(expr, sp.And) else self.dialect.logical_or
            return self.fold(fn, [self(a) for a in expr.args]), ATOM
        if isinstance(expr, sp.Not):
            return f"{self.dialect.logical_not}({self(expr.args[0])})", ATOM
        if isinstance(expr, sp.ITE):  # a condition chosen by a condition (merged branches)
            c, a, b = expr.args
            return f"{self.dialect.where}({self(c)}, {self(a)}, {self(b)})", ATOM
        if isinstance(expr, (sp.Min, sp.Max)):
            fn = self.dialect.minimum if isinstance(expr, sp.Min) else self.dialect.maximum
            return self.fold(fn, [self.argument(a) for a in expr.args]), ATOM
        if expr.func in UNARY_FUNCTIONS:
            return self.call(UNARY_FUNCTIONS[expr.func], expr.args)
        if expr.func in BINARY_FUNCTIONS:
            return self.call(BINARY_FUNCTIONS[expr.func], expr.args)
        raise ModlcError.at(None, f"unsupported in generated code: {type(expr).__name__} ({expr})")

    def number(self, expr) -> tuple[str, int]:
        if expr.is_Integer and abs(int(expr)) < 2**31:
            text = str(int(expr))
        elif expr.is_Integer:  # beyond int32: JAX without x64 would overflow converting it
            text = float_literal(float(int(expr)))
        elif expr.has(sp.zoo, sp.nan) or expr.is_real is False:
            text = "_nan"
        elif expr in (sp.oo, -sp.oo):
            text = "_inf" if expr == sp.oo else "(-_inf)"
        else:
            text = float_literal(float(sp.N(expr, 30)))
        return text, (UNARY if text.startswith("-") else ATOM)

    def operand(self, expr, precedence: int) -> str:
        text, own = self.print(expr)
        return text if own > precedence else f"({text})"

    def argument(self, expr) -> str:
        """An argument of a call or a branch of `where`: constants print as floats, so that no
        library infers an integer array from `where(c, 1, 0)`."""
        if is_constant(expr):
            text = self.number(expr)[0]
            if expr.is_Integer:
                text = float_literal(float(int(expr)))
            return self.dialect.literal_in_call(text)
        return self.print(expr)[0]

    def call(self, name: str, args) -> tuple[str, int]:
        if name not in self.dialect.functions:
            raise ModlcError.at(None, f"unsupported in generated code: {name}")
        return f"{self.dialect.functions[name]}({', '.join(self.argument(a) for a in args)})", ATOM

    @staticmethod
    def fold(fn: str, texts: list[str]) -> str:
        out = texts[0]
        for t in texts[1:]:
            out = f"{fn}({out}, {t})"
        return out

    def add(self, expr: sp.Add) -> tuple[str, int]:
        terms = sorted(expr.args, key=lambda a: a.is_number)  # the constant last, as people write it
        out = ""
        for i, term in enumerate(terms):
            coefficient, rest = term.as_coeff_Mul()
            if coefficient.is_number and coefficient < 0 and i > 0:
                text = self.operand(-term, ADD)
                out += f" - {text}"
            else:
                text = self.operand(term, ADD - 1) if i == 0 else self.operand(term, ADD)
                out += text if i == 0 else f" + {text}"
        return out, ADD

    def mul(self, expr: sp.Mul) -> tuple[str, int]:
        coefficient, rest = expr.as_coeff_Mul()
        if coefficient < 0:
            # -(a*b/c) prints as -a*b/c: negation is exact, so the grouping cannot change a bit.
            text, own = self.mul_positive(-coefficient, rest)
            return "-" + (text if own >= MUL else f"({text})"), UNARY
        return self.mul_positive(coefficient, rest)

    def mul_positive(self, coefficient, rest) -> tuple[str, int]:
        if coefficient == 1 and not isinstance(rest, sp.Mul):
            return self.print(rest)
        numerator, denominator = [], []
        if coefficient != 1:
            if isinstance(coefficient, sp.Rational) and coefficient.q != 1:
                if coefficient.p != 1:
                    numerator.append(str(coefficient.p))
                denominator.append(str(coefficient.q))
            else:
                numerator.append(self.operand(coefficient, MUL))
        for factor in sp.Mul.make_args(rest):
            base, exponent = factor.as_base_exp()
            if isinstance(factor, sp.Pow) and exponent.is_number and exponent < 0:
                denominator.append(self.operand(sp.Pow(base, -exponent), MUL))
            else:
                numerator.append(self.operand(factor, MUL))
        text = "*".join(numerator) if numerator else "1"
        if len(denominator) == 1:
            text += f"/{denominator[0]}"
        elif denominator:
            text += "/(" + "*".join(denominator) + ")"
        return text, MUL

    def power(self, expr: sp.Pow) -> tuple[str, int]:
        base, exponent = expr.args
        if exponent.is_Integer and 0 < exponent <= MAX_PRODUCT_POWER:
            operand = self.operand(base, MUL)
            return "*".join([operand] * int(exponent)), MUL
        if exponent.is_number and exponent < 0:
            return f"1/{self.operand(sp.Pow(base, -exponent), MUL)}", MUL
        if exponent == sp.Rational(1, 2):
            return f"{self.dialect.sqrt}({self(base)})", ATOM
        return f"{self.operand(base, POWER)}**{self.operand(exponent, POWER)}", POWER

    def piecewise(self, expr: sp.Piecewise) -> tuple[str, int]:
        pieces = list(expr.args)
        if pieces[-1].cond is sp.true:
            out = self.argument(pieces.pop().expr)
        else:
            out = self.dialect.literal_in_call("_nan")
        if len(pieces) > MAX_NESTED_WHERE:
            conditions = ", ".join(self(piece.cond) for piece in pieces)
            values = ", ".join(self.argument(piece.expr) for piece in pieces)
            return f"{self.dialect.select}([{conditions}], [{values}], {out})", ATOM
        for piece in reversed(pieces):
            out = f"{self.dialect.where}({self(piece.cond)}, {self.argument(piece.expr)}, {out})"
        return out, ATOM

    def random(self, draw: RandomDraw) -> tuple[str, int]:
        """A draw reads a standard variate the runtime supplies and scales it to the call's
        parameters: normrand(mean, sd) = mean + sd·z, exprand(mean) = mean·e, uniform as is."""
        variate = self.draws[draw]
        params = draw.args[1:]
        if len(params) == 2:
            return self.print(params[0] + params[1] * variate)
        if len(params) == 1:
            return self.print(params[0] * variate)
        return self.print(variate)
