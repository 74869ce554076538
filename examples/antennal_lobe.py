"""The locust antennal lobe of the TensorFlow tutorial (Mohanta & Assisi 2019, after Bazhenov et al.
2001): projection neurons (PN) and local neurons (LN) answering a ramped "odour" current.

    python examples/antennal_lobe.py [--backend jax|tf|onnx|numpy] [--cells N] [--tstop MS]
                                     [--dtype float64|float32] [--out DIR] [--seed S] [--dt MS]

Single-compartment cells (area 1e-4 cm2, so 1 mS/cm2 is 0.1 uS and 1 uA/cm2 is 0.1 nA), 3 PNs per
LN (the default 120 cells are 90 PNs and 30 LNs). PNs: leak, K leak, Na, delayed rectifier, A-type
K. LNs: leak, K leak, delayed rectifier, Ca, K(Ca) and a calcium pool (broad Ca2+ spikes, no Na).
Each PN -> LN pair has a cholinergic synapse with probability 0.5 (spike-triggered 0.3 ms transmitter
pulse, NetCon at 0 mV, no delay); each LN -> any other cell pair a graded GABA-A synapse with
probability 0.5 (transmitter a sigmoid of the presynaptic v, read through a POINTER). A third of
all cells, drawn without replacement, get the odour current 1 nA * y(t): a rise with tau 75 ms from
100 ms, a decay with tau 150 ms from 600 ms. Connections and stimulated cells come from a seeded
NumPy Generator. Every channel, synapse and the stimulus are .mod files (mechanisms/al_*.mod).

Deviations from the tutorial: NEURON's integrator (implicit Euler for v, cnexp for the states, dt
0.025 ms by default) instead of RK4 at 0.01 ms; gates start at their steady state for v_init =
-70 mV instead of 0; no 1 % jitter of the initial state (every cell relaxes to the same resting
potential, PN -66.8 mV and LN -55.2 mV, long before the odour starts at 100 ms, so the jitter would
leave only a tiny residue). The network is chaotic: single spike times change with dt or any tiny
perturbation, the statistics change less than from one seed to another (seed 13, mean rate over
stimulated PNs in 100-600 ms: 4.62 Hz at dt 0.025, 4.28 Hz at 0.01 ms; seed 1: 3.29, 3.57 and
3.86 Hz at 0.025, 0.01 and 0.005 ms; at 0.025 ms, five seeds that draw, like the tutorial, 28-29
stimulated PNs and 10-11 stimulated LNs: 3.3-4.6 Hz).
The default --tstop 700 covers the odour response; --tstop 1000 adds the decay (the tutorial's run).

Printed: which PNs fire (stimulated or not), their rate, first and last spike, the LN calcium
events (upward crossings of -30 mV) and the mean PN potential (an LFP proxy). The figure shows
the PN and LN potentials as heat maps, the PN spike raster and the mean PN potential.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

from modlc.runtime import Cell, Network, Result, Simulation  # noqa: E402

M = common.MECHANISMS
AREA_CM2 = 1e-4  # membrane area of every cell
DIAM = math.sqrt(AREA_CM2 * 1e8 / math.pi)  # µm: a cylinder with L = diam has area pi diam^2 = 1e4 µm^2
MS_PER_CM2 = AREA_CM2 * 1e3  # µS per (mS/cm2) on one cell (0.1)
UA_PER_CM2 = AREA_CM2 * 1e3  # nA per (µA/cm2) on one cell (0.1)
V_INIT = -70.0  # mV
P_ACH, P_GABA, STIMULATED = 0.5, 0.5, 0.33
G_ACH, G_GABA = 0.3 * MS_PER_CM2, 0.8 * MS_PER_CM2  # µS per synapse (the tutorial's 0.3 and 0.8)
STIM_AMP = 10.0 * UA_PER_CM2  # nA (the tutorial's 10)
LN_EVENT = -30.0  # mV: an LN calcium event is an upward crossing of this
DEFAULT_TSTOP = 700.0  # the odour response (100-700 ms); --tstop 1000 for the decay as well
DEFAULT_SEED = 13  # a typical draw: 29 stimulated PNs and 10 LNs (the tutorial reports 28-29 and 10-11)


def projection_neuron() -> Cell:
    cell = Cell("PN")
    cell.section("soma", L=DIAM, diam=DIAM, cm=1.0)
    cell.insert(M / "pas.mod", g=0.15e-3, e=-55.0)
    cell.insert(M / "al_kleak.mod", gbar=0.05e-3)
    cell.insert(M / "al_na.mod")
    cell.insert(M / "al_k.mod")
    cell.insert(M / "al_a.mod")
    return cell


def local_neuron() -> Cell:
    cell = Cell("LN")
    cell.section("soma", L=DIAM, diam=DIAM, cm=1.0)
    cell.insert(M / "pas.mod", g=0.15e-3, e=-50.0)
    cell.insert(M / "al_kleak.mod", gbar=0.02e-3)
    cell.insert(M / "al_k.mod")
    cell.insert(M / "al_ca.mod")
    cell.insert(M / "al_capool.mod")  # before K(Ca): its gate sees this step's calcium, as in NEURON
    cell.insert(M / "al_kca.mod")
    return cell


@dataclass
class Info:
    """The drawn network: PNs are cells 0..n_pn-1, LNs the rest."""

    n_pn: int
    n_ln: int
    ach: np.ndarray  # (n_ln, n_pn) bool: PN j -> LN i
    gaba: np.ndarray  # (cells, n_ln) bool: LN j -> cell i
    stimulated: np.ndarray  # sorted cell indices that get the odour current
    pn_sources: list = field(default_factory=list)  # spike detector (Location) of each PN
    ln_sources: list = field(default_factory=list)  # -30 mV detector of each LN

    @property
    def cells(self) -> int:
        return self.n_pn + self.n_ln


def split(cells: int) -> tuple[int, int]:
    """PN and LN counts with the tutorial's 3:1 ratio (at least one of each)."""
    if cells < 2:
        raise ValueError(f"the antennal lobe needs at least one PN and one LN (2 cells), not {cells}")
    n_ln = max(int(round(cells / 4)), 1)
    return cells - n_ln, n_ln


def build(cells: int = 120, seed: int = DEFAULT_SEED) -> tuple[Network, Info]:
    """The network and what was drawn for it (connections and stimulated cells, from `seed`)."""
    n_pn, n_ln = split(cells)
    rng = np.random.default_rng(seed)
    ach = rng.random((n_ln, n_pn)) < P_ACH
    gaba = rng.random((cells, n_ln)) < P_GABA
    gaba[n_pn + np.arange(n_ln), np.arange(n_ln)] = False  # no autapses
    stimulated = np.sort(rng.choice(cells, int(STIMULATED * cells), replace=False))
    info = Info(n_pn, n_ln, ach, gaba, stimulated)

    net = Network(cells=[projection_neuron()] * n_pn + [local_neuron()] * n_ln, v_init=V_INIT)
    net.set_ion("ca", cai=2.4e-4)  # the pool's resting level, also what K(Ca) sees before the pool's INITIAL
    soma = [(k, "soma", 0.5) for k in range(cells)]
    for k in stimulated:
        net.place(M / "al_odor.mod", at=soma[k], amp=STIM_AMP)
    for i in range(n_ln):
        for j in np.flatnonzero(ach[i]):
            syn = net.place(M / "al_ach.mod", at=soma[n_pn + i], gmax=G_ACH)
            net.connect(soma[j], syn, delay=0.0, threshold=0.0)
    for i in range(cells):
        for j in np.flatnonzero(gaba[i]):
            syn = net.place(M / "al_gaba.mod", at=soma[i], gmax=G_GABA)
            net.link(syn, "vpre", at=soma[n_pn + j])
    for k in range(n_pn):  # every PN a spike source, also those without a synapse
        net.connect(soma[k], None, threshold=0.0)
        info.pn_sources.append(net.location(soma[k]))
    for k in range(n_pn, cells):
        net.connect(soma[k], None, threshold=LN_EVENT)
        info.ln_sources.append(net.location(soma[k]))
    for k in range(cells):
        net.record(f"v{k}", "v", at=soma[k])
    return net, info


def queue_capacity(info: Info) -> int:
    """Room for the ACh synapses' pending events: a presynaptic spike and the end of its pulse per
    synapse (a PN cannot fire twice within the 0.3 ms pulse), with a margin. The runtime's default
    (4 x (synapses + NetCons)) is safe too but makes every step slower; an overflow would stop the
    run with an error, never drop an event."""
    return 2 * int(info.ach.sum()) + 64


@dataclass
class Run:
    """One simulation and the measures the tutorial's behaviour is judged by."""

    result: Result
    info: Info
    seed: int
    tstop: float
    dt: float
    seconds: float
    v: np.ndarray  # (cells, samples) membrane potential
    t: np.ndarray  # ms
    pn_spikes: list  # spike times (ms) per PN
    ln_events: list  # calcium-event times (ms) per LN (upward crossings of -30 mV)

    @property
    def stimulated_pns(self) -> np.ndarray:
        return self.info.stimulated[self.info.stimulated < self.info.n_pn]

    @property
    def firing_pns(self) -> np.ndarray:
        return np.array([k for k, s in enumerate(self.pn_spikes) if len(s)], dtype=int)

    def rate(self, start: float = 100.0, stop: float = 600.0) -> float:
        """Mean firing rate (Hz) over the stimulated PNs in [start, stop) ms."""
        pns = self.stimulated_pns
        if not len(pns):
            return 0.0
        counts = [np.count_nonzero((self.pn_spikes[k] >= start) & (self.pn_spikes[k] < stop)) for k in pns]
        return float(np.mean(counts)) / ((stop - start) * 1e-3)

    @property
    def lfp(self) -> np.ndarray:
        """Mean PN potential (mV), the LFP proxy."""
        return self.v[: self.info.n_pn].mean(axis=0)

    def summary(self) -> dict:
        all_pn = np.concatenate(self.pn_spikes) if self.pn_spikes else np.zeros(0)
        stim = set(self.info.stimulated.tolist())
        firing = self.firing_pns
        ln_counts = [len(e) for e in self.ln_events]
        return {
            "PN": self.info.n_pn, "LN": self.info.n_ln, "stimulated PN": len(self.stimulated_pns),
            "stimulated LN": len(self.info.stimulated) - len(self.stimulated_pns),
            "ACh synapses": int(self.info.ach.sum()), "GABA synapses": int(self.info.gaba.sum()),
            "firing PN": len(firing), "firing stimulated PN": sum(int(k) in stim for k in firing),
            "firing unstimulated PN": sum(int(k) not in stim for k in firing),
            "PN spikes": int(len(all_pn)), "rate 100-600 ms (Hz)": self.rate(),
            "first PN spike (ms)": float(all_pn.min()) if len(all_pn) else math.nan,
            "last PN spike (ms)": float(all_pn.max()) if len(all_pn) else math.nan,
            "LN events": int(sum(ln_counts)), "LN events per LN (mean)": float(np.mean(ln_counts)) if ln_counts else 0.0,
            "LFP SD 100-700 ms (mV)": float(self.lfp[(self.t >= 100) & (self.t < 700)].std()) if self.tstop > 100 else math.nan,
        }


def simulate(backend: str = "jax", cells: int = 120, tstop: float = DEFAULT_TSTOP, dtype: str = "float64",
             seed: int = DEFAULT_SEED, dt: float = 0.025, record_every: int | None = None) -> Run:
    """Build, run and measure. `record_every` thins the voltage recordings (default: 0.1 ms)."""
    net, info = build(cells, seed)
    if record_every is None:
        record_every = max(1, int(round(0.1 / dt)))
    with common.Timer() as timer:
        sim = Simulation(net, backend=backend, dtype=dtype, dt=dt, queue_capacity=queue_capacity(info))
        result = sim.run(tstop, record_every=record_every)
    v = np.array([result[f"v{k}"] for k in range(info.cells)])
    pn_spikes = [result.spikes(loc) for loc in info.pn_sources]
    ln_events = [result.spikes(loc) for loc in info.ln_sources]
    return Run(result, info, seed, tstop, dt, timer.seconds, v, result.t, pn_spikes, ln_events)


def plot(run: Run, out: Path) -> Path:
    """PN and LN voltage heat maps (stimulated cells marked), the PN raster and the mean PN potential."""
    import matplotlib.pyplot as plt

    info, t = run.info, run.t
    stim = np.zeros(info.cells, bool)
    stim[info.stimulated] = True
    fig = plt.figure(figsize=(11, 12))
    grid = fig.add_gridspec(4, 2, width_ratios=[60, 1], height_ratios=[3, 1.5, 2.2, 1.3], hspace=0.28, wspace=0.02)
    axes = [fig.add_subplot(grid[0, 0])]
    axes += [fig.add_subplot(grid[i, 0], sharex=axes[0]) for i in (1, 2, 3)]
    for ax, bar, rows, label in ((axes[0], grid[0, 1], np.arange(info.n_pn), "PN"),
                                 (axes[1], grid[1, 1], np.arange(info.n_pn, info.cells), "LN")):
        image = ax.imshow(run.v[rows], aspect="auto", origin="lower", cmap="magma", interpolation="nearest",
                          extent=[t[0], t[-1], -0.5, len(rows) - 0.5], vmin=-80, vmax=20)
        fig.colorbar(image, cax=fig.add_subplot(bar), label="V (mV)")
        ax.set_ylabel(f"{label} number")
        marked = np.flatnonzero(stim[rows])
        ax.scatter(np.full(len(marked), t[0]), marked, marker=">", s=18, color="deepskyblue", clip_on=False,
                   zorder=3, label="stimulated cell")
        ax.legend(loc="upper right", fontsize=8, framealpha=0.85)
    axes[0].set_title(f"Locust antennal lobe (Mohanta & Assisi 2019 after Bazhenov et al. 2001): {info.n_pn} PNs, "
                      f"{info.n_ln} LNs, seed {run.seed}, dt {run.dt:g} ms\nPN membrane potential", fontsize=10)
    counts = [len(e) for e in run.ln_events]
    axes[1].set_title(f"LN membrane potential: broad Ca$^{{2+}}$ spikes ({sum(counts)} events, upward crossings "
                      f"of {LN_EVENT:g} mV)", fontsize=10)
    raster = axes[2]
    for colour, label, keep in (("crimson", "stimulated PN", True), ("0.35", "unstimulated PN", False)):
        xs = [sp for k, sp in enumerate(run.pn_spikes) if stim[k] == keep]
        ys = [np.full(len(sp), k) for k, sp in enumerate(run.pn_spikes) if stim[k] == keep]
        raster.scatter(np.concatenate(xs) if xs else [], np.concatenate(ys) if ys else [], marker="|", s=60,
                       color=colour, linewidths=1.5, label=label)
    raster.set_ylim(-0.5, info.n_pn - 0.5)
    raster.set_ylabel("PN number")
    raster.legend(loc="upper right", fontsize=8, framealpha=0.85)
    raster.set_title(f"PN spikes (0 mV crossings): {sum(len(s) for s in run.pn_spikes)} spikes from "
                     f"{len(run.firing_pns)} PNs; {run.rate():.2f} Hz mean over the {len(run.stimulated_pns)} "
                     f"stimulated PNs in 100-600 ms", fontsize=10)
    lfp = axes[3]
    lfp.axvspan(100, 600, color="gold", alpha=0.25, lw=0, label="odour rising (100-600 ms), decaying after")
    lfp.plot(t, run.lfp, color="k", lw=0.8)
    lfp.set_ylabel("mean PN V (mV)")
    lfp.set_xlabel("time (ms)")
    lfp.set_title("Mean PN membrane potential (LFP proxy)", fontsize=10)
    lfp.legend(loc="upper right", fontsize=8, framealpha=0.85)
    lfp.set_xlim(t[0], t[-1])
    for ax in axes[:3]:
        ax.tick_params(labelbottom=False)
    return common.save(fig, out, "antennal_lobe")


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__, cells=120, tstop=DEFAULT_TSTOP)
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"connections and stimulated cells (default {DEFAULT_SEED})")
    p.add_argument("--dt", type=common.positive_float, default=0.025, help="time step in ms (default 0.025)")
    args = p.parse_args(argv)
    if args.cells < 2:
        p.error("--cells must be at least 2 (one PN and one LN)")
    run = simulate(args.backend, args.cells, args.tstop, args.dtype, args.seed, args.dt)
    common.header(args, f"antennal lobe, {args.cells} cells", run.seconds, args.tstop, args.dt)
    for key, value in run.summary().items():
        print(f"  {key}: {value:.2f}" if isinstance(value, float) else f"  {key}: {value}")
    plot(run, args.out)


if __name__ == "__main__":
    main()
