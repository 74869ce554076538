"""An action potential travelling along a branched Hodgkin-Huxley axon, and how its speed grows with
the axon's diameter.

    python examples/hh_axon.py [--backend jax|tf|onnx|numpy] [--cells N] [--tstop MS]
                               [--dtype float64|float32] [--out DIR]

Each of the N axons is a 2 mm trunk that splits into two 1 mm branches, with mechanisms/hh.mod
everywhere (Hodgkin & Huxley 1952, 6.3 °C) and 25 µm segments. The branches follow Rall's 3/2 rule
(d_branch = d_trunk / 2^(2/3)), so the impedance is matched and the spike crosses the branch point
without delay or reflection. A 0.5 ms pulse at the start of the trunk launches one action potential.
Axon k has trunk diameter 0.5 .. 4 µm; cable theory predicts a speed proportional to sqrt(d).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

from modlc.runtime import Cell, Network, Simulation  # noqa: E402

TRUNK, BRANCH = 2000.0, 1000.0  # µm
PROBES = np.linspace(0.05, 0.95, 19)  # positions recorded on the trunk and on each branch
SAMPLE = 4  # record every 4 steps (0.1 ms)


def axon(diam: float) -> Cell:
    cell = Cell(f"axon_{diam:g}um")
    cell.section("trunk", L=TRUNK, diam=diam, nseg=81)
    branch = diam / 2 ** (2 / 3)
    for name in ("branch_a", "branch_b"):
        cell.section(name, L=BRANCH, diam=branch, nseg=41, parent="trunk", parent_x=1.0)
    cell.insert(common.MECHANISMS / "hh.mod")
    return cell


def diameters(cells: int) -> np.ndarray:
    return np.geomspace(0.5, 4.0, cells) if cells > 1 else np.array([1.0])


def build(cells: int) -> Network:
    net = Network()
    for k, d in enumerate(diameters(cells)):
        net.add_cell(axon(float(d)))
        net.place(common.MECHANISMS / "iclamp.mod", at=(k, "trunk", 0.0),
                  **{"del": 1.0, "dur": 0.5, "amp": 2.0 * d * d})  # nA: scaled with the cross-section
        for x in (0.25, 0.75):  # spike detectors for the conduction speed
            net.connect((k, "trunk", x), None, threshold=0.0)
        net.connect((k, "branch_a", 0.9), None, threshold=0.0)
        for section in ("trunk", "branch_a", "branch_b"):
            for j, x in enumerate(PROBES):
                net.record(f"{section}{j}_{k}", "v", at=(k, section, float(x)))
    return net


@dataclass
class Run:
    diams: np.ndarray  # µm
    speeds: np.ndarray  # m/s over the middle half of the trunk (NaN: no spike at both points)
    reached_tip: np.ndarray  # bool: a spike at 90 % of a branch
    t: np.ndarray
    space_time: np.ndarray  # (positions, samples) along trunk + branch_a of the middle axon
    distance: np.ndarray  # µm from the stimulus for each row of space_time
    shown: int  # which axon space_time shows
    seconds: float


def simulate(backend: str = "jax", cells: int = 4, tstop: float = 20.0, dtype: str = "float64") -> Run:
    net = build(cells)
    with common.Timer() as timer:
        result = Simulation(net, backend=backend, dtype=dtype).run(tstop, record_every=SAMPLE)
    speeds, tips = [], []
    for k in range(cells):
        first, second, tip = (result.spikes(net.location(at)) for at in
                              ((k, "trunk", 0.25), (k, "trunk", 0.75), (k, "branch_a", 0.9)))
        speeds.append(0.5 * TRUNK / (second[0] - first[0]) * 1e-3 if len(first) and len(second) else np.nan)
        tips.append(len(tip) > 0)
    shown = cells // 2
    rows = [result[f"trunk{j}_{shown}"] for j in range(len(PROBES))] + \
           [result[f"branch_a{j}_{shown}"] for j in range(len(PROBES))]
    distance = np.concatenate([PROBES * TRUNK, TRUNK + PROBES * BRANCH])
    return Run(diameters(cells), np.array(speeds), np.array(tips), result.t, np.array(rows), distance, shown,
               timer.seconds)


def plot(run: Run, out: Path) -> Path:
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.3), width_ratios=[1.5, 1])
    image = left.pcolormesh(run.t, run.distance / 1e3, run.space_time, cmap="magma", shading="nearest")
    left.axhline(TRUNK / 1e3, color="w", lw=0.8, ls="--")
    left.text(run.t[-1] * 0.98, TRUNK / 1e3, "branch point ", color="w", ha="right", va="bottom", fontsize=8)
    fig.colorbar(image, ax=left, label="V (mV)")
    left.set_xlabel("time (ms)")
    left.set_ylabel("distance from stimulus (mm)")
    left.set_title(f"Action potential along trunk and branch, d = {run.diams[run.shown]:.2f} µm")
    ok = np.isfinite(run.speeds)
    right.plot(run.diams[ok], run.speeds[ok], "o", label="simulated")
    if ok.any():
        d = np.linspace(run.diams.min(), run.diams.max(), 100)
        k = np.sum(run.speeds[ok] * np.sqrt(run.diams[ok])) / np.sum(run.diams[ok])  # least squares for c*sqrt(d)
        right.plot(d, k * np.sqrt(d), "--", color="gray", label=r"$c\,\sqrt{d}$")
    right.set_xlabel("trunk diameter (µm)")
    right.set_ylabel("conduction speed (m/s)")
    right.set_title("Speed grows with sqrt(diameter)")
    right.legend(frameon=False)
    right.grid(alpha=0.3)
    fig.tight_layout()
    return common.save(fig, out, "hh_axon")


def main(argv: list[str] | None = None) -> None:
    args = common.parser(__doc__, cells=4, tstop=20.0).parse_args(argv)
    run = simulate(args.backend, args.cells, args.tstop, args.dtype)
    common.header(args, f"branched HH axons, {args.cells} diameters", run.seconds, args.tstop)
    for d, v, tip in zip(run.diams, run.speeds, run.reached_tip):
        print(f"  d = {d:.2f} µm: {v:.3f} m/s, {'reaches' if tip else 'does not reach'} the branch tip")
    plot(run, args.out)


if __name__ == "__main__":
    main()
