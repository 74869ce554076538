"""Stage 3: lowering — NMODL code into straight-line, single-assignment kernels.

The lowerer executes each block symbolically. Every name has a current SymPy value; an assignment
binds a fresh symbol (so the output is single-assignment and nothing is ever re-evaluated); a call
to a FUNCTION or PROCEDURE runs its body in a fresh scope (inlining); an `if` on a per-instance
value runs both branches and merges every variable they assign into a select (branch-free code
for tensors); loops whose bounds are known unroll, and a loop whose bounds are known only at run
time unrolls as far as its arrays or a bound on its span allow, each iteration masked. TABLE
statements are ignored: modlc computes the function directly (a table is NEURON's speed trick, not
semantics). CONSTRUCTOR results become default values (`constructor`), FUNCTION_TABLE calls
interpolate values given from Python (`function_table`).

A SOLVEd block becomes an `ir.System`: its derivatives, KINETIC reactions expanded into rates
(stoichiometry, COMPARTMENT volumes, `<<` fluxes, f_flux/b_flux), CONSERVE laws and LINEAR /
NONLINEAR equations, ready for a method in `solvers`.

Anything that cannot become a tensor kernel (VERBATIM C, recursion, a loop whose trip count
nothing bounds…) is a located `unsupported: <construct>` error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

import sympy as sp

from . import ast_nodes as A
from . import conductance, constructor, function_table, ir, verbatim
from .bounds import upper_bound
from .diagnostics import ModlcError
from .lower_events import EventLowering, receive_lowering
from .semantics import SymbolTable
from .symbolic import (RANDOM_DRAWS, TableFraction, TableIndex, as_condition, as_number, is_atomic,
                       math_function, number, select, sym, symbol_base)

MAX_UNROLL = 10_000  # loop iterations, summed over a kernel
MAX_MASKED = 256  # iterations of a loop with a run-time stop: every one runs in every call
# A FROM loop bounded by nothing but PARAMETERs (`FROM i = 1 TO hexp`, an exponent): unrolled this
# many times (or as many as the defaults need, if more); the runtime refuses values that need more.
PARAMETER_LOOP_ITERATIONS = 16
MAX_INLINE_DEPTH = 64
# Variables the runtime supplies to every kernel.
RUNTIME_INPUTS = ("v", "t", "dt", "celsius", "area", "diam")
# NEURON 9's values (nrnunits); a file's own UNITS/CONSTANT definitions take precedence.
BUILTIN_CONSTANTS = {"PI": math.pi, "pi": math.pi, "FARADAY": 96485.33212331001,
                     "R": 8.31446261815324, "secondorder": 0.0}
MECHANISM_ROLES = ("parameter", "assigned", "state", "global_local", "ion", "nonspecific_current",
                   "electrode_current", "pointer", "undeclared", "external")
# Builtins that exist only for NEURON's own machinery and are no-ops in a kernel.
IGNORED_CALLS = frozenset({"printf", "prterr", "nrn_pointing"})
# NEURON 9's RANDOM-variable draws (first argument: the RANDOM variable) → (NMODL draw, arities).
RANDOM_VARIABLE_DRAWS = {"random_uniform": ("scop_random", (0, 2)), "random_dpick": ("scop_random", (0,)),
                         "random_normal": ("normrand", (0, 2)), "random_negexp": ("exprand", (0, 1))}
SOLVE_DEFAULTS = {"DERIVATIVE": "derivimplicit", "KINETIC": "sparse", "LINEAR": "simeq",
                  "NONLINEAR": "newton"}


def ghk(v, ci, co, z) -> sp.Expr:
    """NEURON's nrn_ghk (src/nrnoc/eion.cpp): the GHK current density in mA/cm2 per unit permeability."""
    ktf = 1000 * number(BUILTIN_CONSTANTS["R"]) * (sym("celsius") + number(273.15)) / number(BUILTIN_CONSTANTS["FARADAY"])
    x = z * v / ktf

    def efun(u):
        return select(sp.Lt(sp.Abs(u), number(1e-4)), 1 - u / 2, u / (sp.exp(u) - 1))

    return number(0.001) * z * number(BUILTIN_CONSTANTS["FARADAY"]) * (ci * efun(-x) - co * efun(x))


def truncate(x: sp.Expr) -> sp.Expr:
    """C's (int) x: toward zero."""
    return select(sp.Ge(x, 0), sp.floor(x), sp.ceiling(x))


def unsupported(loc, what: str) -> ModlcError:
    return ModlcError.at(loc, f"unsupported: {what}")


@dataclass
class LoweredMechanism:
    """Kernels after lowering (SOLVE blocks still `System`s) plus what the IR builder needs."""

    table: SymbolTable
    kernels: dict[str, ir.Kernel]
    net_receive_args: list[str]
    title: Optional[str]
    notes: list[str]
    array_sizes: dict[str, int]
    constructed: dict[str, float] = field(default_factory=dict)  # CONSTRUCTOR results: defaults
    loop_limits: list[ir.LoopLimit] = field(default_factory=list)


@dataclass
class _Frame:
    """One inlined call: its scopes of LOCALs and parameters, innermost last."""

    scopes: list[dict]
    function: Optional[str] = None  # a FUNCTION's name: assigning it sets the result
    result: sp.Expr = sp.Integer(0)


@dataclass
class _Builder:
    """The kernel being built: statements, the values of mechanism variables, the branch condition."""

    name: str
    statements: list
    env: dict[str, sp.Expr] = field(default_factory=dict)
    path: sp.Basic = sp.true
    counters: dict[str, int] = field(default_factory=dict)


class Lowerer(EventLowering):
    def __init__(self, mod: A.ModFile, table: SymbolTable, conductance_mode: str = "symbolic",
                 tables: Optional[function_table.Tables] = None, usetable: bool = False):
        if conductance_mode not in conductance.MODES:
            raise ValueError(f"conductance must be one of {conductance.MODES}")
        self.conductance = conductance_mode
        self.mod = mod
        self.table = table
        self.tables = dict(tables or {})
        self.usetable = usetable
        self.items = list(mod.walk_items())
        self.callables = {i.name.name: i for i in self.items if isinstance(i, A.Callable) and i.name}
        self.blocks = {i.name.name: i for i in self.items
                       if isinstance(i, A.CodeBlock) and i.name is not None and i.kind in SOLVE_DEFAULTS}
        self.notes: list[str] = []
        self.hints: dict[str, str] = {}
        self.reserved = set(table.symbols) | set(self.callables)
        self.array_sizes = {name: self.resolve_size(s.size, s.loc) for name, s in table.symbols.items()
                            if s.size is not None and s.role in MECHANISM_ROLES}
        self.unrolled = 0
        self.loop_limits: list[ir.LoopLimit] = []
        self.written_parameters = {n.target.name for n in A.walk(mod) if isinstance(n, A.Assign)
                                   and isinstance(n.target, A.Name) and n.target.name in table.symbols
                                   and table.symbols[n.target.name].role == "parameter"}
        self.serial = 0
        self.builder: Optional[_Builder] = None
        self.system: Optional[ir.System] = None
        self.call_stack: list[str] = []
        self.inlined: set[str] = set()
        self.defines = verbatim.file_defines(mod)
        self.handles = verbatim.handles(mod, {n for n, s in table.symbols.items()
                                                 if {s.role, *s.flags} & {"pointer", "bbcorepointer"}})

    # ------------------------------------------------------------------ entry point
    def run(self) -> LoweredMechanism:
        self.note_top_level_verbatim()
        kernels: dict[str, ir.Kernel] = {}
        bp_statements = self.code_statements("BREAKPOINT")
        solves = tuple(s for s in bp_statements if isinstance(s, A.Solve))
        others = tuple(s for s in bp_statements if not isinstance(s, A.Solve))
        kernels["init"] = self.kernel("init", self.code_statements("INITIAL"))
        kernels["current"] = self.current_kernel(others)
        kernels["state"] = self.kernel("state", solves)
        args: list[str] = []
        receive = next((i for i in self.items if isinstance(i, A.Callable) and i.kind == "NET_RECEIVE"), None)
        if receive is not None:
            args = [p.name for p in receive.params]
            body = [s for s in receive.body.statements if not isinstance(s, A.CodeBlock)]
            inits = [s for s in receive.body.statements if isinstance(s, A.CodeBlock)]
            self.receive = receive_lowering(args, body)
            kernels["net_receive"] = self.receive_kernel(body, args)
            kernels["net_init"] = self.kernel("net_init", inits[0].body.statements if inits else (), args)
            kernels.update((k.name, k) for k, _, _ in self.receive.loops)
            if self.receive.slots:
                kernels["watch"] = self.watch_kernel()
        # nocmodl registers every BEFORE/AFTER block with NEURON, which runs those of one point in
        # order: one kernel per point, each block's body a nested block (its LOCALs its own).
        ba_blocks: dict[str, list] = {}
        for item in self.items:
            if isinstance(item, A.CodeBlock) and item.kind in ("BEFORE", "AFTER"):
                ba_blocks.setdefault(f"{item.kind.lower()}_{item.name.name.lower()}", []).append(item.body)
        for name, bodies in ba_blocks.items():
            kernels[name] = self.kernel(name, bodies[0].statements if len(bodies) == 1 else bodies)
        title = next((i.text for i in self.items if isinstance(i, A.Title)), None)
        for name, item in self.callables.items():
            if name not in self.inlined and item.body is not None and any(
                    isinstance(n, A.Verbatim) for n in A.walk(item.body)):
                self.notes.append(f"{item.loc}: {item.kind} {name} (VERBATIM C) skipped: no kernel calls it (hoc-only)")
        return LoweredMechanism(self.table, kernels, args, title, self.notes, self.array_sizes,
                                self.construct(), self.loop_limits)

    def construct(self) -> dict[str, float]:
        """CONSTRUCTOR results as default values (see `constructor`); a DESTRUCTOR has no effect on
        the simulation (instances live until the run ends) and is dropped unread."""
        defaults: dict[str, float] = {}
        for item in self.items:
            if not (isinstance(item, A.CodeBlock) and item.kind in ("CONSTRUCTOR", "DESTRUCTOR")
                    and item.body.statements):
                continue
            if item.kind == "DESTRUCTOR":
                if self.table.kind == "density":
                    raise ModlcError.at(item.loc, "DESTRUCTOR is only permitted in a POINT_PROCESS or "
                                                  "ARTIFICIAL_CELL (as nocmodl says)")
                self.notes.append(f"{item.loc}: DESTRUCTOR ignored (it frees what hoc set up; modlc never "
                                  "destroys an instance during a run)")
                continue
            kernel = self.kernel(item.kind.lower(), item.body.statements)
            folded, notes = constructor.fold(kernel, self.table, self.array_sizes, item.loc)
            defaults.update(folded)
            self.notes.extend(notes)
        return defaults

    def code_statements(self, kind: str) -> tuple:
        """The statements of every top-level block of a kind, in order: nocmodl appends a second
        INITIAL or BREAKPOINT block to the first."""
        return tuple(s for i in self.items if isinstance(i, A.CodeBlock) and i.kind == kind for s in i.body.statements)

    def note_top_level_verbatim(self) -> None:
        for item in self.items:
            if isinstance(item, A.Verbatim):
                self.notes.append(f"{item.loc}: top-level VERBATIM ignored (only its `#define NAME value` lines are read, by the C in blocks)")

    def kernel(self, name: str, statements, locals_=()) -> ir.Kernel:
        frame = self.start(name, locals_)
        self.execute_statements(statements, frame, tail=True)
        return self.finish(frame, locals_)

    def start(self, name: str, locals_=()) -> _Frame:
        self.builder = _Builder(name, [])
        self.unrolled = 0
        return _Frame([{n: sym(n) for n in locals_}])

    def finish(self, frame: _Frame, locals_=(), extra: Optional[dict] = None) -> ir.Kernel:
        """The kernel: its statements, and every mechanism variable (and NET_RECEIVE argument)
        whose value changed, in the order first assigned."""
        # v written in NET_RECEIVE is the node's potential (nocmodl stores it back with
        # `NODEV(_pnt->node) = v`); elsewhere it is the kernel's own copy
        keep_v = self.builder.name == "net_receive"
        outputs = {key: value for key, value in self.builder.env.items()
                   if (key != "v" or keep_v) and value != sym(key)}
        for arg in locals_:
            if arg != "flag" and frame.scopes[0][arg] != sym(arg):
                outputs[arg] = frame.scopes[0][arg]
        outputs.update(extra or {})
        kernel = ir.Kernel(self.builder.name, self.builder.statements, outputs)
        self.builder = None
        return kernel

    def current_kernel(self, statements) -> ir.Kernel:
        """BREAKPOINT without its SOLVEs: the currents and their conductances dI/dv."""
        specs = conductance.currents(self.table)
        keys = {c.name: conductance.conductance_key(c.name, self.reserved) for c in specs}
        if self.conductance == "numeric":
            return self.numeric_current_kernel(statements, specs, keys)
        frame = self.start("current")
        self.execute_statements(statements, frame, tail=True)
        env = self.builder.env
        if any(isinstance(st, ir.System) for st in self.builder.statements):
            self.notes.append("conductance: BREAKPOINT solves a LINEAR/NONLINEAR block; using NEURON's numeric dI/dv")
            return self.numeric_current_kernel(statements, specs, keys)
        unhinted = [c.name for c in specs if c.name not in self.hints]
        self.builder.statements, derivatives = conductance.differentiate(
            self.builder.statements, env, unhinted, self.fresh)
        if conductance.needs_numeric(self.builder.statements, derivatives):
            self.notes.append("conductance: SymPy cannot differentiate a current; using NEURON's numeric dI/dv")
            return self.numeric_current_kernel(statements, specs, keys)
        g = {keys[c.name]: self.read_hint(c.name) if c.name in self.hints else self.bind(keys[c.name], derivatives[c.name])
             for c in specs}
        return self.finish(frame, extra=g)

    def numeric_current_kernel(self, statements, specs, keys) -> ir.Kernel:
        frame = self.start("current")
        self.builder.env["v"] = self.bind("v_shifted", sym("v") + conductance.NUMERIC_DV)
        self.execute_statements(statements, frame, tail=True)
        shifted = {c.name: self.builder.env.get(c.name, sym(c.name)) for c in specs}
        self.builder.env = {}
        frame = _Frame([{}])
        self.execute_statements(statements, frame, tail=True)
        g = {}
        for c in specs:
            if c.name in self.hints:
                g[keys[c.name]] = self.read_hint(c.name)
            else:
                at_v = self.builder.env.get(c.name, sym(c.name))
                g[keys[c.name]] = self.bind(keys[c.name], (shifted[c.name] - at_v) / conductance.NUMERIC_DV)
        return self.finish(frame, extra=g)

    def read_hint(self, current: str) -> sp.Expr:
        name = self.hints[current]
        return self.builder.env.get(name, sym(name))

    # ------------------------------------------------------------------ values and names
    def fresh(self, base: str) -> sp.Symbol:
        counters = self.builder.counters
        base = symbol_base(base)
        while True:
            counters[base] = counters.get(base, 0) + 1
            candidate = f"{base}_{counters[base]}"
            if candidate not in self.reserved:
                return sym(candidate)

    def bind(self, base: str, value: sp.Expr) -> sp.Expr:
        """Name a value with a fresh symbol unless it is already atomic."""
        value = as_number(value)
        if is_atomic(value):
            return value
        target = self.fresh(base)
        self.emit(ir.Assign(target, value))
        return target

    def emit(self, stmt) -> None:
        (self.system.statements if self.system is not None else self.builder.statements).append(stmt)

    def resolve_size(self, size, loc) -> int:
        if isinstance(size, int):
            return size
        s = self.table.symbols.get(size)
        if s is not None and s.role == "define" and s.value is not None:
            return int(s.value)
        raise unsupported(loc, f"array size '{size}' is not a DEFINE constant")

    def element_key(self, name: str, index: Optional[A.Expr], frame: _Frame, loc) -> str:
        if index is None:
            return name
        return self.element(name, self.expr(index, frame), loc)

    def element(self, name: str, i: sp.Expr, loc) -> str:
        if not i.is_number:
            raise unsupported(loc, f"index of '{name}' known only at run time")
        i = int(i)
        size = self.array_sizes.get(name)
        if size is not None and not 0 <= i < size:
            raise ModlcError.at(loc, f"index {i} out of range for '{name}[{size}]'")
        return f"{name}[{i}]"

    def local_scope(self, frame: _Frame, name: str) -> Optional[dict]:
        for scope in reversed(frame.scopes):
            if name in scope:
                return scope
        return None

    def read(self, name: str, index, frame: _Frame, loc) -> sp.Expr:
        scope = self.local_scope(frame, name)
        if scope is not None:
            value = scope[name]
            if isinstance(value, list):
                if index is None:
                    raise unsupported(loc, f"LOCAL array '{name}' used without an index")
                i = self.expr(index, frame)
                if not i.is_number:
                    return self.select_element(value, i, loc)
                if not 0 <= int(i) < len(value):
                    raise unsupported(loc, f"index {int(i)} out of range for LOCAL array '{name}[{len(value)}]'")
                return value[int(i)]
            return value
        if frame.function == name:
            return frame.result
        if name.startswith("_ion_") and any(f.startswith(("read:", "write:"))
                                            for f in getattr(self.table.symbols.get(name[5:]), "flags", ())):
            return sym(name[5:])  # VERBATIM's `_ion_x`: the ion's value as the kernel received it
        i = None if index is None else self.expr(index, frame)
        if i is not None and not i.is_number and name in self.array_sizes:
            return self.select_element(self.elements(name), i, loc)
        key = name if i is None else self.element(name, i, loc)
        if key in self.builder.env:
            return self.builder.env[key]
        s = self.table.symbols.get(name)
        role = s.role if s is not None else None
        if role in ("constant", "define") and s.value is not None:
            return number(s.value)
        if role in MECHANISM_ROLES or name in RUNTIME_INPUTS or name == "flag":
            if s is not None and s.size is not None and index is None:
                raise unsupported(loc, f"array '{name}' used without an index")
            return sym(key)
        if name in BUILTIN_CONSTANTS:
            return number(BUILTIN_CONSTANTS[name])
        if name in ("f_flux", "b_flux"):
            return sp.Integer(0)
        if role == "independent":
            return sym("t")
        raise unsupported(loc, f"name '{name}' ({role or 'undefined'}) cannot be read in a kernel")

    def write(self, name: str, index, value: sp.Expr, frame: _Frame, loc) -> None:
        scope = self.local_scope(frame, name)
        if scope is not None:
            current = scope[name]
            if isinstance(current, list):
                i = self.expr(index, frame) if index is not None else None
                if i is not None and not i.is_number:
                    value = self.bind(name, value)
                    for k, new in enumerate(self.store_element(current, i, value, loc)):
                        current[k] = self.bind(f"{name}{k}", new)
                    return
                if i is None or not 0 <= int(i) < len(current):
                    raise unsupported(loc, f"index of LOCAL array '{name}' missing or out of range")
                current[int(i)] = self.bind(f"{name}{int(i)}", value)
            else:
                scope[name] = self.bind(name, value)
            return
        if frame.function == name:
            frame.result = self.bind(name, value)
            return
        s = self.table.symbols.get(name)
        role = s.role if s is not None else None
        if role not in MECHANISM_ROLES and name not in RUNTIME_INPUTS:
            raise unsupported(loc, f"assignment to '{name}' ({role or 'undefined'})")
        if name in RUNTIME_INPUTS and name != "v":  # v: the mechanism's own copy, as nocmodl's _v
            raise unsupported(loc, f"assignment to NEURON's '{name}'")
        if s is not None and "external" in s.flags:
            raise unsupported(loc, f"assignment to EXTERNAL '{name}' (a hoc value shared by every mechanism; "
                                   "modlc reads it as a GLOBAL set with Network.set_global)")
        i = None if index is None else self.expr(index, frame)
        if i is not None and not i.is_number and name in self.array_sizes:
            value = self.bind(name, value)
            elements = self.elements(name)
            for k, new in enumerate(self.store_element(elements, i, value, loc)):
                if new != elements[k]:
                    self.builder.env[f"{name}[{k}]"] = self.bind(f"{name}[{k}]", new)
            return
        key = name if i is None else self.element(name, i, loc)
        self.builder.env[key] = self.bind(key, value)

    def elements(self, name: str) -> list:
        """The current values of a mechanism array's elements."""
        keys = [f"{name}[{k}]" for k in range(self.array_sizes[name])]
        return [self.builder.env.get(key, sym(key)) for key in keys]

    def select_element(self, elements: list, i: sp.Expr, loc) -> sp.Expr:
        """`x[i]` for an index known only at run time: C truncates i toward zero, so element k is
        the one where k <= i < k + 1 (out of range is undefined in NEURON; here the nearest end)."""
        self.count_unrolled(loc, len(elements))
        i = as_number(i)
        pairs = [(as_number(e), sp.Lt(i, k + 1)) for k, e in enumerate(elements[:-1])]
        return sp.Piecewise(*pairs, (as_number(elements[-1]), True)) if pairs else as_number(elements[0])

    def store_element(self, elements: list, i: sp.Expr, value: sp.Expr, loc) -> list:
        """Every element after `x[i] = value` with a run-time index: a select per element."""
        self.count_unrolled(loc, len(elements))
        i, last = as_number(i), len(elements) - 1
        hits = [sp.And(sp.Ge(i, k) if k > 0 else sp.true, sp.Lt(i, k + 1) if k < last else sp.true)
                for k in range(len(elements))]
        return [select(hit, value, as_number(old)) for hit, old in zip(hits, elements)]

    def count_unrolled(self, loc, count: int = 1) -> None:
        """Loop iterations and run-time-indexed array elements share one budget per kernel."""
        self.unrolled += count
        if self.unrolled > MAX_UNROLL:
            raise unsupported(loc, f"loops unrolling to more than {MAX_UNROLL} iterations "
                                   "(run-time array indices count each element)")

    # ------------------------------------------------------------------ expressions
    def expr(self, node, frame: _Frame) -> sp.Expr:
        if isinstance(node, A.Number):
            return number(node.value)
        if isinstance(node, A.Name):
            return self.read(node.name, node.index, frame, node.loc)
        if isinstance(node, A.Unary):
            operand = self.expr(node.operand, frame)
            if node.op == "!":
                return sp.Not(as_condition(operand))
            return -as_number(operand)
        if isinstance(node, A.Binary):
            return self.binary(node, frame)
        if isinstance(node, A.Call):
            return self.call(node, frame)
        if isinstance(node, A.Prime):
            raise unsupported(node.loc, f"derivative {node.name}' read as a value")
        if isinstance(node, A.String):
            raise unsupported(node.loc, "a string used as a value")
        raise unsupported(getattr(node, "loc", None), f"expression {type(node).__name__}")

    def binary(self, node: A.Binary, frame: _Frame) -> sp.Expr:
        left, right = self.expr(node.left, frame), self.expr(node.right, frame)
        op = node.op
        if op in ("&&", "||"):
            a, b = as_condition(left), as_condition(right)
            return sp.And(a, b) if op == "&&" else sp.Or(a, b)
        left, right = as_number(left), as_number(right)
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        if op == "*":
            return left * right
        if op == "/":
            if right == 0:
                raise unsupported(node.loc, "division by the constant zero")
            return left / right
        if op == "^":
            return sp.Pow(left, right)
        relations = {"<": sp.Lt, ">": sp.Gt, "<=": sp.Le, ">=": sp.Ge, "==": sp.Eq, "!=": sp.Ne}
        return relations[op](left, right)

    def call(self, node: A.Call, frame: _Frame) -> sp.Expr:
        name = node.name
        target = self.callables.get(name)
        if target is not None:
            if target.kind == "FUNCTION_TABLE":
                return self.table_call(target, node, frame)
            return self.inline(target, node, frame)
        builtin = math_function(name)
        if builtin is not None:
            arity, build = builtin
            args = [as_number(self.expr(a, frame)) for a in node.args]
            if len(args) != arity:
                raise ModlcError.at(node.loc, f"{name}() takes {arity} argument{'s' if arity > 1 else ''}, not {len(args)}")
            return build(*args)
        if name in RANDOM_DRAWS:
            return self.draw(name, node.args, frame)
        if name in RANDOM_VARIABLE_DRAWS or name in ("random_setseq", "random_setids"):
            return self.random_variable_call(node, frame)
        if name == "__select__":  # VERBATIM's `c ? a : b`
            condition, then, otherwise = (self.expr(a, frame) for a in node.args)
            # each branch named, as an if's merge names them (dI/dv differentiates branch by branch)
            return select(as_condition(condition), self.bind("then", as_number(then)),
                          self.bind("otherwise", as_number(otherwise)))
        if name in ("net_send", "net_event", "net_move"):
            self.event(node, frame)
            return sp.Integer(0)
        if name == "at_time":
            return sp.Integer(0)  # a CVODE discontinuity hint; the fixed step needs none
        if name == "state_discontinuity":
            if len(node.args) != 2 or not isinstance(node.args[0], A.Name):
                raise ModlcError.at(node.loc, "state_discontinuity(state, value) takes a state and a value")
            target = node.args[0]
            self.write(target.name, target.index, self.expr(node.args[1], frame), frame, node.loc)
            return sp.Integer(0)
        if name == "nrn_ghk":
            args = [as_number(self.expr(a, frame)) for a in node.args]
            if len(args) != 4:
                raise ModlcError.at(node.loc, "nrn_ghk(v, ci, co, z) takes 4 arguments")
            return ghk(*args)
        if name in ("set_seed", "setseed"):
            self.notes.append(f"{node.loc}: {name}() ignored: modlc seeds each instance's random stream itself")
            return sp.Integer(0)
        if name in IGNORED_CALLS:
            return sp.Integer(0)
        raise unsupported(node.loc, f"function '{name}'")

    def table_call(self, target: A.Callable, node: A.Call, frame: _Frame) -> sp.Expr:
        name = target.name.name
        if len(node.args) != len(target.params):
            raise ModlcError.at(node.loc, f"{name}() takes {len(target.params)} arguments, not {len(node.args)}")
        table = self.tables.get(name)
        if table is None:
            raise unsupported(node.loc, f"FUNCTION_TABLE '{name}' without values (NEURON's come from hoc; give "
                                        f"modlc's with tables={{'{name}': FunctionTable(...)}} when compiling)")
        if table.arity not in (0, len(target.params)):
            raise ModlcError.at(node.loc, f"the table given for '{name}' has {table.arity} axes; "
                                          f"{name}() takes {len(target.params)} arguments")
        args = [as_number(self.expr(a, frame)) for a in node.args]
        return function_table.lookup(table, args, self.bind)

    def draw(self, name: str, args, frame: _Frame) -> sp.Expr:
        values = [as_number(self.expr(a, frame)) for a in args]
        self.serial += 1
        return RANDOM_DRAWS[name](sp.Integer(self.serial), *values)

    def random_variable_call(self, node: A.Call, frame: _Frame) -> sp.Expr:
        """NEURON 9's `random_*(r, ...)` on a RANDOM variable: a draw from the instance's modlc
        stream (`random_uniform(r, a, b)` is a + (b - a)·U); setting a stream's ids or sequence
        has no meaning for modlc's streams."""
        first = node.args[0] if node.args else None
        s = self.table.symbols.get(first.name) if isinstance(first, A.Name) else None
        if s is None or s.role != "random":
            raise ModlcError.at(node.loc, f"{node.name}() takes a RANDOM variable as its first argument")
        if node.name in ("random_setseq", "random_setids"):
            self.notes.append(f"{node.loc}: {node.name}() ignored: modlc seeds each instance's random stream itself")
            return sp.Integer(0)
        draw, arities = RANDOM_VARIABLE_DRAWS[node.name]
        args = node.args[1:]
        if len(args) not in arities:
            raise ModlcError.at(node.loc, f"{node.name}() takes a RANDOM variable and {' or '.join(map(str, arities))} more arguments")
        if node.name == "random_uniform" and args:
            low, high = (as_number(self.expr(a, frame)) for a in args)
            return low + (high - low) * self.draw(draw, (), frame)
        defaults = {"normrand": (A.Number(0, "0", None, node.loc), A.Number(1, "1", None, node.loc)),
                    "exprand": (A.Number(1, "1", None, node.loc),)}
        return self.draw(draw, tuple(args) or defaults.get(draw, ()), frame)

    def inline(self, target: A.Callable, node: A.Call, frame: _Frame) -> sp.Expr:
        if len(node.args) != len(target.params):
            raise ModlcError.at(node.loc, f"{target.name.name}() takes {len(target.params)} arguments, not {len(node.args)}")
        if self.depth > MAX_INLINE_DEPTH:
            raise unsupported(node.loc, "calls nested more than 64 deep")
        name = target.name.name
        if name in self.call_stack:
            raise unsupported(node.loc, f"recursive call of {target.kind} '{name}' (modlc inlines calls)")
        values = [self.expr(a, frame) for a in node.args]
        table = next((s for s in target.body.statements if isinstance(s, A.Table)), None) if self.usetable else None
        if table is not None and len(values) == 1 and table.low is not None:
            return self.tabled_call(target, values[0], table, frame)
        return self.run_callable(target, values)

    def run_callable(self, target: A.Callable, values: list) -> sp.Expr:
        """Execute a FUNCTION or PROCEDURE body on argument values (inlined); its result."""
        name = target.name.name
        args = {p.name: self.bind(p.name, value) for p, value in zip(target.params, values)}
        inner = _Frame([args], function=name if target.kind == "FUNCTION" else None)
        self.call_stack.append(name)
        self.inlined.add(name)
        try:
            self.execute_block(target.body, inner, tail=True)
        finally:
            self.call_stack.pop()
        return inner.result

    def tabled_call(self, target: A.Callable, x: sp.Expr, table: A.Table, frame: _Frame) -> sp.Expr:
        """NEURON's TABLE (nocmodl's `_n_<name>`): the function is tabulated at n + 1 points from
        FROM to TO, and a call interpolates linearly between the two points around its argument,
        taking the end values outside. The table's values at those two points are the function
        itself there, so the body runs at both grid points and the results are interpolated: the
        numbers NEURON's table holds, without a table. A PROCEDURE's TABLE names the variables it
        interpolates; its other assignments happen too (NEURON would skip them)."""
        bounds = [as_number(self.expr(e, frame)) for e in (table.low, table.high, table.count)]
        if not all(b.is_number for b in bounds) or int(bounds[2]) < 1:
            self.notes.append(f"{table.loc}: TABLE bounds that are not numbers: computed exactly")
            return self.run_callable(target, [x])
        low, high, count = float(bounds[0]), float(bounds[1]), int(bounds[2])
        step = (high - low) / count  # nocmodl's _dx, and _mfac = 1/_dx
        xi = self.bind("table_xi", number(1.0 / step) * (as_number(x) - number(low)))
        index = self.bind("table_index", TableIndex(xi, sp.Integer(count)))
        fraction = self.bind("table_fraction", TableFraction(xi, index))
        loc = table.loc
        cells = [(n.name, None if n.name not in self.array_sizes else A.Number(k, str(k), None, loc))
                 for n in table.names for k in range(self.array_sizes.get(n.name, 1))]  # array elements one by one
        below = self.run_callable(target, [number(low) + index * number(step)])
        at_below = [self.bind(f"{n}_below", self.read(n, i, frame, loc)) for n, i in cells]
        above = self.run_callable(target, [number(low) + (index + 1) * number(step)])
        for (n, i), a in zip(cells, at_below):
            b = self.read(n, i, frame, loc)
            self.write(n, i, a + fraction * (b - a), frame, loc)
        if target.kind == "FUNCTION":
            return as_number(below) + fraction * (as_number(above) - as_number(below))
        return above

    @property
    def depth(self) -> int:
        return len(self.call_stack)

    def event(self, node: A.Call, frame: _Frame) -> None:
        kinds = {"net_send": ("send", 2), "net_event": ("event", 1), "net_move": ("move", 1)}
        kind, arity = kinds[node.name]
        if len(node.args) != arity:
            raise ModlcError.at(node.loc, f"{node.name}() takes {arity} argument{'s' if arity > 1 else ''}")
        if self.builder.name not in ("net_receive", "init"):
            raise unsupported(node.loc, f"{node.name} outside NET_RECEIVE and INITIAL")
        args = tuple(self.bind(f"{kind}_arg", self.expr(a, frame)) for a in node.args)
        self.emit(ir.Event(kind, args, self.builder.path))

    # ------------------------------------------------------------------ statements
    def execute_block(self, block: A.Block, frame: _Frame, tail: bool = False) -> None:
        frame.scopes.append({})
        try:
            self.execute_statements(block.statements, frame, tail)
        finally:
            frame.scopes.pop()

    def execute_statements(self, statements, frame: _Frame, tail: bool = False) -> None:
        """Run statements; a list holding VERBATIM C is first read as NMODL (`verbatim`). `tail`:
        the list is a whole block's body, where a final C `return` ends the block."""
        if verbatim.contains_verbatim(statements):
            statements = verbatim.translate(statements, self.defines, self.handles, frame.function, tail)
        for stmt in statements:
            self.execute(stmt, frame)

    def execute(self, stmt, frame: _Frame) -> None:
        handler = _STATEMENT_HANDLERS.get(type(stmt))
        if handler is not None:
            getattr(self, handler)(stmt, frame)
        elif isinstance(stmt, A.Local):
            for local in stmt.names:
                size = None if local.size is None else self.resolve_size(local.size, local.loc)
                frame.scopes[-1][local.name] = [sp.Integer(0)] * size if size else sp.Integer(0)
        elif isinstance(stmt, A.CallStmt):
            self.call(stmt.call, frame)
        elif isinstance(stmt, A.Conductance):
            current = self.conductance_current(stmt)
            self.hints[current] = stmt.name.name
        elif isinstance(stmt, (A.Table, A.Mutex, A.UnitsToggle)):
            pass  # tables: computed directly; locks and unit checking: no run-time meaning
        elif isinstance(stmt, A.Lag):
            raise unsupported(stmt.loc, "LAG (needs a history buffer)")
        elif isinstance(stmt, A.CodeBlock):
            raise unsupported(stmt.loc, f"{stmt.kind} block here")
        else:
            raise unsupported(getattr(stmt, "loc", None), f"statement {type(stmt).__name__}")

    def conductance_current(self, stmt: A.Conductance) -> str:
        if stmt.ion is None:
            currents = [n for n, s in self.table.symbols.items() if "nonspecific_current" in s.flags]
            if len(currents) != 1:
                raise unsupported(stmt.loc, "CONDUCTANCE without USEION needs exactly one NONSPECIFIC_CURRENT")
            return currents[0]
        return f"i{stmt.ion.name}"

    def assign(self, stmt: A.Assign, frame: _Frame) -> None:
        value = self.expr(stmt.value, frame)
        target = stmt.target
        if isinstance(target, A.Prime):
            self.derivative(target, value, frame)
            return
        self.write(target.name, target.index, value, frame, stmt.loc)

    def branch(self, stmt: A.If, frame: _Frame) -> None:
        orelse = None if stmt.orelse is None else (lambda: self.execute(stmt.orelse, frame))
        self.conditional(as_condition(self.expr(stmt.condition, frame)),
                         lambda: self.execute_block(stmt.then, frame), orelse, frame)

    def conditional(self, condition, then, orelse, frame: _Frame) -> None:
        """Run `then()` where the condition holds and `orelse()` (or nothing) where it does not:
        both run, and every value they assign differently becomes a select."""
        if condition is sp.true:
            then()
            return
        if condition is sp.false:
            if orelse is not None:
                orelse()
            return
        before = self.snapshot(frame)
        outer_path = self.builder.path
        self.builder.path = sp.And(outer_path, condition)
        then()
        after_then = self.snapshot(frame)
        self.restore(frame, before)
        self.builder.path = sp.And(outer_path, sp.Not(condition))
        if orelse is not None:
            orelse()
        self.builder.path = outer_path
        self.merge(frame, condition, after_then)

    def snapshot(self, frame: _Frame):
        scopes = [{k: (list(v) if isinstance(v, list) else v) for k, v in s.items()} for s in frame.scopes]
        return dict(self.builder.env), scopes, frame.result

    def restore(self, frame: _Frame, state) -> None:
        env, scopes, result = state
        self.builder.env = dict(env)
        frame.scopes[:] = [{k: (list(v) if isinstance(v, list) else v) for k, v in s.items()} for s in scopes]
        frame.result = result

    def merge(self, frame: _Frame, condition, then_state) -> None:
        """Now holding the else-branch state: every value that differs becomes a select."""
        then_env, then_scopes, then_result = then_state
        env = self.builder.env
        for key in list(dict.fromkeys(list(then_env) + list(env))):
            a = then_env.get(key, self.default_value(key))
            b = env.get(key, self.default_value(key))
            if a != b:
                env[key] = self.bind(key.replace("'", "_rate"), select(condition, as_number(a), as_number(b)))
        for scope, then_scope in zip(frame.scopes, then_scopes):
            for key, b in scope.items():
                a = then_scope[key]
                if isinstance(b, list):
                    for i, (ai, bi) in enumerate(zip(a, b)):
                        if ai != bi:
                            b[i] = self.bind(f"{key}{i}", select(condition, as_number(ai), as_number(bi)))
                elif a != b:
                    scope[key] = self.bind(key, select(condition, as_number(a), as_number(b)))
        if then_result != frame.result:
            frame.result = self.bind(frame.function or "result",
                                     select(condition, as_number(then_result), as_number(frame.result)))

    def default_value(self, key: str) -> sp.Expr:
        if key.endswith("'") or key in ("f_flux", "b_flux"):
            return sp.Integer(0)
        return sym(key)

    def from_loop(self, stmt: A.FromLoop, frame: _Frame) -> None:
        bounds = [self.expr(e, frame) if e is not None else sp.Integer(1)
                  for e in (stmt.start, stmt.stop, stmt.step)]
        if not all(b.is_number for b in bounds):
            self.masked_loop(stmt, bounds, frame)
            return
        start, stop, step = (int(b) for b in bounds)
        if step == 0:
            raise ModlcError.at(stmt.loc, "FROM loop with step 0")
        i = start
        while (i <= stop) if step > 0 else (i >= stop):
            self.count_unrolled(stmt.loc)
            frame.scopes.append({stmt.var.name: sp.Integer(i)})
            try:
                self.execute_block(stmt.body, frame)
            finally:
                frame.scopes.pop()
            i += step

    def masked_loop(self, stmt: A.FromLoop, bounds: list, frame: _Frame) -> None:
        """A FROM loop whose bounds are known only at run time. nocmodl's C is
        `for (int j = start; j <= (int) stop; j += step)`, stop re-evaluated every iteration. What
        bounds the iterations a correct program can run: the arrays the body indexes with j (from a
        known start), or a bound on stop - start (`FROM i = imax(n-5, 0) TO n`). modlc unrolls that
        many and runs each where its condition holds (a select per assigned value)."""
        start, stop, step = bounds
        what = "FROM loop whose bounds are known only at run time"
        if not (step.is_number and int(step) > 0):
            raise unsupported(stmt.loc, f"{what} (modlc needs a known, positive step)")
        step, var = int(step), stmt.var.name
        values = self.loop_values(stmt, start, stop, step, frame)
        if values is None:
            reason = f"no array indexed by '{var}' bounds its trip count" if start.is_number else \
                "nothing bounds stop - start"
            raise unsupported(stmt.loc, f"{what} ({reason})")
        if len(values) > MAX_MASKED:
            raise unsupported(stmt.loc, f"{what} (up to {len(values)} iterations; modlc unrolls at most "
                                        f"{MAX_MASKED}, each run in every call)")
        if values and not values[0].is_number:  # each indexed access in the body selects among its elements
            per_iteration = 1 + sum(self.array_size(n.name, frame) or 0 for n in A.walk(stmt.body)
                                    if isinstance(n, A.Name) and n.index is not None)
            if self.unrolled + len(values) * per_iteration > MAX_UNROLL:
                self.count_unrolled(stmt.loc, len(values) * per_iteration)  # fails now, before the work
        alive, previous_stop = sp.true, None
        for k, j in enumerate(values):
            self.count_unrolled(stmt.loc)
            if k:
                stop = as_number(self.expr(stmt.stop, frame))
            # integer j: j <= (int) stop, C truncating toward zero: j <= stop where j >= 1, else j < stop + 1
            holds = sp.Or(sp.And(sp.Ge(j, 1), sp.Le(j, stop)), sp.And(sp.Lt(j, 1), sp.Lt(j, stop + 1)))
            alive = as_condition(holds) if stop == previous_stop or previous_stop is None else sp.And(alive, holds)
            previous_stop = stop
            if alive is sp.false:
                return
            frame.scopes.append({var: j})
            try:
                self.conditional(alive, lambda: self.execute_block(stmt.body, frame), None, frame)
            finally:
                frame.scopes.pop()

    def loop_values(self, stmt: A.FromLoop, start, stop, step: int, frame: _Frame) -> Optional[list]:
        """The loop variable's value in every iteration that may run, or None if unbounded."""
        if start.is_number:
            limit = self.index_limit(stmt.body, stmt.var.name, frame)
            if limit is not None:
                return [sp.Integer(j) for j in range(int(start), limit + 1, step)]
        difference = self.expand(as_number(stop) - as_number(start))
        span = upper_bound(difference)
        if span is None or not math.isfinite(span):
            iterations = self.parameter_limit(stmt, difference, step)
        else:
            iterations = max(0, int(span + 1) // step + 1)
        if iterations is None:
            return None
        first = sp.Integer(int(start)) if start.is_number else self.bind(stmt.var.name, truncate(start))
        return [first + k * step for k in range(iterations)]

    def parameter_limit(self, stmt: A.FromLoop, difference: sp.Expr, step: int) -> Optional[int]:
        """Iterations to unroll for stop - start affine in PARAMETERs that no block writes, with the
        check the runtime makes on the instances' values recorded; None for anything else."""
        names = {s.name for s in difference.free_symbols}
        symbols = self.table.symbols
        if not names or any(n not in symbols or symbols[n].role != "parameter" or symbols[n].size is not None
                            or n in self.written_parameters for n in names):
            return None
        ordered = sorted(difference.free_symbols, key=lambda s: s.name)
        if not difference.is_polynomial(*ordered) or sp.Poly(difference, *ordered).total_degree() > 1:
            return None
        terms = tuple((s.name, float(difference.coeff(s, 1))) for s in ordered)
        offset = float(difference.subs({s: 0 for s in ordered}))
        at_defaults = offset + sum(c * (symbols[n].value or 0.0) for n, c in terms)
        iterations = max(PARAMETER_LOOP_ITERATIONS, int(math.floor(at_defaults / step)) + 1)
        where = f"{Path(stmt.loc.file).name}:{stmt.loc.line}:{stmt.loc.col}"  # no machine's folders in META
        self.loop_limits.append(ir.LoopLimit(where, step, iterations, offset, terms))
        return iterations

    def expand(self, expr: sp.Expr) -> sp.Expr:
        """An expression in the kernel's inputs: the symbols this kernel bound, replaced by their values."""
        statements = self.builder.statements + (self.system.statements if self.system is not None else [])
        definitions = {s.target: s.value for s in statements if isinstance(s, ir.Assign)}
        for _ in range(MAX_INLINE_DEPTH):
            expanded = expr.xreplace(definitions)
            if expanded == expr:
                break
            expr = expanded
        return expr

    def index_limit(self, body: A.Block, var: str, frame: _Frame) -> Optional[int]:
        """The largest value of the loop variable for which every array index in the body that is
        linear in it (`x[j]`, `x[2*j-1]`) stays inside its array; None if no index constrains it."""
        j = sp.Dummy(var)
        frame.scopes.append({var: j})
        limit = None
        try:
            for node in A.walk(body):
                if not (isinstance(node, A.Name) and node.index is not None):
                    continue
                if any(isinstance(n, A.Call) for n in A.walk(node.index)):
                    continue
                size = self.array_size(node.name, frame)
                try:
                    index = as_number(self.expr(node.index, frame))
                except ModlcError:  # reads a LOCAL of the body, say: not linear in j by itself
                    continue
                if size is None or index.free_symbols != {j} or not index.is_polynomial(j) \
                        or sp.degree(index, j) != 1:
                    continue
                slope, offset = index.coeff(j, 1), index.coeff(j, 0)
                if not (slope.is_number and offset.is_number):
                    continue
                bound = (size - 1 - offset) / slope if slope > 0 else offset / -slope
                limit = min(limit, int(sp.floor(bound))) if limit is not None else int(sp.floor(bound))
        finally:
            frame.scopes.pop()
        return limit

    def array_size(self, name: str, frame: _Frame) -> Optional[int]:
        scope = self.local_scope(frame, name)
        if scope is not None:
            return len(scope[name]) if isinstance(scope[name], list) else None
        return self.array_sizes.get(name)

    def while_loop(self, stmt: A.While, frame: _Frame) -> None:
        while True:
            condition = as_condition(self.expr(stmt.condition, frame))
            if condition is sp.false:
                return
            if condition is not sp.true:
                raise unsupported(stmt.loc, "WHILE loop whose condition is known only at run time")
            self.count_unrolled(stmt.loc)
            self.execute_block(stmt.body, frame)

    # ------------------------------------------------------------------ SOLVE and its blocks
    def solve(self, stmt: A.Solve, frame: _Frame) -> None:
        name = stmt.block.name
        if self.system is not None:
            raise unsupported(stmt.loc, "SOLVE inside a solved block")
        if name in self.callables and self.callables[name].kind == "PROCEDURE":
            self.inline(self.callables[name], A.Call(name, (), stmt.loc), frame)
            return
        block = self.blocks.get(name)
        if block is None:
            raise unsupported(stmt.block.loc, f"SOLVE of '{name}' (a {self.table.symbols[name].role.replace('_block', '')} block)")
        method = self.method(block, stmt)
        entry = {}
        solvefor = [i.name for i in block.solvefor]
        for key in dict.fromkeys(self.state_keys() + solvefor):
            value = self.builder.env.get(key, sym(key))
            if not isinstance(value, sp.Symbol):  # the solver needs a symbol to solve for
                target = self.fresh(key)
                self.emit(ir.Assign(target, as_number(value)))
                value = self.builder.env[key] = target
            entry[key] = value
        system = ir.System(name, block.kind, method, stmt.steadystate, entry, loc=stmt.loc)
        before = dict(self.builder.env)
        self.system = system
        saved_path = self.builder.path
        # A SOLVE under an `if` is solved whatever the condition, and the `if` selects its results
        # like any assignment's; inside the block only the block's own `if`s count. (A Newton solve
        # that fails to converge says so even where the condition is false: loud, never wrong.)
        self.builder.path = sp.true
        try:
            self.execute_block(block.body, _Frame([{}]), tail=True)
        finally:
            self.system = None
            self.builder.path = saved_path
        self.finish_system(system, before)
        self.builder.statements.append(system)

    def method(self, block: A.CodeBlock, stmt: A.Solve) -> str:
        method = stmt.method.name if stmt.method is not None else SOLVE_DEFAULTS[block.kind]
        if method in ("after_cvode", "cvode_t", "cvode_v"):
            self.notes.append(f"{stmt.loc}: METHOD {method} is solved with derivimplicit, as NEURON's nocmodl does")
            method = "derivimplicit"
        if block.kind == "KINETIC" and method == "_advance":
            method = "sparse"
        supported = {"DERIVATIVE": ("cnexp", "euler", "runge", "derivimplicit", "sparse"),
                     "KINETIC": ("sparse", "cnexp", "euler", "runge", "derivimplicit"),
                     "LINEAR": ("simeq", "sparse"), "NONLINEAR": ("newton", "sparse")}[block.kind]
        if method not in supported:
            loc = stmt.method.loc if stmt.method is not None else stmt.loc
            raise unsupported(loc, f"METHOD {method} for a {block.kind} block (supported: {', '.join(supported)})")
        return method

    def state_keys(self) -> list[str]:
        keys = []
        for name, s in self.table.symbols.items():
            if s.role == "state":
                size = self.array_sizes.get(name)
                keys.extend([f"{name}[{i}]" for i in range(size)] if size else [name])
        return keys

    def require_system(self, kinds: tuple[str, ...], loc, what: str) -> ir.System:
        if self.system is None or self.system.kind not in kinds:
            raise unsupported(loc, f"{what} outside a SOLVEd {' or '.join(kinds)} block")
        return self.system

    def derivative(self, target: A.Prime, value: sp.Expr, frame: _Frame) -> None:
        system = self.require_system(("DERIVATIVE", "KINETIC"), target.loc, f"derivative {target.name}'")
        if target.order != 1:
            raise unsupported(target.loc, f"higher-order derivative {target.name}{chr(39) * target.order}")
        key = self.element_key(target.name, target.index, frame, target.loc)
        if key not in system.entry:
            raise ModlcError.at(target.loc, f"derivative of '{key}', which is not a STATE")
        value = as_number(value)
        if self.builder.path is not sp.true:
            value = select(self.builder.path, value, self.builder.env.get(key + "'", sp.Integer(0)))
        self.builder.env[key + "'"] = value
        placeholder = sym(f"{key}'")
        system.statements.append(ir.Derivative(key, value, placeholder))
        self.builder.env[key] = placeholder

    def species(self, term: A.ReactTerm, frame: _Frame) -> tuple[str, sp.Expr]:
        """A reaction term's key and current value. A name that is not a STATE (an ion
        concentration, say) takes part with its value but is not solved for, as in nocmodl."""
        key = self.element_key(term.species.name, term.species.index, frame, term.loc)
        return key, self.read(term.species.name, term.species.index, frame, term.loc)

    def add_rate(self, key: str, amount: sp.Expr) -> None:
        env = self.builder.env
        if self.builder.path is not sp.true:
            amount = select(self.builder.path, amount, sp.Integer(0))
        env[key + "'"] = env.get(key + "'", sp.Integer(0)) + amount

    def reactant(self, term: A.ReactTerm, frame: _Frame) -> tuple[str, sp.Expr, int]:
        """A reaction term as (key, value in the mass-action product, stoichiometry): a solved
        state untouched so far in the block appears as its `System.reactants` symbol."""
        key, value = self.species(term, frame)
        system = self.system
        if key in system.entry and value == system.entry[key]:
            value = system.reactants.setdefault(key, sym(f"{key}~"))
        return key, value, term.stoich

    def reaction(self, stmt: A.Reaction, frame: _Frame) -> None:
        self.require_system(("KINETIC",), stmt.loc, "a reaction")
        lhs = [self.reactant(t, frame) for t in stmt.lhs]
        rhs = [self.reactant(t, frame) for t in stmt.rhs]
        for side in (lhs, rhs):  # nocmodl's test: a side with a state and more than one factor
            if any(key in self.system.entry for key, _, _ in side) and sum(n for _, _, n in side) > 1:
                self.system.linear = False
        kf = as_number(self.expr(stmt.forward, frame))
        kb = as_number(self.expr(stmt.backward, frame)) if stmt.backward is not None else sp.Integer(0)
        forward = kf * sp.Mul(*[value ** n for _, value, n in lhs])
        backward = kb * sp.Mul(*[value ** n for _, value, n in rhs]) if rhs else sp.Integer(0)
        for side, sign in ((lhs, -1), (rhs, 1)):
            for key, _, n in side:
                if key in self.system.entry:
                    self.add_rate(key, sign * n * (forward - backward))
        self.builder.env["f_flux"] = self.bind("f_flux", forward)
        self.builder.env["b_flux"] = self.bind("b_flux", backward)

    def flux(self, stmt: A.Flux, frame: _Frame) -> None:
        self.require_system(("KINETIC",), stmt.loc, "a `<<` flux")
        key, _ = self.species(stmt.species, frame)
        rate = as_number(self.expr(stmt.rate, frame))
        if key in self.system.entry:
            self.add_rate(key, stmt.species.stoich * rate)

    def compartment(self, stmt: A.Compartment, frame: _Frame) -> None:
        system = self.require_system(("KINETIC",), stmt.loc, "COMPARTMENT")
        if stmt.kind != "COMPARTMENT":
            self.notes.append(f"{stmt.loc}: {stmt.kind} ignored (no diffusion between compartments in a kernel)")
            return
        for ident in stmt.states:
            size = self.array_sizes.get(ident.name)
            if stmt.index is not None and size:
                for i in range(size):
                    frame.scopes.append({stmt.index.name: sp.Integer(i)})
                    try:
                        system.volumes[f"{ident.name}[{i}]"] = self.bind("volume", self.expr(stmt.volume, frame))
                    finally:
                        frame.scopes.pop()
            else:
                if stmt.index is not None and any(isinstance(n, A.Name) and n.name == stmt.index.name
                                                  for n in A.walk(stmt.volume)):
                    raise unsupported(ident.loc, f"COMPARTMENT {stmt.index.name}, ... lists '{ident.name}', which is "
                                                 f"not an array: nocmodl computes its volume with a stale loop "
                                                 f"index (undefined in NEURON)")
                volume = self.bind("volume", self.expr(stmt.volume, frame))
                for key in ([f"{ident.name}[{i}]" for i in range(size)] if size else [ident.name]):
                    system.volumes[key] = volume

    def conserve(self, stmt: A.Conserve, frame: _Frame) -> None:
        system = self.require_system(("KINETIC",), stmt.loc, "CONSERVE")
        if self.builder.path is not sp.true:
            raise unsupported(stmt.loc, "CONSERVE inside an if")
        order = []
        for node in A.walk(stmt.lhs):
            if isinstance(node, A.Name):
                key = self.element_key(node.name, node.index, frame, node.loc)
                if key in system.entry and key not in order:
                    order.append(key)
        lhs = as_number(self.expr(stmt.lhs, frame)).xreplace({system.entry[k]: sym(k) for k in order})
        terms = []
        for key in order:
            coefficient = sp.diff(lhs, sym(key))
            if coefficient.free_symbols & {sym(k) for k in order}:
                raise unsupported(stmt.loc, "CONSERVE that is not linear in its states")
            terms.append((key, coefficient))
        total = as_number(self.expr(stmt.rhs, frame))
        constant = lhs.xreplace({sym(k): 0 for k in order})
        system.statements.append(ir.Conserve(tuple(terms), total - constant, stmt.loc))

    def equation(self, stmt: A.TildeEquation, frame: _Frame) -> None:
        system = self.require_system(("LINEAR", "NONLINEAR"), stmt.loc, "an equation `~ a = b`")
        if self.builder.path is not sp.true:
            raise unsupported(stmt.loc, "an equation inside an if")
        residual = as_number(self.expr(stmt.lhs, frame)) - as_number(self.expr(stmt.rhs, frame))
        system.statements.append(ir.Equation(residual, stmt.loc))

    def finish_system(self, system: ir.System, before: dict) -> None:
        """Collect what the block computed; bind each solved state and each mechanism variable the
        block assigned to a fresh symbol the solver will define (`system.results`)."""
        env = self.builder.env
        if system.kind == "KINETIC":
            for key in system.entry:
                rate = env.get(key + "'")
                if rate is not None:
                    volume = system.volumes.get(key, sp.Integer(1))
                    system.statements.append(ir.Derivative(key, rate / volume, sym(f"{key}'")))
        if system.kind in ("LINEAR", "NONLINEAR"):
            used = set().union(*(e.residual.free_symbols for e in system.statements
                                 if isinstance(e, ir.Equation))) if system.statements else set()
            solvefor = [i.name for i in self.blocks[system.block].solvefor]
            solved = solvefor or [k for k, s in system.entry.items() if s in used and k in self.state_keys()]
        else:
            solved = [s.state for s in system.statements if isinstance(s, ir.Derivative)]
        for key in list(env):
            if key.endswith("'") or key in ("f_flux", "b_flux"):
                del env[key]
        for key in dict.fromkeys(solved):
            system.results[key] = self.fresh(key)
            env[key] = system.results[key]
        for key, value in list(env.items()):
            if key not in system.results and before.get(key, sym(key)) != value:
                system.values[key] = value
                system.results[key] = self.fresh(key)
                env[key] = system.results[key]


# Statement kinds whose handler is a Lowerer method taking (statement, frame).
_STATEMENT_HANDLERS = {
    A.Assign: "assign", A.Block: "execute_block", A.If: "branch", A.FromLoop: "from_loop",
    A.While: "while_loop", A.Solve: "solve", A.Reaction: "reaction", A.Flux: "flux",
    A.Conserve: "conserve", A.Compartment: "compartment", A.TildeEquation: "equation",
    A.Watch: "watch", A.ForNetcons: "for_netcons",
}


def lower(mod: A.ModFile, table: SymbolTable, conductance_mode: str = "symbolic",
          tables: Optional[function_table.Tables] = None, usetable: bool = False) -> LoweredMechanism:
    """Lower a checked file: every kernel straight-line, SOLVE blocks as `ir.System`s; `tables`
    holds the values of its FUNCTION_TABLEs; `usetable` interpolates TABLEs as NEURON does."""
    return Lowerer(mod, table, conductance_mode, tables, usetable).run()
