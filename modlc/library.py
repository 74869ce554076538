"""modlc's own mechanism library (`mechanisms/`, installed as the package data `modlc.mechanisms`).

Each file is written for modlc from the published equations; those named as NEURON's built-ins
(hh, pas, ExpSyn, IClamp, NetStim, …) carry NEURON's names, parameters and defaults, so a model
built in NEURON maps onto them by name (`runtime.neuron_reader`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

_DECLARATION = re.compile(r"^\s*(SUFFIX|POINT_PROCESS|ARTIFICIAL_CELL)\s+(\w+)", re.MULTILINE)


def folder() -> Path:
    """The library's folder: mechanisms/ beside the sources in a checkout, else the installed package data."""
    beside = Path(__file__).resolve().parents[1] / "mechanisms"
    if beside.is_dir():
        return beside
    return Path(str(files("modlc.mechanisms")))


def declared_names(path: Path) -> list[str]:
    """The NEURON names a .mod file declares (its SUFFIX, POINT_PROCESS or ARTIFICIAL_CELL)."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return []
    return [m.group(2) for m in _DECLARATION.finditer(re.sub(r"COMMENT.*?ENDCOMMENT", "", text, flags=re.S))]


@lru_cache(maxsize=None)
def declared() -> dict[str, Path]:
    """NEURON name (hh, ExpSyn, SEClamp) -> library file."""
    found: dict[str, Path] = {}
    for path in sorted(folder().glob("*.mod")):
        for name in declared_names(path):
            found.setdefault(name, path)
    return found


@lru_cache(maxsize=None)
def names() -> dict[str, Path]:
    """NEURON name -> library file, plus each file's stem (hh, expsyn, seclamp)."""
    return {**{path.stem: path for path in declared().values()}, **declared()}


def mechanism(name: str) -> Path:
    """The library's .mod file for a name: its NEURON name ("ExpSyn", "hh") or its file stem
    ("expsyn"). Accepted wherever a mechanism path is (Network.insert, place, modlc.load)."""
    path = names().get(name)
    if path is None:
        raise KeyError(f"modlc's library has no mechanism {name!r} (it has: {', '.join(sorted(names()))})")
    return path


def resolve(path_or_name) -> Path:
    """A .mod path as given, or, for a bare name that is no file, the library's mechanism."""
    path = Path(path_or_name)
    if isinstance(path_or_name, str) and not path.is_file() and path.suffix != ".mod" and len(path.parts) == 1:
        return names().get(path_or_name, path)
    return path
