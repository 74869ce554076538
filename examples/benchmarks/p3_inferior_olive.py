"""P3: the inferior-olive network (three-compartment cells, Cx36 gap junctions on a 3-D lattice),
100 ms at dt 0.025 ms with every soma potential sampled each 1 ms, in NEURON (1 and 2 threads),
CoreNEURON (2 threads), modlc (JAX, TensorFlow, ONNX Runtime; float64 and float32) and a
hand-written JAX kernel of the same model, side by side in one run.

    python examples/benchmarks/p3_inferior_olive.py [--cells 1000 9261] [--tstop 100]
                                                    [--skip tf onnx hand ...] [--out DIR]

The network is examples/inferior_olive.py's (N must be a cube). NEURON and CoreNEURON run the same
.mod files (mechanisms/io_*.mod, cx36.mod; NEURON's built-in pas), compiled once with
`nrnivmodl -coreneuron`, the junctions linked with ParallelContext.source_var/target_var as
threads and CoreNEURON require (so cx36.mod's vgap is declared RANGE there, not POINTER). They integrate with NEURON's implicit scheme, as modlc does by
default. The published model is integrated by forward Euler, so modlc also runs with
scheme="explicit", beside the hand-written JAX kernel of that scheme (io_kernel.py): their ratio is
the cost of going through .mod files. Writes p3_scaling.png.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import harness  # noqa: E402
import inferior_olive as io  # noqa: E402

SAMPLE = 40  # steps between recorded soma potentials (1 ms)

NEURON_BUILD = r'''
SPEC = {spec}
cells, starts = [], []
for k in range(SPEC["cells"]):
    secs = {}
    for s in SPEC["sections"]:
        sec = h.Section(name="%s_%d" % (s["name"], k))
        sec.L, sec.diam, sec.Ra, sec.nseg, sec.cm = s["L"], s["diam"], s["Ra"], 1, 1.0
        if s["parent"]:
            sec.connect(secs[s["parent"]](s["parent_x"]), 0)
        secs[s["name"]] = sec
    for mech, where, params in SPEC["insertions"]:
        secs[where].insert(mech)
        for p, value in params.items():
            setattr(secs[where](0.5), "%s_%s" % (p, mech), value)
    cells.append(secs)
for (k, name), v in zip(SPEC["start_keys"], SPEC["start_values"]):
    starts.append((cells[k][name], v))


def set_start_potentials():
    for sec, v in starts:
        for seg in sec.allseg():
            seg.v = v


v_init = -60.0
handler = h.FInitializeHandler(0, set_start_potentials)
for k, c in enumerate(cells):  # transfer id k: cell k's dendrite potential
    pc.source_var(c["dend"](0.5)._ref_v, k, sec=c["dend"])
gaps = []
for a, b in SPEC["junctions"]:
    for here, there in ((a, b), (b, a)):
        g = h.Cx36(cells[here]["dend"](0.5))
        g.g = SPEC["g_gap"]
        pc.target_var(g, g._ref_vgap, there)
        gaps.append(g)
pc.setup_transfer()
recordings = [h.Vector().record(c["soma"](0.5)._ref_v, 1.0) for c in cells]
'''


def neuron_build(cells: int) -> str:
    """The NEURON half: the network that inferior_olive.build(cells) makes, from its own description."""
    import json

    net = io.build(cells)
    template = net.cells[0]
    starts = sorted(net.v_start.items())
    pairs = [(g.location.cell, g.pointers["vgap"].cell) for g in net.points if g.mechanism.path.name == "cx36.mod"][::2]
    spec = {
        "cells": cells,
        "sections": [dict(name=s.name, L=s.L, diam=s.diam, Ra=s.Ra, parent=s.parent, parent_x=s.parent_x)
                     for s in template.sections.values()],
        "insertions": [(Path(m).stem, where, dict(params)) for m, where, params in template.insertions],
        "start_keys": [key for key, _ in starts], "start_values": [v for _, v in starts],
        "junctions": pairs, "g_gap": io.gap_conductance(),
    }
    return NEURON_BUILD.replace("{spec}", repr(json.loads(json.dumps(spec))))


def neuron_mechanisms() -> dict[str, str]:
    """The .mod files NEURON compiles: io_*.mod as they are, and cx36.mod with vgap a RANGE variable
    instead of a POINTER, since ParallelContext.target_var (which threads and CoreNEURON need for
    gap junctions) writes the peer's potential into a RANGE variable. The equations are unchanged."""
    sources = {f.name: f.read_text() for f in sorted(io.M.glob("io_*.mod"))}
    cx36 = (io.M / "cx36.mod").read_text()
    if "POINTER vgap" not in cx36:
        raise RuntimeError("cx36.mod no longer declares POINTER vgap; update neuron_mechanisms()")
    sources["cx36.mod"] = cx36.replace("POINTER vgap", "RANGE vgap")
    return sources


def time_hand_kernel(cells: int, tstop: float, dtype: str) -> harness.Timing:
    """The hand-written JAX kernel: construction and the first run, then a warm run."""
    import io_kernel
    import jax

    steps = int(round(tstop / harness.DT))
    walls = []
    started = time.perf_counter()
    run = io_kernel.make_run(cells, dtype=dtype)
    for _ in range(2):
        state = io_kernel.initial_state(cells)
        jax.block_until_ready(run(state, steps))
        walls.append(time.perf_counter() - started)
        started = time.perf_counter()
    return harness.Timing(f"hand-written JAX {dtype}", cells, steps, walls[0], walls[1])


def main(argv: list[str] | None = None) -> None:
    p = harness.parser(__doc__, [1000, 9261], "neuron coreneuron jax tf onnx hand")
    args = p.parse_args(argv)
    for n in args.cells:
        if round(n ** (1 / 3)) ** 3 != n:
            p.error(f"--cells must be cubes (1000, 9261, ...), got {n}")
    mod_sources = neuron_mechanisms()
    rows = []
    for n in args.cells:
        rows += harness.compare(neuron_build(n), lambda: io.build(n), n, args.tstop, harness.MODLC, args.skip,
                                mod_sources=mod_sources, record_every=SAMPLE, chunk=4000)
        for dtype in ("float64", "float32"):
            if "jax" not in args.skip:
                rows.append(harness.time_modlc(lambda: io.build(n), n, args.tstop, "jax", dtype, SAMPLE, " explicit",
                                               chunk=4000, scheme="explicit"))
            if "hand" not in args.skip:
                rows.append(time_hand_kernel(n, args.tstop, dtype))
        print(harness.table([r for r in rows if r.cells == n]), flush=True)
    harness.finish(rows, args.out / "p3_scaling.png", "P3: inferior-olive network")


if __name__ == "__main__":
    main()
