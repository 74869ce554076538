"""Typed AST for NMODL.

Every node is a frozen dataclass carrying `loc` (file, line, column) so that every later stage can
report errors at the construct's source position. Tuples, not lists, keep nodes hashable and make
the tree safe to share between stages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Optional, Union


@dataclass(frozen=True, slots=True)
class Loc:
    """A source position: 1-based line and column (characters, tabs count as one)."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class Ident:
    """A name as written at one place (declaration lists, NEURON block lists)."""

    name: str
    loc: Loc


# ----------------------------------------------------------------------------- expressions


@dataclass(frozen=True, slots=True)
class Number:
    value: float
    text: str
    unit: Optional[str]
    loc: Loc


@dataclass(frozen=True, slots=True)
class Name:
    """A variable reference, optionally indexed: `x` or `x[i]`."""

    name: str
    index: Optional["Expr"]
    loc: Loc


@dataclass(frozen=True, slots=True)
class Prime:
    """A derivative `x'` (order = number of primes), optionally indexed."""

    name: str
    order: int
    index: Optional["Expr"]
    loc: Loc


@dataclass(frozen=True, slots=True)
class Call:
    name: str
    args: tuple["Expr", ...]
    loc: Loc


@dataclass(frozen=True, slots=True)
class String:
    value: str
    loc: Loc


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "-" or "!"
    operand: "Expr"
    loc: Loc


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # + - * / ^ < > <= >= == != && ||
    left: "Expr"
    right: "Expr"
    loc: Loc


Expr = Union[Number, Name, Prime, Call, String, Unary, Binary]


# ----------------------------------------------------------------------------- statements


@dataclass(frozen=True, slots=True)
class Block:
    statements: tuple["Stmt", ...]
    loc: Loc


@dataclass(frozen=True, slots=True)
class Assign:
    target: Union[Name, Prime]
    value: Expr
    loc: Loc
    protected: bool = False


@dataclass(frozen=True, slots=True)
class LocalName:
    name: str
    size: Optional[Union[int, str]]
    loc: Loc


@dataclass(frozen=True, slots=True)
class Local:
    names: tuple[LocalName, ...]
    loc: Loc


@dataclass(frozen=True, slots=True)
class Solve:
    block: Ident
    method: Optional[Ident]
    steadystate: bool
    iferror: Optional[Block]
    loc: Loc


@dataclass(frozen=True, slots=True)
class If:
    condition: Expr
    then: Block
    orelse: Optional[Union[Block, "If"]]
    loc: Loc


@dataclass(frozen=True, slots=True)
class While:
    condition: Expr
    body: Block
    loc: Loc


@dataclass(frozen=True, slots=True)
class FromLoop:
    var: Ident
    start: Expr
    stop: Expr
    step: Optional[Expr]
    body: Block
    loc: Loc


@dataclass(frozen=True, slots=True)
class CallStmt:
    call: Call
    loc: Loc


@dataclass(frozen=True, slots=True)
class Table:
    names: tuple[Ident, ...]
    depend: tuple[Ident, ...]
    low: Expr
    high: Expr
    count: Expr
    loc: Loc


@dataclass(frozen=True, slots=True)
class Conserve:
    lhs: Expr
    rhs: Expr
    loc: Loc


@dataclass(frozen=True, slots=True)
class Compartment:
    """COMPARTMENT [index,] volume { states } (also LONGITUDINAL_DIFFUSION, kind says which)."""

    kind: str  # "COMPARTMENT" | "LONGITUDINAL_DIFFUSION"
    index: Optional[Ident]
    volume: Expr
    states: tuple[Ident, ...]
    loc: Loc


@dataclass(frozen=True, slots=True)
class ReactTerm:
    """One species of a reaction side: stoichiometry * state (state may be indexed)."""

    stoich: int
    species: Name
    loc: Loc


@dataclass(frozen=True, slots=True)
class Reaction:
    """`~ lhs <-> rhs (kf, kb)`; nocmodl's one-way `~ lhs -> (kf)` has rhs () and kb None."""

    lhs: tuple[ReactTerm, ...]
    rhs: tuple[ReactTerm, ...]
    forward: Expr
    backward: Optional[Expr]
    loc: Loc


@dataclass(frozen=True, slots=True)
class Flux:
    """`~ species << (rate)`: a flux added to the species' equation."""

    species: ReactTerm
    rate: Expr
    loc: Loc


@dataclass(frozen=True, slots=True)
class TildeEquation:
    """`~ lhs = rhs` in LINEAR / NONLINEAR blocks."""

    lhs: Expr
    rhs: Expr
    loc: Loc


@dataclass(frozen=True, slots=True)
class Watch:
    conditions: tuple[tuple[Expr, Expr], ...]  # (condition, flag)
    loc: Loc


@dataclass(frozen=True, slots=True)
class Formal:
    name: str
    size: Optional[Union[int, str]]
    unit: Optional[str]
    loc: Loc


@dataclass(frozen=True, slots=True)
class ForNetcons:
    params: tuple[Formal, ...]
    body: Block
    loc: Loc


@dataclass(frozen=True, slots=True)
class Conductance:
    name: Ident
    ion: Optional[Ident]
    loc: Loc


@dataclass(frozen=True, slots=True)
class Mutex:
    lock: bool
    loc: Loc


@dataclass(frozen=True, slots=True)
class UnitsToggle:
    on: bool
    loc: Loc


@dataclass(frozen=True, slots=True)
class Verbatim:
    text: str
    loc: Loc


@dataclass(frozen=True, slots=True)
class Lag:
    name: Ident
    by: Ident
    loc: Loc


Stmt = Union[
    Block, Assign, Local, Solve, If, While, FromLoop, CallStmt, Table, Conserve, Compartment,
    Reaction, Flux, TildeEquation, Watch, ForNetcons, Conductance, Mutex, UnitsToggle, Verbatim,
    Lag, "CodeBlock",  # CodeBlock: an INITIAL block inside NET_RECEIVE
]


# ----------------------------------------------------------------------------- NEURON block


@dataclass(frozen=True, slots=True)
class Suffix:
    kind: str  # SUFFIX | POINT_PROCESS | ARTIFICIAL_CELL
    name: Ident
    loc: Loc


@dataclass(frozen=True, slots=True)
class NameList:
    kind: str  # RANGE | GLOBAL | POINTER | BBCOREPOINTER | EXTERNAL | NONSPECIFIC_CURRENT | ...
    names: tuple[Ident, ...]
    loc: Loc


@dataclass(frozen=True, slots=True)
class UseIon:
    ion: Ident
    read: tuple[Ident, ...]
    write: tuple[Ident, ...]
    valence: Optional[float]
    valence_name: Optional[Ident]  # Arbor writes `VALENCE zx`; rejected in semantics
    represents: Optional[str]
    loc: Loc


@dataclass(frozen=True, slots=True)
class ThreadSafe:
    names: tuple[Ident, ...]
    loc: Loc


@dataclass(frozen=True, slots=True)
class Represents:
    ontology_id: str
    loc: Loc


NeuronStmt = Union[Suffix, NameList, UseIon, ThreadSafe, Represents, Verbatim, UnitsToggle]


@dataclass(frozen=True, slots=True)
class NeuronBlock:
    statements: tuple[NeuronStmt, ...]
    loc: Loc


# ----------------------------------------------------------------------------- declarations


@dataclass(frozen=True, slots=True)
class ParamDecl:
    name: str
    size: Optional[Union[int, str]]
    value: Optional[float]
    unit: Optional[str]
    limits: Optional[tuple[float, float]]
    loc: Loc


@dataclass(frozen=True, slots=True)
class VarDecl:
    """An ASSIGNED or STATE declaration."""

    name: str
    size: Optional[Union[int, str]]
    from_to: Optional[tuple[float, float]]
    start: Optional[float]
    unit: Optional[str]
    abstol: Optional[float]
    loc: Loc


@dataclass(frozen=True, slots=True)
class ConstantDecl:
    name: str
    value: Optional[float]
    unit: Optional[str]
    factor: Optional[tuple[str, str]]  # NAME = (unit) (unit), evaluated by the units table
    loc: Loc


@dataclass(frozen=True, slots=True)
class IndependentDecl:
    name: str
    low: float
    high: float
    steps: int
    unit: Optional[str]
    loc: Loc


@dataclass(frozen=True, slots=True)
class UnitAlias:
    """`(mA) = (milliamp)` in a UNITS block."""

    name: str
    definition: str
    loc: Loc


@dataclass(frozen=True, slots=True)
class UnitFactor:
    """`FARADAY = (faraday) (coulomb)`: the value of `source` expressed in `target`."""

    name: str
    source: str
    target: str
    loc: Loc


@dataclass(frozen=True, slots=True)
class UnitConstant:
    """`name = 96485.3 (coulomb)` in a UNITS block."""

    name: str
    value: float
    unit: Optional[str]
    loc: Loc


Decl = Union[ParamDecl, VarDecl, ConstantDecl, IndependentDecl, UnitAlias, UnitFactor, UnitConstant]


@dataclass(frozen=True, slots=True)
class DeclBlock:
    """PARAMETER, ASSIGNED, STATE, CONSTANT, INDEPENDENT or UNITS."""

    kind: str
    decls: tuple[Decl, ...]
    loc: Loc


# ----------------------------------------------------------------------------- top level


@dataclass(frozen=True, slots=True)
class Title:
    text: str
    loc: Loc


@dataclass(frozen=True, slots=True)
class Define:
    name: str
    value: int
    loc: Loc


@dataclass(frozen=True, slots=True)
class Include:
    """INCLUDE "file": `items` are the included file's items, already parsed."""

    path: str
    resolved: str
    items: tuple["Item", ...]
    loc: Loc


@dataclass(frozen=True, slots=True)
class CodeBlock:
    """A block of statements: INITIAL, BREAKPOINT, DERIVATIVE, KINETIC, LINEAR, NONLINEAR,
    DISCRETE, BEFORE x, AFTER x, CONSTRUCTOR, DESTRUCTOR. `name` is the block's name where it
    has one (DERIVATIVE states) or the BEFORE/AFTER point."""

    kind: str
    name: Optional[Ident]
    solvefor: tuple[Ident, ...]
    body: Block
    loc: Loc


@dataclass(frozen=True, slots=True)
class Callable:
    """PROCEDURE, FUNCTION, FUNCTION_TABLE (no body) or NET_RECEIVE (no name)."""

    kind: str
    name: Optional[Ident]
    params: tuple[Formal, ...]
    unit: Optional[str]
    body: Optional[Block]
    loc: Loc


Item = Union[
    Title, Define, Include, UnitsToggle, Verbatim, NeuronBlock, DeclBlock, Local, CodeBlock,
    Callable,
]


@dataclass(frozen=True, slots=True)
class ModFile:
    path: str
    items: tuple[Item, ...]
    loc: Loc = field(compare=False)

    def walk_items(self):
        """Top-level items with INCLUDEd files' items spliced in place (depth first)."""
        for item in self.items:
            if isinstance(item, Include):
                yield item
                yield from ModFile(item.resolved, item.items, item.loc).walk_items()
            else:
                yield item


def walk(node) -> Iterator:
    """Every AST node below `node` (itself included), depth first, in source order."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        fields = getattr(current, "__dataclass_fields__", None)
        if fields is None:
            continue
        children = []
        for name in fields:
            if name == "loc":
                continue
            value = getattr(current, name)
            if isinstance(value, tuple):
                for v in value:
                    if isinstance(v, tuple):
                        children.extend(v)
                    else:
                        children.append(v)
            elif hasattr(value, "__dataclass_fields__"):
                children.append(value)
        stack.extend(reversed(children))
