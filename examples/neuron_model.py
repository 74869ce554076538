"""A 3-D reconstructed pyramidal cell built in NEURON, simulated by NEURON and by modlc side by side.

    python examples/neuron_model.py [--backend jax|tf|onnx|numpy] [--dtype float64|float32]
                                    [--tstop MS] [--out DIR]

NEURON builds the model: its demo reconstruction pyramid.nrn (read from the installed `neuron`
package) with tapering sections cut into ~20 µm segments, hh with sodium and potassium densities
that fall with distance from the soma, and ExpSyn synapses on seven dendrites driven by a NetStim.
NEURON runs it (`h.run()`); then `modlc.runtime.neuron_reader.read` hands the very same in-process
model to modlc (geometry segment by segment, every RANGE value, the NetCons), which compiles and
runs it on the chosen backend. Both integrate the same equations with the same step, so in float64
the voltages agree to rounding; the figure shows both traces and their difference, and the summary
times NEURON's run against modlc's transfer, first run (compile included) and warm run.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

from modlc.runtime import Simulation  # noqa: E402

THRESHOLD = -10.0  # mV, the somatic spike detector's


def build(h):
    """The model in this process's NEURON; returns the soma and distal dendrite segments."""
    import neuron

    h.load_file("stdrun.hoc")
    h.load_file(str(Path(neuron.__file__).parent / ".data" / "share" / "nrn" / "demo" / "pyramid.nrn"))
    for sec in h.allsec():
        sec.nseg = 1 + 2 * int(sec.L / 40)  # odd, about 20 µm a segment
        sec.Ra = 150
        sec.insert("pas")
        for seg in sec:
            seg.g_pas, seg.e_pas = 1e-4, -65
        sec.insert("hh")
    soma = h.soma
    h.distance(0, 0.5, sec=soma)  # distances from the middle of the soma
    dendrites = [sec for sec in h.allsec() if sec != soma]
    for sec in dendrites:
        for seg in sec:
            d = h.distance(seg)
            seg.gnabar_hh = 0.04 * np.exp(-d / 200)  # S/cm², falling along the dendrites
            seg.gkbar_hh = 0.012 * np.exp(-d / 300)
            seg.gl_hh = 0  # the leak is pas's
    stim = h.NetStim()
    stim.number, stim.interval, stim.start, stim.noise = 10, 8, 5, 0
    parts = [stim]
    for i, sec in enumerate(dendrites[:7]):
        syn = h.ExpSyn(sec(0.5))
        syn.tau, syn.e = 2, 0
        nc = h.NetCon(stim, syn)
        nc.weight[0], nc.delay = 0.02, 1 + 0.3 * i
        parts += [syn, nc]
    clamp = h.IClamp(soma(0.5))
    clamp.delay, clamp.dur, clamp.amp = 2, 80, 0.3
    distal = max((seg for sec in dendrites for seg in sec), key=h.distance)
    return soma(0.5), distal, parts + [clamp]


@dataclass
class Comparison:
    compartments: int
    distal: str  # the distal recording site, e.g. dendrite_1[30](0.95), and its distance
    t: np.ndarray
    neuron: np.ndarray  # (2, samples) mV: soma, distal dendrite
    modlc: np.ndarray
    neuron_spikes: np.ndarray  # somatic spike times (ms)
    modlc_spikes: np.ndarray
    neuron_s: float  # h.run()
    transfer_s: float  # read(h): NEURON's model into a modlc Network
    first_s: float  # Simulation(...) and its first run: compile included
    warm_s: float  # the same run again, compiled

    @property
    def max_dv(self) -> float:
        return float(np.abs(self.neuron - self.modlc).max())


def simulate(backend: str = "jax", tstop: float = 100.0, dtype: str = "float64") -> Comparison:
    """Build once in NEURON, hand the model to modlc, run it in NEURON and then in modlc."""
    from neuron import h

    from modlc.runtime.neuron_reader import read

    soma, distal, _keep = build(h)
    h.tstop = tstop
    t = h.Vector().record(h._ref_t)
    traces = [h.Vector().record(seg._ref_v) for seg in (soma, distal)]
    spikes = h.Vector()
    detector = h.NetCon(soma._ref_v, None, sec=soma.sec)
    detector.threshold = THRESHOLD
    detector.record(spikes)
    started = time.perf_counter()  # read the model as built, before NEURON's run changes its state
    transfer = read(h)
    transfer_s = time.perf_counter() - started
    started = time.perf_counter()
    h.run()
    neuron_s = time.perf_counter() - started

    net = transfer.network
    for name, seg in (("soma", soma), ("distal", distal)):
        net.record(name, "v", at=transfer.location(seg))
    started = time.perf_counter()
    sim = Simulation(net, backend=backend, dt=h.dt, dtype=dtype, progress=False)
    result = sim.run(tstop)
    first_s = time.perf_counter() - started
    started = time.perf_counter()
    result = sim.run(tstop)
    warm_s = time.perf_counter() - started

    ours = np.array([result["soma"], result["distal"]])
    theirs = np.array([np.array(v) for v in traces])
    if ours.shape != theirs.shape:
        raise RuntimeError(f"NEURON recorded {theirs.shape[1]} samples, modlc {ours.shape[1]}")
    return Comparison(
        compartments=sum(int(sec.nseg) for sec in h.allsec()),
        distal=f"{distal.sec.name()}({distal.x:.3g}), {h.distance(distal):.0f} µm from the soma",
        t=np.array(t), neuron=theirs, modlc=ours,
        neuron_spikes=np.array(spikes), modlc_spikes=result.spikes(transfer.source(detector)),
        neuron_s=neuron_s, transfer_s=transfer_s, first_s=first_s, warm_s=warm_s)


def plot(run: Comparison, out: Path) -> Path:
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6), sharex=True, gridspec_kw={"height_ratios": [1.6, 1]})
    for k, (site, color) in enumerate((("soma", "C0"), ("distal dendrite", "C1"))):
        top.plot(run.t, run.neuron[k], color=color, lw=2.2, alpha=0.45, label=f"NEURON, {site}")
        top.plot(run.t, run.modlc[k], color=color, lw=0.8, ls="--", label=f"modlc, {site}")
        dv = np.abs(run.neuron[k] - run.modlc[k])
        bottom.semilogy(run.t, np.maximum(dv, 1e-16), color=color, lw=0.8, label=site)
    top.set_ylabel("V (mV)")
    top.set_title(f"pyramid.nrn, {run.compartments} compartments: NEURON and modlc")
    top.legend(loc="upper right", fontsize=8, ncol=2)
    bottom.set_ylabel("|ΔV| (mV)")
    bottom.set_xlabel("time (ms)")
    bottom.set_title(f"difference (max {run.max_dv:.1e} mV)", fontsize=10)
    bottom.legend(loc="upper right", fontsize=8)
    bottom.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return common.save(fig, out, "neuron_model")


def arguments(argv: list[str] | None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backend", default="jax", choices=["jax", "tf", "onnx", "numpy"])
    p.add_argument("--tstop", type=common.positive_float, default=100.0, help="simulated time in ms (default 100)")
    p.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    p.add_argument("--out", type=Path, default=Path("."), help="folder for the PNG figure (default: here)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> Comparison:
    """Run the comparison once (NEURON builds its model once per process: call in a fresh one)."""
    args = arguments(argv)
    run = simulate(args.backend, args.tstop, args.dtype)
    common.header(args, f"pyramidal cell from NEURON, {run.compartments} compartments", run.first_s, args.tstop,
                  dt=float(run.t[1] - run.t[0]))
    print(f"recorded: soma(0.5) and {run.distal}")
    print(f"max |dV|: {run.max_dv:.3g} mV (soma {np.abs(run.neuron[0] - run.modlc[0]).max():.3g}, "
          f"distal {np.abs(run.neuron[1] - run.modlc[1]).max():.3g})")
    shared = min(len(run.neuron_spikes), len(run.modlc_spikes))
    gap = np.abs(run.neuron_spikes[:shared] - run.modlc_spikes[:shared]).max() if shared else 0.0
    print(f"somatic spikes: NEURON {len(run.neuron_spikes)}, modlc {len(run.modlc_spikes)} "
          f"(times differ by at most {gap:.3g} ms)")
    print(f"NEURON run: {run.neuron_s:.3f} s")
    print(f"modlc: transfer {run.transfer_s:.3f} s, first run {run.first_s:.2f} s (compile included), "
          f"warm run {run.warm_s:.3f} s")
    print(f"speed: warm modlc run takes {run.warm_s / run.neuron_s:.2f}x NEURON's time "
          f"({run.neuron_s / run.warm_s:.2f}x NEURON's speed)")
    plot(run, args.out)
    return run


if __name__ == "__main__":
    main()
