"""The kernel contract (the ABI the runtime links against), worked out once for every backend.

Every generated module, whatever its backend, exposes the same functions over dictionaries of
per-instance arrays (structure of arrays):

    init(p, s, v, ion, t)                   -> (s, events)
    current(p, s, v, ion, t)                -> (s, i, g, ion_i, ion_g)
    state(p, s, v, ion, t, dt)              -> s            (likewise before_*/after_*)
    net_receive(p, s, args, mask, t, v, ion) -> (s, args, events)
    net_init(p, s, args, t, v, ion)          -> args

- `p`: parameters (range ones per instance, GLOBAL ones scalar) and the environment the runtime
  provides: `celsius`, `area`, `diam`, and `dt` for kernels that do not take it as an argument.
- `s`: the mechanism's own variables: STATEs, ASSIGNED (GLOBAL ones kept per instance, as
  THREADSAFE makes them), currents, ion variables it writes, and anything else a kernel writes.
  A kernel returns `{**s, ...}` with what it changed, so the dictionary's keys never change.
- `ion`: values linked from outside on each call: ion variables the mechanism READs, POINTER
  targets, and standard random variates (`__normal_1__` …, listed in META).
- `args`: NET_RECEIVE arguments of the NetCon being delivered, plus `flag`; `mask` marks the
  instances receiving an event.
- `i`, `g`: the total membrane current (mA/cm2 for density mechanisms, nA for point processes;
  ELECTRODE_CURRENTs with their sign flipped) and its dI/dv; `ion_i`, `ion_g` the same per ion.
- `events`: one tuple per net_send/net_event/net_move statement, in source order, each
  `(mask, *arguments)`; META["kernels"][name]["events"] names their kinds. NET_RECEIVE ends with
  one `watch` event per WATCH slot `(mask, value, flag)` and has a `for_netcons` event `(mask,)`
  per FOR_NETCONS (see lower_events).
- `watch(p, s, v, ion, t) -> (s, events)`: each WATCH condition's value, one event per slot;
  `for_netcons_<k>(p, s, args, t, v, ion) -> args`: a FOR_NETCONS body over NetCons.
- Kernels holding a Newton solve also return `s["__converged__"]`: false where an instance's
  last Newton step was not below tolerance (the runtime reports it).

This deviates from DESIGN.md's first sketch in three ways, each because a real mechanism needs it:
INITIAL may net_send (NetStim), BREAKPOINT assigns recordable variables (hh's gna), and
NET_RECEIVE may read v and write its arguments (STDP weights).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import sympy as sp

from .. import ir
from ..diagnostics import ModlcError
from .names import Mangler
from ..symbolic import ExponentialDraw, NormalDraw, PoissonDraw, RandomDraw, UniformDraw

CONVERGED_KEY = "__converged__"
ENVIRONMENT = ("celsius", "area", "diam")
PER_INSTANCE_ENVIRONMENT = ("area", "diam")

SIGNATURES = {
    "init": ("p", "s", "v", "ion", "t"),
    "current": ("p", "s", "v", "ion", "t"),
    "step": ("p", "s", "v", "ion", "t", "dt"),
    "net_receive": ("p", "s", "args", "mask", "t", "v", "ion"),
    "net_init": ("p", "s", "args", "t", "v", "ion"),
}

DISTRIBUTIONS = {NormalDraw: "normal", ExponentialDraw: "exponential", UniformDraw: "uniform"}


def signature_of(kernel_name: str) -> str:
    if kernel_name in ("init", "current", "net_receive", "net_init"):
        return kernel_name
    if kernel_name == "watch":  # WATCH conditions, one event per slot
        return "init"
    if kernel_name.startswith("for_netcons_"):  # a FOR_NETCONS body, over NetCons
        return "net_init"
    return "step"  # state, before_*, after_*


@dataclass(frozen=True)
class Load:
    """A kernel input: the symbol, and where it comes from (`p`, `s`, `ion`, `args` or an argument)."""

    symbol: sp.Symbol
    source: str
    key: str
    per_instance: bool


@dataclass(frozen=True)
class RandomVariate:
    draw: sp.Function  # the RandomDraw expression it replaces
    key: str
    distribution: str


@dataclass
class KernelLayout:
    name: str
    signature: str
    kernel: ir.Kernel
    loads: list[Load]
    variates: list[RandomVariate]
    s_outputs: dict[str, sp.Expr]
    args_outputs: dict[str, sp.Expr]
    events: list[ir.Event]
    newton: bool
    currents: Optional[dict] = None  # current kernel: {"i": [(sign, expr)], "g": ..., "ion_i": {ion: [...]}, ...}
    per_instance: set = field(default_factory=set)  # symbols known to vary across instances

    @property
    def arguments(self) -> tuple[str, ...]:
        return SIGNATURES[self.signature]

    @property
    def shape_source(self) -> str:
        """The argument whose shape is the number of instances."""
        return "mask" if self.signature == "net_receive" else "v"

    def varies(self, expr) -> bool:
        """Whether expr differs between instances (else it is a scalar to broadcast)."""
        return bool(expr.free_symbols & self.per_instance or expr.atoms(RandomDraw))

    def mangler(self) -> Mangler:
        """A fresh name mangler that keeps the kernel's own arguments (v, t, dt, mask) as they are."""
        return Mangler({name: name for name in ("v", "t", "dt", "mask") if name in self.arguments})

    def draw_symbols(self) -> dict:
        """Each random draw → the symbol of the standard variate it reads."""
        return {r.draw: sp.Symbol(r.key) for r in self.variates}


@dataclass
class MechanismLayout:
    mechanism: ir.MechanismIR
    kernels: list[KernelLayout]
    sources: dict[str, str]  # variable → dictionary it is read from
    written: set[str]

    def meta(self, backend: str, dtype: str) -> dict:
        """META: plain data describing the mechanism and how its kernels link (see module docstring)."""
        m = self.mechanism
        variables = []
        for var in m.variables:
            variables.append({
                "name": var.name, "role": var.role, "units": var.units, "default": var.default,
                "scope": var.scope, "ion": var.ion, "access": var.access,
                "read_from": self.sources.get(var.name),
                "written": var.name in self.written,
            })
        ions = []
        for ion, valence in m.ions:
            members = [v for v in m.variables if v.ion == ion]
            ions.append({
                "name": ion, "valence": valence,
                "read": [v.name for v in members if v.access in ("read", "readwrite")],
                "write": [v.name for v in members if v.access in ("write", "readwrite")],
            })
        kernels = {}
        for k in self.kernels:
            kernels[k.name] = {
                "arguments": list(k.arguments),
                "reads": _reads(k),
                "writes": sorted(k.s_outputs),
                "writes_args": sorted(k.args_outputs),
                "events": [e.kind for e in k.events],
                "random": [{"key": r.key, "distribution": r.distribution} for r in k.variates],
                "newton": k.newton,
            }
            if k.name == "net_receive":
                kernels[k.name]["weight_additive"] = weight_additive(k.kernel, m.net_receive_args)
        environment = sorted({l.key for k in self.kernels for l in k.loads
                              if l.source == "p" and (l.key in ENVIRONMENT or l.key == "dt")})
        meta = {
            "name": m.name, "kind": m.kind, "title": m.title, "backend": backend, "dtype": dtype,
            "ions": ions,
            "currents": [{"name": c.name, "ion": c.ion, "electrode": c.electrode} for c in m.currents],
            "net_receive_args": list(m.net_receive_args),
            "environment": environment,
            "variables": variables,
            "kernels": kernels,
            "notes": list(m.notes),
        }
        if m.loop_limits:  # only where there are any: every other mechanism's META stays as it was
            meta["loop_limits"] = [{"where": l.where, "step": l.step, "iterations": l.iterations,
                                    "offset": l.offset, "terms": dict(l.terms)} for l in m.loop_limits]
        return meta


def _reads(k: KernelLayout) -> dict[str, list[str]]:
    """What a kernel reads, per dictionary. NET_RECEIVE also reads every variable it writes: its
    masked update keeps the old value of the instances no event reached."""
    keys: dict[str, set[str]] = {}
    for load in k.loads:
        keys.setdefault(load.source, set()).add(load.key)
    if k.signature == "net_receive":
        for name in k.s_outputs:
            keys.setdefault("s", set()).add(name)
        for name in k.args_outputs:
            keys.setdefault("args", set()).add(name)
    return {src: sorted(keys[src]) for src in ("p", "s", "ion", "args") if src in keys}


def weight_additive(kernel: ir.Kernel, arguments: list[str]) -> bool:
    """Whether NET_RECEIVE only adds to state a linear function of the NetCon arguments.

    Such a handler (ExpSyn, Exp2Syn...) gives the same result for events delivered one by one or
    summed, so the runtime may accumulate them in a ring buffer per delivery step. Anything else
    (flags, events, t, v, conditions, written arguments) is delivered event by event."""
    args = {sp.Symbol(a, real=True) for a in arguments}
    values: dict[sp.Symbol, sp.Expr] = {}
    for stmt in kernel.statements:
        if not isinstance(stmt, ir.Assign):
            return False
        values[stmt.target] = stmt.value.xreplace(values)
    blocked = {sp.Symbol(n, real=True) for n in ("flag", "t", "v")}
    written = {sp.Symbol(n, real=True) for n in kernel.outputs}
    for name, value in kernel.outputs.items():
        if name in arguments:
            return False
        delta = sp.expand(value.xreplace(values) - sp.Symbol(name, real=True))
        if delta == 0:
            continue
        if delta.has(sp.Piecewise, sp.ITE) or delta.free_symbols & blocked:
            return False
        if delta.xreplace({a: 0 for a in args}) != 0:  # a part that does not scale with the weight
            return False
        if any(sp.diff(delta, a).free_symbols & (args | written) for a in args):  # not linear, or state-dependent
            return False
    return True


def mechanism_layout(m: ir.MechanismIR) -> MechanismLayout:
    """Where every variable lives and what every kernel reads and returns."""
    by_name = {v.name: v for v in m.variables}
    if CONVERGED_KEY in by_name:
        raise ModlcError.at(None, f"the name {CONVERGED_KEY} is reserved by modlc's generated code")
    written = set()
    for kernel in m.kernels.values():
        for name in kernel.outputs:
            var = by_name.get(name)
            if var is not None and var.role != "netcon_arg":
                written.add(name)
    sources = {}
    for var in m.variables:
        sources[var.name] = _source(var, written)
    kernels = [_kernel_layout(name, kernel, m, by_name, sources, written) for name, kernel in m.kernels.items()]
    return MechanismLayout(m, kernels, sources, written)


def _source(var: ir.Variable, written: set[str]) -> str:
    if var.role == "netcon_arg":
        return "args"
    if var.role == "pointer" or (var.ion is not None and var.access in ("read", "readwrite")):
        return "ion"  # NEURON loads an ion variable it READs from the ion on every call, even a STATE
    if var.role == "parameter" and var.name not in written:
        return "p"
    return "s"


def _kernel_layout(name, kernel: ir.Kernel, m: ir.MechanismIR, by_name, sources, written) -> KernelLayout:
    signature = signature_of(name)
    arguments = SIGNATURES[signature]
    loads = []
    for input_name in kernel.inputs():
        symbol = sp.Symbol(input_name, real=True)
        loads.append(_load(symbol, input_name, arguments, signature, by_name, sources))
    variates = _variates(kernel)
    s_outputs, args_outputs = {}, {}
    for out_name, value in kernel.outputs.items():
        var = by_name.get(out_name)
        if out_name == "v" and signature == "net_receive":
            s_outputs["v"] = value  # the node's new potential: the runtime passes the old one as s["v"]
            continue
        if var is None:
            continue  # a conductance (d<current>_dv): used for g below
        if var.role == "netcon_arg":
            args_outputs[out_name] = value
        else:
            s_outputs[out_name] = value
    events = [s for s in kernel.statements if isinstance(s, ir.Event)]
    newton = any(isinstance(s, ir.ImplicitSolve) for s in kernel.statements)
    layout = KernelLayout(name, signature, kernel, loads, variates, s_outputs, args_outputs, events, newton)
    if name == "current":
        layout.currents = _current_sums(layout, m, by_name, sources, arguments, signature)
    layout.per_instance = _per_instance(layout)
    return layout


def _load(symbol, name, arguments, signature, by_name, sources) -> Load:
    if name in ("v", "t") or (name == "dt" and "dt" in arguments):
        return Load(symbol, "argument", name, name == "v")
    if name == "dt" or name in ENVIRONMENT:
        return Load(symbol, "p", name, name in PER_INSTANCE_ENVIRONMENT)
    if name == "flag" and "args" in arguments:
        return Load(symbol, "args", name, True)
    var = by_name.get(name)
    if var is None:
        raise ModlcError.at(None, f"internal: kernel input '{name}' is not a mechanism variable")
    source = sources[name]
    per_instance = not (source == "p" and var.scope == "global")
    return Load(symbol, source, name, per_instance)


def _variates(kernel: ir.Kernel) -> list[RandomVariate]:
    draws = set()
    for stmt in ir.walk_statements(kernel.statements):
        for expr in ir.statement_expressions(stmt):
            draws |= expr.atoms(RandomDraw)
    for value in kernel.outputs.values():
        draws |= value.atoms(RandomDraw)
    out = []
    for draw in sorted(draws, key=lambda d: int(d.args[0])):
        if isinstance(draw, PoissonDraw):
            raise ModlcError.at(None, "unsupported: poisrand() in generated kernels (no standard variate gives it)")
        kind = DISTRIBUTIONS[type(draw)]
        out.append(RandomVariate(draw, f"__{kind}_{int(draw.args[0])}__", kind))
    return out


def _current_sums(layout: KernelLayout, m: ir.MechanismIR, by_name, sources, arguments, signature) -> dict:
    """Each current and its conductance as an expression: the kernel's output, or (for a current
    BREAKPOINT does not assign) the value the mechanism holds."""
    outputs = layout.kernel.outputs
    extra_loads = {l.key for l in layout.loads}
    sums = {"i": [], "g": [], "ion_i": {}, "ion_g": {}}
    for c in m.currents:
        sign = -1 if c.electrode else 1
        if c.name in outputs:
            current = outputs[c.name]
        else:
            current = sp.Symbol(c.name, real=True)
            if c.name not in extra_loads:
                layout.loads.append(_load(current, c.name, arguments, signature, by_name, sources))
                extra_loads.add(c.name)
        conductance = outputs.get(c.conductance, sp.Integer(0))
        sums["i"].append((sign, current))
        sums["g"].append((sign, conductance))
        if c.ion is not None:
            sums["ion_i"].setdefault(c.ion, []).append((sign, current))
            sums["ion_g"].setdefault(c.ion, []).append((sign, conductance))
    return sums


def _per_instance(layout: KernelLayout) -> set:
    """Symbols whose value differs between instances: per-instance inputs, random variates, and
    everything computed from them. The others are scalars that need broadcasting on output."""
    varying = {l.symbol for l in layout.loads if l.per_instance}
    if layout.signature == "net_receive":
        varying.add(sp.Symbol("mask"))
    for stmt in layout.kernel.statements:
        if isinstance(stmt, ir.Assign):
            if stmt.value.free_symbols & varying or stmt.value.atoms(RandomDraw):
                varying.add(stmt.target)
        elif isinstance(stmt, ir.ImplicitSolve):
            varying |= set(stmt.unknowns) | set(stmt.results) | {stmt.converged}
            varying |= {a.target for a in stmt.body if a.value.free_symbols & varying or a.value.atoms(RandomDraw)}
    return varying


def sum_terms(terms: list[tuple[int, sp.Expr]]) -> sp.Expr:
    """Σ sign·term as one SymPy expression (the printers turn it into code)."""
    return sp.Add(*[sign * term for sign, term in terms]) if terms else sp.Integer(0)
