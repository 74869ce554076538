"""Turn Lark's parse tree (rules of modlc/nmodl.lark) into the typed AST of `ast_nodes`.

One method per named grammar rule; children arrive with anonymous punctuation already dropped.
Small private wrapper types tag optional grammar parts (array sizes, limits…) so that a rule's
optional children can be told apart by type rather than by position.
"""

from __future__ import annotations

from typing import NamedTuple, Optional

from lark import Token, Transformer, v_args

from . import ast_nodes as A
from .diagnostics import ModlcError


class _Dim(NamedTuple):
    size: int | str


class _Limits(NamedTuple):
    low: float
    high: float


class _FromTo(NamedTuple):
    low: float
    high: float


class _Start(NamedTuple):
    value: float


class _Abstol(NamedTuple):
    value: float


class _Tagged(NamedTuple):
    tag: str
    items: tuple


def _pick(children, kind):
    """The first child of a given type, or None."""
    return next((c for c in children if isinstance(c, kind)), None)


def _unit(children) -> Optional[str]:
    units = _tokens(children, "UNIT")
    return _unit_text(units[0]) if units else None


def _unit_text(tok: Token) -> str:
    return tok.value[1:-1].strip()


def _tokens(children, type_: str) -> list[Token]:
    return [c for c in children if isinstance(c, Token) and c.type == type_]


@v_args(meta=True)
class AstBuilder(Transformer):
    """Lark transformer producing `ast_nodes`; `path` is recorded in every Loc."""

    def __init__(self, path: str):
        super().__init__()
        self.path = path

    def _loc(self, meta) -> A.Loc:
        return A.Loc(self.path, getattr(meta, "line", 0), getattr(meta, "column", 0))

    def _tloc(self, tok: Token) -> A.Loc:
        return A.Loc(self.path, tok.line, tok.column)

    def _ident(self, tok: Token) -> A.Ident:
        return A.Ident(tok.value, self._tloc(tok))

    def _idents(self, children) -> tuple[A.Ident, ...]:
        return tuple(self._ident(t) for t in _tokens(children, "NAME"))

    # ------------------------------------------------------------------ top level
    def start(self, meta, children):
        return A.ModFile(self.path, tuple(children), A.Loc(self.path, 1, 1))

    def title(self, meta, children):
        return A.Title(children[0].value[len("TITLE"):].strip(), self._loc(meta))

    def include(self, meta, children):
        return A.Include(children[0].value[1:-1], "", (), self._loc(meta))

    def define(self, meta, children):
        return A.Define(children[0].value, int(children[1].value), self._loc(meta))

    def unitsonoff(self, meta, children):
        return A.UnitsToggle(children[0].value == "UNITSON", self._loc(meta))

    def verbatim(self, meta, children):
        text = children[0].value
        return A.Verbatim(text[len("VERBATIM"):-len("ENDVERBATIM")], self._loc(meta))

    # ------------------------------------------------------------------ NEURON block
    def neuron_block(self, meta, children):
        return A.NeuronBlock(tuple(children), self._loc(meta))

    def suffix_stmt(self, meta, children):
        return A.Suffix(children[0].value, self._ident(children[1]), self._loc(meta))

    def names_stmt(self, meta, children):
        return A.NameList(children[0].value, self._idents(children[1:]), self._loc(meta))

    def useion_stmt(self, meta, children):
        parts = {c.tag: c.items for c in children if isinstance(c, _Tagged)}
        valence = parts.get("valence", (None,))[0]
        return A.UseIon(
            ion=self._ident(children[0]),
            read=parts.get("read", ()),
            write=parts.get("write", ()),
            valence=valence if isinstance(valence, float) else None,
            valence_name=valence if isinstance(valence, A.Ident) else None,
            represents=next((c.ontology_id for c in children if isinstance(c, A.Represents)), None),
            loc=self._loc(meta),
        )

    def read_list(self, meta, children):
        return _Tagged("read", self._idents(children))

    def write_list(self, meta, children):
        return _Tagged("write", self._idents(children))

    def valence(self, meta, children):
        value = children[0]
        return _Tagged("valence", (self._ident(value) if isinstance(value, Token) else value,))

    def threadsafe_stmt(self, meta, children):
        return A.ThreadSafe(self._idents(children), self._loc(meta))

    def represents_stmt(self, meta, children):
        return A.Represents(children[0].value, self._loc(meta))

    # ------------------------------------------------------------------ declarations
    def _decl_block(self, kind, meta, children):
        return A.DeclBlock(kind, tuple(children), self._loc(meta))

    def parameter_block(self, meta, children):
        return self._decl_block("PARAMETER", meta, children)

    def assigned_block(self, meta, children):
        return self._decl_block("ASSIGNED", meta, children)

    def state_block(self, meta, children):
        return self._decl_block("STATE", meta, children)

    def constant_block(self, meta, children):
        return self._decl_block("CONSTANT", meta, children)

    def independent_block(self, meta, children):
        return self._decl_block("INDEPENDENT", meta, children)

    def units_block(self, meta, children):
        return self._decl_block("UNITS", meta, children)

    def param_decl(self, meta, children):
        dim, limits = _pick(children, _Dim), _pick(children, _Limits)
        return A.ParamDecl(
            name=children[0].value,
            size=dim.size if dim else None,
            value=_pick(children, float),
            unit=_unit(children),
            limits=tuple(limits) if limits else None,
            loc=self._loc(meta),
        )

    def var_decl(self, meta, children):
        dim, from_to = _pick(children, _Dim), _pick(children, _FromTo)
        start, abstol = _pick(children, _Start), _pick(children, _Abstol)
        return A.VarDecl(
            name=children[0].value,
            size=dim.size if dim else None,
            from_to=tuple(from_to) if from_to else None,
            start=start.value if start else None,
            unit=_unit(children),
            abstol=abstol.value if abstol else None,
            loc=self._loc(meta),
        )

    def from_to(self, meta, children):
        return _FromTo(children[0], children[1])

    def start_value(self, meta, children):
        return _Start(children[0])

    def abstol(self, meta, children):
        return _Abstol(children[0])

    def limits(self, meta, children):
        return _Limits(children[0], children[1])

    def array_dim(self, meta, children):
        tok = children[0]
        return _Dim(int(tok.value) if tok.type == "INT" else tok.value)

    def constant_decl(self, meta, children):
        return A.ConstantDecl(children[0].value, children[1], _unit(children), None, self._loc(meta))

    def constant_factor(self, meta, children):
        factor = (_unit_text(children[1]), _unit_text(children[2]))
        return A.ConstantDecl(children[0].value, None, None, factor, self._loc(meta))

    def independent_decl(self, meta, children):
        name, low, high, steps = children[:4]
        return A.IndependentDecl(name.value, low, high, int(steps.value), _unit(children), self._loc(meta))

    def unit_alias(self, meta, children):
        return A.UnitAlias(_unit_text(children[0]), _unit_text(children[1]), self._loc(meta))

    def unit_factor(self, meta, children):
        source, target = _tokens(children, "UNIT")  # nocmodl also accepts `(a) -> (b)`
        return A.UnitFactor(children[0].value, _unit_text(source), _unit_text(target), self._loc(meta))

    def unit_constant(self, meta, children):
        return A.UnitConstant(children[0].value, children[1], _unit(children), self._loc(meta))

    def signed_number(self, meta, children):
        value = float(children[-1].value)
        return -value if len(children) == 2 and children[0].value == "-" else value

    # ------------------------------------------------------------------ code blocks
    def _code(self, kind, meta, children, name=None):
        solvefor = _pick(children, _Tagged)
        return A.CodeBlock(kind, name, solvefor.items if solvefor else (), children[-1], self._loc(meta))

    def initial_block(self, meta, children):
        return self._code("INITIAL", meta, children)

    def breakpoint_block(self, meta, children):
        return self._code("BREAKPOINT", meta, children)

    def constructor_block(self, meta, children):
        return self._code("CONSTRUCTOR", meta, children)

    def destructor_block(self, meta, children):
        return self._code("DESTRUCTOR", meta, children)

    def derivative_block(self, meta, children):
        return self._code("DERIVATIVE", meta, children, self._ident(children[0]))

    def kinetic_block(self, meta, children):
        return self._code("KINETIC", meta, children, self._ident(children[0]))

    def linear_block(self, meta, children):
        return self._code("LINEAR", meta, children, self._ident(children[0]))

    def nonlinear_block(self, meta, children):
        return self._code("NONLINEAR", meta, children, self._ident(children[0]))

    def discrete_block(self, meta, children):
        return self._code("DISCRETE", meta, children, self._ident(children[0]))

    def before_after_block(self, meta, children):
        return self._code(children[0].value, meta, children, self._ident(children[1]))

    def solvefor(self, meta, children):
        return _Tagged("solvefor", self._idents(children))

    def _callable(self, kind, meta, children, has_name=True, has_body=True):
        formals = _pick(children, tuple) or ()
        body = children[-1] if has_body else None
        name = self._ident(children[0]) if has_name else None
        return A.Callable(kind, name, formals, _unit(children), body, self._loc(meta))

    def procedure_block(self, meta, children):
        return self._callable("PROCEDURE", meta, children)

    def function_block(self, meta, children):
        return self._callable("FUNCTION", meta, children)

    def function_table(self, meta, children):
        return self._callable("FUNCTION_TABLE", meta, children, has_body=False)

    def net_receive_block(self, meta, children):
        return self._callable("NET_RECEIVE", meta, children, has_name=False)

    def formals(self, meta, children):
        return tuple(children)

    def formal(self, meta, children):
        dim = _pick(children, _Dim)
        return A.Formal(children[0].value, dim.size if dim else None, _unit(children), self._loc(meta))

    # ------------------------------------------------------------------ statements
    def block(self, meta, children):
        return A.Block(tuple(children), self._loc(meta))

    def assign(self, meta, children):
        return A.Assign(children[0], children[1], self._loc(meta))

    def var_target(self, meta, children):
        return A.Name(children[0].value, children[1] if len(children) > 1 else None, self._loc(meta))

    def derivative_target(self, meta, children):
        return self._prime(meta, children)

    def local_stmt(self, meta, children):
        return A.Local(tuple(children), self._loc(meta))

    def local_name(self, meta, children):
        dim = _pick(children, _Dim)
        return A.LocalName(children[0].value, dim.size if dim else None, self._loc(meta))

    def solve_stmt(self, meta, children):
        kind = next((c for c in children if isinstance(c, Token) and c.type == "SOLVE_KIND"), None)
        names = _tokens(children, "NAME")
        return A.Solve(
            block=self._ident(names[0]),
            method=self._ident(names[1]) if len(names) > 1 else None,
            steadystate=kind is not None and kind.value == "STEADYSTATE",
            iferror=_pick(children, A.Block),
            loc=self._loc(meta),
        )

    def if_stmt(self, meta, children):
        orelse = children[4] if len(children) > 4 else None
        return A.If(children[1], children[2], orelse, self._loc(meta))

    def while_stmt(self, meta, children):
        return A.While(children[1], children[2], self._loc(meta))

    def from_stmt(self, meta, children):
        var, start, stop = children[0], children[1], children[2]
        step = children[3] if len(children) == 5 else None
        return A.FromLoop(self._ident(var), start, stop, step, children[-1], self._loc(meta))

    def call_stmt(self, meta, children):
        return A.CallStmt(children[0], self._loc(meta))

    def table_stmt(self, meta, children):
        tagged = {c.tag: c.items for c in children if isinstance(c, _Tagged)}
        low, high, count = children[-3:]
        return A.Table(tagged.get("names", ()), tagged.get("depend", ()), low, high, count, self._loc(meta))

    def table_names(self, meta, children):
        return _Tagged("names", self._idents(children))

    def table_depend(self, meta, children):
        return _Tagged("depend", self._idents(children))

    def conserve_stmt(self, meta, children):
        terms, rhs = children
        return A.Conserve(self._sum(terms, coefficients=True), rhs, self._loc(meta))

    def _compartment(self, kind, meta, children):
        exprs = [c for c in children if not isinstance(c, Token)]
        index = None
        if len(exprs) == 2:
            first = exprs[0]
            if not (isinstance(first, A.Name) and first.index is None):
                raise ModlcError.at(first.loc, f"{kind} index must be a plain name")
            index = A.Ident(first.name, first.loc)
        return A.Compartment(kind, index, exprs[-1], self._idents(children), self._loc(meta))

    def compartment_stmt(self, meta, children):
        return self._compartment("COMPARTMENT", meta, children)

    def longitudinal_stmt(self, meta, children):
        return self._compartment("LONGITUDINAL_DIFFUSION", meta, children)

    def tilde_sum(self, meta, children):
        """[(sign, coefficient, expr, loc), ...] for the left side of a `~` statement."""
        terms, sign = [], "+"
        for child in children:
            if isinstance(child, Token):
                sign = child.value
            else:
                terms.append((sign, *child))
        return terms

    def tilde_term(self, meta, children):
        stoich = int(children[0].value) if len(children) == 2 else None
        return (stoich, children[-1], self._loc(meta))

    def _reactants(self, terms) -> tuple[A.ReactTerm, ...]:
        result = []
        for sign, stoich, expr, loc in terms:
            if sign != "+" or not isinstance(expr, A.Name):
                raise ModlcError.at(
                    expr.loc, "a reaction side must be a sum of states, each with an optional integer coefficient"
                )
            result.append(A.ReactTerm(stoich or 1, expr, loc))
        return tuple(result)

    def reaction(self, meta, children):
        lhs, _arrow, rhs, kf, kb = children
        return A.Reaction(self._reactants(lhs), rhs, kf, kb, self._loc(meta))

    def one_way_reaction(self, meta, children):
        lhs, _arrow, rate = children
        return A.Reaction(self._reactants(lhs), (), rate, None, self._loc(meta))

    def flux_reaction(self, meta, children):
        lhs, _flux, rate = children
        terms = self._reactants(lhs)
        if len(terms) != 1 or terms[0].stoich != 1:
            raise ModlcError.at(terms[0].loc, "a flux `~ x << (f)` takes exactly one state on its left")
        return A.Flux(terms[0], rate, self._loc(meta))

    def tilde_equation(self, meta, children):
        terms, rhs = children
        return A.TildeEquation(self._sum(terms, coefficients=False), rhs, self._loc(meta))

    def _sum(self, terms, coefficients: bool) -> A.Expr:
        """A `~` left side (or CONSERVE's) as one expression; `2x` is 2*x where coefficients are allowed."""
        lhs = None
        for sign, stoich, expr, loc in terms:
            if stoich is not None:
                if not coefficients:
                    raise ModlcError.at(expr.loc, "an integer coefficient written before a name belongs in a reaction; write 2*x in an equation")
                expr = A.Binary("*", A.Number(float(stoich), str(stoich), None, loc), expr, loc)
            if lhs is None:
                lhs = expr if sign == "+" else A.Unary("-", expr, loc)
            else:
                lhs = A.Binary(sign, lhs, expr, lhs.loc)
        return lhs

    def react_side(self, meta, children):
        return tuple(children)

    def react_term(self, meta, children):
        stoich = children[0] if children[0].type == "STOICH" else None
        rest = children[1:] if stoich else children
        name = rest[0]
        species = A.Name(name.value, rest[1] if len(rest) > 1 else None, self._tloc(name))
        return A.ReactTerm(int(stoich.value) if stoich else 1, species, self._loc(meta))

    def watch_stmt(self, meta, children):
        return A.Watch(tuple(children), self._loc(meta))

    def watch_item(self, meta, children):
        return (children[0], children[1])

    def for_netcons_stmt(self, meta, children):
        formals = _pick(children, tuple) or ()
        return A.ForNetcons(formals, children[-1], self._loc(meta))

    def conductance_stmt(self, meta, children):
        ion = self._ident(children[1]) if len(children) > 1 else None
        return A.Conductance(self._ident(children[0]), ion, self._loc(meta))

    def protect_stmt(self, meta, children):
        stmt = children[0]
        return A.Assign(stmt.target, stmt.value, self._loc(meta), protected=True)

    def mutex_stmt(self, meta, children):
        return A.Mutex(children[0].value == "MUTEXLOCK", self._loc(meta))

    def lag_stmt(self, meta, children):
        return A.Lag(self._ident(children[0]), self._ident(children[1]), self._loc(meta))

    # ------------------------------------------------------------------ expressions
    def or_op(self, meta, children):
        return A.Binary("||", children[0], children[1], self._loc(meta))

    def and_op(self, meta, children):
        return A.Binary("&&", children[0], children[1], self._loc(meta))

    def binary(self, meta, children):
        return A.Binary(children[1].value, children[0], children[2], self._loc(meta))

    def pow_op(self, meta, children):
        return A.Binary("^", children[0], children[1], self._loc(meta))

    def negate(self, meta, children):
        return A.Unary("-", children[0], self._loc(meta))

    def logical_not(self, meta, children):
        return A.Unary("!", children[0], self._loc(meta))

    def number(self, meta, children):
        tok = children[0]
        return A.Number(float(tok.value), tok.value, _unit(children), self._loc(meta))

    def var_ref(self, meta, children):
        return A.Name(children[0].value, children[1] if len(children) > 1 else None, self._loc(meta))

    def prime_ref(self, meta, children):
        return self._prime(meta, children)

    def _prime(self, meta, children):
        text = children[0].value
        base = text.rstrip("'")
        index = children[1] if len(children) > 1 else None
        return A.Prime(base, len(text) - len(base), index, self._loc(meta))

    def string(self, meta, children):
        return A.String(children[0].value[1:-1], self._loc(meta))

    def call(self, meta, children):
        return A.Call(children[0].value, tuple(children[1:]), self._loc(meta))
