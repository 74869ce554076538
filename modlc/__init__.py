"""modlc: compile NEURON NMODL mechanisms into vectorised tensor kernels.

`modlc.compile(path, backend=...)` returns the generated files; `modlc.load(path, backend=...)`
returns the generated module, compiled once and cached on disk (see modlc/loader.py). Importing
modlc itself stays light: the compiler is imported on first use.
"""

__version__ = "0.1.0"


def mechanism(name):
    """The path of a mechanism in modlc's own library, by NEURON name or file stem:
    `modlc.mechanism("hh")`, `modlc.mechanism("ExpSyn")`."""
    from .library import mechanism as _mechanism

    return _mechanism(name)


def compile(path, backend="jax", dtype="float64", conductance="symbolic", include_path=(), output=None, tables=None,
            usetable=False):
    """(`path` may also name a library mechanism, as `mechanism` does.) Generate a mechanism's kernels for a backend: {file name: bytes}, or written to `output`;
    `tables` maps FUNCTION_TABLE names to `modlc.function_table.FunctionTable` values."""
    from .library import resolve
    from .loader import compile as _compile

    return _compile(resolve(path), backend, dtype, conductance, include_path, output, tables, usetable)


def load(path, backend="jax", dtype="float64", conductance="symbolic", include_path=(), tables=None, usetable=False):
    """The generated kernel module of a .mod file (compiled on first use, cached on disk);
    `usetable=True` interpolates the file's TABLEs as NEURON does by default (modlc otherwise
    computes tabulated functions exactly)."""
    from .library import resolve
    from .loader import load as _load

    return _load(resolve(path), backend, dtype, conductance, include_path, tables, usetable)
