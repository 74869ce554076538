"""Reading .mod files as text: byte decoding and line-ending normalisation.

Real files are 30 years old: CRLF and CR-only line endings, latin-1 bytes in comments, a UTF-8
BOM, a DOS end-of-file byte. Text is normalised once here so that line numbers everywhere
match what an editor shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path


@dataclass(frozen=True)
class SourceText:
    path: str
    text: str

    @cached_property
    def lines(self) -> list[str]:
        return self.text.split("\n")


def decode(data: bytes) -> str:
    """UTF-8 when valid, else latin-1 (every byte maps to a character; such bytes sit in comments)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_source(path: str | Path) -> SourceText:
    """Read and normalise a file; OSError propagates for the caller to report."""
    return SourceText(str(path), decode(Path(path).read_bytes()))
