"""The P1 and P2 cells in Jaxley, timed in a fresh interpreter by harness.time_jaxley.

    python examples/benchmarks/jaxley_models.py {p1,p2} CELLS TSTOP {float64,float32}

prints `RESULT [first, warm]` (seconds). A subprocess, as for NEURON: float64 is a process-wide JAX
switch, and Jaxley then runs on the threads XLA gives it, not beside modlc's.

These are the models NEURON and modlc run: Jaxley's `HH` channel has the rates, conductances and
reversals (leak included) of NEURON's hh at 6.3 °C, and its `Leak` is pas; the geometry and the
current step are the benchmarks' own (tests/test_benchmarks.py checks the soma potential against
modlc's). Independent cells run as one cell under `jax.vmap` over a parameter (here gNa, the same
for every cell), Jaxley's way of running many cells at once; like every Jaxley run, each records
the soma potential at every step.
"""

from __future__ import annotations

import argparse
import json
import time

V_INIT = -65.0


def p1_cell(jx, dt: float, tstop: float):
    """P1's cell: a 20 µm soma with hh and a 0.1 nA step from 1 ms."""
    from jaxley.channels import HH

    cell = jx.Cell(jx.Branch(jx.Compartment(), ncomp=1), parents=[-1])
    cell.set("length", 20.0)
    cell.set("radius", 10.0)
    cell.insert(HH())
    return stimulated(jx, cell, 0.1, dt, tstop)


def p2_cell(jx, dt: float, tstop: float):
    """P2's 113-compartment cell: the soma (one compartment) and 28 dendritic sections of NSEG
    compartments, each attached at its parent's 1 end; hh everywhere, pas in the dendrites."""
    import p2_branched_cells as p2
    from jaxley.channels import HH, Leak

    spec = p2.dendrites()
    names = ["soma"] + [name for name, _, _ in spec]
    comp = jx.Compartment()
    branches = [jx.Branch(comp, ncomp=1)] + [jx.Branch(comp, ncomp=p2.NSEG) for _ in spec]
    cell = jx.Cell(branches, parents=[-1] + [names.index(parent) for _, parent, _ in spec])
    cell.set("axial_resistivity", p2.RA)
    cell.branch(0).set("length", 20.0)  # Jaxley's length is a compartment's
    cell.branch(0).set("radius", 10.0)
    for k, (_, _, diam) in enumerate(spec, start=1):
        cell.branch(k).set("length", p2.LENGTH / p2.NSEG)
        cell.branch(k).set("radius", diam / 2)
    cell.insert(HH())
    for k in range(1, len(names)):
        cell.branch(k).insert(Leak())
    cell.set("Leak_gLeak", p2.G_PAS)
    cell.set("Leak_eLeak", p2.E_PAS)
    return stimulated(jx, cell, p2.STIM_NA, dt, tstop)


def stimulated(jx, cell, amp: float, dt: float, tstop: float):
    """`cell` at rest at V_INIT (gates at steady state), with a step of `amp` nA from 1 ms into
    the first compartment, whose potential it records."""
    cell.set("capacitance", 1.0)
    cell.set("v", V_INIT)
    cell.init_states()
    soma = cell.branch(0).comp(0)
    soma.stimulate(jx.step_current(i_delay=1.0, i_dur=1e9, i_amp=amp, delta_t=dt, t_max=tstop), verbose=False)
    soma.record("v", verbose=False)
    return cell


CELLS = {"p1": p1_cell, "p2": p2_cell}


def population(workload: str, cells: int, tstop: float, dt: float):
    """The compiled run of `cells` copies of the workload's cell and its argument: call
    `run(arg)` to get the soma potentials, shape (cells, 1, steps + 1)."""
    import jax
    import jax.numpy as jnp
    import jaxley as jx

    cell = CELLS[workload](jx, dt, tstop)
    cell.make_trainable("HH_gNa", verbose=False)
    g_na = cell.get_parameters()[0]["HH_gNa"]

    def one(g):
        return jx.integrate(cell, params=[{"HH_gNa": g}], delta_t=dt, t_max=tstop)

    return jax.jit(jax.vmap(one)), jnp.broadcast_to(g_na, (cells, *g_na.shape))


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("workload", choices=sorted(CELLS))
    p.add_argument("cells", type=int)
    p.add_argument("tstop", type=float)
    p.add_argument("dtype", choices=["float64", "float32"])
    args = p.parse_args(argv)
    import jax

    jax.config.update("jax_enable_x64", args.dtype == "float64")
    import harness

    started = time.perf_counter()  # the first call includes building the cell, like NEURON's and modlc's
    run, arg = population(args.workload, args.cells, args.tstop, harness.DT)
    jax.block_until_ready(run(arg))
    first = time.perf_counter() - started
    started = time.perf_counter()
    jax.block_until_ready(run(arg))
    print("RESULT " + json.dumps([first, time.perf_counter() - started]))


if __name__ == "__main__":
    main()
