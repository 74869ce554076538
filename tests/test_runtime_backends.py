"""One runtime core, four primitive sets: every backend gives the same traces and spikes.

JAX (lax.fori_loop under jit) is the reference here; it is itself compared with NEURON in
test_runtime_neuron.py. TensorFlow runs under XLA, ONNX runs the kernels in onnxruntime with the
glue in NumPy, NumPy runs everything eagerly. Float32 runs are compared with float64 ones, to
measure what the precision costs. The figures are the README's: the largest deviation measured
over the backends (JAX 0.10, TF 2.21, onnxruntime 1.32, NumPy 2.4), asserted with
parity.ROUNDING_MARGIN (float32 rounding is amplified the same way as float64 rounding, by the
same models, only from eps = 1.2e-7 instead of 2.2e-16).
"""

from __future__ import annotations

import numpy as np
import pytest

import runtime_scenarios as sc
from modlc.runtime import Simulation
from parity import assert_same_spikes, assert_traces

pytestmark = pytest.mark.vs_backends

# Largest |backend - JAX| in float64 over TF, ONNX and NumPy, per trace (mV or the trace's units);
# "nodes" stands for every node of the branched cell. IntFire1 has no traces, only spikes.
FLOAT64 = {
    "two_cells": {"va": 3.2e-12, "vb": 1.1e-13, "g": 1.4e-17},
    "intfire": {},
    "calcium": {"v": 2.3e-11, "cai": 1.6e-15, "eca": 7.6e-13, "ica": 3.6e-15},
    "kinetic": {"v": 2.1e-13, "ik": 6.3e-16},
    "gaps": {"v0": 4.9e-12, "v1": 7.4e-12, "v2": 4.1e-12, "v3": 7.7e-12, "i_cx36": 1.2e-13},
    "branched": {"nodes": 2.0e-13},
}
# Largest |float32 - float64 JAX| over JAX, TF and ONNX, per trace.
FLOAT32 = {
    "two_cells": {"va": 3.7e-3, "vb": 7.8e-5, "g": 6.8e-8},
    "intfire": {},
    "calcium": {"v": 4.3e-3, "cai": 3.0e-7, "eca": 1.3e-4, "ica": 5.9e-7},
    "kinetic": {"v": 2.2e-4, "ik": 4.3e-7},
    "gaps": {"v0": 1.5e-3, "v1": 2.1e-3, "v2": 2.3e-2, "v3": 2.9e-2, "i_cx36": 5.6e-4},
    "branched": {"nodes": 2.3e-4},
}
SCENARIOS = list(FLOAT64)


@pytest.fixture(scope="module")
def reference():
    cache = {}

    def get(name):
        if name not in cache:
            net, tstop = sc.__dict__[name]()[:2]
            cache[name] = Simulation(net, backend="jax").run(tstop), tstop
        return cache[name]

    return get


def run(name: str, backend: str, dtype: str):
    net, tstop = sc.__dict__[name]()[:2]
    return Simulation(net, backend=backend, dtype=dtype).run(tstop)


def assert_close(got, ref, figures: dict, what: str) -> None:
    """Every recorded trace within the margin of its figure ("nodes": one figure for every node)."""
    if "nodes" in figures:
        figures = dict.fromkeys(ref.traces, figures["nodes"])
    assert set(ref.traces) == set(figures), set(ref.traces) ^ set(figures)
    assert_traces(ref.traces, got.traces, figures, what)


@pytest.mark.parametrize("backend", ["tf", "onnx", "numpy"])
@pytest.mark.parametrize("name", SCENARIOS)
def test_backends_agree_in_float64(name, backend, reference):
    ref, tstop = reference(name)
    got = run(name, backend, "float64")
    assert_close(got, ref, FLOAT64[name], f"{name} {backend}")
    np.testing.assert_array_equal(got.spike_sources, ref.spike_sources)
    assert_same_spikes(got.spike_times, ref.spike_times, tstop, sc.DT, f"{name} {backend}")


@pytest.mark.parametrize("backend", ["jax", "tf", "onnx"])
@pytest.mark.parametrize("name", SCENARIOS)
def test_float32_stays_close_and_spikes_in_the_same_step(name, backend, reference):
    ref, _ = reference(name)
    got = run(name, backend, "float32")
    assert all(trace.dtype == np.float32 for trace in got.traces.values())
    assert_close(got, ref, FLOAT32[name], f"{name} {backend} float32")
    np.testing.assert_array_equal(got.spike_sources, ref.spike_sources)
    # float32 keeps t to ~1e-6 ms; a spike in another step would be dt = 0.025 ms away
    assert np.abs(got.spike_times - ref.spike_times).max(initial=0.0) < sc.DT / 2
