"""Comparing NEURON's and modlc's recordings of one protocol run: the verdict and its figures."""

from __future__ import annotations

from typing import Optional

import numpy as np

from .protocol import Protocol

SPIKE_SLACK_MS = 1e-9  # NEURON's t is a running sum t += dt; its rounding is ~1e-12 ms over 4,000 steps


def _deviation(a, b) -> Optional[float]:
    """max |a - b| over the run; NaN where either side is not finite; None if the lengths differ."""
    x = np.array([np.nan if e is None else e for e in a], dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    if x.shape != y.shape:
        return None
    d = np.abs(x - y)
    return float("nan") if not np.all(np.isfinite(d)) else float(d.max(initial=0.0))


def _spikes(neuron: list[float], modlc: list[float], dt: float) -> dict:
    """Spike counts, the largest time difference, whether each pair falls within one dt (and the
    times when they do not)."""
    same = len(neuron) == len(modlc)
    max_dt = float(np.max(np.abs(np.subtract(neuron, modlc)), initial=0.0)) if same else None
    report = {"neuron": len(neuron), "modlc": len(modlc), "max_dt": max_dt, "same": same and max_dt <= dt + SPIKE_SLACK_MS}
    if not report["same"]:  # the times themselves, to find where the runs part
        report.update({"neuron_times": list(neuron), "modlc_times": list(modlc)})
    return report


def compare(neuron: dict, modlc: dict, protocol: Protocol) -> dict:
    """Figures of one file: max |Δv| (mV), max deviation of each STATE both sides record, spikes
    (the soma's, and an artificial cell's own), and whether the runs agree: max |Δv| within the
    protocol's tolerance and the same spikes, each within one dt."""
    max_dv = _deviation(neuron["v"], modlc["v"])
    common = sorted(set(neuron["states"]) & set(modlc["states"]))
    states = {s: _deviation(neuron["states"][s], modlc["states"][s]) for s in common}
    spikes = {"soma": _spikes(neuron["spikes"], modlc["spikes"], protocol.dt)}
    if neuron.get("cell_spikes") is not None and modlc.get("cell_spikes") is not None:
        spikes["cell"] = _spikes(neuron["cell_spikes"], modlc["cell_spikes"], protocol.dt)
    agrees = (max_dv is not None and max_dv <= protocol.tolerance_mv
              and all(s["same"] for s in spikes.values()))
    missing = {"neuron_only": sorted(set(neuron["states"]) - set(modlc["states"])),
               "modlc_only": sorted(set(modlc["states"]) - set(neuron["states"]))}
    return {"agrees": agrees, "max_dv": max_dv, "states": states, "spikes": spikes,
            "missing_states": missing if missing["neuron_only"] or missing["modlc_only"] else None}
