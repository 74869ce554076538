"""What handing a NEURON model to modlc costs, next to what NEURON spends building it.

Builds a network of branched cells in NEURON (ball-and-stick cells with 10-20 one-segment
dendrites in a random tree, hh in the soma, pas and hh in the dendrites, two ExpSyns, a ring of
gid connections with 1 ms delays and a NetStim at each ring's start: the shape of NEURON's
ringtest), then times, in this one process:

- NEURON's build (sections, mechanisms, synapses, gids, connections; up to finitialize),
- modlc's transfer (runtime.neuron_reader.read: in bulk, from the data NEURON writes for
  CoreNEURON, pc.nrnbbcore_write, which is timed on its own too),
- for comparison, the section-by-section walk (runtime.neuron_reader.walk) that models without
  gids take,
- modlc's set-up (compile, first run) and a warm run, against NEURON's own run of the same length.

    python examples/benchmarks/neuron_transfer.py --cells 1000 --tstop 100 --backend jax
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time


def build(h, cells: int, seed: int = 1) -> dict:
    """The network in NEURON; returns what must stay referenced."""
    pc = h.ParallelContext()
    rng = random.Random(seed)
    keep = {"cells": [], "netcons": [], "stims": []}
    for gid in range(cells):
        soma = h.Section(name=f"soma{gid}")
        soma.L = soma.diam = 12.6157
        soma.Ra = 100
        soma.insert("hh")
        dends = []
        for k in range(rng.randint(10, 20)):
            d = h.Section(name=f"dend{gid}_{k}")
            d.L, d.diam, d.Ra = (200 if k == 0 else 10), 1, 100
            d.connect(soma(1) if k == 0 else dends[rng.randrange(k)](1))
            d.insert("pas")
            d.g_pas, d.e_pas = 0.001, -65
            d.insert("hh")
            dends.append(d)
        syn = h.ExpSyn(dends[0](0.8))
        syn.tau = 2
        inhibit = h.ExpSyn(dends[0](0.1))
        inhibit.tau, inhibit.e = 5, -80
        pc.set_gid2node(gid, pc.id())
        detector = h.NetCon(soma(1)._ref_v, None, sec=soma)
        pc.cell(gid, detector)
        keep["cells"].append((soma, dends, syn, inhibit, detector))
    ring = 8
    for gid in range(cells):
        target = gid - gid % ring + (gid + 1) % ring
        if target < cells:
            nc = pc.gid_connect(gid, keep["cells"][target][2])
            nc.delay, nc.weight[0] = 1, 0.01
            keep["netcons"].append(nc)
    for start in range(0, cells, ring):
        stim = h.NetStim()
        stim.number, stim.start = 1, 0
        nc = h.NetCon(stim, keep["cells"][start][2])
        nc.delay, nc.weight[0] = 1, 0.01
        keep["stims"].append((stim, nc))
    return keep


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cells", type=int, default=1000)
    parser.add_argument("--tstop", type=float, default=100.0)
    parser.add_argument("--backend", default="jax", choices=["jax", "tf", "onnx", "numpy"])
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    args = parser.parse_args()

    from neuron import h

    from modlc.runtime import Simulation
    from modlc.runtime.neuron_reader import Captured, MechanismIndex, Problems, read, walk

    h.load_file("stdrun.hoc")
    pc = h.ParallelContext()
    started = time.perf_counter()
    model = build(h, args.cells)
    h.finitialize(-65)
    neuron_build = time.perf_counter() - started

    started = time.perf_counter()
    transfer = read(h)  # the first in this process also hashes modlc's compiler and parses the .mod files once
    first_transfer = time.perf_counter() - started
    started = time.perf_counter()
    transfer = read(h)
    modlc_transfer = time.perf_counter() - started
    started = time.perf_counter()
    walk(h, MechanismIndex(h, ()), Captured(), Problems())
    modlc_walk = time.perf_counter() - started
    compartments = sum(sec.nseg for sec in h.allsec())

    folder = tempfile.mkdtemp()
    try:
        started = time.perf_counter()
        pc.nrnbbcore_write(folder)
        core_write = time.perf_counter() - started
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    spike_times = h.Vector()
    pc.spike_record(-1, spike_times, h.Vector())
    pc.set_maxstep(10)
    h.finitialize(-65)
    started = time.perf_counter()
    pc.psolve(args.tstop)
    neuron_run = time.perf_counter() - started

    started = time.perf_counter()
    sim = Simulation(transfer.network, backend=args.backend, dt=h.dt, dtype=args.dtype, progress=False)
    first = sim.run(args.tstop)
    modlc_first = time.perf_counter() - started
    started = time.perf_counter()
    sim.run(args.tstop)
    modlc_warm = time.perf_counter() - started
    del model

    gid_spikes = sum(len(first.spikes(source)) for source in transfer.gid_sources.values())
    print(f"{args.cells} cells, {compartments} compartments, {args.tstop:g} ms: spikes of the gids NEURON "
          f"{len(spike_times)}, modlc {gid_spikes} (modlc {args.backend} {args.dtype})")
    print(f"NEURON build (to finitialize)         {neuron_build:8.3f} s")
    print(f"modlc transfer, read {transfer.route:4s}             {modlc_transfer:8.3f} s   "
          f"{modlc_transfer / neuron_build:5.2f}x NEURON's build (first in the process: {first_transfer:.3f} s)")
    print(f"  of which NEURON's nrnbbcore_write    {core_write:8.3f} s")
    print(f"modlc section walk (for comparison)   {modlc_walk:8.3f} s   {modlc_walk / neuron_build:5.2f}x")
    print(f"NEURON run                            {neuron_run:8.3f} s")
    print(f"modlc set-up + first run              {modlc_first:8.3f} s")
    print(f"modlc warm run                        {modlc_warm:8.3f} s   {neuron_run / modlc_warm:5.2f}x NEURON's speed")


if __name__ == "__main__":
    main()
