"""What every example shares: its command line, where its figure goes, and how it reports a run.

Each example is `python examples/NAME.py [--backend B] [--cells N] [--tstop MS] [--dtype D] [--out DIR]`
and stays quick with the defaults; the flags scale it up.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's start-up chatter is not the example's output

import matplotlib

matplotlib.use("Agg")  # write PNG files; no display needed

MECHANISMS = Path(__file__).resolve().parent.parent / "mechanisms"


def parser(doc: str, cells: int, tstop: float) -> argparse.ArgumentParser:
    """The shared flags, with this example's default network size and duration."""
    p = argparse.ArgumentParser(description=doc.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backend", default="jax", choices=["jax", "tf", "onnx", "numpy"])
    p.add_argument("--cells", type=positive_int, default=cells, help=f"network size (default {cells})")
    p.add_argument("--tstop", type=positive_float, default=tstop, help=f"simulated time in ms (default {tstop:g})")
    p.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    p.add_argument("--out", type=Path, default=Path("."), help="folder for the PNG figure (default: here)")
    return p


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, not {text}")
    return value


def positive_float(text: str) -> float:
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, not {text}")
    return value


class Timer:
    """Wall time of the run (compilation included), for the summary line."""

    def __enter__(self) -> "Timer":
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = time.perf_counter() - self.started


def save(fig, out: Path, name: str) -> Path:
    """Write the figure as out/name.png and say where it went."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.png"
    fig.savefig(path, dpi=110, bbox_inches="tight")
    print(f"figure: {path}")
    return path


def header(args, what: str, seconds: float, tstop: float, dt: float = 0.025) -> None:
    """The first summary line: what ran, on which backend, and how long it took."""
    steps = int(round(tstop / dt))
    print(f"{what}: {args.backend} {args.dtype}, {steps} steps of {dt:g} ms in {seconds:.2f} s (compile included)")
