"""The template context for the Python backends (NumPy, JAX, TensorFlow).

The templates own the shape of the generated module; this module turns each kernel's layout into
the strings they place: mangled local names, printed expressions, and the pieces of each Newton
solve. Nothing from the `.mod` file reaches the output except through `repr` (strings) or the
mangler (identifiers).
"""

from __future__ import annotations

import math

from dataclasses import dataclass, field

import sympy as sp

from .. import ir
from .layout import CONVERGED_KEY, KernelLayout, MechanismLayout, sum_terms
from .names import identifier_stem
from .pyprinter import Dialect, PythonPrinter, is_constant

DTYPE_EPSILON = {"float64": 2.220446049250313e-16, "float32": 1.1920928955078125e-07}


@dataclass
class NewtonView:
    unknowns: list[tuple[str, str]]  # (local, initial value)
    body: list[tuple[str, str]]
    residual: list[str]
    jacobian: list[list[str]]
    iterations: int
    results: list[tuple[str, str]]  # (result local, unknown local)
    converged: str
    tolerance: str


@dataclass
class KernelView:
    name: str
    arguments: str
    shape_of: str
    loads: list[tuple[str, str]] = field(default_factory=list)  # (local, value read from p/s/ion/args)
    body: list = field(default_factory=list)  # ("assign", target, value) | ("newton", NewtonView)
    returns: str = ""
    uses_shape: bool = False


def _number(value: float) -> str:
    return "_inf" if value == math.inf else repr(value)


def newton_tolerance(tolerance: float, dtype: str) -> float:
    """The IR's tolerance, loosened to what the dtype can resolve (Newton stalls at ~10 ulp)."""
    return max(tolerance, 64 * DTYPE_EPSILON[dtype])


class _KernelPrinter:
    def __init__(self, layout: KernelLayout, dialect: Dialect):
        self.layout = layout
        self.mangle = layout.mangler()
        self.draws = layout.draw_symbols()
        self.printer = PythonPrinter(dialect, lambda s: self.mangle(s.name), self.draws)
        self.uses_shape = False

    def value(self, expr) -> str:
        """An expression as one value per instance (scalars broadcast)."""
        text = self.printer(expr)
        if self.layout.varies(expr):
            return text
        self.uses_shape = True
        return f"_full({text}, shape)"

    def condition(self, expr) -> str:
        text = self.printer(expr)
        if self.layout.varies(expr):
            return text
        self.uses_shape = True
        return f"_mask({text}, shape)"


def kernel_view(layout: KernelLayout, dialect: Dialect, dtype: str) -> KernelView:
    kp = _KernelPrinter(layout, dialect)
    view = KernelView(identifier_stem(layout.name), ", ".join(layout.arguments), layout.shape_source)
    typed = dialect.literal_in_call
    for load in layout.loads:
        if load.source != "argument":
            view.loads.append((kp.mangle(load.symbol.name), typed(f"{load.source}[{load.key!r}]")))
    for variate in layout.variates:
        view.loads.append((kp.mangle(variate.key), typed(f"ion[{variate.key!r}]")))
    converged = []
    for stmt in layout.kernel.statements:
        if isinstance(stmt, ir.Assign):
            text = kp.printer(stmt.value)
            view.body.append(("assign", kp.mangle(stmt.target.name), typed(text) if is_constant(stmt.value) else text))
        elif isinstance(stmt, ir.ImplicitSolve):
            view.body.append(("newton", _newton_view(stmt, kp, dtype)))
            converged.append(kp.mangle(stmt.converged.name))
    view.returns = _returns(layout, kp, converged)
    view.uses_shape = kp.uses_shape
    return view


def _newton_view(solve: ir.ImplicitSolve, kp: _KernelPrinter, dtype: str) -> NewtonView:
    unknowns = [(kp.mangle(u.name), kp.value(init)) for u, init in zip(solve.unknowns, solve.initial)]
    body = [(kp.mangle(a.target.name), kp.printer(a.value)) for a in solve.body]
    return NewtonView(
        unknowns=unknowns, body=body,
        residual=[kp.value(r) for r in solve.residual],
        jacobian=[[kp.value(e) for e in row] for row in solve.jacobian],
        iterations=solve.iterations,
        results=[(kp.mangle(r.name), kp.mangle(u.name)) for r, u in zip(solve.results, solve.unknowns)],
        converged=kp.mangle(solve.converged.name),
        tolerance=_number(newton_tolerance(solve.tolerance, dtype)),
    )


def dict_text(entries: list[tuple[str, str]], base: str | None = None) -> str:
    """Python source of a dict literal from (key text, value text) pairs, optionally `{**base, …}`."""
    items = ([f"**{base}"] if base else []) + [f"{key}: {value}" for key, value in entries]
    return "{" + ", ".join(items) + "}"


def _returns(layout: KernelLayout, kp: _KernelPrinter, converged: list[str]) -> str:
    masked = layout.signature == "net_receive"

    def update(source: str, key: str, expr) -> str:
        text = kp.value(expr)
        if masked:
            return f"{kp.printer.dialect.where}(mask, {text}, {source}[{key!r}])"
        return text

    s_entries = [(repr(k), update("s", k, v)) for k, v in layout.s_outputs.items()]
    if converged:
        flag = converged[0]
        for c in converged[1:]:
            flag = f"{kp.printer.dialect.logical_and}({flag}, {c})"
        s_entries.append((repr(CONVERGED_KEY), flag))
    s_text = dict_text(s_entries, "s")
    events = "(" + "".join(_event_text(e, kp, masked) + ", " for e in layout.events) + ")"
    if layout.signature == "init":
        return f"{s_text}, {events}"
    if layout.signature == "current":
        sums = layout.currents
        ion_i = dict_text([(repr(ion), kp.value(sum_terms(t))) for ion, t in sums["ion_i"].items()])
        ion_g = dict_text([(repr(ion), kp.value(sum_terms(t))) for ion, t in sums["ion_g"].items()])
        return f"{s_text}, {kp.value(sum_terms(sums['i']))}, {kp.value(sum_terms(sums['g']))}, {ion_i}, {ion_g}"
    args_text = dict_text([(repr(k), update("args", k, v)) for k, v in layout.args_outputs.items()], "args")
    if layout.signature == "net_receive":
        return f"{s_text}, {args_text}, {events}"
    if layout.signature == "net_init":
        return args_text
    return s_text


def _event_text(event: ir.Event, kp: _KernelPrinter, masked: bool) -> str:
    condition = kp.condition(event.mask)
    if masked:
        condition = "mask" if event.mask is sp.true else f"{kp.printer.dialect.logical_and}(mask, {condition})"
    return tuple_text([condition] + [kp.value(a) for a in event.args])


def tuple_text(items: list[str]) -> str:
    """Python source of a tuple literal (a one-element one keeps its comma)."""
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def module_context(layout: MechanismLayout, backend: str, dialect: Dialect, dtype: str) -> dict:
    return {
        "mechanism": identifier_stem(layout.mechanism.name),
        "dtype": repr(dtype),
        "meta": format_meta(layout.meta(backend, dtype)),
        "kernels": [kernel_view(k, dialect, dtype) for k in layout.kernels],
    }


def format_meta(meta: dict) -> str:
    """META as Python source: one line per top-level entry, per variable and per kernel, so that a
    change to one variable is a one-line diff. Every string goes through repr."""
    lines = ["{"]
    for key, value in meta.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            lines.append(f"    {key!r}: [")
            lines.extend(f"        {item!r}," for item in value)
            lines.append("    ],")
        elif isinstance(value, dict) and value:
            lines.append(f"    {key!r}: {{")
            lines.extend(f"        {k!r}: {v!r}," for k, v in value.items())
            lines.append("    },")
        else:
            lines.append(f"    {key!r}: {value!r},")
    lines.append("}")
    return "\n".join(lines)
