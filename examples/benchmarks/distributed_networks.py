"""Networks over 1, 2 and 4 devices: time per biological second under each placement strategy,
and the bytes of simulation state per cell.

The study's three networks (Omelyusik et al., "On Scaling Neuronal Network Simulations Using
Distributed Computing"), one-compartment cells of mechanisms/rtm.mod (reduced Traub-Miles) and
wb.mod (Wang-Buzsaki), ExpSyn synapses, 1 ms delays:

- ping: examples/ping.py's PING-Assembly (assemblies of 50 cells, 80 % E, 20 % I, Börgers
  connectivity within an assembly, 10 % of the cells linked to a random cell of another assembly);
- pairs: N-Pairs, pairs of E cells, the first of each driven and exciting the second;
- cliques: N-K-Cliques, assemblies of K = 10 E cells connected all to all (each cell's inputs
  0.002 uS each, a fifth of a pair's), one driven cell each.

JAX, cells placed on k devices, spikes exchanged every 1 ms. CPU devices are XLA's forced host
devices: on a machine with fewer cores than devices the parts share the cores; on a GPU machine
the devices are the GPUs.

    python examples/benchmarks/distributed_networks.py --model ping pairs cliques --cells 1000 --devices 1 2 4
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

CLIQUE = 10  # cells per clique
DRIVE = 0.2  # nA into each driven cell (2 uA/cm2 on the 1e-4 cm2 cells)
WEIGHT = 0.01  # uS: a pair's NetCon (a clique's: a fifth of it)


def network(model: str, cells: int):
    """One of the three networks with about `cells` cells."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import ping

    if model == "ping":
        return ping.build(cells, seed=1)[0]
    from modlc.runtime import Cell, Network

    mechanisms = Path(__file__).resolve().parents[2] / "mechanisms"
    cell = Cell("E")
    cell.section("soma", L=ping.DIAM, diam=ping.DIAM)
    cell.insert(mechanisms / "rtm.mod")
    net = Network()
    group = 2 if model == "pairs" else CLIQUE
    for start in range(0, cells - cells % group, group):
        members = [net.add_cell(cell) for _ in range(group)]
        synapses = [net.place(mechanisms / "expsyn.mod", (k, "soma", 0.5), tau=2.0, e=0.0) for k in members]
        net.place(mechanisms / "iclamp.mod", (members[0], "soma", 0.5), **{"del": 0.0, "dur": 1e9, "amp": DRIVE})
        pairs = [(members[0], 1)] if model == "pairs" else [(a, b) for a in members for b in range(group) if members[b] != a]
        for source, b in pairs:
            net.connect((source, "soma", 0.5), synapses[b], WEIGHT * (1 if group == 2 else 0.2), delay=1.0, threshold=0.0)
    return net


def state_bytes(sim) -> int:
    """Bytes of the loop's state (every part's, for a distributed run)."""
    import jax

    sims = sim.distributed.sims.values() if sim.distributed is not None else [sim]
    return sum(leaf.nbytes for s in sims for leaf in jax.tree_util.tree_leaves(s.start().carry))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", nargs="+", default=["ping", "pairs", "cliques"], choices=["ping", "pairs", "cliques"])
    parser.add_argument("--cells", type=int, nargs="+", default=[1000])
    parser.add_argument("--tstop", type=float, default=100.0)
    parser.add_argument("--devices", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--strategies", nargs="+", default=["contiguous", "random", "metis"])
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    args = parser.parse_args()
    if "XLA_FLAGS" not in os.environ:  # before JAX starts
        os.environ["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={max(args.devices)}"
    import jax

    from modlc.runtime import Simulation

    print(f"{jax.devices()[0].platform}: {len(jax.devices())} devices; {args.tstop:g} ms, JAX {args.dtype}; "
          "seconds per biological second (warm), first run with compilation in brackets")
    for model in args.model:
        for cells in args.cells:
            net = network(model, cells)
            for k in args.devices:
                for strategy in (args.strategies if k > 1 else ["-"]):
                    options = {} if k == 1 else {"devices": k, "partition": strategy}
                    started = time.perf_counter()
                    sim = Simulation(net, backend="jax", dtype=args.dtype, progress=False, **options)
                    first = sim.run(args.tstop)
                    cold = time.perf_counter() - started
                    started = time.perf_counter()
                    sim.run(args.tstop)
                    warm = time.perf_counter() - started
                    cut = "" if k == 1 else f"  cut {sim.distributed.assignment.cut} of {len(net.netcons)} NetCons"
                    print(f"{model:8s}{len(net.cells):7d} cells  {k} devices  {strategy:10s} {warm / args.tstop * 1000:8.2f} s/s"
                          f"  ({cold:6.1f} s)  {len(first.spike_times):6d} spikes  "
                          f"{state_bytes(sim) / len(net.cells):6.0f} B/cell{cut}")


if __name__ == "__main__":
    main()
