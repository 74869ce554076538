"""PING-Assembly over 1, 2 and 4 devices: time per biological second under each placement strategy.

The network of examples/ping.py (assemblies of 50 cells, 80 % reduced Traub-Miles E, 20 % Wang-
Buzsaki I, Börgers connectivity within an assembly, 10 % of the cells linked to another assembly,
1 ms delays) run by modlc on JAX with the cells placed on k devices, spikes exchanged every 1 ms.
CPU devices are XLA's forced host devices, so on a machine with fewer cores than devices the
parts share the cores; on a GPU machine they are the GPUs.

    python examples/benchmarks/distributed_ping.py --cells 1000 --tstop 200 --devices 1 2 4
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cells", type=int, nargs="+", default=[1000])
    parser.add_argument("--tstop", type=float, default=200.0)
    parser.add_argument("--devices", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--strategies", nargs="+", default=["contiguous", "random", "metis"])
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    args = parser.parse_args()
    if "jax" not in sys.modules and "XLA_FLAGS" not in os.environ:  # before JAX starts
        os.environ["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={max(args.devices)}"
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import jax
    import ping

    from modlc.runtime import Simulation

    print(f"{jax.devices()[0].platform}: {len(jax.devices())} devices; PING-Assembly, {args.tstop:g} ms, "
          f"JAX {args.dtype}; seconds per biological second (warm), first run (compile) in brackets")
    for cells in args.cells:
        net = ping.build(cells, seed=1)[0]
        for k in args.devices:
            for strategy in (args.strategies if k > 1 else ["one device"]):
                options = {} if k == 1 else {"devices": k, "partition": strategy}
                started = time.perf_counter()
                sim = Simulation(net, backend="jax", dtype=args.dtype, progress=False, **options)
                first = sim.run(args.tstop)
                cold = time.perf_counter() - started
                started = time.perf_counter()
                sim.run(args.tstop)
                warm = time.perf_counter() - started
                cut = "" if k == 1 else f"cut {sim.distributed.assignment.cut:6d} NetCons"
                print(f"{cells:7d} cells  {k} devices  {strategy:10s}  {warm / args.tstop * 1000:8.2f} s/s  "
                      f"({cold:6.1f} s)  {len(first.spike_times):6d} spikes  {cut}")


if __name__ == "__main__":
    main()
