"""One Hodgkin-Huxley neuron under current steps: its voltage responses and its f-I curve.

    python examples/hh_cell.py [--backend jax|tf|onnx|numpy] [--cells N] [--tstop MS]
                               [--dtype float64|float32] [--out DIR]

Each of the N cells is the same 20 µm soma with mechanisms/hh.mod (Hodgkin & Huxley 1952, 6.3 °C)
and receives its own current step (mechanisms/iclamp.mod) from 0 to 0.5 nA, so one vectorised run
gives the whole f-I curve. The curve shows the squid axon's type-II onset: no firing up to a
threshold current, then repetitive firing that starts at a finite rate.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402

from modlc.runtime import Cell, Network, Simulation  # noqa: E402

STEP_START = 20.0  # ms
MAX_AMP = 0.5  # nA


def step_window(tstop: float) -> tuple[float, float]:
    """The current step: from 20 ms to 20 ms before the end (or to the end of a short run)."""
    return STEP_START, max(tstop - STEP_START, STEP_START + 1.0) - STEP_START


def build(cells: int, tstop: float) -> tuple[Network, np.ndarray]:
    """N identical HH somata, cell k stepped to amps[k] nA."""
    soma = Cell("soma")
    soma.section("soma", L=20.0, diam=20.0)
    soma.insert(common.MECHANISMS / "hh.mod")
    net = Network(cells=[soma] * cells)
    amps = np.linspace(0.0, MAX_AMP, cells)
    start, duration = step_window(tstop)
    for k, amp in enumerate(amps):
        net.place(common.MECHANISMS / "iclamp.mod", at=(k, "soma", 0.5), **{"del": start, "dur": duration, "amp": float(amp)})
        net.connect((k, "soma", 0.5), None, threshold=0.0)  # a spike detector per cell
        net.record(f"v{k}", "v", at=(k, "soma", 0.5))
    return net, amps


@dataclass
class Run:
    amps: np.ndarray  # nA
    rates: np.ndarray  # Hz during the step
    spikes: list[np.ndarray]  # spike times (ms) per cell
    t: np.ndarray
    v: np.ndarray  # (cells, samples) mV
    seconds: float
    tstop: float


def simulate(backend: str = "jax", cells: int = 24, tstop: float = 200.0, dtype: str = "float64") -> Run:
    net, amps = build(cells, tstop)
    with common.Timer() as timer:
        result = Simulation(net, backend=backend, dtype=dtype).run(tstop)
    start, duration = step_window(tstop)
    end = min(start + duration, tstop)
    spikes = [result.spikes(k) for k in range(cells)]
    # the adapted rate: 1 / mean interspike interval after the first 20 ms of the step
    settle = start + min(20.0, (end - start) / 2)
    rates = np.array([1e3 / np.diff(w).mean() if len(w := s[(s >= settle) & (s < end)]) >= 2 else 0.0
                      for s in spikes])
    v = np.array([result[f"v{k}"] for k in range(cells)])
    return Run(amps, rates, spikes, result.t, v, timer.seconds, tstop)


def plot(run: Run, out: Path) -> Path:
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(11, 4.8))
    grid = fig.add_gridspec(3, 2, width_ratios=[1.6, 1])
    firing = np.flatnonzero(run.rates > 0)
    onset = int(firing[0]) if len(firing) else len(run.amps) - 1
    shown = sorted({max(onset - 1, 0), onset, len(run.amps) - 1})
    for row, k in enumerate(shown):
        ax = fig.add_subplot(grid[row, 0])
        ax.plot(run.t, run.v[k], lw=0.9, color=f"C{row}")
        ax.set_ylim(-85, 55)
        ax.set_ylabel("V (mV)")
        ax.text(0.01, 0.92, f"{run.amps[k]:.3f} nA", transform=ax.transAxes, va="top")
        if row == 0:
            ax.set_title("Hodgkin-Huxley soma: responses to current steps")
        if row < len(shown) - 1:
            ax.tick_params(labelbottom=False)
        else:
            ax.set_xlabel("time (ms)")
    right = fig.add_subplot(grid[:, 1])
    right.plot(run.amps, run.rates, "o-", ms=4)
    right.set_xlabel("step amplitude (nA)")
    right.set_ylabel("firing rate (Hz)")
    right.set_title("f-I curve (type II onset)")
    right.grid(alpha=0.3)
    fig.tight_layout()
    return common.save(fig, out, "hh_cell")


def main(argv: list[str] | None = None) -> None:
    args = common.parser(__doc__, cells=24, tstop=200.0).parse_args(argv)
    run = simulate(args.backend, args.cells, args.tstop, args.dtype)
    common.header(args, f"HH soma, {args.cells} current steps", run.seconds, args.tstop)
    firing = np.flatnonzero(run.rates > 0)
    if len(firing):
        k = firing[0]
        print(f"threshold: {run.amps[k - 1] if k else 0.0:.3f} .. {run.amps[k]:.3f} nA; "
              f"rate jumps to {run.rates[k]:.1f} Hz, {run.rates[-1]:.1f} Hz at {run.amps[-1]:.2f} nA")
    else:
        print("no cell fired repetitively (try a longer --tstop)")
    print(f"spikes per cell: {' '.join(str(len(s)) for s in run.spikes)}")
    plot(run, args.out)


if __name__ == "__main__":
    main()
