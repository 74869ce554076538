"""How close two simulations of the same model must be, and why: one rule for every parity test.

Two simulators that integrate the same equations with the same method differ only by rounding.
Each floating-point operation is exact to half an ulp, but NEURON's C, XLA (JAX, TensorFlow) and
NumPy order the operations differently, so their results part by a few ulps per step; the
difference accumulates over a run and is amplified through every action potential. Its size is a
property of the model *and* of the operation order, not a constant: on the same one-compartment HH
run, JAX, TensorFlow and NumPy differ from NEURON by 1.9e-10, 1.3e-11 and 1.7e-11 mV (JAX 0.10,
TF 2.21), and the JAX figure was 3.3e-11 mV with the JAX release before.

So a parity test states FIGURE, the largest deviation measured over the backends that run the
model (the number the README reports), and asserts it with ROUNDING_MARGIN, one decade: above the
14x spread of operation orders measured above, and still far below what any difference in the
equations gives (gnabar off by 5e-9 relative moves that HH run by 1.5e-5 mV; off by 5e-7, as
nocmodl's 6-digit parameter defaults are, by 1.5e-3 mV).
"""

from __future__ import annotations

from typing import Mapping

import numpy as np

EPS = float(np.finfo(np.float64).eps)
ROUNDING_MARGIN = 10.0


def deviations(reference: Mapping, result, names) -> dict[str, float]:
    """Largest |result - reference| of each named trace (shapes must agree)."""
    out = {}
    for name in names:
        expected = np.asarray(reference[name], dtype=float)
        got = np.asarray(result[name], dtype=float)
        assert got.shape == expected.shape, (name, got.shape, expected.shape)
        out[name] = float(np.abs(got - expected).max())
    return out


def assert_rounding_level(deviation: float, figure: float, what: str) -> None:
    """`deviation` is within ROUNDING_MARGIN of the reported `figure`."""
    assert deviation <= ROUNDING_MARGIN * figure, (
        f"{what}: {deviation:.3g} exceeds {ROUNDING_MARGIN:g} x the reported {figure:.2g}")


def assert_traces(reference: Mapping, result, figures: Mapping[str, float], what: str) -> None:
    """Every trace named in `figures` within ROUNDING_MARGIN of its figure."""
    for name, deviation in deviations(reference, result, figures).items():
        assert_rounding_level(deviation, figures[name], f"{what} {name}")


def step_time_tolerance(tstop: float, dt: float) -> float:
    """How far two simulators' times of the same step can differ: NEURON advances t by repeated
    addition (t += dt), each rounding by up to half an ulp of t, where modlc may compute k * dt."""
    return (tstop / dt) * EPS * tstop


def assert_same_spikes(got, expected, tstop: float, dt: float, what: str) -> None:
    """The same number of spikes, each in the same step (equal up to the rounding of t itself)."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    assert len(got) == len(expected), f"{what}: {len(got)} spikes vs {len(expected)}: {got} vs {expected}"
    if len(got):
        worst = float(np.abs(got - expected).max())
        assert worst <= step_time_tolerance(tstop, dt), f"{what}: spike times differ by {worst:.3g} ms"
