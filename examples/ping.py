"""PING: a gamma rhythm from excitatory (reduced Traub-Miles) and inhibitory (Wang-Buzsaki) cells.

    python examples/ping.py [--backend jax|tf|onnx|numpy] [--cells N] [--tstop MS] [--dtype D] [--out DIR]

Pyramidal-interneuron network gamma (Borgers 2017, An Introduction to Modeling Neuronal Dynamics,
ch. 30; the assembly network of Omelyusik et al., "On Scaling Neuronal Network Simulations Using
Distributed Computing"). Driven E cells fire, recruit the I cells, and the I cells' inhibition
(decay 9 ms) silences the E cells until it wears off: the population fires in volleys at ~35 Hz.

The network. Assemblies of ASSEMBLY (50) cells, 80 % E (mechanisms/rtm.mod), 20 % I (wb.mod).
Within an assembly E->I, I->E and I->I each exist with probability 0.5 and there is no E->E; 10 %
of each assembly's cells (E or I) send one excitatory synapse to a random cell of another assembly.
Every cell is one compartment with L = diam = sqrt(1e4/pi) = 56.419 um, so its area is 1e-4 cm^2
and the densities of the papers convert exactly: 1 mS/cm^2 = 0.1 uS and 1 uA/cm^2 = 0.1 nA.

Synapses (mechanisms/expsyn.mod, one excitatory and one inhibitory ExpSyn per cell that receives
any, every NetCon of that type converging on it; weights in uS, delay 1 ms, threshold 0 mV):
    excitatory  e = 0 mV,   tau = 2 ms  (AMPA-like)
    inhibitory  e = -75 mV, tau = 9 ms  (GABA_A-like)
Borgers specifies the total conductance a cell receives, g_hat, spread over its presynaptic
cells; here each NetCon weight is g_hat / (expected number of presynaptic cells of that type,
0.5 x their count in the assembly), converted to uS:
    G_EI = 0.25, G_IE = 0.45, G_II = 0.1 mS/cm^2  (per NetCon 1.25, 9 and 2 nS at 40 E + 10 I)
and a between-assembly synapse has G_BETWEEN = 0.1 mS/cm^2 (10 nS) on its own.
Why these values: with Borgers' G_IE = 0.25 this network runs at ~44 Hz (its ExpSyns rise
instantly, NetCons add 1 ms, connections are sparse and random, drive varies by 10 %); the
inhibition-limited cycle lengthens with G_IE, and 0.45 puts it near 35 Hz, the middle of the
study's 30-40 Hz. With weak between-assembly synapses (G_EI's 1.25 nS) each assembly keeps its own
rhythm and two of them may settle in antiphase, which doubles the network rate's frequency (seen
for 1 seed in 6); at 10 nS they pull each other into phase. Measured at the default size, seeds
1-12: peaks 34.4-36.9 Hz; at 400 and 1000 cells 33.6-35.4 Hz.
Drive: an IClamp into every E cell, amplitude I_E (1 + 0.1 X), X ~ N(0, 1), I_E = 1.4 uA/cm^2
(Borgers' value; alone, a cell would fire at ~55 Hz), switched on at a uniformly random time in
[0, 25) ms. The staggered onsets spread the E cells' first spikes over a whole cycle, so the
rhythm emerges from an asynchronous start rather than from identical initial conditions. The I
cells receive no drive: they fire only when the E cells recruit them.

Output: the E/I spike raster, population rates, the spectrum of the E rate (1 ms bins, after a
100 ms transient) with its peak, and a voltage trace of one E and one I cell, as a PNG in --out.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import MECHANISMS, Timer, header, parser, save  # noqa: E402

from modlc.runtime import Cell, Location, Network, Result, Simulation  # noqa: E402

# ----- the configuration -------------------------------------------------------------------------
CELLS, TSTOP = 200, 500.0  # defaults: 4 assemblies, half a second (~6 s on JAX on 2 cores, mostly compiling)
DIAM = float(np.sqrt(1e4 / np.pi))  # um (56.41895835...): L = diam, area = pi * diam * L = 1e-4 cm^2
AREA_CM2 = 1e-4
MS_CM2 = 0.1  # uS per mS/cm^2 on this area
UA_CM2 = 0.1  # nA per uA/cm^2 on this area

ASSEMBLY = 50  # cells per assembly
E_FRACTION = 0.8
P_LOCAL = 0.5  # E->I, I->E, I->I within an assembly
CROSS_FRACTION = 0.1  # of each assembly's cells send one excitatory synapse to another assembly

I_E, SIGMA_E = 1.4, 0.1  # drive into E cells: mean (uA/cm^2) and relative heterogeneity
ONSET = 25.0  # ms: drive onsets uniform in [0, ONSET)
G_EI, G_IE, G_II = 0.25, 0.45, 0.1  # total synaptic conductance a cell receives (mS/cm^2)
G_BETWEEN = 0.1  # conductance of one between-assembly synapse (mS/cm^2)
TAU_E, E_E = 2.0, 0.0  # excitatory synapse decay (ms) and reversal (mV)
TAU_I, E_I = 9.0, -75.0  # inhibitory synapse decay (ms) and reversal (mV)
DELAY = 1.0  # NetCon delay (ms)
THRESHOLD = 0.0  # spike detection (mV, upward crossing)

TRANSIENT = 100.0  # ms discarded before the spectrum
BIN = 1.0  # ms, population-rate bins
MIN_WINDOW = 100.0  # ms after the transient: below this (~3 gamma cycles) no peak is reported
GAMMA = (30.0, 40.0)  # Hz, where the default configuration's peak belongs

RTM = MECHANISMS / "rtm.mod"  # (their currents are linear in v at fixed gates, so the exact dI/dv and
WB = MECHANISMS / "wb.mod"  # NEURON's difference quotient agree; tests/test_ping.py checks both)
EXPSYN = MECHANISMS / "expsyn.mod"
ICLAMP = MECHANISMS / "iclamp.mod"


@dataclass
class Info:
    """What build() made: cell kinds and assemblies, the drive, and the synapse counts."""

    excitatory: np.ndarray  # bool per cell
    assembly: np.ndarray  # assembly index per cell
    drive: np.ndarray  # IClamp amplitude per cell (nA; 0 for I cells)
    onset: np.ndarray  # IClamp onset per cell (ms)
    weights: dict[str, float]  # uS per NetCon, by synapse type
    synapses: dict[str, int]  # NetCon counts by type
    traces: dict[str, int]  # recording name -> cell

    @property
    def n_e(self) -> int:
        return int(self.excitatory.sum())

    @property
    def n_i(self) -> int:
        return int((~self.excitatory).sum())


def build(cells: int = CELLS, seed: int = 1) -> tuple[Network, Info]:
    """The PING network of `cells` cells, its random draws (connections, drive) from `seed`."""
    rng = np.random.default_rng(seed)
    net = Network()
    net.v_init = -65.0
    soma = Cell("ping")
    soma.section("soma", L=DIAM, diam=DIAM)

    sizes = [len(a) for a in np.array_split(np.arange(cells), max(1, round(cells / ASSEMBLY)))]
    excitatory, assembly, members = [], [], []
    for a, size in enumerate(sizes):
        n_e = int(round(E_FRACTION * size)) if size > 1 else 1
        ids = []
        for j in range(size):
            k = net.add_cell(soma)
            is_e = j < n_e
            net.insert(RTM if is_e else WB, k)
            excitatory.append(is_e)
            assembly.append(a)
            ids.append(k)
        members.append((np.array(ids[:n_e], dtype=int), np.array(ids[n_e:], dtype=int)))
    excitatory, assembly = np.array(excitatory), np.array(assembly)

    drive, onset = np.zeros(cells), np.zeros(cells)
    for k in np.flatnonzero(excitatory):
        drive[k] = UA_CM2 * I_E * (1.0 + SIGMA_E * rng.standard_normal())
        onset[k] = rng.uniform(0.0, ONSET)
        net.place(ICLAMP, at=(k, "soma", 0.5), **{"del": onset[k], "dur": 1e9, "amp": drive[k]})

    exc_syn, inh_syn = {}, {}  # one ExpSyn per target cell and type, made when first needed

    def target(kind: str, k: int):
        table, tau, e = (exc_syn, TAU_E, E_E) if kind == "exc" else (inh_syn, TAU_I, E_I)
        if k not in table:
            table[k] = net.place(EXPSYN, at=(k, "soma", 0.5), tau=tau, e=e)
        return table[k]

    def connect(pre: int, post: int, kind: str, w: float) -> None:
        net.connect((pre, "soma", 0.5), target(kind, post), weight=w, delay=DELAY, threshold=THRESHOLD)

    weights: dict[str, float] = {}
    counts = {"E->I": 0, "I->E": 0, "I->I": 0, "between": 0}
    for e_ids, i_ids in members:
        # unit weights: the total g_hat over the expected number of presynaptic cells
        w_ei = MS_CM2 * G_EI / max(P_LOCAL * len(e_ids), 1.0)
        w_ie = MS_CM2 * G_IE / max(P_LOCAL * len(i_ids), 1.0)
        w_ii = MS_CM2 * G_II / max(P_LOCAL * len(i_ids), 1.0)
        weights.setdefault("E->I", w_ei), weights.setdefault("I->E", w_ie), weights.setdefault("I->I", w_ii)
        for pre_ids, post_ids, kind, w, name in ((e_ids, i_ids, "exc", w_ei, "E->I"),
                                                 (i_ids, e_ids, "inh", w_ie, "I->E"),
                                                 (i_ids, i_ids, "inh", w_ii, "I->I")):
            draw = rng.random((len(pre_ids), len(post_ids))) < P_LOCAL
            for a_, b_ in zip(*np.nonzero(draw)):
                pre, post = int(pre_ids[a_]), int(post_ids[b_])
                if pre != post:  # no autapses (I->I)
                    connect(pre, post, kind, w)
                    counts[name] += 1
    w_between = MS_CM2 * G_BETWEEN
    weights["between"] = w_between
    if len(members) > 1:
        for a in range(len(members)):
            own = np.flatnonzero(assembly == a)
            others = np.flatnonzero(assembly != a)
            for pre in rng.choice(own, size=int(round(CROSS_FRACTION * len(own))), replace=False):
                connect(int(pre), int(rng.choice(others)), "exc", w_between)
                counts["between"] += 1

    for k in range(cells):  # a detector on every cell: each one is a spike source
        net.connect((k, "soma", 0.5), None, threshold=THRESHOLD)
    traces = {}
    for name, pool in (("v_E", np.flatnonzero(excitatory)), ("v_I", np.flatnonzero(~excitatory))):
        if len(pool):
            traces[name] = int(pool[0])
            net.record(name, "v", at=(int(pool[0]), "soma", 0.5))
    return net, Info(excitatory, assembly, drive, onset, weights, counts, traces)


# ----- running and analysing ---------------------------------------------------------------------
@dataclass
class PingRun:
    """One simulation and what the example derives from it."""

    result: Result
    info: Info
    backend: str
    dtype: str
    cells: int
    tstop: float
    seconds: float
    spike_times: np.ndarray = field(repr=False)  # every spike, ms
    spike_cells: np.ndarray = field(repr=False)  # the cell of each spike
    rate_t: np.ndarray = field(repr=False)  # bin centres (ms)
    rate_e: np.ndarray = field(repr=False)  # E population rate per cell (Hz) in each bin
    rate_i: np.ndarray = field(repr=False)
    freqs: np.ndarray = field(repr=False)  # Hz
    power: np.ndarray = field(repr=False)  # spectrum of the E rate after the transient (arbitrary units)
    peak_hz: float
    mean_rate_e: float  # Hz per cell, after the transient
    mean_rate_i: float

    @property
    def e_spikes(self) -> int:
        return int(self.info.excitatory[self.spike_cells].sum())

    @property
    def i_spikes(self) -> int:
        return int(len(self.spike_cells) - self.e_spikes)


def spectrum(rate: np.ndarray, bin_ms: float = BIN, pad: int = 8192) -> tuple[np.ndarray, np.ndarray]:
    """Power spectrum of a binned rate: mean removed, Hann window, zero-padded for a fine grid."""
    if not len(rate):
        return np.fft.rfftfreq(pad, d=bin_ms * 1e-3), np.zeros(pad // 2 + 1)
    x = (rate - rate.mean()) * np.hanning(len(rate))
    n = max(pad, len(x))
    power = np.abs(np.fft.rfft(x, n)) ** 2
    return np.fft.rfftfreq(n, d=bin_ms * 1e-3), power


def simulate(backend: str = "jax", cells: int = CELLS, tstop: float = TSTOP, dtype: str = "float64",
             seed: int = 1) -> PingRun:
    net, info = build(cells, seed)
    with Timer() as timer:
        result = Simulation(net, backend=backend, dtype=dtype).run(tstop)
    # spike source id -> cell, then one array of (time, cell) for every spike
    source_cell = np.full(max(result.sources, default=-1) + 1, -1)
    for sid, src in result.sources.items():
        if isinstance(src, Location):
            source_cell[sid] = src.cell
    cells_of = source_cell[result.spike_sources.astype(int)] if len(result.spike_sources) else np.zeros(0, int)
    times = result.spike_times
    keep = cells_of >= 0
    times, cells_of = times[keep], cells_of[keep]
    return PingRun(result, info, backend, dtype, cells, tstop, timer.seconds, times, cells_of,
                   *measure(times, cells_of, info, tstop))


def measure(times: np.ndarray, cells_of: np.ndarray, info: Info, tstop: float) -> tuple:
    """What the example derives from a raster (spike times in ms and their cells), whichever
    simulator made it: rate_t, rate_e, rate_i, freqs, power, peak_hz, mean_rate_e, mean_rate_i."""
    edges = np.arange(0.0, tstop + BIN / 2, BIN)
    if len(edges) < 2:
        edges = np.array([0.0, tstop])
    exc = info.excitatory[cells_of]
    per_s = 1e3 / (edges[1:] - edges[:-1])
    rate_e = np.histogram(times[exc], edges)[0] * per_s / max(info.n_e, 1)
    rate_i = np.histogram(times[~exc], edges)[0] * per_s / max(info.n_i, 1)
    rate_t = (edges[1:] + edges[:-1]) / 2

    late = rate_t >= min(TRANSIENT, tstop / 2)
    freqs, power = spectrum(rate_e[late])
    band = (freqs >= 5.0) & (freqs <= 200.0)
    usable = late.sum() * BIN >= MIN_WINDOW and power[band].max() > 0
    peak = float(freqs[band][np.argmax(power[band])]) if usable else float("nan")
    mean_e = float(rate_e[late].mean()) if late.any() else 0.0  # = spikes / (cells x time) after the transient
    mean_i = float(rate_i[late].mean()) if late.any() else 0.0
    return rate_t, rate_e, rate_i, freqs, power, peak, mean_e, mean_i


# ----- the figure --------------------------------------------------------------------------------
E_COLOUR, I_COLOUR = "#1f5fa8", "#c0392b"


def plot(run: PingRun, out: Path) -> Path:
    import matplotlib.pyplot as plt

    info = run.info
    fig = plt.figure(figsize=(12, 8.5))
    outer = fig.add_gridspec(1, 2, width_ratios=[3.2, 1.25], wspace=0.22)
    left = outer[0].subgridspec(3, 1, height_ratios=[2.6, 1.1, 1.4], hspace=0.12)
    right = outer[1].subgridspec(2, 1, height_ratios=[3.3, 1.8], hspace=0.3)
    ax_raster = fig.add_subplot(left[0])
    ax_rate = fig.add_subplot(left[1], sharex=ax_raster)
    ax_v = fig.add_subplot(left[2], sharex=ax_raster)
    ax_psd = fig.add_subplot(right[0])
    ax_text = fig.add_subplot(right[1])

    # raster: I cells above E cells, each population in its own colour
    order = np.argsort(~info.excitatory, kind="stable")  # E first, then I
    row = np.empty_like(order)
    row[order] = np.arange(len(order))
    exc = info.excitatory[run.spike_cells]
    size = max(0.5, min(4.0, 600.0 / max(run.cells, 1)))
    marker = "|" if run.cells <= 300 else "."
    ax_raster.scatter(run.spike_times[exc], row[run.spike_cells[exc]], s=size, c=E_COLOUR, marker=marker,
                      linewidths=0.8, label=f"E (RTM): {info.n_e}")
    ax_raster.scatter(run.spike_times[~exc], row[run.spike_cells[~exc]], s=size, c=I_COLOUR, marker=marker,
                      linewidths=0.8, label=f"I (WB): {info.n_i}")
    ax_raster.axhline(info.n_e - 0.5, color="0.3", lw=0.8)
    for a in range(1, int(info.assembly.max()) + 1):  # assembly boundaries within each population
        for pop in (info.excitatory, ~info.excitatory):
            first = row[np.flatnonzero(pop & (info.assembly == a))]
            if len(first):
                ax_raster.axhline(first.min() - 0.5, color="0.6", lw=0.6, ls=":")
    ax_raster.set_ylim(-0.5, run.cells - 0.5)
    ax_raster.set_ylabel("cell (E below, I above;\ndotted: assemblies)")
    n_asm = int(info.assembly.max()) + 1
    assemblies = f"{n_asm} assembl{'y' if n_asm == 1 else 'ies'}"
    ax_raster.set_title(f"PING: {run.cells} cells, {assemblies} ({run.backend} {run.dtype})",
                        loc="left", fontsize=11)
    ax_raster.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, markerscale=4 if run.cells > 300 else 2.5,
                     frameon=False, fontsize=8, borderaxespad=0.1)
    plt.setp(ax_raster.get_xticklabels(), visible=False)

    ax_rate.plot(run.rate_t, run.rate_e, color=E_COLOUR, lw=0.9, label="E")
    ax_rate.plot(run.rate_t, run.rate_i, color=I_COLOUR, lw=0.9, label="I")
    ax_rate.axvspan(0, min(TRANSIENT, run.tstop / 2), color="0.92", zorder=0)
    ax_rate.text(2, 0.95, "transient (not in spectrum)", transform=ax_rate.get_xaxis_transform(), va="top",
                 fontsize=7, color="0.4")
    ax_rate.set_ylabel(f"rate (Hz/cell,\n{BIN:g} ms bins)")
    ax_rate.legend(loc="upper right", fontsize=8, ncol=2)
    plt.setp(ax_rate.get_xticklabels(), visible=False)

    t = run.result.t
    for name, colour, label in (("v_E", E_COLOUR, "E"), ("v_I", I_COLOUR, "I")):
        if name in run.result.traces:
            ax_v.plot(t, run.result[name], color=colour, lw=0.7, label=f"{label} cell {info.traces[name]}")
    ax_v.set_ylabel("v (mV)")
    ax_v.set_xlabel("time (ms)")
    ax_v.set_xlim(0, run.tstop)
    ax_v.legend(loc="upper right", fontsize=8, ncol=2)

    shown = (run.freqs > 0) & (run.freqs <= 150)
    top = run.power[shown].max() if shown.any() and run.power[shown].max() > 0 else 1.0
    ax_psd.axvspan(*GAMMA, color="#f3e6b3", zorder=0, label=f"{GAMMA[0]:g}-{GAMMA[1]:g} Hz")
    ax_psd.plot(run.freqs[shown], run.power[shown] / top, color=E_COLOUR, lw=1.2)
    if np.isfinite(run.peak_hz):
        ax_psd.axvline(run.peak_hz, color="k", lw=0.8, ls="--")
        ax_psd.annotate(f"peak {run.peak_hz:.1f} Hz", (run.peak_hz, 1.0), xytext=(8, -4), textcoords="offset points",
                        fontsize=9, va="top")
    ax_psd.set_xlim(0, 150)
    ax_psd.set_ylim(0, 1.08)
    ax_psd.set_xlabel("frequency (Hz)")
    ax_psd.set_ylabel("power (normalised)")
    ax_psd.set_title(f"spectrum of the E rate, t > {min(TRANSIENT, run.tstop / 2):g} ms", loc="left", fontsize=10)
    ax_psd.legend(loc="upper right", fontsize=8)

    ax_text.axis("off")
    w = info.weights
    ax_text.text(0, 1, "\n".join([
        f"peak {run.peak_hz:.1f} Hz" if np.isfinite(run.peak_hz) else "no peak (run too short or silent)",
        f"E {run.mean_rate_e:.1f} Hz/cell, I {run.mean_rate_i:.1f} Hz/cell",
        f"drive I_E = {I_E:g} uA/cm2 (sd {SIGMA_E:.0%}), onsets in [0, {ONSET:g}) ms",
        f"g_EI {G_EI:g}, g_IE {G_IE:g}, g_II {G_II:g} mS/cm2 total",
        f"per NetCon: E->I {w['E->I'] * 1e3:.2f}, I->E {w['I->E'] * 1e3:.2f}, I->I {w['I->I'] * 1e3:.2f},",
        f"            between assemblies {w['between'] * 1e3:.2f} nS",
        f"tau_E {TAU_E:g} ms, tau_I {TAU_I:g} ms, delay {DELAY:g} ms",
        f"{sum(run.info.synapses.values())} NetCons, {run.seconds:.1f} s wall",
    ]), va="top", fontsize=8.5, family="monospace", transform=ax_text.transAxes)
    path = save(fig, out, "ping")
    plt.close(fig)
    return path


def main(argv=None) -> PingRun:
    p = parser(__doc__, CELLS, TSTOP)
    p.add_argument("--seed", type=int, default=1, help="seed of the connections and the drive (default 1)")
    args = p.parse_args(argv)
    run = simulate(args.backend, args.cells, args.tstop, args.dtype, args.seed)
    header(args, f"PING, {run.cells} cells ({run.info.n_e} E, {run.info.n_i} I)", run.seconds, args.tstop)
    syn = run.info.synapses
    print(f"synapses: E->I {syn['E->I']}, I->E {syn['I->E']}, I->I {syn['I->I']}, between assemblies {syn['between']}")
    skipped = min(TRANSIENT, args.tstop / 2)
    if np.isfinite(run.peak_hz):
        print(f"peak frequency of the E population rate: {run.peak_hz:.1f} Hz (after {skipped:g} ms)")
    else:
        print(f"peak frequency of the E population rate: none (the {args.tstop - skipped:g} ms after the transient "
              f"are too short or silent; a spectrum needs {MIN_WINDOW:g} ms: --tstop {2 * MIN_WINDOW:g} or more)")
    print(f"mean rates: E {run.mean_rate_e:.1f} Hz, I {run.mean_rate_i:.1f} Hz per cell")
    print(f"spikes: E {run.e_spikes}, I {run.i_spikes}")
    plot(run, args.out)
    return run


if __name__ == "__main__":
    main()
