"""The largest network of single-compartment Hodgkin-Huxley cells this machine holds, and its speed.

N cells of mechanisms/hh.mod (20 µm somata, NEURON's defaults), each with a 0.1 nA current step
from 1 ms (so every cell fires), built as one cell given node by node (`Cell.from_nodes`: N roots,
one insertion of hh and N IClamps) so that building a million cells costs seconds; run on JAX, one
device, for --tstop ms. Prints the set-up time, the warm throughput in cell-steps per second, the
bytes of loop state per cell and the process's peak resident memory.

    python examples/benchmarks/largest_network.py --cells 1000000 --dtype float64 float32
"""

from __future__ import annotations

import argparse
import math
import resource
import time
from pathlib import Path

import numpy as np

MECHANISMS = Path(__file__).resolve().parents[2] / "mechanisms"


def network(cells: int):
    from modlc.runtime import NODES, Cell, Network

    area = math.pi * 20.0 * 20.0  # µm², L = diam = 20
    somata = Cell.from_nodes("somata", np.full(cells, -1), np.full(cells, area), np.ones(cells), np.zeros(cells),
                             np.zeros(cells), np.full(cells, 20.0))
    net = Network([somata])
    net.record("v0", "v", at=(0, NODES, 0))
    net.insert(MECHANISMS / "hh.mod", 0, np.arange(cells))
    for k in range(cells):
        net.place(MECHANISMS / "iclamp.mod", (0, NODES, k), **{"del": 1.0, "dur": 1e9, "amp": 0.1})
    return net


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cells", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--dtype", nargs="+", default=["float64", "float32"])
    parser.add_argument("--tstop", type=float, default=10.0)
    args = parser.parse_args()
    import jax

    from modlc.runtime import Simulation

    for cells in args.cells:
        for dtype in args.dtype:
            started = time.perf_counter()
            net = network(cells)
            sim = Simulation(net, backend="jax", dtype=dtype, progress=False, spike_capacity=4 * cells)
            first = sim.run(args.tstop)
            setup = time.perf_counter() - started
            started = time.perf_counter()
            sim.run(args.tstop)
            warm = time.perf_counter() - started
            steps = round(args.tstop / sim.dt)
            state = sum(leaf.nbytes for leaf in jax.tree_util.tree_leaves(sim.start().carry))
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # KiB -> GiB
            print(f"{cells:9d} cells {dtype}: build + compile + first run {setup:6.1f} s; warm {warm:6.2f} s for "
                  f"{args.tstop:g} ms = {cells * steps / warm:.3e} cell-steps/s; cell 0 peaks at {first['v0'].max():.1f} mV; "
                  f"state {state / cells:.0f} B/cell; peak resident {peak:.1f} GiB")


if __name__ == "__main__":
    main()
