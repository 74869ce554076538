"""The modlc leg of test_mechanisms_neuron.py and test_library_neuron.py.

Those tests build each model twice: once in NEURON (a script run by neuron_oracle) and once with
modlc.runtime, from the same mechanisms/*.mod files. These helpers build the modlc half with
NEURON's protocol (a one-segment soma of L = diam, cm 1 uF/cm2, dt 0.025 ms, finitialize(v_init)
then fixed steps, dI/dv by NEURON's numerical difference), run it on JAX and NumPy and measure how
far its traces lie from NEURON's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

import runtime_scenarios as sc
from modlc.runtime import Location, Mechanism, Network, Simulation

MECH_DIR = Path(__file__).resolve().parent.parent / "mechanisms"
DT = 0.025  # ms, the step of every NEURON script in these tests
BACKENDS = ("jax", "numpy")  # two operation orders: XLA-compiled and eager NumPy, both float64


def mod(stem: str, conductance: str = "numeric") -> Mechanism:
    """mechanisms/<stem>.mod; dI/dv by NEURON's numerical difference unless told otherwise."""
    return Mechanism(MECH_DIR / f"{stem}.mod", conductance)


def soma(net: Network, name: str, diam: float = 20.0) -> int:
    """A one-segment cylinder with L = diam, as the NEURON scripts' soma(); its cell index."""
    return sc.soma_cell(net, name, L=diam, diam=diam)


def at(cell: int) -> tuple:
    return (cell, "soma", 0.5)


def iclamp(net: Network, cell: int, delay: float, dur: float, amp: float):
    return sc.iclamp(net, at(cell), delay, dur, amp)


def run(net: Network, tstop: float, backends=BACKENDS, **options) -> dict:
    """{backend: Result} of the same network run to tstop on each backend (float64)."""
    return {b: Simulation(net, backend=b, dtype="float64", **options).run(tstop) for b in backends}


def deviation(expected, got, same_length: bool = True) -> float:
    """max |got - expected| over a NEURON trace. Both record t = 0 and every step, so a run of
    the same tstop gives traces of the same length; with same_length=False the modlc trace may
    be longer (several cases sharing one network run to the longest tstop) and is cut to
    NEURON's length."""
    expected = np.asarray(expected, dtype=float)
    got = np.asarray(got, dtype=float)
    assert expected.ndim == 1 and len(expected) > 1, expected.shape
    if same_length:
        assert got.shape == expected.shape, (got.shape, expected.shape)
    assert len(got) >= len(expected), (got.shape, expected.shape)
    return float(np.abs(got[: len(expected)] - expected).max())


def spikes_until(result, source, tstop: float) -> np.ndarray:
    """Spike times of `source` up to tstop (NEURON's run of that case ends there)."""
    t = result.spikes(Location(*source) if isinstance(source, tuple) else source)
    return t[t <= tstop + DT / 2]
