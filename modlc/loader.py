"""`modlc.compile` and `modlc.load`: generated kernels from Python, cached on disk.

The cache key is a SHA-256 over modlc's version and its compiler sources, the backend, dtype and
conductance mode, and the bytes of the .mod file and of every file it INCLUDEs, so an edit to any
of them (or a new or edited modlc) compiles afresh and nothing stale is ever imported. Entries are written to a temporary folder and
renamed into place, so concurrent processes never see half an entry.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import shutil
import sys
import tempfile
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Optional, Sequence

from . import __version__
from . import ast_nodes as A

if TYPE_CHECKING:  # the compiler (and SymPy) load on first use
    from .function_table import Tables

_loaded: dict[str, ModuleType] = {}


def cache_root() -> Path:
    """$MODLC_CACHE_DIR, else $XDG_CACHE_HOME/modlc, else ~/.cache/modlc."""
    if os.environ.get("MODLC_CACHE_DIR"):
        return Path(os.environ["MODLC_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "modlc"


_SOURCES: dict[tuple, tuple[list[tuple], list[Path]]] = {}  # (path, include path) -> (file stats, files)


def _stats(files: list[Path]) -> list[tuple]:
    return [(f, f.stat().st_mtime_ns, f.stat().st_size) for f in files]


def source_files(path: str | Path, include_path: Sequence[str] = ()) -> list[Path]:
    """The .mod file and every file it INCLUDEs, resolved as the parser resolves them (parsed
    again only when one of those files changed since: reading a model asks for it per mechanism)."""
    from .parser import parse_file

    key = (str(Path(path).resolve()), tuple(include_path))
    known = _SOURCES.get(key)
    try:
        if known is not None and _stats(known[1]) == known[0]:
            return list(known[1])
    except OSError:
        pass
    files = [Path(path)]

    def visit(items):
        for item in items:
            if isinstance(item, A.Include):
                files.append(Path(item.resolved))
                visit(item.items)

    if b"INCLUDE" in files[0].read_bytes():  # the keyword as the grammar spells it; without it, nothing to parse for
        visit(parse_file(path, tuple(include_path)).items)
    _SOURCES[key] = (_stats(files), files)
    return list(files)


@functools.lru_cache(maxsize=1)
def compiler_fingerprint() -> str:
    """SHA-256 of modlc's own compiler sources and templates: an edited compiler (a development
    checkout) never reuses modules an older one generated under the same version number."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    templates = Path(str(resources.files("modlc.templates")))
    for root in (package, templates):
        for file in sorted(root.rglob("*")):
            if file.suffix in (".py", ".lark", ".j2") and "runtime" not in file.relative_to(root).parts[:1]:
                digest.update(str(file.relative_to(root)).encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def cache_key(path: str | Path, backend: str, dtype: str, conductance: str, include_path: Sequence[str] = (),
              tables: Optional[Tables] = None, usetable: bool = False) -> str:
    digest = hashlib.sha256()
    for part in (__version__, compiler_fingerprint(), backend, dtype, conductance, table_text(tables),
                 "usetable" if usetable else "exact"):
        digest.update(part.encode() + b"\0")
    for file in source_files(path, include_path):
        data = file.read_bytes()
        digest.update(len(data).to_bytes(8, "little") + data)
    return digest.hexdigest()


def table_text(tables: Optional[Tables]) -> str:
    """The tables' values as text, in name order (floats by repr, which round-trips)."""
    return repr(sorted((tables or {}).items()))


def compile(path: str | Path, backend: str = "jax", dtype: str = "float64", conductance: str = "symbolic",
            include_path: Sequence[str] = (), output: str | Path | None = None, tables: Optional[Tables] = None,
            usetable: bool = False):
    """Generate a mechanism's kernels: {file name: bytes}, or, given `output`, write them there and
    return their paths; `tables` gives FUNCTION_TABLE values; `usetable` interpolates TABLEs as
    NEURON does by default. Raises ModlcError for a bad .mod file or option."""
    from .compiler import compile_file, write_files

    files = compile_file(path, backend, dtype, conductance, include_path, tables, usetable)
    if output is None:
        return files
    return write_files(files, Path(output))


def load(path: str | Path, backend: str = "jax", dtype: str = "float64", conductance: str = "symbolic",
         include_path: Sequence[str] = (), tables: Optional[Tables] = None, usetable: bool = False) -> ModuleType:
    """The generated module of a .mod file, compiled on first use and cached on disk.

    Loading float64 JAX kernels switches on jax_enable_x64, which they need."""
    from . import backends

    key = cache_key(path, backend, dtype, conductance, include_path, tables, usetable)
    if key in _loaded:
        return _loaded[key]
    entry = cache_root() / key[:2] / key
    if not (entry / "module").is_file():
        _fill(entry, compile(path, backend, dtype, conductance, include_path, tables=tables, usetable=usetable))
    stem = (entry / "module").read_text(encoding="utf-8").strip()
    backends.prepare(backend, dtype)
    module = import_module_file(entry / f"{stem}.py", f"modlc_{backend}")
    module.__modlc_source__ = (str(Path(path).resolve()), conductance, tuple(include_path),  # lets the runtime
                               tuple(sorted((tables or {}).items())), usetable)  # recompile it for another backend
    _loaded[key] = module
    return module


def _fill(entry: Path, files: dict[str, bytes]) -> None:
    entry.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=entry.parent, prefix=f".{entry.name}."))
    try:
        for name, data in files.items():
            (staging / name).write_bytes(data)
        stem = next(n for n in files if n.endswith(".py"))[:-3]
        (staging / "module").write_text(stem + "\n", encoding="utf-8")  # written last: marks a whole entry
        try:
            os.replace(staging, entry)
        except OSError:
            if not (entry / "module").is_file():  # not another process winning the race: a real error
                raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def import_module_file(path: Path, label: str = "modlc_generated") -> ModuleType:
    """Import a generated module from its file under a name no other import can collide with."""
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    name = f"{label}_{path.stem}_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module
