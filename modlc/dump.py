"""Readable and JSON renderings of the AST and symbol table, for `modlc show`."""

from __future__ import annotations

import dataclasses
from typing import Any

from . import ast_nodes as A
from .semantics import SymbolTable


def ast_to_json(node: Any) -> Any:
    """Plain JSON data: each node is an object whose "node" key names its class."""
    if isinstance(node, A.Loc):
        return f"{node.line}:{node.col}"
    if dataclasses.is_dataclass(node):
        data = {"node": type(node).__name__}
        for f in dataclasses.fields(node):
            data[f.name] = ast_to_json(getattr(node, f.name))
        return data
    if isinstance(node, tuple):
        return [ast_to_json(v) for v in node]
    return node


def ast_to_text(node: Any) -> str:
    """An indented tree: one line per node with its scalar fields, children indented below."""
    lines: list[str] = []
    _render(node, 0, "", lines)
    return "\n".join(lines)


def _render(node: Any, depth: int, label: str, lines: list[str]) -> None:
    pad = "  " * depth
    if isinstance(node, tuple):
        for item in node:
            _render(item, depth, label, lines)
        return
    if not dataclasses.is_dataclass(node):
        lines.append(f"{pad}{label}{node!r}")
        return
    scalars, children = [], []
    for f in dataclasses.fields(node):
        if f.name == "loc":
            continue
        value = getattr(node, f.name)
        if dataclasses.is_dataclass(value) and not isinstance(value, A.Ident) or (
            isinstance(value, tuple) and value and dataclasses.is_dataclass(value[0]) and not isinstance(value[0], A.Ident)
        ):
            children.append((f.name, value))
        elif value is not None and value is not False and value != ():
            scalars.append(f"{f.name}={_scalar(value)}")
    where = f" @{node.loc.line}:{node.loc.col}" if hasattr(node, "loc") and isinstance(node.loc, A.Loc) else ""
    lines.append(f"{pad}{label}{type(node).__name__}{where} {' '.join(scalars)}".rstrip())
    for name, value in children:
        _render(value, depth + 1, f"{name}: ", lines)


def _scalar(value: Any) -> str:
    if isinstance(value, A.Ident):
        return value.name
    if isinstance(value, tuple):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return repr(value)


def symbols_to_json(table: SymbolTable) -> dict:
    return {
        "mechanism": table.mechanism,
        "kind": table.kind,
        "ions": [
            {"name": i.name, "read": list(i.read), "write": list(i.write), "valence": i.valence}
            for i in table.ions
        ],
        "symbols": [s.describe() for s in table.symbols.values() if s.role != "builtin"],
    }


def symbols_to_text(table: SymbolTable) -> str:
    lines = [f"mechanism {table.mechanism} ({table.kind})"]
    for ion in table.ions:
        valence = "" if ion.valence is None else f" valence {ion.valence:g}"
        lines.append(f"  ion {ion.name}: read {', '.join(ion.read) or '-'}; write {', '.join(ion.write) or '-'}{valence}")
    header = ("name", "role", "units", "default", "flags", "declared")
    table_rows = [header] + [
        (s.name, s.role, s.units or "", "" if s.value is None else f"{s.value:g}", ",".join(sorted(s.flags)),
         f"{s.loc.line}:{s.loc.col}" if s.loc else "builtin")
        for s in table.symbols.values()
        if s.role != "builtin"
    ]
    widths = [max(len(row[i]) for row in table_rows) for i in range(len(header))]
    for row in table_rows:
        lines.append("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    return "\n".join(lines)
