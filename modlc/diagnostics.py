"""Diagnostics: located errors and warnings, formatted as `file:line:col: error: message`.

Every user-facing problem in modlc is a `Diagnostic`; stages raise `ModlcError` (one or more
diagnostics) and the CLI prints them with the source line and a caret. Nothing else may escape
to the user as a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

from .ast_nodes import Loc


@dataclass(frozen=True)
class Diagnostic:
    severity: str  # "error" | "warning" | "note"
    message: str
    loc: Optional[Loc]

    def format(self, source_lines: Optional[list[str]] = None) -> str:
        """The one-line form plus, when the source is known, the line and a caret under the column."""
        where = f"{self.loc}: " if self.loc else ""
        text = f"{where}{self.severity}: {self.message}"
        if self.loc and source_lines is not None and 1 <= self.loc.line <= len(source_lines):
            line = source_lines[self.loc.line - 1]
            # Keep tabs in the caret's indentation so it lines up under the column in any terminal.
            prefix = "".join(c if c == "\t" else " " for c in line[: max(self.loc.col - 1, 0)])
            text += f"\n{line}\n{prefix}^"
        return text


class ModlcError(Exception):
    """One or more error diagnostics; raised by any stage, caught by the CLI."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))

    @classmethod
    def at(cls, loc: Optional[Loc], message: str) -> "ModlcError":
        return cls([Diagnostic("error", message, loc)])
