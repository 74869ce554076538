"""The inferior-olive network of the AI-chip benchmark: three-compartment cells coupled by Cx36 gap
junctions on a 3-D lattice, showing the olive's ~8 Hz subthreshold oscillation.

    python examples/inferior_olive.py [--backend jax|tf|onnx|numpy] [--cells N] [--tstop MS]
                                      [--dtype float64|float32] [--out DIR] [--uncoupled] [--scheme explicit]

The cell is De Gruijl et al. (2012) as restated by Landsmeer et al. (2024): a soma (CaL, Na, Kdr,
fast K, leak), an axon hillock (Na, fast K, leak) and a dendrite (CaH, KCa, H, calcium, leak), each
channel a .mod file in mechanisms/io_*.mod. The published model couples the compartments with
conductance densities g_int/p1, g_int/(1 - p2), ...; here they are sections whose areas have the
published ratios (dendrite : soma = (1 - p1) : p1, axon : soma = p2 : (1 - p2)) and whose axial
resistance gives exactly those conductances. N = L^3 cells sit on a periodic lattice; each cell's
initial soma, axon and dendrite potentials are drawn from Normal(-60, 3) mV and the junctions are
sampled as the benchmark does (numpy's legacy RNG, seed 42). The soma potential of every cell is
sampled every 1 ms, as in the paper's timings.

The runtime's default scheme is NEURON's (implicit cable, staggered states). `--scheme explicit`
integrates everything with the synchronous forward Euler of the published code instead.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

from modlc.runtime import Cell, Network, Result, Simulation  # noqa: E402

M = common.MECHANISMS
G_INT, P1, P2 = 0.13, 0.25, 0.15  # mS/cm2, soma/dendrite and axon/soma surface ratios
SOMA_AREA = math.pi * 20.0 * 20.0  # µm2: a 20 µm cylinder; the other areas follow from P1 and P2
DEND_AREA = SOMA_AREA * (1 - P1) / P1
AXON_AREA = SOMA_AREA * P2 / (1 - P2)
STATE_NAMES = ("Vs", "k", "l", "h", "n", "x", "Va", "ha", "xa", "Vd", "Ca", "r", "s", "q")


def axial_resistivity(conductance_uS: float, L: float, diam: float) -> float:
    """Ra (ohm cm) such that half a section of length L and diameter diam (µm) conducts
    conductance_uS: NEURON's resistance from a child's attach point to its first node."""
    half_resistance = 1.0 / conductance_uS  # MΩ
    return half_resistance / (1e-2 * (L / 2) / (math.pi * diam * diam / 4))


def io_cell() -> Cell:
    """One inferior-olive cell: soma, axon hillock and dendrite with the benchmark's channels."""
    cell = Cell("io")
    cell.section("soma", L=20.0, diam=20.0)
    for name, area, diam, coupling in (("dend", DEND_AREA, 20.0, G_INT / P1), ("axon", AXON_AREA, 5.0, G_INT / (1 - P2))):
        length = area / (math.pi * diam)
        g = coupling * SOMA_AREA * 1e-5  # µS: mS/cm2 (per soma area) × µm2 × 1e-5
        cell.section(name, L=length, diam=diam, parent="soma", parent_x=0.5, Ra=axial_resistivity(g, length, diam))
    leak_reversal = 10.0  # mV, the model's (intentional) +10 mV leak reversal
    cell.insert(M / "io_cal.mod", "soma")
    cell.insert(M / "io_na.mod", "soma")
    cell.insert(M / "io_kdr.mod", "soma")
    cell.insert(M / "io_ks.mod", "soma")
    cell.insert(M / "pas.mod", "soma", g=0.016e-3, e=leak_reversal)
    cell.insert(M / "io_na.mod", "axon", gbar=0.240, hhalf=-60.0, htau=1.5, h_start=0.9)
    cell.insert(M / "io_ks.mod", "axon", gbar=0.240, x_start=0.2369847)
    cell.insert(M / "pas.mod", "axon", g=0.016e-3, e=leak_reversal)
    cell.insert(M / "io_cah.mod", "dend")
    cell.insert(M / "io_kca.mod", "dend")  # before the pool: its gate sees the step's old calcium
    cell.insert(M / "io_capool.mod", "dend")
    cell.insert(M / "io_h.mod", "dend")
    cell.insert(M / "pas.mod", "dend", g=0.01532e-3, e=leak_reversal)
    return cell


def gap_conductance(g_gj: float = 0.05) -> float:
    """µS of one Cx36 junction side: the published density g_gj (mS/cm2) on the dendrite's area."""
    return g_gj * DEND_AREA * 1e-5


def lattice_junctions(n: int, rng: np.random.RandomState, rmax: int = 4, per_cell: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Undirected junctions (a, b) of the benchmark's sampler on a periodic L^3 lattice: offsets
    within radius R weighted by exp(-(r/4)^2) per radius shell, a fixed count per offset, and
    endpoints drawn without replacement."""
    side = round(n ** (1 / 3))
    if side ** 3 != n or side < 2:
        raise ValueError(f"the 3-D lattice needs a cube number of cells (8, 27, 64, 125, ...), not {n}")
    R = rmax if rmax <= side / 2 else side // 2
    offsets = [(dx, dy, dz) for dx in range(-R, R + 1) for dy in range(-R, R + 1) for dz in range(-R, R + 1)
               if 0 < dx * dx + dy * dy + dz * dz < R * R and (dz < 0 or (dz == 0 and (dy < 0 or (dy == 0 and dx < 0))))]
    r = np.sqrt([dx * dx + dy * dy + dz * dz for dx, dy, dz in offsets])
    radii = np.unique(r)
    edges = np.concatenate([[0.0], radii, [float(R)]])
    width = {radius: (edges[i + 2] - edges[i]) / 2 for i, radius in enumerate(radii)}
    count_at = {radius: int(np.sum(r == radius)) for radius in radii}
    w = np.array([math.exp(-(x / 4) ** 2) * width[x] / count_at[x] for x in r])
    p = w / w.sum()
    total = n * per_cell // 2
    counts = [int(math.floor(pi * total + 0.5)) for pi in p[:-1]]
    counts.append(max(0, total - sum(counts)))
    a_all, b_all = [], []
    for (dx, dy, dz), count in zip(offsets, counts):
        if count == 0:
            continue
        a = np.array([rng.randint(n)]) if count == 1 else rng.choice(n, count, replace=False)
        x, y, z = a % side, (a // side) % side, a // (side * side)
        b = (x + dx) % side + side * ((y + dy) % side) + side * side * ((z + dz) % side)
        a_all.append(a)
        b_all.append(b)
    if not a_all:  # lattices below 4^3 have R = 1: no offset is shorter than R, so no junctions
        return np.zeros(0, dtype=int), np.zeros(0, dtype=int)
    return np.concatenate(a_all), np.concatenate(b_all)


def build(cells: int, seed: int = 42, coupled: bool = True, g_gj: float = 0.05,
          random_v: bool = True) -> Network:
    """The network: `cells` IO cells (a cube), random initial potentials and lattice junctions."""
    rng = np.random.RandomState(seed)
    template = io_cell()
    net = Network(cells=[template] * cells, celsius=6.3, v_init=-60.0)
    if random_v:
        for section in ("soma", "axon", "dend"):  # the benchmark draws Vs, then Va, then Vd
            for k, v in enumerate(rng.normal(-60.0, 3.0, cells)):
                net.set_v_init(k, float(v), section)
    if coupled and cells > 1:
        g = gap_conductance(g_gj)
        for a, b in zip(*lattice_junctions(cells, rng)):
            net.gap_junction(M / "cx36.mod", (int(a), "dend", 0.5), (int(b), "dend", 0.5), g=g)
    for k in range(cells):
        net.record(f"soma{k}", "v", at=(k, "soma", 0.5))
    return net


def record_all_states(net: Network, cell: int = 0, suffix: str = "") -> None:
    """Record the 14 state variables of one cell under the benchmark's names (+ suffix)."""
    soma, axon, dend = (cell, "soma", 0.5), (cell, "axon", 0.5), (cell, "dend", 0.5)
    for name, var, at in (("Vs", "v", soma), ("k", "k_io_cal", soma), ("l", "l_io_cal", soma), ("h", "h_io_na", soma),
                          ("n", "n_io_kdr", soma), ("x", "x_io_ks", soma), ("Va", "v", axon), ("ha", "h_io_na", axon),
                          ("xa", "x_io_ks", axon), ("Vd", "v", dend), ("Ca", "cai", dend), ("r", "r_io_cah", dend),
                          ("s", "s_io_kca", dend), ("q", "q_io_h", dend)):
        net.record(name + suffix, var, at=at)


def oscillation(t: np.ndarray, v: np.ndarray) -> tuple[float, float, float]:
    """(frequency Hz, min mV, max mV) of a voltage trace: upward crossings of its mean; the
    frequency is NaN when the trace holds less than one full cycle."""
    centred = v - v.mean()
    ups = np.flatnonzero((centred[:-1] < 0) & (centred[1:] >= 0))
    freq = (len(ups) - 1) / (t[ups[-1]] - t[ups[0]]) * 1e3 if len(ups) >= 2 else math.nan
    return freq, float(v.min()), float(v.max())


@dataclass
class Run:
    result: Result
    soma: np.ndarray  # (cells, samples) soma potential every 1 ms
    t: np.ndarray
    seconds: float


def simulate(backend: str = "jax", cells: int = 64, tstop: float = 500.0, dtype: str = "float64",
             coupled: bool = True, scheme: str = "implicit", seed: int = 42) -> Run:
    net = build(cells, seed, coupled)
    with common.Timer() as timer:
        result = Simulation(net, backend=backend, dtype=dtype, scheme=scheme).run(tstop, record_every=40)
    soma = np.array([result[f"soma{k}"] for k in range(cells)])
    return Run(result, soma, result.t, timer.seconds)


def plot(run: Run, out: Path) -> Path:
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(9, 6.5), sharex=True, height_ratios=[2, 1])
    image = top.imshow(run.soma, aspect="auto", origin="lower", cmap="viridis", interpolation="nearest",
                       extent=[run.t[0], run.t[-1], -0.5, len(run.soma) - 0.5])
    fig.colorbar(image, cax=top.inset_axes([1.01, 0.0, 0.02, 1.0]), label="soma V (mV)")  # keeps the time axes aligned
    top.set_ylabel("cell")
    top.set_title(f"Inferior olive: {len(run.soma)} cells, soma potential sampled every 1 ms")
    bottom.plot(run.t, run.soma[0], lw=1.5, label="cell 0")
    bottom.plot(run.t, run.soma.mean(axis=0), lw=1.0, ls="--", color="k", label="mean of all cells")
    bottom.set_xlabel("time (ms)")
    bottom.set_ylabel("soma V (mV)")
    bottom.legend(loc="upper right", frameon=False, ncols=2)
    return common.save(fig, out, "inferior_olive")


def main(argv: list[str] | None = None) -> None:
    p = common.parser(__doc__, cells=64, tstop=500.0)
    p.add_argument("--uncoupled", action="store_true", help="no gap junctions")
    p.add_argument("--scheme", default="implicit", choices=["implicit", "explicit"],
                   help="implicit: NEURON's scheme (default); explicit: the published forward Euler")
    args = p.parse_args(argv)
    if round(args.cells ** (1 / 3)) ** 3 != args.cells:
        p.error(f"--cells must be a cube (8, 27, 64, 125, ...) for the 3-D lattice, got {args.cells}")
    run = simulate(args.backend, args.cells, args.tstop, args.dtype, not args.uncoupled, args.scheme)
    common.header(args, f"inferior olive, {args.cells} cells", run.seconds, args.tstop)
    late = run.t >= min(200.0, run.t[-1] / 2)  # past the start-up transient
    freq, lo, hi = oscillation(run.t[late], run.soma[:, late].mean(axis=0))
    final = run.soma[:, -1]
    print(f"soma V at {args.tstop:g} ms: mean {final.mean():.3f} mV, sd {final.std():.3f} mV over cells")
    cycle = f"{freq:.1f} Hz" if math.isfinite(freq) else "no full cycle yet (run longer)"
    print(f"population oscillation after the transient: {cycle}, mean soma V {lo:.2f} .. {hi:.2f} mV")
    plot(run, args.out)


if __name__ == "__main__":
    main()
