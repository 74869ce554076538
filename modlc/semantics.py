"""Stage 2: semantic analysis — the symbol table and the checks NEURON's translator makes.

Every name gets a role (parameter, state, assigned, constant, function, block, builtin, ion
variable, local…), its units and its declaration site; the NEURON block is resolved (mechanism
kind, RANGE/GLOBAL, ions with valences, currents). Problems are located diagnostics: errors for
what NEURON would reject or would translate into something wrong, warnings for what it accepts
but is probably a mistake. Names that VERBATIM C code may define are only warned about.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Iterator, Optional

from . import ast_nodes as A
from .diagnostics import Diagnostic, ModlcError
from .units import UnitError, UnitTable, conversion_factor

# Variables NEURON provides to every mechanism.
BUILTIN_VARIABLES = {
    "v": "mV", "t": "ms", "dt": "ms", "celsius": "degC", "area": "um2", "diam": "um",
    "PI": "1", "pi": "1", "secondorder": "1", "FARADAY": "coulomb", "R": "joule/degC",
}
# Functions NEURON's C library and nocmodl provide (from nocmodl's table of external names).
BUILTIN_FUNCTIONS = frozenset("""
    first_time error f_flux b_flux fabs sqrt sin cos tan acos asin atan atan2 sinh cosh tanh
    floor ceil fmod log10 log pow printf prterr exp threshold force deflate expfit derivs spline
    hyperbol revhyperbol sigmoid revsigmoid harmonic squarewave sawtooth revsawtooth ramp pulse
    perpulse step perstep erf erfc exprand factorial gauss normrand poisrand poisson setseed
    scop_random boundary romberg legendre invert stepforce schedule set_seed nrn_pointing
    state_discontinuity net_send net_move net_event nrn_random_play at_time nrn_ghk
    random_setseq random_setids random_uniform random_negexp random_normal random_ipick
    random_dpick random_poisson
""".split()) | frozenset(
    # C/C++ <cmath> functions that nocmodl passes through to the compiler unchanged.
    "abs fmin fmax hypot cbrt expm1 log1p log2 exp2 round trunc lround".split()
)
# Functions of Arbor's NMODL dialect: named in errors so users know why they are missing.
ARBOR_FUNCTIONS = frozenset("exprelr min max signum step step_right step_left".split())
# f_flux/b_flux are also read as variables in KINETIC blocks.
KINETIC_VARIABLES = frozenset({"f_flux", "b_flux"})
METHODS = frozenset("""
    cnexp euler derivimplicit runge sparse after_cvode cvode_t cvode_t_v adams adeuler heun
    adrunge gear newton simplex simeq seidel _advance clsoda matexp
""".split())
SOLVABLE_KINDS = ("DERIVATIVE", "KINETIC", "LINEAR", "NONLINEAR", "DISCRETE", "PROCEDURE")
MECHANISM_KINDS = {"SUFFIX": "density", "POINT_PROCESS": "point", "ARTIFICIAL_CELL": "artificial"}
DECL_ROLES = {"PARAMETER": "parameter", "ASSIGNED": "assigned", "STATE": "state",
              "CONSTANT": "constant", "INDEPENDENT": "independent"}


@dataclass
class Symbol:
    name: str
    role: str
    loc: Optional[A.Loc]
    units: Optional[str] = None
    size: Optional[int | str] = None
    value: Optional[float] = None
    flags: set[str] = field(default_factory=set)  # range, global, read, write, current, pointer…

    def describe(self) -> dict:
        return {
            "name": self.name, "role": self.role, "units": self.units, "size": self.size,
            "value": self.value, "flags": sorted(self.flags),
            "declared": str(self.loc) if self.loc else "builtin",
        }


@dataclass
class IonUse:
    name: str
    read: tuple[str, ...]
    write: tuple[str, ...]
    valence: Optional[float]
    loc: A.Loc


@dataclass
class SymbolTable:
    """What the rest of the compiler needs to know about a file's names."""

    mechanism: str
    kind: str  # density | point | artificial
    symbols: dict[str, Symbol]
    ions: list[IonUse]
    diagnostics: list[Diagnostic]
    has_verbatim: bool

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


def analyse(mod: A.ModFile) -> SymbolTable:
    """Build the symbol table of a parsed file; diagnostics are collected, not raised."""
    return _Analyser(mod).run()


def check(mod: A.ModFile) -> SymbolTable:
    """`analyse`, raising ModlcError when there is any error."""
    table = analyse(mod)
    if table.errors:
        raise ModlcError(table.errors)
    return table


class _Analyser:
    def __init__(self, mod: A.ModFile):
        self.mod = mod
        self.items = list(mod.walk_items())
        self.symbols: dict[str, Symbol] = {}
        self.diagnostics: list[Diagnostic] = []
        self.units = UnitTable()
        self.has_verbatim = any(isinstance(n, A.Verbatim) for n in A.walk(mod))
        self.derivatives: set[str] = set()
        self.kinetic_species: set[str] = set()
        self.assigned_in_code: set[str] = set()

    # ------------------------------------------------------------------ helpers
    def error(self, loc, message):
        self.diagnostics.append(Diagnostic("error", message, loc))

    def warn(self, loc, message):
        self.diagnostics.append(Diagnostic("warning", message, loc))

    def declare(self, name: str, role: str, loc, **extra) -> Symbol:
        old = self.symbols.get(name)
        if old is not None and old.role != "builtin":
            if old.role not in ("ion", "undeclared"):  # USEION names are re-declared in ASSIGNED: the norm
                self.error(loc, f"'{name}' is declared twice (first as {old.role} at {old.loc})")
                return old
        symbol = Symbol(name, role, loc, **extra)
        if old is not None:
            symbol.flags |= old.flags
        self.symbols[name] = symbol
        return symbol

    # ------------------------------------------------------------------ passes
    def run(self) -> SymbolTable:
        for name, units in BUILTIN_VARIABLES.items():
            self.symbols[name] = Symbol(name, "builtin", None, units=units)
        mechanism, kind = self.resolve_neuron_block()
        self.declare_items()
        self.declare_usetable()
        self.apply_neuron_lists()
        self.check_code()
        self.check_states()
        self.diagnostics.sort(key=lambda d: (d.loc.file, d.loc.line, d.loc.col) if d.loc else ("", 0, 0))
        return SymbolTable(mechanism, kind, self.symbols, self.ions, self.diagnostics, self.has_verbatim)

    def declare_usetable(self) -> None:
        """nocmodl gives a file with a TABLE the GLOBAL `usetable` (hoc's usetable_<suffix>), 1 by
        default, which some files read; modlc computes tabulated functions exactly either way."""
        table = next((n for n in A.walk(self.mod) if isinstance(n, A.Table)), None)
        if table is not None and "usetable" not in self.symbols:
            self.symbols["usetable"] = Symbol("usetable", "parameter", table.loc, value=1.0)

    def resolve_neuron_block(self) -> tuple[str, str]:
        self.ions: list[IonUse] = []
        self.neuron_lists: list[A.NameList] = []
        suffixes = []
        for block in (i for i in self.items if isinstance(i, A.NeuronBlock)):
            for stmt in block.statements:
                if isinstance(stmt, A.Suffix):
                    suffixes.append(stmt)
                elif isinstance(stmt, A.NameList):
                    self.neuron_lists.append(stmt)
                elif isinstance(stmt, A.UseIon):
                    self.resolve_useion(stmt)
        for extra in suffixes[1:]:
            self.error(extra.loc, f"a second {extra.kind} (the mechanism is already named '{suffixes[0].name.name}')")
        if not suffixes:
            stem = self.mod.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            return stem, "density"
        first = suffixes[0]
        return first.name.name, MECHANISM_KINDS[first.kind]

    def resolve_useion(self, stmt: A.UseIon) -> None:
        ion = stmt.ion.name
        if stmt.valence_name is not None:
            self.error(stmt.valence_name.loc, f"VALENCE must be a number; a variable valence ('{stmt.valence_name.name}') is Arbor's dialect")
        allowed = {f"e{ion}", f"{ion}i", f"{ion}o", f"i{ion}", f"di{ion}_dv_", ion}
        for access, names in (("read", stmt.read), ("write", stmt.write)):
            for ident in names:
                if ident.name not in allowed:
                    arbor = " (Arbor's diffusive concentration is not NEURON's)" if ident.name == f"{ion}d" else ""
                    expected = ", ".join(sorted(allowed - {ion, f"di{ion}_dv_"}))
                    self.error(ident.loc, f"'{ident.name}' is not a variable of ion '{ion}' (expected one of {expected}){arbor}")
                    continue
                sym = self.symbols.get(ident.name) or self.declare(ident.name, "ion", ident.loc)
                sym.flags.add(f"{access}:{ion}")
        self.ions.append(IonUse(ion, tuple(i.name for i in stmt.read), tuple(i.name for i in stmt.write), stmt.valence, stmt.loc))

    def declare_items(self) -> None:
        for item in self.items:
            if isinstance(item, A.DeclBlock):
                self.declare_block(item)
            elif isinstance(item, A.Define):
                self.declare(item.name, "define", item.loc, value=float(item.value))
            elif isinstance(item, A.Callable) and item.name is not None:
                role = item.kind.lower()
                if item.kind == "FUNCTION_TABLE" and not item.params:
                    self.error(item.loc, f"FUNCTION_TABLE {item.name.name} must have at least one argument")
                self.declare(item.name.name, role, item.name.loc, units=item.unit)
            elif isinstance(item, A.CodeBlock) and item.kind in SOLVABLE_KINDS:
                self.declare(item.name.name, item.kind.lower() + "_block", item.name.loc)
            elif isinstance(item, A.Local):
                for local in item.names:
                    self.declare(local.name, "global_local", local.loc, size=local.size)

    def declare_block(self, block: A.DeclBlock) -> None:
        for decl in block.decls:
            if isinstance(decl, (A.Verbatim, A.UnitsToggle)):
                continue
            if isinstance(decl, A.ParamDecl):
                self.declare(decl.name, "parameter", decl.loc, units=decl.unit, size=decl.size, value=decl.value)
            elif isinstance(decl, A.VarDecl):
                self.declare(decl.name, DECL_ROLES[block.kind], decl.loc, units=decl.unit, size=decl.size,
                             value=decl.start)
            elif isinstance(decl, A.ConstantDecl):
                value = decl.value if decl.factor is None else self.unit_factor(decl.factor, decl.loc)
                self.declare(decl.name, "constant", decl.loc, units=decl.unit, value=value)
            elif isinstance(decl, A.IndependentDecl):
                self.declare(decl.name, "independent", decl.loc, units=decl.unit)
            elif isinstance(decl, A.UnitAlias):
                try:
                    self.units.define(decl.name, decl.definition)
                except UnitError as e:
                    self.error(decl.loc, f"units ({decl.name}) = ({decl.definition}): {e}")
            elif isinstance(decl, A.UnitFactor):
                value = self.unit_factor((decl.source, decl.target), decl.loc)
                self.declare(decl.name, "constant", decl.loc, units=decl.target, value=value)
            elif isinstance(decl, A.UnitConstant):
                self.declare(decl.name, "constant", decl.loc, units=decl.unit, value=decl.value)

    def unit_factor(self, factor: tuple[str, str], loc) -> Optional[float]:
        try:
            return conversion_factor(factor[0], factor[1], self.units)
        except UnitError as e:
            self.error(loc, f"cannot convert ({factor[0]}) to ({factor[1]}): {e}")
            return math.nan

    def apply_neuron_lists(self) -> None:
        for stmt in self.neuron_lists:
            flag = stmt.kind.lower()
            for ident in stmt.names:
                sym = self.symbols.get(ident.name)
                if sym is None or sym.role == "builtin" and stmt.kind in ("RANGE", "GLOBAL"):
                    if stmt.kind in ("NONSPECIFIC_CURRENT", "ELECTRODE_CURRENT", "POINTER",
                                     "BBCOREPOINTER", "EXTERNAL", "RANDOM"):
                        sym = self.declare(ident.name, flag, ident.loc)
                    elif sym is None:
                        self.warn(ident.loc, f"{stmt.kind} name '{ident.name}' is not declared in PARAMETER, ASSIGNED or STATE")
                        sym = self.declare(ident.name, "undeclared", ident.loc)
                sym.flags.add(flag)
                if stmt.kind == "GLOBAL" and sym.role == "state":
                    self.error(ident.loc, f"'{ident.name}' is a STATE and so cannot be GLOBAL")

    # ------------------------------------------------------------------ code
    def check_code(self) -> None:
        for item in self.items:
            if isinstance(item, (A.CodeBlock, A.Callable)):
                scope = {p.name for p in item.params} if isinstance(item, A.Callable) else set()
                if isinstance(item, A.Callable) and item.kind == "NET_RECEIVE":
                    scope.add("flag")  # the event's flag (net_send's second argument)
                if item.body is not None:
                    self.check_block(item.body, scope, item)

    def check_block(self, block: A.Block, scope: set[str], owner) -> None:
        scope = set(scope)
        for stmt in block.statements:
            self.check_stmt(stmt, scope, owner)

    def check_stmt(self, stmt, scope: set[str], owner) -> None:
        if isinstance(stmt, A.Local):
            scope.update(n.name for n in stmt.names)
        elif isinstance(stmt, A.Assign):
            self.check_target(stmt.target, scope, owner)
            self.check_expr(stmt.value, scope, owner)
        elif isinstance(stmt, A.Solve):
            self.check_solve(stmt)
        elif isinstance(stmt, A.Block):
            self.check_block(stmt, scope, owner)
        elif isinstance(stmt, A.CodeBlock):  # INITIAL inside NET_RECEIVE
            self.check_block(stmt.body, scope, owner)
        elif isinstance(stmt, A.If):
            self.check_expr(stmt.condition, scope, owner)
            self.check_block(stmt.then, scope, owner)
            if stmt.orelse is not None:
                self.check_stmt(stmt.orelse, scope, owner)
        elif isinstance(stmt, A.While):
            self.check_expr(stmt.condition, scope, owner)
            self.check_block(stmt.body, scope, owner)
        elif isinstance(stmt, A.FromLoop):
            for e in (stmt.start, stmt.stop, stmt.step):
                if e is not None:
                    self.check_expr(e, scope, owner)
            self.check_block(stmt.body, scope | {stmt.var.name}, owner)
        elif isinstance(stmt, A.ForNetcons):
            self.check_block(stmt.body, scope | {p.name for p in stmt.params}, owner)
        elif isinstance(stmt, A.Reaction):
            if getattr(owner, "kind", None) != "KINETIC":  # nocmodl's grammar: 'Illegal block'
                self.error(stmt.loc, f"a reaction (~ ... <-> ...) is allowed only in a KINETIC block, not in "
                                     f"{getattr(owner, 'kind', 'this block')} {getattr(getattr(owner, 'name', None), 'name', '')}".rstrip())
            for term in stmt.lhs + stmt.rhs:
                self.check_species(term, scope, owner)
            for e in (stmt.forward, stmt.backward):
                if e is not None:
                    self.check_expr(e, scope, owner)
        elif isinstance(stmt, A.Flux):
            self.check_species(stmt.species, scope, owner)
            self.check_expr(stmt.rate, scope, owner)
        elif isinstance(stmt, A.Compartment):
            inner = scope | ({stmt.index.name} if stmt.index else set())
            self.check_expr(stmt.volume, inner, owner)
            for ident in stmt.states:
                self.check_name(ident.name, ident.loc, scope, owner)
        elif isinstance(stmt, A.Table):
            for ident in stmt.names + stmt.depend:
                self.check_name(ident.name, ident.loc, scope, owner)
            for e in (stmt.low, stmt.high, stmt.count):
                self.check_expr(e, scope, owner)
        elif isinstance(stmt, A.Conductance):
            self.check_name(stmt.name.name, stmt.name.loc, scope, owner)
            if stmt.ion is not None and stmt.ion.name not in {i.name for i in self.ions}:
                self.error(stmt.ion.loc, f"CONDUCTANCE: ion '{stmt.ion.name}' is not declared with USEION")
        elif isinstance(stmt, A.Lag):
            self.check_name(stmt.name.name, stmt.name.loc, scope, owner)
            self.check_name(stmt.by.name, stmt.by.loc, scope, owner)
            lagged = f"lag_{stmt.name.name}_{stmt.by.name}"  # LAG x BY d defines lag_x_d
            if lagged not in self.symbols:
                self.declare(lagged, "assigned", stmt.loc)
        else:
            if isinstance(stmt, A.TildeEquation):  # LINEAR/NONLINEAR equations solve for their states
                self.kinetic_species.update(n.name for n in A.walk(stmt.lhs) if isinstance(n, A.Name))
            for expr in _direct_exprs(stmt):
                self.check_expr(expr, scope, owner)

    def check_species(self, term: A.ReactTerm, scope, owner) -> None:
        self.kinetic_species.add(term.species.name)
        self.check_expr(term.species, scope, owner)

    def check_target(self, target, scope, owner) -> None:
        if isinstance(target, A.Prime):
            self.derivatives.add(target.name)
            sym = self.symbols.get(target.name)
            if target.name not in scope and (sym is None or sym.role != "state"):
                role = f"a {sym.role}" if sym else "undeclared"
                self.error(target.loc, f"derivative {target.name}' of '{target.name}', which is {role}, not a STATE")
        else:
            self.assigned_in_code.add(target.name)
            if isinstance(owner, A.Callable) and owner.kind == "FUNCTION" and target.name == owner.name.name:
                return  # assigning the function's own name sets its return value
            self.check_name(target.name, target.loc, scope, owner)
            sym = self.symbols.get(target.name)
            if target.name not in scope and sym is not None and sym.role in ("constant", "define"):
                self.error(target.loc, f"assignment to {sym.role} '{target.name}'")
        if target.index is not None:
            self.check_expr(target.index, scope, owner)

    def check_expr(self, expr, scope, owner) -> None:
        for node in A.walk(expr):
            if isinstance(node, A.Name):
                self.check_name(node.name, node.loc, scope, owner)
            elif isinstance(node, A.Prime):
                self.check_name(node.name, node.loc, scope, owner)
            elif isinstance(node, A.Call):
                self.check_call(node, scope)

    def check_name(self, name: str, loc, scope, owner) -> None:
        if name in scope or name in self.symbols:
            return
        if name in KINETIC_VARIABLES:
            return
        if isinstance(owner, A.Callable) and owner.kind == "FUNCTION" and owner.name and name == owner.name.name:
            return
        self.undefined(loc, f"undefined name '{name}'")

    def check_call(self, call: A.Call, scope) -> None:
        sym = self.symbols.get(call.name)
        if sym is not None and sym.role in ("function", "procedure", "function_table", "external"):
            return
        if call.name in BUILTIN_FUNCTIONS:
            return
        if sym is not None and sym.role not in ("undeclared",):
            self.error(call.loc, f"'{call.name}' is a {sym.role}, not a FUNCTION or PROCEDURE")
            return
        if call.name in ARBOR_FUNCTIONS:
            self.error(call.loc, f"'{call.name}' is a function of Arbor's NMODL dialect; NEURON has no such function")
            return
        self.undefined(call.loc, f"call of undefined function '{call.name}'")

    def undefined(self, loc, message: str) -> None:
        if self.has_verbatim:
            self.warn(loc, message + " (perhaps defined in VERBATIM C code, which modlc cannot read)")
        else:
            self.error(loc, message)

    def check_solve(self, stmt: A.Solve) -> None:
        target = self.symbols.get(stmt.block.name)
        if target is None or not (target.role.endswith("_block") or target.role == "procedure"):
            found = f" ('{stmt.block.name}' is a {target.role})" if target else ""
            self.error(stmt.block.loc, f"SOLVE {stmt.block.name}: no DERIVATIVE, KINETIC, LINEAR, NONLINEAR or PROCEDURE block of that name{found}")
        if stmt.method is not None and stmt.method.name not in METHODS:
            self.error(stmt.method.loc, f"unknown METHOD '{stmt.method.name}' (known: {', '.join(sorted(METHODS))})")

    def check_states(self) -> None:
        solved = self.derivatives | self.kinetic_species | self.assigned_in_code
        for sym in self.symbols.values():
            if sym.role == "state" and sym.name not in solved:
                self.warn(sym.loc, f"STATE '{sym.name}' has no equation (no {sym.name}' = …, reaction or assignment)")


def _direct_exprs(stmt) -> Iterator:
    """The expressions directly held by a statement kind without a dedicated check."""
    if isinstance(stmt, A.CallStmt):
        yield stmt.call
    elif isinstance(stmt, (A.Conserve, A.TildeEquation)):  # names here are solved for
        yield stmt.lhs
        yield stmt.rhs
    elif isinstance(stmt, A.Watch):
        for condition, flag in stmt.conditions:
            yield condition
            yield flag
