"""The compiler's stages after analysis, as functions: lower → solve → IR (DESIGN.md 3–5).

`compile_ir(path)` is the one call most users of the IR need; each stage is also available on its
own so that `modlc show --stage lowered|solved|ir` and the tests can inspect it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional, Sequence

from . import cse, ir, solvers, symbolic
from .ast_nodes import ModFile
from .conductance import conductance_key, currents
from .function_table import Tables
from .lower import RUNTIME_INPUTS, LoweredMechanism, lower
from .parser import parse_file
from .semantics import SymbolTable, check


@dataclass
class SolvedMechanism:
    lowered: LoweredMechanism
    kernels: dict[str, ir.Kernel]
    notes: list[str]


def lower_module(mod: ModFile, conductance: str = "symbolic", tables: Optional[Tables] = None,
                 usetable: bool = False) -> LoweredMechanism:
    return lower(mod, check(mod), conductance, tables, usetable)


def solve(lowered: LoweredMechanism) -> SolvedMechanism:
    notes = list(lowered.notes)
    reserved = set(lowered.table.symbols)
    kernels = {name: solvers.solve_kernel(k, reserved, notes) for name, k in lowered.kernels.items()}
    return SolvedMechanism(lowered, kernels, notes)


def build_ir(solved: SolvedMechanism) -> ir.MechanismIR:
    lowered = solved.lowered
    table = lowered.table
    kernels = {}
    for name, kernel in solved.kernels.items():
        kernel = expand_table_lookups(kernel)
        kernel = cse.eliminate(kernel, solvers.Namer(kernel.symbol_names() | set(table.symbols)))
        roots = set().union(*(v.free_symbols for v in kernel.outputs.values()))
        kernels[name] = ir.Kernel(name, ir.live_statements(kernel.statements, roots), kernel.outputs)
    specs = currents(table)
    ir_currents = [ir.Current(c.name, c.ion, c.electrode, conductance_key(c.name, set(table.symbols) | set(lowered.kernels)))
                   for c in specs]
    return ir.MechanismIR(
        name=table.mechanism, kind=table.kind, title=lowered.title,
        variables=variables(table, lowered),
        ions=[(i.name, i.valence) for i in table.ions],
        currents=ir_currents, net_receive_args=lowered.net_receive_args,
        kernels=kernels, notes=solved.notes, loop_limits=lowered.loop_limits,
    )


def expand_table_lookups(kernel: ir.Kernel) -> ir.Kernel:
    """TABLE lookups (kept opaque through dI/dv and the solvers) as the min/max/floor printed."""
    ex = symbolic.expand_table_lookups

    def expand(stmt):
        if isinstance(stmt, ir.Assign):
            return ir.Assign(stmt.target, ex(stmt.value))
        if isinstance(stmt, ir.Event):
            return replace(stmt, args=tuple(ex(a) for a in stmt.args), mask=ex(stmt.mask))
        if isinstance(stmt, ir.ImplicitSolve):
            return replace(stmt, initial=tuple(ex(e) for e in stmt.initial),
                           body=tuple(ir.Assign(a.target, ex(a.value)) for a in stmt.body),
                           residual=tuple(ex(e) for e in stmt.residual),
                           jacobian=tuple(tuple(ex(e) for e in row) for row in stmt.jacobian))
        return stmt

    return ir.Kernel(kernel.name, [expand(s) for s in kernel.statements],
                     {k: ex(v) for k, v in kernel.outputs.items()})


def variables(table: SymbolTable, lowered: LoweredMechanism) -> list[ir.Variable]:
    """The runtime's view of every mechanism variable (arrays expanded element by element)."""
    out = []
    for name, s in table.symbols.items():
        ion_flags = sorted(f for f in s.flags if f.startswith(("read:", "write:")))
        ion = ion_flags[0].split(":")[1] if ion_flags else None
        access = None
        if ion_flags:
            kinds = {f.split(":")[0] for f in ion_flags}
            access = "readwrite" if kinds == {"read", "write"} else kinds.pop()
        if name in RUNTIME_INPUTS:
            continue  # v, t, dt, celsius, area, diam: declared in ASSIGNED by convention, supplied by the runtime
        if s.role == "pointer" or "pointer" in s.flags:  # POINTER x, with x also in ASSIGNED (the usual idiom)
            role, scope = "pointer", "range"
        elif "external" in s.flags:  # a hoc variable (another mechanism's GLOBAL): one value, set from Python
            role, scope = "parameter", "global"
        elif s.role == "parameter":
            role, scope = "parameter", "range" if "range" in s.flags else "global"
        elif s.role == "state":
            role, scope = "state", "range"
        elif s.role in ("assigned", "global_local", "undeclared"):
            role, scope = "assigned", "global" if "global" in s.flags else "range"
        elif s.role == "ion":
            role, scope = "ion", "range"
        elif s.role in ("nonspecific_current", "electrode_current"):
            role, scope = "current", "range"
        else:
            continue
        if ion is not None and role in ("assigned", "ion", "parameter"):
            role = "ion"  # a USEION variable declared in PARAMETER still comes from the ion
        size = lowered.array_sizes.get(name)
        names = [f"{name}[{i}]" for i in range(size)] if size else [name]
        for element in names:
            out.append(ir.Variable(element, role, s.units, lowered.constructed.get(element, s.value), scope, ion, access))
    for arg in lowered.net_receive_args:
        out.append(ir.Variable(arg, "netcon_arg", None, None, "range"))
    return out


def compile_ir(path: str | Path, include_path: Sequence[str] = (), conductance: str = "symbolic",
               tables: Optional[Tables] = None, usetable: bool = False) -> ir.MechanismIR:
    """Parse, check, lower, solve and build the IR of one .mod file (raises ModlcError); `tables`
    gives its FUNCTION_TABLEs' values (modlc.function_table); `usetable` interpolates TABLEs as
    NEURON does by default, where modlc otherwise computes the functions exactly."""
    return build_ir(solve(lower_module(parse_file(path, tuple(include_path)), conductance, tables, usetable)))
