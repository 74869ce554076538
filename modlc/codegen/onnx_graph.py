"""SymPy expressions → nodes in ONNX's textual syntax.

Each kernel becomes one ONNX graph. Expressions are translated node by node in the same order of
operations the Python printer uses (so ONNX rounds like the NumPy reference); a value is computed
once per graph and reused. ONNX has no batched linear solve, so each Newton step solves its
system with an explicit Gaussian elimination with partial pivoting over the instance batch
(`solve`): O(n) groups of tensor ops on an [N, n, n+1] augmented matrix, rows swapped with
`Where` so that no value is ever perturbed by the swap.

onnxruntime has no float64 kernel for Tan, Sinh, Cosh, Asin, Acos, Atan or Erf: tan, sinh and
cosh are built from Sin/Cos/Exp (sinh/cosh switch to their Taylor series near 0, where the
exponential formula cancels); the others are refused in float64 with a clear error.
"""

from __future__ import annotations

from typing import Callable, Optional

import numpy as np
import sympy as sp
from sympy.logic.boolalg import BooleanFalse, BooleanTrue

from ..diagnostics import ModlcError
from sympy.codegen.cfunctions import expm1

from ..symbolic import RandomDraw, fmod
from .pyprinter import MAX_PRODUCT_POWER, RELATIONS, is_constant

ONNX_OPS = {sp.exp: "Exp", sp.log: "Log", sp.sin: "Sin", sp.cos: "Cos", sp.tanh: "Tanh", sp.Abs: "Abs",
            sp.floor: "Floor", sp.ceiling: "Ceil", sp.sign: "Sign"}
FLOAT32_ONLY_OPS = {sp.asin: "Asin", sp.acos: "Acos", sp.atan: "Atan", sp.erf: "Erf"}
COMPARE_OPS = {"<": "Less", "<=": "LessOrEqual", ">": "Greater", ">=": "GreaterOrEqual", "==": "Equal"}
TAYLOR_BELOW = 1e-3  # |x| under which sinh/cosh use their series (error < x^9/9! there)
# onnx's text parser reads numbers with std::stod/stof, which refuse subnormals (before onnx 1.23):
# such a constant is written as a normal number times a power of two, a product that is exact.
SMALLEST_NORMAL = {"double": 2.0 ** -1022, "float": 2.0 ** -126}
SUBNORMAL_SCALE = 64


def number_text(value: float) -> str:
    if value != value:
        return "nan"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    return repr(float(value))


class GraphBuilder:
    """Accumulates the node lines of one graph; `value(expr)` returns the name holding expr."""

    def __init__(self, element: str, symbol_names: Callable[[sp.Symbol], str],
                 draws: Optional[dict] = None):
        self.element = element  # "double" | "float"
        self.names = symbol_names
        self.draws = dict(draws or {})
        self.lines: list[str] = []
        self.memo: dict = {}
        self.bound: dict[sp.Symbol, str] = {}
        self.counter = 0
        self.shape_source: Optional[str] = None

    # ------------------------------------------------------------------ plumbing
    def fresh(self) -> str:
        self.counter += 1
        return f"_{self.counter}"

    def node(self, op: str, *inputs: str, attrs: str = "", out: Optional[str] = None) -> str:
        out = out or self.fresh()
        attributes = f" <{attrs}>" if attrs else ""
        self.lines.append(f"{out} = {op}{attributes} ({', '.join(inputs)})")
        return out

    def constant(self, value, element: Optional[str] = None) -> str:
        element = element or self.element
        key = ("const", element, value if not isinstance(value, float) or value == value else "nan")
        if key not in self.memo:
            if element == "bool":
                text = "1" if value else "0"
            elif element == "int64":
                text = ", ".join(str(int(v)) for v in value) if isinstance(value, tuple) else str(int(value))
                if isinstance(value, tuple):
                    element = f"int64[{len(value)}]"
            elif 0 < abs(value) < SMALLEST_NORMAL[element]:
                self.memo[key] = self._subnormal(value, element)
                return self.memo[key]
            else:
                text = number_text(value)
            self.memo[key] = self.node("Constant", attrs=f"value = {element} {{{text}}}")
        return self.memo[key]

    def _subnormal(self, value: float, element: str) -> str:
        """A subnormal constant as (value * 2^64) * 2^-64: both factors normal, the product exact."""
        exact = float(np.float32(value)) if element == "float" else float(value)
        return self.node("Mul", self.constant(exact * 2.0 ** SUBNORMAL_SCALE, element),
                         self.constant(2.0 ** -SUBNORMAL_SCALE, element))

    def shape(self) -> str:
        if "shape" not in self.memo:
            self.memo["shape"] = self.node("Shape", self.shape_source)
        return self.memo["shape"]

    def expand(self, name: str) -> str:
        """A per-instance copy of a value that may be a scalar."""
        key = ("expand", name)
        if key not in self.memo:
            self.memo[key] = self.node("Expand", name, self.shape())
        return self.memo[key]

    def bind(self, symbol: sp.Symbol, name: str) -> None:
        self.bound[symbol] = name

    # ------------------------------------------------------------------ expressions
    def value(self, expr) -> str:
        if isinstance(expr, sp.Symbol):
            if expr in self.bound:
                return self.bound[expr]
            return self.names(expr)
        key = ("expr", expr)
        if key not in self.memo:
            self.memo[key] = self._translate(expr)
        return self.memo[key]

    def _translate(self, expr) -> str:
        if isinstance(expr, (bool, BooleanTrue, BooleanFalse)):
            return self.constant(bool(expr), "bool")
        if isinstance(expr, RandomDraw):
            return self._random(expr)
        if is_constant(expr):
            return self.constant(self._float(expr))
        if isinstance(expr, sp.Add):
            return self._add(expr)
        if isinstance(expr, sp.Mul):
            return self._mul(expr)
        if isinstance(expr, sp.Pow):
            return self._pow(expr)
        if isinstance(expr, sp.Piecewise):
            return self._piecewise(expr)
        if type(expr) in RELATIONS:
            op = RELATIONS[type(expr)]
            if op == "!=":
                return self.node("Not", self.node("Equal", self.value(expr.lhs), self.value(expr.rhs)))
            return self.node(COMPARE_OPS[op], self.value(expr.lhs), self.value(expr.rhs))
        if isinstance(expr, (sp.And, sp.Or)):
            return self._fold("And" if isinstance(expr, sp.And) else "Or", [self.value(a) for a in expr.args])
        if isinstance(expr, sp.Not):
            return self.node("Not", self.value(expr.args[0]))
        if isinstance(expr, sp.ITE):  # onnxruntime's Where has no bool kernel: (c and a) or (not c and b)
            c, a, b = (self.value(x) for x in expr.args)
            return self.node("Or", self.node("And", c, a), self.node("And", self.node("Not", c), b))
        if isinstance(expr, (sp.Min, sp.Max)):
            return self.node("Min" if isinstance(expr, sp.Min) else "Max", *[self.value(a) for a in expr.args])
        if expr.func in ONNX_OPS:
            return self.node(ONNX_OPS[expr.func], self.value(expr.args[0]))
        if expr.func in FLOAT32_ONLY_OPS and self.element == "float":
            return self.node(FLOAT32_ONLY_OPS[expr.func], self.value(expr.args[0]))
        if expr.func is sp.tan:
            x = self.value(expr.args[0])
            return self.node("Div", self.node("Sin", x), self.node("Cos", x))
        if expr.func in (sp.sinh, sp.cosh):
            return self._hyperbolic(expr)
        if expr.func is expm1:
            return self._expm1(self.value(expr.args[0]))
        if expr.func is fmod:
            return self.node("Mod", self.value(expr.args[0]), self.value(expr.args[1]), attrs="fmod = 1")
        if expr.func is sp.Mod:  # Python's sign convention: a - b*floor(a/b)
            a, b = self.value(expr.args[0]), self.value(expr.args[1])
            return self.node("Sub", a, self.node("Mul", b, self.node("Floor", self.node("Div", a, b))))
        name = getattr(expr.func, "__name__", type(expr).__name__)
        if expr.func in FLOAT32_ONLY_OPS:
            raise ModlcError.at(None, f"unsupported: {name} in float64 ONNX kernels (onnxruntime has no "
                                      f"float64 {FLOAT32_ONLY_OPS[expr.func]}); use --dtype float32 or another backend")
        raise ModlcError.at(None, f"unsupported in generated code: {name} ({expr})")

    @staticmethod
    def _float(expr) -> float:
        if expr.has(sp.zoo, sp.nan) or expr.is_real is False:
            return float("nan")
        return float(sp.N(expr, 30))

    def _fold(self, op: str, names: list[str]) -> str:
        out = names[0]
        for n in names[1:]:
            out = self.node(op, out, n)
        return out

    def _add(self, expr: sp.Add) -> str:
        terms = sorted(expr.args, key=lambda a: a.is_number)
        out = self.value(terms[0])
        for term in terms[1:]:
            coefficient, _ = term.as_coeff_Mul()
            if coefficient.is_number and coefficient < 0:
                out = self.node("Sub", out, self.value(-term))
            else:
                out = self.node("Add", out, self.value(term))
        return out

    def _mul(self, expr: sp.Mul) -> str:
        coefficient, rest = expr.as_coeff_Mul()
        if coefficient < 0:
            return self.node("Neg", self.value(-expr))
        numerator, denominator = [], []
        if coefficient != 1:
            if isinstance(coefficient, sp.Rational) and coefficient.q != 1:
                if coefficient.p != 1:
                    numerator.append(self.constant(float(coefficient.p)))
                denominator.append(self.constant(float(coefficient.q)))
            else:
                numerator.append(self.constant(self._float(coefficient)))
        for factor in sp.Mul.make_args(rest):
            base, exponent = factor.as_base_exp()
            if isinstance(factor, sp.Pow) and exponent.is_number and exponent < 0:
                denominator.append(self.value(sp.Pow(base, -exponent)))
            else:
                numerator.append(self.value(factor))
        out = self._fold("Mul", numerator) if numerator else self.constant(1.0)
        if denominator:
            out = self.node("Div", out, self._fold("Mul", denominator))
        return out

    def _pow(self, expr: sp.Pow) -> str:
        base, exponent = expr.args
        if exponent.is_Integer and 0 < exponent <= MAX_PRODUCT_POWER:
            b = self.value(base)
            return self._fold("Mul", [b] * int(exponent))
        if exponent.is_number and exponent < 0:
            return self.node("Div", self.constant(1.0), self.value(sp.Pow(base, -exponent)))
        if exponent == sp.Rational(1, 2):
            return self.node("Sqrt", self.value(base))
        return self.node("Pow", self.value(base), self.value(exponent))

    def _piecewise(self, expr: sp.Piecewise) -> str:
        pieces = list(expr.args)
        out = self.value(pieces.pop().expr) if pieces[-1].cond is sp.true else self.constant(float("nan"))
        for piece in reversed(pieces):
            out = self.node("Where", self.value(piece.cond), self.value(piece.expr), out)
        return out

    def _hyperbolic(self, expr) -> str:
        x = expr.args[0]
        series_terms = 4
        if expr.func is sp.sinh:
            formula = (sp.exp(x) - sp.exp(-x)) / 2
            series = sum(x ** (2 * k + 1) / sp.factorial(2 * k + 1) for k in range(series_terms))
        else:
            formula = (sp.exp(x) + sp.exp(-x)) / 2
            series = sum(x ** (2 * k) / sp.factorial(2 * k) for k in range(series_terms))
        small = self.node("Less", self.node("Abs", self.value(x)), self.constant(TAYLOR_BELOW))
        return self.node("Where", small, self.value(series), self.value(formula))

    def _expm1(self, x: str) -> str:
        """e^x − 1 to a few ulps without an Expm1 op (Kahan): (u − 1)·x / log(u) with u = e^x, the
        rounding of u cancelling between numerator and denominator; x itself where u rounds to 1,
        and u − 1 where u overflows or x is far negative."""
        u = self.node("Exp", x)
        one = self.constant(1.0)
        u_minus_1 = self.node("Sub", u, one)
        kahan = self.node("Div", self.node("Mul", u_minus_1, x), self.node("Log", u))
        plain = self.node("Or", self.node("IsInf", u), self.node("Less", x, self.constant(-1.0)))
        return self.node("Where", self.node("Equal", u, one), x, self.node("Where", plain, u_minus_1, kahan))

    def _random(self, draw) -> str:
        variate = self.draws[draw]
        params = draw.args[1:]
        if len(params) == 2:
            return self.value(params[0] + params[1] * variate)
        if len(params) == 1:
            return self.value(params[0] * variate)
        return self.value(variate)

    # ------------------------------------------------------------------ batched linear algebra
    def stack(self, names: list[str], axis: int) -> str:
        """Concatenate per-instance values along a new trailing axis."""
        axes = self.constant((axis,), "int64")
        return self.node("Concat", *[self.node("Unsqueeze", n, axes) for n in names], attrs=f"axis = {axis}")

    def component(self, matrix: str, index: int, axis: int) -> str:
        return self.node("Gather", matrix, self.constant(index, "int64"), attrs=f"axis = {axis}")

    def solve(self, jacobian: list[list[str]], residual: list[str]) -> list[str]:
        """x with J x = F for every instance: Gaussian elimination with partial pivoting."""
        n = len(residual)
        if n == 1:
            return [self.node("Div", residual[0], jacobian[0][0])]
        rows = [self.stack(row + [f], -1) for row, f in zip(jacobian, residual)]  # [N, n+1] each
        m = self.stack(rows, -2)  # [N, n, n+1]: the augmented matrix
        last_axis = self.constant((-1,), "int64")
        row_index = self.constant(tuple(range(n)), "int64")
        for k in range(n):
            column = self.component(m, k, 2)  # [N, n]
            eligible = self.constant(tuple(1 if r >= k else 0 for r in range(n)), "int64")
            magnitude = self.node("Where", self.node("Cast", eligible, attrs="to = 9"),
                                  self.node("Abs", column), self.constant(-1.0))
            pivot_row = self.node("ArgMax", magnitude, attrs="axis = 1, keepdims = 1")  # [N, 1]
            width = n + 1
            gather_index = self.node("Expand", self.node("Unsqueeze", pivot_row, last_axis),
                                     self.node("Concat", self.node("Shape", pivot_row),
                                               self.constant((width,), "int64"), attrs="axis = 0"))
            row_p = self.node("GatherElements", m, gather_index, attrs="axis = 1")  # [N, 1, n+1]
            row_k = self.node("Unsqueeze", self.component(m, k, 1), self.constant((1,), "int64"))  # [N, 1, n+1]
            is_k = self.node("Cast", self.constant(tuple(1 if r == k else 0 for r in range(n)), "int64"),
                             attrs="to = 9")
            is_k = self.node("Unsqueeze", is_k, last_axis)  # [n, 1]
            is_p = self.node("Unsqueeze", self.node("Equal", row_index, pivot_row), last_axis)  # [N, n, 1]
            m = self.node("Where", is_k, row_p, self.node("Where", is_p, row_k, m))
            pivot = self.component(self.component(m, k, 1), k, 1)  # [N]
            below = self.node("Cast", self.constant(tuple(1 if r > k else 0 for r in range(n)), "int64"),
                              attrs="to = 9")
            factors = self.node("Div", self.component(m, k, 2), self.node("Unsqueeze", pivot, last_axis))
            factors = self.node("Where", below, factors, self.constant(0.0))  # [N, n]
            update = self.node("Mul", self.node("Unsqueeze", factors, last_axis), row_p)
            m = self.node("Sub", m, update)
        solution: dict[int, str] = {}
        for k in reversed(range(n)):
            row = self.component(m, k, 1)  # [N, n+1]
            total = self.component(row, n, 1)
            for j in range(k + 1, n):
                total = self.node("Sub", total, self.node("Mul", self.component(row, j, 1), solution[j]))
            solution[k] = self.node("Div", total, self.component(row, k, 1))
        return [solution[k] for k in range(n)]
