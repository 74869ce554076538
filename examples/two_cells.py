"""Two Hodgkin-Huxley cells: the first is driven by a current step, each of its spikes reaches the
second through a NetCon (3 ms delay) onto a two-exponential synapse, and the second fires too.

    python examples/two_cells.py [--backend jax|tf|onnx|numpy] [--dtype float64|float32] [--tstop MS]

Everything comes from the .mod files in mechanisms/: hh, IClamp and Exp2Syn are compiled for the
chosen backend on first use (cached afterwards) and the whole time loop runs inside the backend.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from modlc.runtime import Cell, Network, Simulation

MECHANISMS = Path(__file__).resolve().parent.parent / "mechanisms"


def build() -> Network:
    net = Network()
    cells = []
    for name in ("pre", "post"):
        cell = Cell(name)
        cell.section("soma", L=20, diam=20)  # µm
        cells.append(net.add_cell(cell))
        net.insert(MECHANISMS / "hh.mod", cells[-1])
    pre, post = cells
    net.place(MECHANISMS / "iclamp.mod", at=(pre, "soma", 0.5), **{"del": 2.0, "dur": 40.0, "amp": 0.15})
    syn = net.place(MECHANISMS / "exp2syn.mod", at=(post, "soma", 0.5), tau1=0.5, tau2=3.0)
    net.connect((pre, "soma", 0.5), syn, weight=0.05, delay=3.0, threshold=0.0)
    net.connect((post, "soma", 0.5), None, threshold=0.0)  # a detector, to record the second cell's spikes
    net.record("v_pre", "v", at=(pre, "soma", 0.5))
    net.record("v_post", "v", at=(post, "soma", 0.5))
    net.record("g_syn", "g", point=syn)
    return net


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", default="jax", choices=["jax", "tf", "onnx", "numpy"])
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    parser.add_argument("--tstop", type=float, default=50.0, help="simulated time in ms (default 50)")
    args = parser.parse_args()
    started = time.perf_counter()
    result = Simulation(build(), backend=args.backend, dtype=args.dtype).run(args.tstop)
    elapsed = time.perf_counter() - started
    pre, post = result.sources
    print(f"{args.backend} {args.dtype}: {len(result.t) - 1} steps of 0.025 ms in {elapsed:.2f} s (compile included)")
    print("presynaptic spikes (ms): ", " ".join(f"{t:.3f}" for t in result.spikes(pre)))
    print("postsynaptic spikes (ms):", " ".join(f"{t:.3f}" for t in result.spikes(post)))
    print(f"peak synaptic conductance {result['g_syn'].max():.4f} uS; "
          f"v_post range {result['v_post'].min():.1f} .. {result['v_post'].max():.1f} mV")


if __name__ == "__main__":
    main()
