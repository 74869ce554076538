"""The mechanism IR: what the templates see (DESIGN.md stage 5).

A kernel is an ordered list of statements in single-assignment form over SymPy expressions: every
`Assign` defines a fresh symbol, so a statement can be moved, duplicated or eliminated by looking
at its expression alone. The same node types describe the three inspectable stages:

- *lowered*: calls inlined, branches turned into selects, loops unrolled; each SOLVE is still a
  `System` (derivatives, reactions expanded into rates, conservation laws, equations);
- *solved*: every `System` replaced by explicit updates or an `ImplicitSolve` (Newton on a
  residual with its Jacobian, each step a batched dense solve at run time);
- *ir*: common subexpressions eliminated, plus the variable table the runtime links against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

import sympy as sp

from .ast_nodes import Loc


@dataclass(frozen=True)
class Variable:
    """A mechanism variable as the runtime sees it.

    role: parameter | state | assigned | ion | pointer | current | netcon_arg
    scope: range (one value per instance) or global (one per mechanism)
    """

    name: str
    role: str
    units: Optional[str]
    default: Optional[float]
    scope: str
    ion: Optional[str] = None
    access: Optional[str] = None  # ion variables: read | write | readwrite


@dataclass(frozen=True)
class Assign:
    target: sp.Symbol
    value: sp.Expr


@dataclass(frozen=True)
class Derivative:
    """`state' = rhs`. Reads of the state after this statement see `placeholder`, which the solver
    binds to the updated value (cnexp updates in place, as NEURON does) or the old one."""

    state: str
    rhs: sp.Expr
    placeholder: sp.Symbol


@dataclass(frozen=True)
class Conserve:
    """CONSERVE sum(coefficient * state) = total; the solver weights each term by its compartment
    volume, as nocmodl does."""

    terms: tuple[tuple[str, sp.Expr], ...]
    total: sp.Expr
    loc: Loc


@dataclass(frozen=True)
class Equation:
    """A LINEAR/NONLINEAR `~ lhs = rhs`, kept as residual lhs - rhs = 0."""

    residual: sp.Expr
    loc: Loc


@dataclass(frozen=True)
class Event:
    """net_send(delay, flag) | net_event(time) | net_move(time), taking effect where `mask` holds."""

    kind: str  # send | event | move
    args: tuple[sp.Expr, ...]
    mask: sp.Basic


@dataclass
class System:
    """A SOLVEd block after lowering, before a method turns it into updates."""

    block: str
    kind: str  # DERIVATIVE | KINETIC | LINEAR | NONLINEAR
    method: str
    steadystate: bool
    entry: dict[str, sp.Symbol]  # each state's value when the block starts
    statements: list = field(default_factory=list)
    volumes: dict[str, sp.Expr] = field(default_factory=dict)  # KINETIC COMPARTMENT sizes
    # Symbols the solver must define after the block: each solved state's new value and each
    # mechanism variable the block assigned (whose in-block value is in `values`).
    results: dict[str, sp.Symbol] = field(default_factory=dict)
    values: dict[str, sp.Expr] = field(default_factory=dict)
    loc: Optional[Loc] = None
    # KINETIC: the symbol each solved state has inside its reactions' mass-action terms (its entry
    # symbol elsewhere, rate expressions included), and whether every reaction side holds a single
    # species (nocmodl's `_linmat`, which makes `sparse` take one step with the rates frozen).
    reactants: dict[str, sp.Symbol] = field(default_factory=dict)
    linear: bool = True


@dataclass(frozen=True)
class ImplicitSolve:
    """Newton's method on residual(unknowns) = 0, starting from `initial`.

    Each iteration evaluates `body`, then solves jacobian · delta = residual (a batched dense
    solve) and sets unknowns -= delta. `iterations` is fixed (1 for a linear system, where one
    step is exact, and `tolerance` is infinite so that only a NaN step fails); `converged` is true
    when the last step changed no unknown by more than `tolerance` (relative to 1 + |unknown|),
    so the runtime can check it.
    """

    unknowns: tuple[sp.Symbol, ...]
    initial: tuple[sp.Expr, ...]
    body: tuple[Assign, ...]
    residual: tuple[sp.Expr, ...]
    jacobian: tuple[tuple[sp.Expr, ...], ...]
    iterations: int
    results: tuple[sp.Symbol, ...]
    converged: sp.Symbol
    tolerance: float


Statement = Union[Assign, Derivative, Conserve, Equation, Event, System, ImplicitSolve]


@dataclass
class Kernel:
    """One generated function: statements, then `outputs` (variable name → final value)."""

    name: str
    statements: list
    outputs: dict[str, sp.Expr]

    def symbol_names(self) -> set[str]:
        """Every symbol name the kernel reads or defines (for choosing fresh names)."""
        names = {s.name for stmt in walk_statements(self.statements) for s in statement_targets(stmt)}
        names |= {s.name for stmt in walk_statements(self.statements)
                  for e in statement_expressions(stmt) for s in e.free_symbols}
        return names

    def inputs(self) -> list[str]:
        """The names the kernel reads, sorted (free symbols minus those it defines)."""
        defined: set[sp.Symbol] = set()
        read: set[sp.Symbol] = set()
        for stmt in walk_statements(self.statements):
            for expr in statement_expressions(stmt):
                read |= expr.free_symbols
            defined |= set(statement_targets(stmt))
        for value in self.outputs.values():
            read |= value.free_symbols
        return sorted(s.name for s in read - defined)


@dataclass
class Current:
    """A current the mechanism contributes: `name` (e.g. ina, i), its ion (None: nonspecific),
    `electrode` for ELECTRODE_CURRENT (sign flipped by the runtime), and the name of the output
    holding dI/dv."""

    name: str
    ion: Optional[str]
    electrode: bool
    conductance: str


@dataclass(frozen=True)
class LoopLimit:
    """A FROM loop bounded only by PARAMETERs, unrolled `iterations` times: the runtime checks that
    every instance's values need no more (stop - start = offset + sum(coefficient * parameter))."""

    where: str  # file:line:col of the loop
    step: int
    iterations: int
    offset: float
    terms: tuple[tuple[str, float], ...]  # (parameter, coefficient)


@dataclass
class MechanismIR:
    name: str
    kind: str  # density | point | artificial
    title: Optional[str]
    variables: list[Variable]
    ions: list[tuple[str, Optional[float]]]  # (ion, valence)
    currents: list[Current]
    net_receive_args: list[str]
    kernels: dict[str, Kernel]
    notes: list[str]
    loop_limits: list[LoopLimit] = field(default_factory=list)


def walk_statements(statements):
    """Every statement, descending into Systems."""
    for stmt in statements:
        yield stmt
        if isinstance(stmt, System):
            yield from walk_statements(stmt.statements)


def statement_expressions(stmt) -> list[sp.Basic]:
    if isinstance(stmt, Assign):
        return [stmt.value]
    if isinstance(stmt, Derivative):
        return [stmt.rhs]
    if isinstance(stmt, Conserve):
        return [c for _, c in stmt.terms] + [stmt.total]
    if isinstance(stmt, Equation):
        return [stmt.residual]
    if isinstance(stmt, Event):
        return list(stmt.args) + [stmt.mask]
    if isinstance(stmt, ImplicitSolve):
        exprs = list(stmt.initial) + [a.value for a in stmt.body] + list(stmt.residual)
        return exprs + [e for row in stmt.jacobian for e in row]
    return []


def statement_targets(stmt) -> list[sp.Symbol]:
    if isinstance(stmt, Assign):
        return [stmt.target]
    if isinstance(stmt, Derivative):
        return [stmt.placeholder]
    if isinstance(stmt, System):
        return list(stmt.results.values())
    if isinstance(stmt, ImplicitSolve):
        return list(stmt.unknowns) + [a.target for a in stmt.body] + list(stmt.results) + [stmt.converged]
    return []


def live_statements(statements: list, roots: set, prunable: Optional[set] = None) -> list:
    """The statements without assignments nothing needs: an Assign survives when `roots` or a
    later surviving statement reads its target. Other statements always survive. With
    `prunable`, only assignments to those symbols may be dropped."""
    live = set(roots)
    kept = []
    for stmt in reversed(statements):
        if isinstance(stmt, Assign) and stmt.target not in live and (prunable is None or stmt.target in prunable):
            continue
        for expr in statement_expressions(stmt):
            live |= expr.free_symbols
        kept.append(stmt)
    kept.reverse()
    return kept
