"""The ONNX backend: one ONNX graph per kernel, plus a Python module that runs them.

For each kernel the template renders ONNX's textual syntax (`<mech>.<kernel>.onnxtxt`, the
diffable artifact); `onnx.parser` turns it into a model, `onnx.checker` validates it, and it is
written as `<mech>.<kernel>.onnx`. `<mech>.py` exposes the same kernel contract as the other
backends, feeding NumPy arrays to onnxruntime. A kernel that computes nothing (the `state` of an
artificial cell) gets no graph; its Python function returns its input.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .. import ir
from ..diagnostics import ModlcError
from .layout import CONVERGED_KEY, KernelLayout, MechanismLayout, sum_terms
from .names import identifier_stem
from .onnx_graph import GraphBuilder
from .python_view import dict_text, format_meta, newton_tolerance, tuple_text
from .render import render

OPSET = 17
IR_VERSION = 8
ELEMENTS = {"float64": "double", "float32": "float"}


@dataclass
class GraphInput:
    name: str
    type: str
    source: str  # p | s | ion | args | argument
    key: str
    per_instance: bool


@dataclass
class KernelGraph:
    kernel: str
    signature_arguments: str
    file: str
    inputs: list[GraphInput] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)  # "type name"
    nodes: list[str] = field(default_factory=list)
    returns: str = ""
    empty: bool = False


class _GraphMaker:
    def __init__(self, layout: KernelLayout, dtype: str, stem: str):
        self.layout = layout
        self.dtype = dtype
        self.element = ELEMENTS[dtype]
        self.mangle = layout.mangler()
        self.gb = GraphBuilder(self.element, lambda s: self.mangle(s.name), layout.draw_symbols())
        self.gb.shape_source = layout.shape_source
        self.graph = KernelGraph(layout.name, ", ".join(layout.arguments), f"{stem}.{layout.name}.onnx")

    def instance_value(self, expr) -> str:
        name = self.gb.value(expr)
        return name if self.layout.varies(expr) else self.gb.expand(name)

    def output(self, key: str, name: str, kind: str = None) -> str:
        out = self.mangle(f"out.{key}")  # a namespace of its own: an output `g` is not the variable g
        self.gb.node("Identity", name, out=out)
        self.graph.outputs.append(f"{kind or self.element}[N] {out}")
        return out

    def build(self) -> KernelGraph:
        layout = self.layout
        self.add_inputs()
        converged = []
        for stmt in layout.kernel.statements:
            if isinstance(stmt, ir.Assign):
                self.assign(stmt.target, stmt.value)
            elif isinstance(stmt, ir.ImplicitSolve):
                converged.append(self.newton(stmt))
        self.graph.returns = self.outputs(converged)
        self.graph.nodes = self.gb.lines
        self.graph.empty = not self.graph.outputs
        return self.graph

    def add_inputs(self) -> None:
        layout = self.layout
        per_instance_type = f"{self.element}[N]"
        shape_source = self.gb.shape_source
        entries = [GraphInput(shape_source, "bool[N]" if shape_source == "mask" else per_instance_type,
                              "argument", shape_source, True)]
        for name in ("t", "dt", "v"):
            if name != shape_source and name in layout.arguments and any(l.source == "argument" and l.key == name for l in layout.loads):
                per_instance = name == "v"  # NET_RECEIVE's v (or a WATCH condition's)
                entries.append(GraphInput(name, per_instance_type if per_instance else self.element, "argument", name, per_instance))
        for load in layout.loads:
            if load.source == "argument":
                continue
            entries.append(GraphInput(self.mangle(load.symbol.name), per_instance_type if load.per_instance else self.element,
                                      load.source, load.key, load.per_instance))
        for variate in layout.variates:
            entries.append(GraphInput(self.mangle(variate.key), per_instance_type, "ion", variate.key, True))
        self.graph.inputs = entries

    def assign(self, target: sp.Symbol, value) -> None:
        name = self.gb.value(value)
        wanted = self.mangle(target.name)
        lines = self.gb.lines
        if name.startswith("_") and lines and lines[-1].startswith(f"{name} = "):
            # name the node that computed the value after the variable it defines, for readability
            lines[-1] = wanted + lines[-1][len(name):]
            for key, v in list(self.gb.memo.items()):
                if v == name:
                    self.gb.memo[key] = wanted
            name = wanted
        self.gb.bind(target, name)

    def newton(self, solve: ir.ImplicitSolve) -> str:
        gb = self.gb
        current = [self.instance_value(init) for init in solve.initial]
        step = []
        for _ in range(solve.iterations):
            saved = dict(gb.memo)
            for unknown, value in zip(solve.unknowns, current):
                gb.bind(unknown, value)
            for a in solve.body:
                gb.bind(a.target, gb.value(a.value))
            residual = [self.instance_value(r) for r in solve.residual]
            jacobian = [[self.instance_value(e) for e in row] for row in solve.jacobian]
            step = gb.solve(jacobian, residual)
            current = [gb.node("Sub", x, d) for x, d in zip(current, step)]
            gb.memo = saved
        tolerance = gb.constant(newton_tolerance(solve.tolerance, self.dtype))
        one = gb.constant(1.0)
        # not (|step| > tolerance): a NaN step counts as converged, as in NEURON's newton.hpp, whose
        # comparisons are false for NaN; the NaN state then shows in the results instead of an error
        checks = [gb.node("Not", gb.node("Greater", gb.node("Abs", d),
                                         gb.node("Mul", tolerance, gb.node("Add", one, gb.node("Abs", x)))))
                  for d, x in zip(step, current)]
        ok = checks[0]
        for c in checks[1:]:
            ok = gb.node("And", ok, c)
        for result, value in zip(solve.results, current):
            gb.bind(result, value)
        for unknown, value in zip(solve.unknowns, current):
            gb.bind(unknown, value)
        return ok

    def outputs(self, converged: list[str]) -> str:
        """Add the graph outputs; return the Python expression the kernel function returns."""
        layout, gb = self.layout, self.gb
        masked = layout.signature == "net_receive"

        def update(source: str, key: str, expr) -> str:
            value = self.instance_value(expr)
            if masked:
                value = gb.node("Where", "mask", value, self.mangle_input(source, key))
            return f"out[{self.output(f'{source}.{key}', value)!r}]"

        s_entries = [(repr(k), update("s", k, v)) for k, v in layout.s_outputs.items()]
        if converged:
            ok = converged[0]
            for c in converged[1:]:
                ok = gb.node("And", ok, c)
            s_entries.append((repr(CONVERGED_KEY), f"out[{self.output('converged', ok, 'bool')!r}]"))
        s_text = dict_text(s_entries, "s")
        events = []
        for index, event in enumerate(layout.events):
            condition = self.gb.value(event.mask)
            if not self.layout.varies(event.mask):
                condition = gb.expand(condition)
            if masked:
                condition = gb.node("And", "mask", condition)
            parts = [f"out[{self.output(f'event{index}.mask', condition, 'bool')!r}]"]
            for a, arg in enumerate(event.args):
                parts.append(f"out[{self.output(f'event{index}.arg{a}', self.instance_value(arg))!r}]")
            events.append(tuple_text(parts))
        events_text = "(" + "".join(e + ", " for e in events) + ")"
        if layout.signature == "init":
            return f"{s_text}, {events_text}"
        if layout.signature == "current":
            sums = layout.currents

            def total(key: str, terms) -> str:
                return f"out[{self.output(key, self.instance_value(sum_terms(terms)))!r}]"

            ion_i = dict_text([(repr(ion), total(f"ion_i.{ion}", t)) for ion, t in sums["ion_i"].items()])
            ion_g = dict_text([(repr(ion), total(f"ion_g.{ion}", t)) for ion, t in sums["ion_g"].items()])
            return f"{s_text}, {total('i', sums['i'])}, {total('g', sums['g'])}, {ion_i}, {ion_g}"
        args_text = dict_text([(repr(k), update("args", k, v)) for k, v in layout.args_outputs.items()], "args")
        if layout.signature == "net_receive":
            return f"{s_text}, {args_text}, {events_text}"
        if layout.signature == "net_init":
            return args_text
        return s_text

    def mangle_input(self, source: str, key: str) -> str:
        """The graph input holding the old value of s[key] / args[key] (added if not read yet)."""
        for entry in self.graph.inputs:
            if entry.source == source and entry.key == key:
                return entry.name
        name = self.mangle(key)
        self.graph.inputs.append(GraphInput(name, f"{self.element}[N]", source, key, True))
        return name


def onnx_files(layout: MechanismLayout, stem: str, dtype: str) -> dict[str, bytes]:
    graphs = [_GraphMaker(k, dtype, stem).build() for k in layout.kernels]
    files: dict[str, bytes] = {}
    for graph in graphs:
        if graph.empty:
            continue
        text = render("onnx/kernel.onnxtxt.j2", graph=graph, graph_name=f"{stem}_{identifier_stem(graph.kernel)}",
                      ir_version=IR_VERSION, opset=OPSET)
        files[graph.file[:-len(".onnx")] + ".onnxtxt"] = text.encode("utf-8")
        files[graph.file] = _serialise(text, graph.file)
    table = {g.kernel: {"file": None if g.empty else g.file,
                        "inputs": [(i.name, i.source, i.key, i.per_instance) for i in g.inputs]}
             for g in graphs}
    module = render("onnx/module.py.j2", mechanism=stem, dtype=repr(dtype),
                    meta=format_meta(layout.meta("onnx", dtype)), graphs=graphs,
                    table=format_meta(table))
    files[f"{stem}.py"] = module.encode("utf-8")
    return files


def _serialise(text: str, file: str) -> bytes:
    """Parse and check the textual graph; the binary model. Needs the `onnx` package."""
    try:
        import onnx
        import onnx.checker
        import onnx.parser
    except ImportError:
        raise ModlcError.at(None, "the onnx backend needs the onnx package: pip install 'modlc[onnx]'") from None
    try:
        model = onnx.parser.parse_model(text)
        onnx.checker.check_model(model, full_check=True)
    except Exception as e:  # noqa: BLE001 - any failure here is a modlc bug; say which graph
        raise ModlcError.at(None, f"internal: generated ONNX graph {file} is invalid: {e}") from None
    return model.SerializeToString(deterministic=True)
