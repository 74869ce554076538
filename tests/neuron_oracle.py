"""Run NEURON itself as a reference ("oracle") for modlc's mechanisms.

NEURON can load a compiled mechanism library only once per process, and it
already ships built-in mechanisms called ``hh``, ``pas``, ``ExpSyn`` and
``IClamp``.  The helpers here therefore

* copy .mod files into a scratch directory, renaming the mechanism declared
  in the NEURON block (``SUFFIX hh`` -> ``SUFFIX modlc_hh``) so ours can live
  next to NEURON's built-in of the same name,
* compile them all with a single ``nrnivmodl`` call, and
* run a NEURON script in a fresh Python subprocess that loads that library
  and reports its results as JSON.

Every failure (nrnivmodl error, script exception, missing JSON) raises
:class:`NeuronOracleError` with the full tool output so a test can show it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from modlc.verify import neuron_side
from modlc.verify import protocol as verify_protocol

RESULT_SENTINEL = "@@MODLC_ORACLE_JSON@@"
DEFAULT_PREFIX = "modlc_"


class NeuronOracleError(RuntimeError):
    """nrnivmodl or a NEURON subprocess failed; the message holds its output."""


@dataclass
class RenamedMechanism:
    """One .mod file after renaming: which name became which."""

    source: Path
    kind: str  # "SUFFIX", "POINT_PROCESS" or "ARTIFICIAL_CELL"
    old_name: str
    new_name: str
    text: str

    def hoc_name(self, var: str) -> str:
        """HOC/Python name of a RANGE or GLOBAL ``var`` of a density mechanism.

        NEURON exposes density-mechanism variables (and the GLOBALs of any
        mechanism) as ``var_suffix``; e.g. ``gnabar`` of ``modlc_hh`` is
        ``gnabar_modlc_hh`` and ``sec(x)._ref_m_modlc_hh`` is a state pointer.
        """
        return f"{var}_{self.new_name}"


def rename_mechanism(text: str, prefix: str = DEFAULT_PREFIX,
                     new_name: str | None = None) -> tuple[str, str, str, str]:
    """Rename the mechanism declared in ``text`` (modlc.verify's renaming) to ``new_name``, default
    ``prefix + old_name``.  Returns ``(new_text, kind, old_name, new_name)``; ValueError unless the
    NEURON block(s) declare exactly one SUFFIX / POINT_PROCESS / ARTIFICIAL_CELL."""
    return verify_protocol.rename_mechanism(text, lambda old: new_name if new_name is not None else prefix + old)


def neuron_tool(name: str) -> str:
    """A NEURON program (nrnivmodl, nocmodl), found as modlc.verify finds it."""
    try:
        return neuron_side.neuron_tool(name)
    except FileNotFoundError as e:
        raise NeuronOracleError(str(e)) from None


_env = neuron_side.neuron_env


@dataclass
class CompiledMechanisms:
    workdir: Path
    library: Path
    mechanisms: dict[str, RenamedMechanism] = field(default_factory=dict)

    def name(self, old_name: str) -> str:
        """New name of the mechanism originally called ``old_name``."""
        return self.mechanisms[old_name].new_name


def compile_mechanisms(mod_files, workdir: Path, prefix: str = DEFAULT_PREFIX,
                       rename: bool = True, timeout: float = 300) -> CompiledMechanisms:
    """Copy (renaming) ``mod_files`` into ``workdir`` and build one library.

    The files go to ``workdir/mod``; nrnivmodl runs there once for all of
    them.  Returns the path of ``libnrnmech.so`` and the rename map keyed by
    the original mechanism name.
    """
    moddir = Path(workdir) / "mod"
    moddir.mkdir(parents=True, exist_ok=True)
    mechs: dict[str, RenamedMechanism] = {}
    for src in map(Path, mod_files):
        text = src.read_text()
        renamed, kind, old, new = rename_mechanism(text, prefix=prefix if rename else "")
        if rename:
            text = renamed
        if old in mechs:
            raise ValueError(f"two files declare mechanism {old!r}")
        (moddir / src.name).write_text(text)
        mechs[old] = RenamedMechanism(src, kind, old, new, text)

    proc = subprocess.run(
        [neuron_tool("nrnivmodl"), "."], cwd=moddir, env=_env(),
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=timeout,
    )
    libs = sorted(moddir.glob("*/libnrnmech.so")) + sorted(
        moddir.glob("*/.libs/libnrnmech.so"))
    if proc.returncode != 0 or not libs:
        raise NeuronOracleError(
            f"nrnivmodl failed (exit {proc.returncode}) in {moddir}:\n{proc.stdout}")
    return CompiledMechanisms(Path(workdir), libs[0], mechs)


_PRELUDE = """\
import json as _json
import sys as _sys
from neuron import h
_lib = {lib!r}
if _lib is not None and h.nrn_load_dll(_lib) != 1:
    raise SystemExit("nrn_load_dll failed for " + _lib)
NAMES = {names!r}
for _name in NAMES.values():  # modlc computes TABLEs exactly unless told otherwise: so does NEURON here
    if hasattr(h, "usetable_" + _name):
        setattr(h, "usetable_" + _name, 0)

def emit(result):
    _sys.stdout.write("\\n{sentinel}" + _json.dumps(result) + "\\n")
    _sys.stdout.flush()
"""


def run_neuron(script: str, compiled: CompiledMechanisms | None = None,
               timeout: float = 120, cwd: Path | None = None) -> dict:
    """Run ``script`` in a fresh Python+NEURON process and return its JSON.

    The script runs after a prelude that imports ``h``, loads the compiled
    library (if given), defines ``NAMES`` (original -> renamed mechanism
    names) and ``emit(obj)``, which the script must call exactly once with a
    JSON-serialisable result.
    """
    lib = str(compiled.library) if compiled else None
    names = {k: v.new_name for k, v in compiled.mechanisms.items()} if compiled else {}
    prelude = _PRELUDE.format(lib=lib, names=names, sentinel=RESULT_SENTINEL)
    code = prelude + "\n" + textwrap.dedent(script)
    # Run away from the library's directory: NEURON auto-loads ./<arch>/
    # mechanisms on import, which would clash with the explicit load above.
    if cwd is None:
        cwd = (compiled.workdir if compiled else Path.cwd()) / "run"
    cwd.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=cwd, env=_env(),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        timeout=timeout,
    )
    payload = [ln[len(RESULT_SENTINEL):] for ln in proc.stdout.splitlines()
               if ln.startswith(RESULT_SENTINEL)]
    if proc.returncode != 0 or len(payload) != 1:
        raise NeuronOracleError(
            f"NEURON subprocess failed (exit {proc.returncode}, "
            f"{len(payload)} results)\n--- stdout ---\n{proc.stdout}"
            f"\n--- stderr ---\n{proc.stderr}")
    return json.loads(payload[0])
