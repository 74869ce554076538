"""VERBATIM C inside a block, read as NMODL: the idioms real files use, and nothing else.

A block's statements may interleave C (VERBATIM) and NMODL, with C braces spanning both
(`VERBATIM if (_p_rng) { ... } else { ENDVERBATIM value = scop_random() VERBATIM } ENDVERBATIM`).
`translate` turns such a sequence into NMODL statements: it tokenises the C, splices each NMODL
statement in as one token, and reads a strict subset of C — assignments (also `+=`, `++`),
`if`/`else`, `switch` whose cases end in `break`, an assignment in an `if`'s condition
(`if ((x = f()) < y)`), braces, declarations of `double` locals, calls, `return` in tail position,
`#include` of standard headers and `#define NAME value` — into modlc's AST, so the lowerer gives it
NMODL's meaning. nocmodl's spellings are undone: `_lx` is the LOCAL, argument or FUNCTION result
`x`, `_ion_x` the ion variable `x` as the kernel received it, `_p_x` a POINTER's handle.

Random streams: modlc attaches no hoc Random object to a mechanism, so a handle `_p_x` tested as a
condition is null and the file's own fallback runs (NEURON's behaviour without a Random object);
a draw through it (`nrn_random_pick`, `nrnran123_dblpick/uniform/normal/negexp`) reads the
instance's own modlc stream. Calls that only set a stream up (`nrnran123_setseq`, `set_seed`…)
do nothing. `cvode_active_` is 0: modlc steps with a fixed dt.

Anything outside this subset is a located `unsupported:` error that quotes the C text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Sequence

from . import ast_nodes as A
from .diagnostics import ModlcError

STANDARD_HEADERS = frozenset({"stdio.h", "stdlib.h", "math.h", "string.h", "assert.h", "limits.h",
                              "float.h", "time.h", "stdint.h", "errno.h", "cmath", "cstdio", "cstdlib"})
C_TYPES = frozenset({"double", "int", "float", "long", "short", "unsigned", "signed", "const", "register", "void",
                     "char", "Rand", "nrnran123_State"})
# Types a value may be declared or cast to without changing it (modlc computes in doubles).
DOUBLE_TYPES = frozenset({"double", "const", "register"})
# Calls that print or only configure a random stream: no effect on a kernel's values.
NO_EFFECT_CALLS = frozenset({"printf", "fprintf", "fflush", "nrnran123_setseq", "nrnran123_setids"})
# Draws through a random handle (the first argument) → the distribution they draw from.
RANDOM_PICKS = {"nrn_random_pick": "uniform", "nrnran123_dblpick": "uniform", "nrnran123_uniform": "uniform",
                "nrnran123_normal": "normal", "nrnran123_negexp": "negexp"}
_TOKEN = re.compile(r"""
    (?P<space>\s+|/\*.*?\*/|//[^\n]*)
  | (?P<pre>\#[^\n]*(?:\\\n[^\n]*)*)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?[fFlL]?)
  | (?P<name>[A-Za-z_]\w*)
  | (?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*')
  | (?P<op>\+\+|--|->|\+=|-=|\*=|/=|==|!=|<=|>=|&&|\|\||[-+*/%<>=!?:;,(){}\[\].&])
""", re.X | re.S)


@dataclass(frozen=True)
class _Tok:
    kind: str  # name number string op pre nmodl end
    text: str
    loc: A.Loc
    node: object = None  # the NMODL statement of an `nmodl` token


class _Return:
    """A C `return`, kept until its position is known (only a tail return has NMODL meaning)."""

    def __init__(self, value: Optional[A.Expr], loc: A.Loc):
        self.value, self.loc = value, loc


def unreadable(loc: A.Loc, text: str, why: str = "") -> ModlcError:
    snippet = " ".join(text.split())
    snippet = snippet if len(snippet) <= 80 else snippet[:77] + "..."
    return ModlcError.at(loc, f"unsupported: VERBATIM C code modlc cannot read{why}: `{snippet}`")


def has_verbatim(statements: Sequence) -> bool:
    return any(isinstance(s, A.Verbatim) for s in statements)


def tokenize(statements: Sequence, defines: dict[str, list[_Tok]]) -> list[_Tok]:
    """C tokens of the VERBATIM pieces, each NMODL statement as one token; `#define`s recorded."""
    out: list[_Tok] = []
    active: list[bool] = []  # one entry per open #if: whether its current branch is compiled
    for stmt in statements:
        if not isinstance(stmt, A.Verbatim):
            if all(active):
                out.append(_Tok("nmodl", "", stmt.loc, stmt))
            continue
        out.extend(_tokens(stmt.text, stmt.loc, defines, active))
    if active:
        raise unreadable(statements[-1].loc, "#if", " (an #if without its #endif)")
    return out


def _tokens(text: str, base: A.Loc, defines: dict[str, list[_Tok]], active: Optional[list] = None) -> list[_Tok]:
    """C tokens of `text`; with `active` (the open #if branches), conditional directives are
    evaluated and what they exclude is skipped."""
    out: list[_Tok] = []
    pos, line, col = 0, base.line, base.col + len("VERBATIM")
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        loc = A.Loc(base.file, line, col)
        if m is None:
            raise unreadable(loc, text[pos:pos + 40])
        kind, piece = m.lastgroup, m.group()
        if kind == "pre" and active is not None and _conditional(piece, loc, active):
            pass
        elif active is not None and not all(active):
            pass
        elif kind == "pre":
            _directive(piece, loc, defines)
        elif kind != "space":
            if kind == "name" and piece in defines:
                out.extend(_Tok(t.kind, t.text, loc) for t in defines[piece])
            else:
                out.append(_Tok(kind, piece, loc))
        newlines = piece.count("\n")
        line, col = (line + newlines, len(piece) - piece.rfind("\n")) if newlines else (line, col + len(piece))
        pos = m.end()
    return out


# Macros NEURON's C++ build of a mechanism defines (not CoreNEURON's): 1/0 for #if, None if undefined.
BUILD_MACROS = {"NRNBBCORE": 0, "CORENEURON_BUILD": None, "NRN_VECTORIZED": 1}


def _conditional(text: str, loc: A.Loc, active: list) -> bool:
    """Apply an #if/#ifdef/#ifndef/#elif/#else/#endif to the stack of open branches; False if the
    directive is not a conditional one. Conditions may name only the build macros above."""
    body = " ".join(text.replace("\\\n", " ").split())
    m = re.fullmatch(r"#\s*(ifdef|ifndef|if|elif|else|endif)\b\s*(.*)", body)
    if m is None:
        return False
    word, condition = m.groups()
    if word in ("elif", "else", "endif") and not active:
        raise unreadable(loc, body, " (#else or #endif without #if)")
    if word == "endif":
        active.pop()
        return True
    if word == "else":
        active[-1] = not active[-1]
        return True
    if word == "elif":
        raise unreadable(loc, body, " (#elif)")
    active.append(_condition(word, condition.strip(), loc, body))
    return True


def _condition(word: str, condition: str, loc: A.Loc, body: str) -> bool:
    defined = re.fullmatch(r"(!?)\s*defined\s*\(?\s*([A-Za-z_]\w*)\s*\)?", condition)
    if word in ("ifdef", "ifndef") and condition in BUILD_MACROS:
        return (BUILD_MACROS[condition] is not None) == (word == "ifdef")
    if word == "if" and defined and defined.group(2) in BUILD_MACROS:
        return (BUILD_MACROS[defined.group(2)] is not None) != bool(defined.group(1))
    if word == "if" and condition in ("0", "1"):
        return condition == "1"
    if word == "if" and condition in BUILD_MACROS:
        return bool(BUILD_MACROS[condition])
    raise unreadable(loc, body, " (a preprocessor condition modlc cannot evaluate)")


def _directive(text: str, loc: A.Loc, defines: dict[str, list[_Tok]]) -> None:
    body = " ".join(text.replace("\\\n", " ").split())
    m = re.fullmatch(r"#\s*include\s*[<\"]([\w./]+)[>\"]", body)
    if m and m.group(1) in STANDARD_HEADERS:
        return
    m = re.fullmatch(r"#\s*define\s+([A-Za-z_]\w*)(?:\s+(.*))?", body)
    if m and not body[m.end(1):].startswith("("):  # object-like macros only
        defines[m.group(1)] = _tokens(m.group(2) or "", A.Loc(loc.file, loc.line, loc.col - len("VERBATIM")), {})
        return
    raise unreadable(loc, body, " (a preprocessor directive)")


def file_defines(mod: A.ModFile) -> dict[str, list[_Tok]]:
    """`#define`s of the file's top-level VERBATIM blocks that the block's C may use. A name defined
    twice (in the branches of an `#if`) is dropped, as modlc does not evaluate the condition."""
    found: dict[str, list[list[_Tok]]] = {}
    for item in mod.walk_items():
        if isinstance(item, A.Verbatim):
            for m in re.finditer(r"^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(\(?)[ \t]*([^\n]*)$", item.text, re.M):
                if m.group(2) or m.group(0).rstrip().endswith("\\"):
                    continue  # function-like and multi-line macros are not read
                try:
                    found.setdefault(m.group(1), []).append(_tokens(m.group(3), item.loc, {}))
                except ModlcError:
                    continue
    kept = {}
    for name, versions in found.items():
        texts = {tuple(t.text for t in v) for v in versions}
        if len(texts) == 1:
            kept[name] = versions[0]
        elif all(_is_cast(t) for t in texts):  # `#define RANDCAST` / `#define RANDCAST (Rand*)`
            kept[name] = []
    return kept


def _is_cast(texts: tuple) -> bool:
    """Empty, or a pointer cast such as `(Rand*)`: either way no effect on a value."""
    return not texts or (texts[0] == "(" and texts[-1] == ")" and "*" in texts and len(texts) <= 5)


class _Reader:
    """Recursive descent over the tokens; produces modlc AST nodes located at their C tokens."""

    def __init__(self, tokens: list[_Tok], end: A.Loc, source: str, handles: frozenset):
        self.tokens = tokens + [_Tok("end", "", end)]
        self.i = 0
        self.source = source
        self.handles = handles
        self.hoisted: list[A.Assign] = []  # assignments inside an `if`'s condition, run before it

    # ----- helpers
    @property
    def tok(self) -> _Tok:
        return self.tokens[self.i]

    def at(self, text: str) -> bool:
        return self.tok.kind in ("op", "name") and self.tok.text == text

    def take(self) -> _Tok:
        tok = self.tok
        self.i += 1
        return tok

    def expect(self, text: str) -> _Tok:
        if not self.at(text):
            raise self.error(f" (expected '{text}')")
        return self.take()

    def error(self, why: str = "") -> ModlcError:
        tok = self.tok
        if tok.kind == "end":
            return unreadable(tok.loc, self.source, why or " (unexpected end)")
        rest = " ".join(t.text for t in self.tokens[self.i:self.i + 12] if t.kind not in ("nmodl", "end"))
        return unreadable(tok.loc, rest, why)

    # ----- statements
    def statements(self, closing: Optional[str] = None) -> list:
        out = []
        while not (self.tok.kind == "end" or (closing and self.at(closing))):
            out.extend(self.statement())
        return out

    def statement(self) -> list:
        statements = self.one_statement()
        if self.hoisted:  # only an `if` takes assignments out of its condition
            raise unreadable(self.hoisted[0].loc, self.source, " (an assignment inside an expression)")
        return statements

    def one_statement(self) -> list:
        tok = self.tok
        if tok.kind == "nmodl":
            self.take()
            return [tok.node]
        if self.at(";"):
            self.take()
            return []
        if self.at("{"):
            self.take()
            body = self.statements("}")
            self.expect("}")
            return [A.Block(tuple(body), tok.loc)]
        if self.at("if"):
            return self.if_statement()
        if self.at("switch"):
            return [self.switch_statement()]
        if self.at("return"):
            self.take()
            value = None if self.at(";") else self.expression()
            self.expect(";")
            return [_Return(value, tok.loc)]
        if tok.kind == "name" and tok.text in C_TYPES:
            return self.declaration()
        return self.expression_statement()

    def block_of(self, stmts: list, loc) -> A.Block:
        if len(stmts) == 1 and isinstance(stmts[0], A.Block):
            return stmts[0]
        return A.Block(tuple(stmts), loc)

    def take_hoisted(self, condition: A.Expr, loc: A.Loc) -> list:
        """The assignments made in an `if`'s condition, to run just before it: exact when C
        evaluates them unconditionally, i.e. outside the right side of `&&`, `||` or `?:`."""
        hoisted, self.hoisted = self.hoisted, []
        if hoisted and any(isinstance(n, A.Binary) and n.op in ("&&", "||") or
                           isinstance(n, A.Call) and n.name == "__select__" for n in A.walk(condition)):
            raise unreadable(loc, self.source, " (an assignment inside a condition with && || or ?:)")
        return hoisted

    def switch_statement(self):
        """`switch (x) { case 0: ... break; ... default: ... }` as an if/else chain; every case's
        statements end in `break` (or the switch), so no case falls through into the next."""
        loc = self.take().loc
        self.expect("(")
        subject = self.expression()
        self.expect(")")
        if self.hoisted:
            raise self.error(" (an assignment inside a switch's subject)")
        self.expect("{")
        cases: list[tuple[list, list]] = []  # (labels, statements); a label None is `default`
        while not self.at("}"):
            labels = []
            while self.at("case") or self.at("default"):
                if self.take().text == "case":
                    labels.append(self.expression())
                else:
                    labels.append(None)
                self.expect(":")
            if not labels:
                raise self.error(" (a statement before the first case)")
            body = []
            while not (self.at("}") or self.at("case") or self.at("default") or self.at("break")):
                body.extend(self.statement())
            if self.at("break"):
                self.take()
                self.expect(";")
            elif not self.at("}") and body:
                raise self.error(" (a switch case that falls through into the next)")
            cases.append((labels, body))
        self.take()
        chain = None
        default = next((A.Block(tuple(b), loc) for labels, b in cases if None in labels), None)
        for labels, body in reversed([c for c in cases if None not in c[0]]):
            tests = [A.Binary("==", subject, label, loc) for label in labels]
            condition = tests[0]
            for test in tests[1:]:
                condition = A.Binary("||", condition, test, loc)
            chain = A.If(condition, A.Block(tuple(body), loc), chain if chain is not None else default, loc)
        return chain if chain is not None else (default or A.Block((), loc))

    def if_statement(self) -> list:
        """The `if`, preceded by any assignments its condition makes."""
        loc = self.take().loc
        self.expect("(")
        condition = self.expression()
        self.expect(")")
        hoisted = self.take_hoisted(condition, loc)
        then = self.block_of(self.statement(), loc)
        orelse = None
        if self.at("else"):
            else_loc = self.take().loc
            stmts = self.statement()
            orelse = stmts[0] if len(stmts) == 1 and isinstance(stmts[0], A.If) else self.block_of(stmts, else_loc)
        return [*hoisted, A.If(condition, then, orelse, loc)]

    def declaration(self) -> list:
        while self.tok.kind == "name" and self.tok.text in C_TYPES:
            if self.tok.text not in DOUBLE_TYPES:
                raise self.error(" (only double locals: modlc computes in doubles)")
            self.take()
        names, assigns = [], []
        while True:
            tok = self.take()
            if tok.kind != "name":
                self.i -= 1
                raise self.error(" (a declaration modlc cannot read)")
            names.append(A.LocalName(tok.text, None, tok.loc))
            if self.at("="):
                self.take()
                assigns.append(A.Assign(A.Name(tok.text, None, tok.loc), self.expression(), tok.loc))
            if not self.at(","):
                break
            self.take()
        self.expect(";")
        return [A.Local(tuple(names), names[0].loc), *assigns]

    def expression_statement(self) -> list:
        loc = self.tok.loc
        if self.at("++") or self.at("--"):
            op = self.take().text
            target = self.lvalue()
            self.expect(";")
            return [A.Assign(target, A.Binary(op[0], target, A.Number(1, "1", None, loc), loc), loc)]
        expr = self.expression()
        if self.tok.text in ("=", "+=", "-=", "*=", "/=", "++", "--") and self.tok.kind == "op":
            if not isinstance(expr, A.Name):
                raise unreadable(loc, self.source, " (assignment to something that is not a variable)")
            op = self.take().text
            if op in ("++", "--"):
                value = A.Binary(op[0], expr, A.Number(1, "1", None, loc), loc)
            else:
                value = self.expression()
                if op != "=":
                    value = A.Binary(op[0], expr, value, loc)
            self.expect(";")
            return [A.Assign(expr, value, loc)]
        self.expect(";")
        if not isinstance(expr, A.Call):
            raise unreadable(loc, self.source, " (an expression statement that is not a call)")
        return [] if expr.name in NO_EFFECT_CALLS else [A.CallStmt(expr, loc)]

    def lvalue(self) -> A.Name:
        expr = self.unary()
        if not isinstance(expr, A.Name):
            raise self.error(" (expected a variable)")
        return expr

    # ----- expressions (C precedence)
    def expression(self) -> A.Expr:
        condition = self.binary(0)
        if self.at("?"):
            loc = self.take().loc
            then = self.expression()
            self.expect(":")
            otherwise = self.expression()
            return A.Call("__select__", (condition, then, otherwise), loc)
        return condition

    _LEVELS = (("||",), ("&&",), ("==", "!="), ("<", ">", "<=", ">="), ("+", "-"), ("*", "/"))

    def binary(self, level: int) -> A.Expr:
        if level == len(self._LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.tok.kind == "op" and self.tok.text in self._LEVELS[level]:
            tok = self.take()
            right = self.binary(level + 1)
            if tok.text == "/" and _integer(left) and _integer(right):
                self.i -= 1
                raise unreadable(tok.loc, f"{left.text} / {right.text}", " (C's integer division)")
            left = A.Binary(tok.text, left, right, tok.loc)
        return left

    def unary(self) -> A.Expr:
        tok = self.tok
        if tok.kind == "op" and tok.text == "*" and self.tokens[self.i + 1].text == "getarg":
            self.take()  # `*getarg(k)`, hoc's k-th argument: a call modlc refuses where it runs
            return self.unary()
        if tok.kind == "op" and tok.text in ("-", "!", "+"):
            self.take()
            operand = self.unary()
            return operand if tok.text == "+" else A.Unary(tok.text, operand, tok.loc)
        if self.at("(") and self.cast_end():
            end = self.cast_end()
            types = {t.text for t in self.tokens[self.i + 1:end]}
            if "*" not in types and not types <= DOUBLE_TYPES:  # (int) truncates: not a double's value
                raise self.error(" (a cast that changes the value)")
            self.i = end + 1
            return self.unary()
        return self.primary()

    def cast_end(self) -> int:
        """Where a cast `(type *...)` starting here ends (its `)`), or 0 if this is no cast."""
        j = self.i + 1
        saw_type = False
        while self.tokens[j].kind == "name" and self.tokens[j].text in C_TYPES:
            saw_type, j = True, j + 1
        while self.tokens[j].text == "*":
            j += 1
        return j if saw_type and self.tokens[j].text == ")" else 0

    def primary(self) -> A.Expr:
        tok = self.take()
        if tok.kind == "number":
            text = tok.text.rstrip("fFlL")
            return A.Number(float(text), text, None, tok.loc)
        if tok.kind == "op" and tok.text == "(":
            inner = self.expression()
            if self.at("=") and isinstance(inner, A.Name):  # `(x = value)`: x, assigned first
                self.take()
                self.hoisted.append(A.Assign(inner, self.expression(), tok.loc))
            self.expect(")")
            return inner
        if tok.kind == "string":
            return A.String(tok.text[1:-1], tok.loc)
        if tok.kind == "name":
            if self.at("("):
                self.take()
                args = []
                while not self.at(")"):
                    args.append(self.expression())
                    if not self.at(")"):
                        self.expect(",")
                self.take()
                return call(tok.text, tuple(args), tok.loc)
            index = None
            if self.at("["):
                self.take()
                index = self.expression()
                self.expect("]")
            return name(tok.text, index, tok.loc, self.handles)
        self.i -= 1
        raise self.error()


def _integer(expr) -> bool:
    return isinstance(expr, A.Number) and re.fullmatch(r"\d+", expr.text) is not None


def name(text: str, index, loc, handles: frozenset) -> A.Expr:
    """A C identifier as NMODL: nocmodl's `_l` prefix removed; `cvode_active_` is 0 (fixed step);
    `_p_x` of a random handle (a POINTER no NMODL code reads) is null: modlc attaches no hoc object."""
    if text == "cvode_active_" or (text.startswith("_p_") and text[3:] in handles):
        return A.Number(0.0, "0", None, loc)
    if text.startswith("_l") and len(text) > 2:
        text = text[2:]
    return A.Name(text, index, loc)


def call(text: str, args: tuple, loc) -> A.Expr:
    """A C call as NMODL: draws through a random handle read the instance's modlc stream; hoc's
    `ifarg(k)` is false, as no hoc arguments reach a block modlc runs (a CONSTRUCTOR included:
    point processes are created from Python with their location only)."""
    if text == "ifarg":
        return A.Number(0.0, "0", None, loc)
    if text in RANDOM_PICKS:
        draw, own = RANDOM_PICKS[text], args[1:]
        zero, one = A.Number(0.0, "0", None, loc), A.Number(1.0, "1", None, loc)
        if draw == "uniform" and (not own or text != "nrnran123_uniform"):
            return A.Call("scop_random", (), loc)
        if draw == "uniform" and len(own) == 2:  # a + (b - a)·U
            low, high = own
            return A.Binary("+", low, A.Binary("*", A.Binary("-", high, low, loc), A.Call("scop_random", (), loc), loc), loc)
        if draw == "normal" and len(own) in (0, 2):
            return A.Call("normrand", own or (zero, one), loc)
        if draw == "negexp" and len(own) in (0, 1):
            return A.Call("exprand", own or (one,), loc)
        raise unreadable(loc, f"{text}(...) with {len(args)} arguments")
    return A.Call(text[2:] if text.startswith("_l") and len(text) > 2 else text, args, loc)


def contains_verbatim(statements: Sequence) -> bool:
    return any(isinstance(n, A.Verbatim) for stmt in statements for n in A.walk(stmt))


def translate(statements: Sequence, mod_defines: dict[str, list[_Tok]], handles: frozenset,
              function: Optional[str], tail: bool) -> tuple:
    """NMODL statements for a statement list holding VERBATIM pieces, at any depth. `tail` says
    the list is a whole block's body, where a C `return` ends the block: a FUNCTION's
    `return x` sets its result, and a `return` inside an `if` makes the rest of the body that
    `if`'s other branch (an early exit, as `if (weight <= 0) { return; }` guards a NET_RECEIVE).
    A `return` anywhere else (a loop, a block that is not a body) is an error."""
    return tuple(_exits(_read(statements, mod_defines, handles), function, tail))


def handles(mod: A.ModFile, pointers: set[str]) -> frozenset:
    """The POINTER/BBCOREPOINTER variables no NMODL code reads: handles for C code only."""
    read = {n.name for item in mod.walk_items() if isinstance(item, (A.Callable, A.CodeBlock))
            for n in A.walk(item) if isinstance(n, A.Name)}
    return frozenset(pointers - read)


def _read(statements: Sequence, defines: dict[str, list[_Tok]], handles: frozenset) -> list:
    """Every VERBATIM piece in the tree read as C; `return`s left as `_Return` markers."""
    if has_verbatim(statements):
        pieces = [s for s in statements if isinstance(s, A.Verbatim)]
        source = " ".join(s.text for s in pieces)
        statements = _Reader(tokenize(statements, dict(defines)), pieces[-1].loc, source, handles).statements()
    return [_read_nested(stmt, defines, handles) for stmt in statements]


def _read_nested(stmt, defines, handles):
    if isinstance(stmt, A.Block):
        return A.Block(tuple(_read(stmt.statements, defines, handles)), stmt.loc)
    if isinstance(stmt, A.If):
        orelse = stmt.orelse if stmt.orelse is None else _read_nested(stmt.orelse, defines, handles)
        return A.If(stmt.condition, _read_nested(stmt.then, defines, handles), orelse, stmt.loc)
    if isinstance(stmt, (A.FromLoop, A.While)) and contains_verbatim((stmt.body,)):
        return _replace_body(stmt, _read_nested(stmt.body, defines, handles))
    return stmt


def _replace_body(stmt, body):
    fields = {name: getattr(stmt, name) for name in stmt.__dataclass_fields__}
    fields["body"] = body
    return type(stmt)(**fields)


def _returns(stmt) -> bool:
    return next(_walk_returns(stmt), None) is not None


def _branch(stmt) -> list:
    if stmt is None:
        return []
    return [stmt] if isinstance(stmt, A.If) else list(stmt.statements)


def _exits(stmts: list, function: Optional[str], tail: bool) -> list:
    out = []
    for k, stmt in enumerate(stmts):
        if _returns(stmt) and (not tail or isinstance(stmt, (A.FromLoop, A.While))):
            ret = next(_walk_returns(stmt))
            raise ModlcError.at(ret.loc, "unsupported: VERBATIM `return` inside a loop or a block that is not a "
                                         "FUNCTION's, PROCEDURE's or kernel's body (modlc has no early exit there)")
        if isinstance(stmt, _Return):
            if function is not None and stmt.value is not None:
                out.append(A.Assign(A.Name(function, None, stmt.loc), stmt.value, stmt.loc))
            return out  # what follows a return never runs
        rest = list(stmts[k + 1:])
        if isinstance(stmt, A.Block) and _returns(stmt):
            return out + _exits(list(stmt.statements) + rest, function, tail)
        if isinstance(stmt, A.If) and _returns(stmt):
            then = A.Block(tuple(_exits(_branch(stmt.then) + rest, function, tail)), stmt.then.loc)
            orelse = A.Block(tuple(_exits(_branch(stmt.orelse) + rest, function, tail)), stmt.loc)
            return out + [A.If(stmt.condition, then, orelse, stmt.loc)]
        out.append(stmt)
    return out


def _walk_returns(stmt):
    if isinstance(stmt, _Return):
        yield stmt
    elif isinstance(stmt, A.Block):
        for s in stmt.statements:
            yield from _walk_returns(s)
    elif isinstance(stmt, A.If):
        yield from _walk_returns(stmt.then)
        if stmt.orelse is not None:
            yield from _walk_returns(stmt.orelse)
    elif isinstance(stmt, (A.FromLoop, A.While)):
        yield from _walk_returns(stmt.body)
