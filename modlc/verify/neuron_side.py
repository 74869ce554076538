"""NEURON's side of `modlc verify`: copy and rename files, build them with nrnivmodl in batches,
and run the protocol in a fresh NEURON process per file (a .mod file can crash NEURON).

NEURON loads a mechanism library once per process and ships built-ins (hh, pas, ExpSyn...), so
every file is copied under a safe name (`m00042.mod`) with its mechanism renamed (`v42_hh`); the
sibling INCLUDE files of its folder are copied beside it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Optional

from ..source import read_source
from .protocol import Outline, Protocol, rename_mechanism

INCLUDE_SUFFIXES = (".inc", ".h", ".def", ".hpp")
# How files are staged for nrnivmodl, part of the cache key: answers from an older rule are not
# reused (the previous one copied every header of a file's folder, which could break its batch).
STAGING = "renamed copies and the headers each file names, in batches"
RESULT_SENTINEL = "@@MODLC_VERIFY_JSON@@"


def missing_requirement() -> Optional[str]:
    """Why NEURON cannot compile .mod files here (no `neuron` package, no C++ compiler), or None."""
    if find_spec("neuron") is None:
        return "the `neuron` Python package is not installed (pip install neuron)"
    if not any(shutil.which(c) for c in (os.environ.get("CXX", ""), "c++", "g++", "clang++") if c):
        return "no C++ compiler found (nrnivmodl needs c++, g++ or clang++ on PATH, or $CXX)"
    return None


def neuron_tool(name: str) -> str:
    """A NEURON program (nrnivmodl, nocmodl): next to the running interpreter (a virtualenv), else
    inside the neuron wheel, else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return str(beside)
    spec = find_spec("neuron")
    if spec is not None and spec.origin:
        inside = Path(spec.origin).parent / ".data" / "bin" / name
        if inside.exists():
            return str(inside)
    found = shutil.which(name)
    if not found:
        raise FileNotFoundError(f"{name} not found (is `neuron` installed?)")
    return found


def neuron_env() -> dict[str, str]:
    """The environment for NEURON's programs: this interpreter's bin first, no GUI."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.pop("DISPLAY", None)
    return env


@dataclass
class Entry:
    """One file on NEURON's side: where its renamed copy lives and what it is called there."""

    index: int
    path: Path
    outline: Outline
    stem: str = ""
    mechanism: str = ""
    library: Optional[Path] = None
    error: Optional[str] = None  # why NEURON could not build it
    build_seconds: float = 0.0  # this file's share of its batch's nrnivmodl time

    def __post_init__(self) -> None:
        self.stem = f"m{self.index:05d}"
        self.mechanism = f"v{self.index}_{self.outline.name}"


def includes(path: Path) -> dict[str, Path]:
    """The files beside a .mod file that it names (INCLUDE "x.inc", VERBATIM #include "x.h"), by
    name. Only those: a header that merely lies in the folder (NEURON's own membfunc.h beside its
    source .mod files) would shadow NEURON's in the batch's build folder and break every file in it."""
    text = read_source(path).text
    return {p.name: p for p in sorted(path.parent.iterdir())
            if p.suffix.lower() in INCLUDE_SUFFIXES and p.is_file() and p.name in text}


def batches(entries: list[Entry], size: int) -> list[list[Entry]]:
    """Consecutive entries in batches of at most `size`; a batch takes files from several folders as
    long as their include files do not clash by name (each batch is built in one folder)."""
    out: list[list[Entry]] = []
    names: dict[str, Path] = {}
    for e in entries:
        mine = includes(e.path)
        clash = any(names.get(n, p) != p for n, p in mine.items())
        if not out or len(out[-1]) >= size or clash:
            out.append([])
            names = {}
        out[-1].append(e)
        names.update(mine)
    return out


def _stage(entries: list[Entry], folder: Path) -> None:
    """Copy the entries (renamed) and their folders' include files into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for e in entries:
        for name, source in includes(e.path).items():
            if not (folder / name).exists():
                shutil.copyfile(source, folder / name)
        text, *_ = rename_mechanism(read_source(e.path).text, lambda _: e.mechanism, e.path.stem)
        (folder / f"{e.stem}.mod").write_text(text, encoding="utf-8")


def _nrnivmodl(folder: Path, timeout: float) -> tuple[Optional[Path], str]:
    """Build the library of a folder's .mod files. make keeps going past a failing file (-k), so one
    call finds every file that fails; a second call in the same folder reuses the objects built."""
    env = {**neuron_env(), "MAKEFLAGS": "k"}
    try:
        proc = subprocess.run([neuron_tool("nrnivmodl"), "."], cwd=folder, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"nrnivmodl took longer than {timeout:g} s"
    libs = sorted(folder.glob("*/libnrnmech.so")) + sorted(folder.glob("*/.libs/libnrnmech.so"))
    return (libs[0] if proc.returncode == 0 and libs else None), proc.stdout


_ERROR_LINE = re.compile(r"error|Error", re.IGNORECASE)


_COPY = re.compile(r"[^\s'\"‘]*\b(m\d{5})(\.(?:mod|cpp|c|o))\b")


def _tidy(line: str, entries: list[Entry]) -> str:
    """A log line with the scratch copies' paths (.../x86_64/m00042.cpp) replaced by the files' stems
    (kv.cpp: line numbers of the C++ that nocmodl generated from kv.mod)."""
    stems = {e.stem: e.path.stem for e in entries}
    return _COPY.sub(lambda m: stems.get(m.group(1), m.group(1)) + m.group(2), line.strip())[:300]


def _culprits(log: str, entries: list[Entry]) -> dict[int, str]:
    """Entries a failed batch log blames, each with the error line that names it (or precedes it)."""
    stems = {e.stem: e.index for e in entries}
    found: dict[int, str] = {}
    last_error = ""
    for line in log.splitlines():
        if not _ERROR_LINE.search(line):
            continue
        named = [stems[m.group(1)] for m in _COPY.finditer(line) if m.group(1) in stems]
        if line.startswith("make") and named:  # make's summary: blame the last error seen before it
            found.setdefault(named[0], last_error or _tidy(line, entries))
            continue
        for k in named:
            found.setdefault(k, _tidy(line, entries))
        last_error = _tidy(line, entries)
    return found


def _run_dir(library: Path) -> Path:
    """A folder beside the build to run NEURON in: NEURON auto-loads ./<arch>/ libraries at import,
    which would clash with the explicit load."""
    folder = library.parent.parent / "run"
    folder.mkdir(exist_ok=True)
    return folder


def _loads(library: Path, timeout: float) -> Optional[str]:
    """None when NEURON can load the library, else the reason (an unresolved symbol...)."""
    code = f"from neuron import h\nimport sys\nsys.exit(0 if h.nrn_load_dll({str(library)!r}) == 1 else 1)"
    try:
        proc = subprocess.run([sys.executable, "-c", code], cwd=_run_dir(library), env=neuron_env(),
                              capture_output=True, text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"loading the library took longer than {timeout:g} s"
    if proc.returncode == 0:
        return None
    lines = [ln for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip()]
    return "cannot load the compiled library: " + (lines[-1] if lines else f"exit {proc.returncode}")


def build(entries: list[Entry], workdir: Path, timeout: float = 600) -> float:
    """Compile `entries` with one nrnivmodl where possible; set each entry's library or error.

    When the build fails, the files its log blames get the log's error line and the rest are
    rebuilt in the same folder (reusing their objects); when the log blames nobody, or the library
    does not load, every file is built alone. Returns the seconds spent in nrnivmodl."""
    start = time.perf_counter()
    folder = workdir / f"batch-{entries[0].stem}"
    _stage(entries, folder)
    todo = list(entries)
    while todo:
        library, log = _nrnivmodl(folder, timeout)
        problem = _loads(library, 120) if library is not None else None
        if library is not None and problem is None:
            for e in todo:
                e.library = library
            break
        if len(todo) == 1:
            todo[0].error = problem or _reason(log, todo)
            break
        blamed = _culprits(log, todo) if library is None else {}
        if not blamed:
            for e in todo:
                _build_alone(e, workdir, timeout)
            break
        for e in todo:
            if e.index in blamed:
                e.error = "nrnivmodl: " + blamed[e.index]
                for made in [folder / f"{e.stem}.mod", *folder.glob(f"*/{e.stem}.*")]:
                    made.unlink(missing_ok=True)
        todo = [e for e in todo if e.index not in blamed]
    spent = time.perf_counter() - start
    for e in entries:
        e.build_seconds = spent / len(entries)
    return spent


def _build_alone(e: Entry, workdir: Path, timeout: float) -> None:
    folder = workdir / f"alone-{e.stem}"
    _stage([e], folder)
    library, log = _nrnivmodl(folder, timeout)
    problem = _loads(library, 120) if library is not None else _reason(log, [e])
    e.library, e.error = (library, None) if problem is None else (None, problem)


def _reason(log: str, entries: list[Entry]) -> str:
    """The first error line of a one-file nrnivmodl log."""
    lines = [ln for ln in log.splitlines() if _ERROR_LINE.search(ln) and not ln.startswith("make")]
    return "nrnivmodl: " + _tidy(lines[0] if lines else (log.strip().splitlines() or ["failed"])[-1], entries)


SCRIPT = r'''
import json, math, sys
from neuron import h
args = json.loads(sys.argv[1])
P, O, name = args["protocol"], args["outline"], args["mechanism"]
if h.nrn_load_dll(args["library"]) != 1:
    raise SystemExit("nrn_load_dll failed for " + args["library"])
h.load_file("stdrun.hoc")
soma = h.Section(name="soma")
soma.L, soma.diam, soma.nseg, soma.cm, soma.Ra = P["L"], P["diam"], 1, P["cm"], P["Ra"]
soma.insert("pas")
seg = soma(0.5)
keep = []
ms = h.MechanismStandard(name, 3)
states = []
for i in range(int(ms.count())):
    s = h.ref("")
    if ms.name(s, i) == 1:  # scalars only; a density mechanism's names carry its suffix
        states.append(s[0][: -len(name) - 1] if O["kind"] == "density" else s[0])

def clamps():
    for delay, dur, amp in P["clamps"]:
        c = h.IClamp(seg)
        setattr(c, "del", delay)
        c.dur, c.amp = dur, amp
        keep.append(c)

def netstim(target, weight):
    ns = h.NetStim()
    ns.start, ns.interval, ns.number, ns.noise = P["stim_start"], P["stim_interval"], P["stim_number"], 0
    nc = h.NetCon(ns, target)
    nc.delay = P["netcon_delay"]
    nc.weight[0] = weight
    keep.extend([ns, nc])

cell_spikes = None
if O["kind"] == "density":
    soma.insert(name)
    refs = {s: getattr(seg, "_ref_%s_%s" % (s, name)) for s in states}
    clamps()
else:
    pp = getattr(h, name)(seg) if O["kind"] == "point" else getattr(h, name)()
    for p in O["pointers"]:
        h.setpointer(seg._ref_v, p, pp)
    refs = {s: getattr(pp, "_ref_" + s) for s in states}
    if O["kind"] == "point":
        if O["net_receive"]:
            netstim(pp, P["syn_weight"])
        clamps()
    else:
        if O["net_receive"]:
            netstim(pp, P["cell_weight"])
        cell_spikes = h.Vector()
        out = h.NetCon(pp, None)
        out.record(cell_spikes)
        keep.append(out)
vecs = {"v": h.Vector().record(seg._ref_v)}
vecs.update({"state:" + s: h.Vector().record(r) for s, r in refs.items()})
spikes = h.Vector()
detector = h.NetCon(seg._ref_v, None, sec=soma)
detector.threshold = P["threshold"]
detector.record(spikes)
h.dt, h.secondorder, h.celsius = P["dt"], 0, P["celsius"]
h.finitialize(P["v_init"])
h.continuerun(P["tstop"])
clean = lambda xs: [x if math.isfinite(x) else None for x in xs]
result = {"v": clean(vecs["v"]), "states": {s: clean(vecs["state:" + s]) for s in refs},
          "spikes": list(spikes), "cell_spikes": None if cell_spikes is None else list(cell_spikes)}
sys.stdout.write("\n" + SENTINEL + json.dumps(result) + "\n")
'''


def run(entry: Entry, protocol: Protocol, timeout: float = 120) -> dict:
    """The protocol's recordings from NEURON (v, scalar STATEs, spikes), or {"error": why}."""
    args = json.dumps({"protocol": protocol.to_json(), "outline": entry.outline.to_json(),
                       "mechanism": entry.mechanism, "library": str(entry.library)})
    code = f"SENTINEL = {RESULT_SENTINEL!r}\n" + SCRIPT
    try:
        proc = subprocess.run([sys.executable, "-c", code, args], cwd=_run_dir(entry.library), env=neuron_env(),
                              capture_output=True, text=True, errors="replace", timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"NEURON's run took longer than {timeout:g} s"}
    payload = [ln[len(RESULT_SENTINEL):] for ln in proc.stdout.splitlines() if ln.startswith(RESULT_SENTINEL)]
    if proc.returncode != 0 or len(payload) != 1:
        lines = [ln.strip() for ln in (proc.stderr + proc.stdout).splitlines() if ln.strip()]
        why = lines[-1] if lines else ""
        if proc.returncode < 0:
            why = f"NEURON crashed (signal {-proc.returncode}) {why}".strip()
        return {"error": "NEURON's run failed: " + why[:300]}
    return json.loads(payload[0])
