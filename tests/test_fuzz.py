"""Property test: mutated valid files (tokens deleted, duplicated or swapped, random bytes,
truncation) always give either success or a clean located ModlcError -- never a crash."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modlc.diagnostics import ModlcError
from modlc.parser import parse_text
from modlc.semantics import analyse
from modlc.source import decode

MECHANISMS = sorted((Path(__file__).parent.parent / "mechanisms").glob("*.mod"))
SEEDS = [decode(p.read_bytes()) for p in MECHANISMS]
TOKEN = re.compile(r"\w+|[^\w\s]|\s+")


def _assert_located(d, text: str) -> None:
    """A diagnostic points at a real place in the file it reports on."""
    assert d.message, "a diagnostic without a message"
    assert d.loc is not None, f"no location: {d.message}"
    assert d.loc.file == "fuzz.mod" and 1 <= d.loc.line <= text.count("\n") + 1 and d.loc.col >= 1, (d.loc, d.message)


def _front_end(text: str) -> None:
    try:
        table = analyse(parse_text(text, "fuzz.mod"))
    except ModlcError as e:
        assert e.diagnostics, "an error with no diagnostic"
        for d in e.diagnostics:
            _assert_located(d, text)
        return
    for d in table.diagnostics:
        _assert_located(d, text)


@st.composite
def mutated(draw):
    text = draw(st.sampled_from(SEEDS))
    tokens = TOKEN.findall(text)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "bytes", "truncate"]))
        i = draw(st.integers(0, len(tokens) - 1))
        if kind == "delete":
            del tokens[i]
        elif kind == "duplicate":
            tokens.insert(i, tokens[i])
        elif kind == "swap":
            j = draw(st.integers(0, len(tokens) - 1))
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif kind == "bytes":
            raw = draw(st.binary(min_size=1, max_size=8))
            tokens.insert(i, decode(raw))
        else:
            tokens = tokens[:i]
        if not tokens:
            tokens = [""]
    return "".join(tokens)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_files_fail_cleanly(text):
    _front_end(text)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_fail_cleanly(data):
    _front_end(decode(data))


def test_deep_nesting_is_a_located_error_or_success():
    text = "INITIAL { x = " + "(" * 3000 + "1" + ")" * 3000 + " }"
    _front_end(text)
