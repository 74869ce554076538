"""Stage 1: parse NMODL text into the typed AST, resolving INCLUDE files.

Lark's exceptions never reach the user: every syntax problem becomes a located `ModlcError`
whose message names what was found and what the grammar expected there.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

import lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken, VisitError

from . import ast_nodes as A
from .ast_builder import AstBuilder
from .diagnostics import ModlcError
from .source import SourceText, read_source

# Blocks of Arbor's NMODL dialect: not NEURON's language, so rejected with a message saying so.
ARBOR_DIALECT = frozenset(
    {"WHITE_NOISE", "VOLTAGE_PROCESS", "JUNCTION_PROCESS", "POST_EVENT", "CONCENTRATION_MODEL"}
)

# Friendly names for the grammar's terminals in "expected ..." messages.
_TERMINAL_NAMES = {
    "NAME": "a name", "NUMBER": "a number", "INT": "an integer", "UNIT": "units such as (mV)",
    "STRING": "a string", "PRIME": "a derivative such as x'", "STOICH": "a stoichiometric coefficient",
    "SIGN": "a sign", "CMP_OP": "a comparison", "ADD_OP": "'+' or '-'", "MUL_OP": "'*' or '/'",
    "IF": "if", "ELSE": "else", "WHILE": "while", "TITLE": "TITLE", "VERBATIM": "VERBATIM",
    "ONTOLOGY_ID": "an ontology id such as NCIT:C17145", "SUFFIX_KIND": "SUFFIX/POINT_PROCESS",
    "NAMES_KIND": "RANGE/GLOBAL/…", "SOLVE_KIND": "METHOD or STEADYSTATE", "REACT": "'<->'",
    "FLUX": "'<<'", "ARROW": "'->'", "BEFORE_AFTER": "BEFORE/AFTER",
    "BA_WHEN": "BREAKPOINT, SOLVE, INITIAL or STEP", "MUTEX": "MUTEXLOCK/MUTEXUNLOCK",
    "UNITSON": "UNITSON", "UNITSOFF": "UNITSOFF", "$END": "end of file",
}
_TOP_LEVEL_HINT = "a top-level block (NEURON, PARAMETER, STATE, ASSIGNED, BREAKPOINT, …)"


@lru_cache(maxsize=1)
def _lark() -> lark.Lark:
    """The parser. Building the LALR tables takes half a second, so Lark keeps them in modlc's
    cache folder, keyed by a hash of the grammar and options that it verifies on loading (an
    unwritable cache only costs the rebuild)."""
    from .loader import cache_root

    grammar = files("modlc").joinpath("nmodl.lark").read_text(encoding="utf-8")
    digest = hashlib.sha256(grammar.encode("utf-8") + lark.__version__.encode()).hexdigest()[:16]
    cache = cache_root() / f"parser-{digest}.lark"
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass
    return lark.Lark(grammar, parser="lalr", lexer="contextual", propagate_positions=True, cache=str(cache))


def parse_text(text: str, path: str = "<string>") -> A.ModFile:
    """Parse one file's text (INCLUDE statements are left unresolved)."""
    try:
        tree = _lark().parse(text)
        return AstBuilder(path).transform(tree)
    except VisitError as e:
        if isinstance(e.orig_exc, ModlcError):
            raise e.orig_exc from None
        raise
    except (UnexpectedCharacters, UnexpectedToken, UnexpectedEOF) as e:
        raise _syntax_error(e, text, path) from None


def parse_source(source: SourceText) -> A.ModFile:
    return parse_text(source.text, source.path)


def parse_file(path: str | Path, include_path: tuple[str, ...] = ()) -> A.ModFile:
    """Parse a file and every file it INCLUDEs (relative to the including file, then
    `include_path`, then $MODL_INCLUDE as NEURON does)."""
    return _parse_with_includes(str(path), include_path, ())


def _parse_with_includes(path: str, include_path: tuple[str, ...], stack: tuple[str, ...]) -> A.ModFile:
    try:
        source = read_source(path)
    except OSError as e:
        raise ModlcError.at(None, f"{path}: cannot read: {e.strerror or e}") from None
    mod = parse_source(source)
    items = []
    for item in mod.items:
        if isinstance(item, A.Include):
            item = _resolve_include(item, path, include_path, stack + (os.path.realpath(path),))
        items.append(item)
    return replace(mod, items=tuple(items))


def _resolve_include(inc: A.Include, path: str, include_path: tuple[str, ...], stack) -> A.Include:
    env = tuple(p for p in os.environ.get("MODL_INCLUDE", "").split(os.pathsep) if p)
    for folder in (str(Path(path).parent), *include_path, *env):
        candidate = Path(folder) / inc.path
        if candidate.is_file():
            if os.path.realpath(candidate) in stack:
                raise ModlcError.at(inc.loc, f"INCLUDE \"{inc.path}\" includes itself (a cycle)")
            sub = _parse_with_includes(str(candidate), include_path, stack)
            return replace(inc, resolved=str(candidate), items=sub.items)
    raise ModlcError.at(inc.loc, f"INCLUDE \"{inc.path}\": file not found (searched next to {path})")


# ---------------------------------------------------------------------------- error messages


# Terminals that start a statement: collapsed into "a statement" in messages.
_STATEMENT_STARTS = frozenset({
    "COMPARTMENT", "CONDUCTANCE", "CONSERVE", "FOR_NETCONS", "FROM", "IF", "INITIAL", "LAG", "LBRACE",
    "LOCAL", "LONGITUDINAL_DIFFUSION", "MUTEX", "NAME", "PRIME", "PROTECT", "SOLVE", "TABLE", "TILDE",
    "UNITSOFF", "UNITSON", "VERBATIM", "WATCH", "WHILE",
})


def _expected_terminals(e) -> set[str]:
    """The terminals the parser would really accept here (LALR's own lists are too generous)."""
    try:
        return set(e.interactive_parser.accepts())
    except Exception:  # noqa: BLE001 - fall back to Lark's approximate set
        return set(getattr(e, "expected", None) or getattr(e, "allowed", None) or ())


def _describe_expected(expected) -> str:
    expected = set(expected)
    prefix = []
    if _STATEMENT_STARTS <= expected:
        expected -= _STATEMENT_STARTS
        prefix = ["a statement"]
    names = prefix + sorted({_terminal_text(t) for t in expected})
    if any(t in {"NEURON", "PARAMETER", "BREAKPOINT"} for t in expected) and len(names) > 8:
        return _TOP_LEVEL_HINT
    if len(names) > 12:
        names = names[:12] + ["…"]
    return ", ".join(names)


def _terminal_text(name: str) -> str:
    if name in _TERMINAL_NAMES:
        return _TERMINAL_NAMES[name]
    try:
        pattern = _lark().get_terminal(name).pattern
    except KeyError:
        return name
    if pattern.type != "str":
        return name
    return pattern.value if pattern.value.isidentifier() else f"'{pattern.value}'"  # keywords bare


def _describe_token(tok: lark.Token) -> str:
    if tok.type == "$END":
        return "end of file"
    if tok.type in ("NAME", "PRIME"):
        return f"name '{tok.value}'"
    if tok.type in ("NUMBER", "INT", "STOICH"):
        return f"number {tok.value}"
    if tok.type == "UNIT":
        return f"units {tok.value}"
    return f"'{tok.value}'"


def _syntax_error(e, text: str, path: str) -> ModlcError:
    if isinstance(e, UnexpectedCharacters):
        loc = A.Loc(path, e.line, e.column)
        char = e.char
        expected = _expected_terminals(e)
        if char == '"':
            return ModlcError.at(loc, "string is not closed by '\"' on the same line")
        if char == "(" and "UNIT" in expected:
            return ModlcError.at(loc, "units are not closed by ')' on the same line")
        shown = repr(char) if char.isprintable() else f"U+{ord(char):04X}"
        return ModlcError.at(loc, f"unexpected character {shown}; expected {_describe_expected(expected)}")
    tok = e.token
    expected = _expected_terminals(e)
    if tok.type == "$END":
        line = text.count("\n") + 1
        loc = A.Loc(path, line, len(text) - text.rfind("\n"))
        return ModlcError.at(loc, f"unexpected end of file (a block is not closed?); expected {_describe_expected(expected)}")
    loc = A.Loc(path, tok.line, tok.column)
    for opener, closer in (("VERBATIM", "ENDVERBATIM"), ("COMMENT", "ENDCOMMENT")):
        if tok.value == opener:  # the block's regex found no closer, so the keyword lexed as a name
            return ModlcError.at(loc, f"{opener} block is not closed by {closer}")
    if tok.value == "(" and "UNIT" in expected:
        return ModlcError.at(loc, "units are not closed by ')' on the same line")
    if tok.value in ARBOR_DIALECT:
        return ModlcError.at(loc, f"'{tok.value}' belongs to Arbor's NMODL dialect, which NEURON (and modlc) do not support")
    return ModlcError.at(loc, f"unexpected {_describe_token(tok)}; expected {_describe_expected(expected)}")
