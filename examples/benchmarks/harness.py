"""Side-by-side timing of one model in NEURON, CoreNEURON and modlc, in one run on one machine.

NEURON and CoreNEURON run in their own subprocesses (a fresh interpreter each, so neither sees the
other's state or modlc's threads); modlc runs here. Every simulator integrates the same model for
the same time at dt 0.025 ms twice: the first call's wall time includes set-up and compilation, the
second is the warm time that the throughput (cell-steps per second) is computed from.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

DT = 0.025
MODLC = [(backend, dtype) for backend in ("jax", "tf", "onnx") for dtype in ("float64", "float32")]  # every build
THREADS = 2  # what CoreNEURON gets, and modlc's JAX and TF runs (a network of one connected group uses one)

NEURON_RUNNER = r'''
import json, sys, time
from neuron import h
h.load_file("stdrun.hoc")
threads, core, tstop = int(sys.argv[1]), sys.argv[2] == "core", float(sys.argv[3])
pc = h.ParallelContext()
v_init = -65.0  # the build may change it, or set potentials in an FInitializeHandler
{build}
pc.nthread(threads)
pc.set_maxstep(10)
h.dt, h.celsius = {dt}, 6.3
if core:
    from neuron import coreneuron
    h.CVode().cache_efficient(1)
    coreneuron.enable = True
    coreneuron.verbose = 0
walls = []
for _ in range(2):
    started = time.perf_counter()
    h.finitialize(v_init)
    pc.psolve(tstop)
    walls.append(time.perf_counter() - started)
print("RESULT " + json.dumps(walls))
'''


def steps(tstop: float) -> int:
    """Steps of dt DT in a run of `tstop` ms."""
    return int(round(tstop / DT))


@dataclass
class Timing:
    simulator: str  # e.g. "NEURON 1 thread", "modlc jax float64"
    cells: int
    steps: int
    first: float  # s, first call (set-up and compilation included)
    warm: float  # s, second call

    @property
    def throughput(self) -> float:
        """Cell-steps per second of the warm call."""
        return self.cells * self.steps / self.warm


def coreneuron_dir(mod_sources: dict[str, str] | None = None) -> Path:
    """A folder where `nrnivmodl -coreneuron` has built NEURON's and CoreNEURON's libraries for
    NEURON's built-in mechanisms plus `mod_sources` (file name -> NMODL text), made once per set of
    files and cached, since it takes about a minute; NEURON and CoreNEURON both run from it."""
    import hashlib

    import neuron

    mod_sources = mod_sources or {}
    digest = hashlib.sha256("".join(k + v for k, v in sorted(mod_sources.items())).encode()).hexdigest()[:12]
    folder = Path.home() / ".cache" / "modlc" / f"coreneuron-{neuron.__version__}" / (digest if mod_sources else "builtin")
    if not list(folder.glob("*/special-core")):
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in mod_sources.items():
            (folder / name).write_text(text)
        nrnivmodl = shutil.which("nrnivmodl", path=os.path.dirname(sys.executable)) or "nrnivmodl"
        subprocess.run([nrnivmodl, "-coreneuron", "."], cwd=folder, check=True, capture_output=True)
    return folder


def time_neuron(build: str, cells: int, tstop: float, threads: int, core: bool,
                mod_sources: dict[str, str] | None = None) -> Timing:
    """Run NEURON (or CoreNEURON, `core`) on the model that the Python code `build` makes, with
    `mod_sources` (file name -> NMODL text) compiled in addition to NEURON's built-in mechanisms."""
    script = NEURON_RUNNER.replace("{build}", build).replace("{dt}", repr(DT))
    cwd = coreneuron_dir(mod_sources) if core or mod_sources else Path(tempfile.gettempdir())
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:  # large networks outgrow a command line
        f.write(script)
    try:
        out = subprocess.run([sys.executable, f.name, str(threads), "core" if core else "plain", str(tstop)],
                             cwd=cwd, capture_output=True, text=True, timeout=3600)
    finally:
        os.unlink(f.name)
    name = f"{'CoreNEURON' if core else 'NEURON'} {threads} thread{'s' if threads > 1 else ''}"
    return Timing(name, cells, steps(tstop), *result(out, name))


def time_jaxley(workload: str, cells: int, tstop: float, dtype: str) -> Timing:
    """Jaxley on the `workload` cell of jaxley_models.py (p1, p2), in a fresh interpreter."""
    script = Path(__file__).resolve().parent / "jaxley_models.py"
    out = subprocess.run([sys.executable, str(script), workload, str(cells), str(tstop), dtype],
                         capture_output=True, text=True, timeout=3600)
    return Timing(f"Jaxley {dtype}", cells, steps(tstop), *result(out, "Jaxley"))


def result(out: subprocess.CompletedProcess, simulator: str) -> tuple[float, float]:
    """(first, warm) from a runner's `RESULT [first, warm]` line; its output tail when it failed."""
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")]
    if out.returncode != 0 or not lines:
        raise RuntimeError(f"{simulator} run failed:\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    first, warm = json.loads(lines[0][7:])
    return first, warm


def time_modlc(make_network: Callable, cells: int, tstop: float, backend: str, dtype: str, record_every: int = 1,
               label: str = "", threads: int = THREADS, **options) -> Timing:
    """modlc on `backend`: Simulation construction and the first run are the first call. The name
    says how many threads the run used (groups of cells that nothing connects, at most `threads`)."""
    from modlc.runtime import Simulation

    net = make_network()
    started = time.perf_counter()
    sim = Simulation(net, backend=backend, dtype=dtype, threads=threads, **options)
    sim.run(tstop, record_every=record_every)
    first = time.perf_counter() - started
    started = time.perf_counter()
    sim.run(tstop, record_every=record_every)
    warm = time.perf_counter() - started
    used = len(sim.parts) or 1
    return Timing(f"modlc {backend} {dtype}{label} {used} thr", cells, steps(tstop), first, warm)


def compare(neuron_build: str, make_network: Callable, cells: int, tstop: float, modlc: list[tuple[str, str]],
            skip: list[str], mod_sources: dict[str, str] | None = None, jaxley: str | None = None,
            **options) -> list[Timing]:
    """One workload in every simulator not in `skip`: NEURON 1 and 2 threads and CoreNEURON 2 threads
    (from `neuron_build`, with `mod_sources`), Jaxley in both precisions when the workload has a
    Jaxley cell (`jaxley`, see jaxley_models.py) and Jaxley is installed, then modlc on each
    (backend, dtype) with `options`."""
    rows = []
    if "neuron" not in skip:
        rows += [time_neuron(neuron_build, cells, tstop, threads, False, mod_sources) for threads in (1, 2)]
    if "coreneuron" not in skip:
        rows.append(time_neuron(neuron_build, cells, tstop, 2, True, mod_sources))
    if jaxley and "jaxley" not in skip:
        if importlib.util.find_spec("jaxley") is None:
            print("Jaxley is not installed (pip install -e '.[bench]'): no Jaxley rows", flush=True)
        else:
            rows += [time_jaxley(jaxley, cells, tstop, dtype) for dtype in ("float64", "float32")]
    for backend, dtype in modlc:
        if backend not in skip:
            # ONNX's time loop is NumPy glue around onnxruntime calls: two parts contend for the GIL
            # and onnxruntime's own threads (P1 1e4 cells float32: 39 ns per cell-step, 46 with 2)
            threads = 1 if backend == "onnx" else THREADS
            rows.append(time_modlc(make_network, cells, tstop, backend, dtype, threads=threads, **options))
    return rows


def parser(doc: str, cells: list[int], skippable: str = "neuron coreneuron jaxley jax tf onnx") -> argparse.ArgumentParser:
    """The options every benchmark script takes: --cells, --tstop, --skip, --out."""
    p = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    p.add_argument("--cells", type=int, nargs="+", default=cells)
    p.add_argument("--tstop", type=float, default=100.0)
    p.add_argument("--skip", nargs="*", default=[], help=f"simulators to leave out: {skippable}")
    p.add_argument("--out", type=Path, default=Path("."))
    return p


def finish(rows: list[Timing], path: Path, title: str) -> None:
    """The whole table, then the scaling plot."""
    print("\n" + table(rows))
    plot(rows, path, title)


def table(rows: list[Timing], reference: str = "CoreNEURON 2 threads") -> str:
    """Rows grouped by network size, with each throughput as a multiple of the reference's."""
    lines = [f"{'simulator':<34} {'cells':>7} {'cell-steps/s':>13} {'warm s':>8} {'first s':>8} {'vs ' + reference:>26}"]
    for cells in sorted({r.cells for r in rows}):
        ref = next((r for r in rows if r.cells == cells and r.simulator == reference), None)
        for r in (r for r in rows if r.cells == cells):
            ratio = f"{r.throughput / ref.throughput:.2f}x" if ref else "-"
            lines.append(f"{r.simulator:<34} {r.cells:>7} {r.throughput:>13.3g} {r.warm:>8.2f} {r.first:>8.2f} {ratio:>26}")
    return "\n".join(lines)


def plot(rows: list[Timing], path: Path, title: str) -> None:
    """Throughput against network size, one line per simulator."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8.5, 4.5))
    for k, name in enumerate(dict.fromkeys(r.simulator for r in rows)):
        mine = sorted((r for r in rows if r.simulator == name), key=lambda r: r.cells)
        style = "--" if name.startswith(("NEURON", "CoreNEURON")) else "-"
        ax.loglog([r.cells for r in mine], [r.throughput for r in mine], style, marker="o", label=name,
                  color=plt.cm.tab20.colors[k % 20])
    ax.set_xlabel("cells")
    ax.set_ylabel("cell-steps per second (warm)")
    ax.set_title(title)
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, frameon=False, loc="center left", bbox_to_anchor=(1.0, 0.5))
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    print(f"figure: {path}")
