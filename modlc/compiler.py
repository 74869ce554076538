"""`modlc compile`: .mod files → generated files on disk, or a diff against the files there.

Generation itself is `codegen.generate`; this module adds what the command line and CI need:
writing files atomically, refusing two files that would produce the same module, and `--check`
(regenerate in memory, compare byte for byte, show a unified diff).
"""

from __future__ import annotations

import difflib
import os
import tempfile
from pathlib import Path
from typing import Optional, Sequence

from .codegen import generate
from .function_table import Tables
from .pipeline import compile_ir


def compile_file(path: str | Path, backend: str, dtype: str = "float64", conductance: str = "symbolic",
                 include_path: Sequence[str] = (), tables: Optional[Tables] = None,
                 usetable: bool = False) -> dict[str, bytes]:
    """The generated files of one .mod file, as {file name: bytes} (raises ModlcError)."""
    return generate(compile_ir(path, include_path, conductance, tables, usetable), backend, dtype)


def write_files(files: dict[str, bytes], directory: Path) -> list[Path]:
    """Write each file atomically (a reader never sees half a module)."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in sorted(files.items()):
        target = directory / name
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        written.append(target)
    return written


def differences(files: dict[str, bytes], directory: Path) -> list[str]:
    """A unified diff (text files) or a one-line note (binary, missing) for each file that differs."""
    out = []
    for name, data in sorted(files.items()):
        target = directory / name
        if not target.is_file():
            out.append(f"missing: {target}\n")
            continue
        current = target.read_bytes()
        if current == data:
            continue
        if name.endswith((".py", ".onnxtxt")):
            out.append("".join(difflib.unified_diff(
                current.decode("utf-8", "replace").splitlines(keepends=True),
                data.decode("utf-8").splitlines(keepends=True),
                fromfile=str(target), tofile=f"{target} (regenerated)")))
        else:
            out.append(f"binary file differs: {target}\n")
    return out
