"""The one standard protocol that both NEURON and modlc run a mechanism under, written once as data.

Both sides read the same `Protocol` and the same `Outline` of the file (what kind of mechanism it
is, whether it has NET_RECEIVE, which POINTERs it declares), so they cannot build different models.
"""

from __future__ import annotations

import re
from pathlib import Path
from dataclasses import asdict, dataclass
from typing import Callable, Optional

from ..source import read_source


@dataclass(frozen=True)
class Protocol:
    """A soma with `pas`, the mechanism under test, current steps and a NetStim (NEURON's defaults)."""

    L: float = 20.0  # µm
    diam: float = 20.0  # µm
    cm: float = 1.0  # µF/cm²
    Ra: float = 100.0  # Ω·cm
    v_init: float = -65.0  # mV
    celsius: float = 6.3  # °C, NEURON's default
    dt: float = 0.025  # ms, fixed step, secondorder 0
    tstop: float = 100.0  # ms
    clamps: tuple[tuple[float, float, float], ...] = ((10.0, 30.0, 0.1), (60.0, 20.0, -0.1))  # (del, dur, amp nA)
    stim_start: float = 10.0  # ms: NetStim start, interval, number; noise 0
    stim_interval: float = 15.0
    stim_number: int = 5
    syn_weight: float = 0.005  # weight[0] of the NetCon to a point process (the other slots 0)
    cell_weight: float = 0.5  # weight[0] of the NetCon to an artificial cell
    netcon_delay: float = 1.0  # ms
    threshold: float = 0.0  # mV, the soma's spike detector
    tolerance_mv: float = 0.1  # max |Δv| for agreement

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Protocol":
        return cls(**{**data, "clamps": tuple(tuple(c) for c in data["clamps"])})


_NEURON_BLOCK = re.compile(r"^[ \t]*NEURON[ \t]*\{", re.MULTILINE)
_DECLARATION = re.compile(r"(?<![A-Za-z0-9_])(?P<kw>SUFFIX|POINT_PROCESS|ARTIFICIAL_CELL)[ \t]+"
                          r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)\b")
_POINTERS = re.compile(r"(?<![A-Za-z0-9_])(BBCOREPOINTER|POINTER)[ \t]+([A-Za-z0-9_, \t]+)")
_COMMENT = re.compile(r"^[ \t]*COMMENT\b.*?^[ \t]*ENDCOMMENT\b|:[^\n]*|\?[^\n]*", re.MULTILINE | re.DOTALL)
KINDS = {"SUFFIX": "density", "POINT_PROCESS": "point", "ARTIFICIAL_CELL": "artificial"}


_VERBATIM = re.compile(r"^[ \t]*VERBATIM\b.*?^[ \t]*ENDVERBATIM\b", re.MULTILINE | re.DOTALL)
_DECLARATION_BLOCK = re.compile(r"^[ \t]*(?:NEURON|ASSIGNED|PARAMETER|STATE|CONSTANT)[ \t]*\{[^}]*\}", re.MULTILINE)


def neuron_block_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every NEURON { ... } block body (NMODL allows several; no nested braces)."""
    spans = []
    for m in _NEURON_BLOCK.finditer(text):
        close = text.find("}", m.end())
        if close < 0:
            raise ValueError("unterminated NEURON block")
        spans.append((m.end(), close))
    return spans


def blank_comments(text: str) -> str:
    """`text` with COMMENT blocks and ':' / '?' comments turned into spaces (offsets unchanged)."""
    return _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


def rename_mechanism(text: str, rename: Callable[[str], str],
                     unnamed: Optional[str] = None) -> tuple[str, str, str, str]:
    """`text` with the mechanism its NEURON block declares renamed to `rename(old name)`:
    (new text, keyword, old name, new name).

    Only the one SUFFIX / POINT_PROCESS / ARTIFICIAL_CELL declaration inside a NEURON block (outside
    comments) changes; variables seen from NEURON as `var_suffix` follow the new name by themselves.
    A file that declares none is a density mechanism named after its file (nocmodl's rule): given
    that name as `unnamed`, the renamed text declares `SUFFIX rename(unnamed)`.
    """
    code = blank_comments(text)
    spans = neuron_block_spans(code)
    hits = [m for m in _DECLARATION.finditer(code) if any(a <= m.start() < b for a, b in spans)]
    if not hits and unnamed is not None:
        new = rename(unnamed)
        if spans:
            return text[:spans[0][0]] + f" SUFFIX {new} " + text[spans[0][0]:], "SUFFIX", unnamed, new
        return f"NEURON {{ SUFFIX {new} }}\n" + text, "SUFFIX", unnamed, new
    if len(hits) != 1:
        raise ValueError(f"expected exactly one mechanism declaration in the NEURON block, found {len(hits)}")
    m = hits[0]
    old = m.group("name")
    new = rename(old)
    return text[:m.start("name")] + new + text[m.end("name"):], m.group("kw"), old, new


@dataclass(frozen=True)
class Outline:
    """What the protocol needs to know about a file, read from its text the same way for both sides."""

    name: str
    kind: str  # "density", "point" or "artificial"
    net_receive: bool
    pointers: tuple[str, ...] = ()
    unrunnable: Optional[str] = None  # why the protocol cannot run this file, e.g. "POINTER"

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Outline":
        return cls(**{**data, "pointers": tuple(data["pointers"])})


def outline(path: str) -> Outline:
    """Read a .mod file's outline; ValueError when its NEURON block does not name one mechanism."""
    text = blank_comments(read_source(path).text)
    _, keyword, name, _ = rename_mechanism(text, str, Path(path).stem)
    kind = KINDS[keyword]
    inside = "".join(text[a:b] for a, b in neuron_block_spans(text))
    pointers, bbcore = [], False
    for m in _POINTERS.finditer(inside):
        bbcore |= m.group(1) == "BBCOREPOINTER"
        pointers += [p for p in re.split(r"[\s,]+", m.group(2)) if p]
    # A POINTER only VERBATIM C touches is a handle (a hoc Random object, say): linking it to a
    # voltage would hand that C a double. Neither side links it; modlc leaves it null.
    nmodl = _VERBATIM.sub(" ", _DECLARATION_BLOCK.sub(" ", text))
    pointers = [p for p in pointers if re.search(rf"\b{re.escape(p)}\b", nmodl)]
    unrunnable = None
    if bbcore:
        unrunnable = "BBCOREPOINTER"
    elif pointers and kind == "density":  # modlc.runtime links POINTERs of point processes only
        unrunnable = "POINTER"
    has_net_receive = re.search(r"^[ \t]*NET_RECEIVE\b", text, re.MULTILINE) is not None
    return Outline(name, kind, has_net_receive, tuple(pointers), unrunnable)
