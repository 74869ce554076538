"""One runtime core, four primitive sets: every backend gives the same traces and spikes.

JAX (lax.scan under jit) is the reference here; it is itself compared with NEURON in
test_runtime_neuron.py. TensorFlow runs under XLA, ONNX runs the kernels in onnxruntime with the
glue in NumPy, NumPy runs everything eagerly. Float32 runs are compared with float64 ones, to
measure what the precision costs.
"""

from __future__ import annotations

import numpy as np
import pytest

import runtime_scenarios as sc
from modlc.runtime import Simulation

SCENARIOS = ["two_cells", "intfire", "calcium", "kinetic", "gaps", "branched"]


@pytest.fixture(scope="module")
def reference():
    cache = {}

    def get(name, dtype="float64"):
        if (name, dtype) not in cache:
            net, tstop = sc.__dict__[name]()[:2]
            cache[name, dtype] = Simulation(net, backend="jax", dtype=dtype).run(tstop)
        return cache[name, dtype]

    return get


@pytest.mark.parametrize("backend", ["tf", "onnx", "numpy"])
@pytest.mark.parametrize("name", SCENARIOS)
def test_backends_agree_in_float64(name, backend, reference):
    net, tstop = sc.__dict__[name]()[:2]
    ref = reference(name)
    got = Simulation(net, backend=backend).run(tstop)
    worst_v = 0.0
    for key in ref.traces:
        is_voltage = key.startswith("v") or "(" in key
        scale = 1.0 if is_voltage else max(np.abs(ref[key]).max(), 1e-300)
        assert np.abs(got[key] - ref[key]).max() <= 1e-9 * scale, key
        worst_v = max(worst_v, np.abs(got[key] - ref[key]).max()) if is_voltage else worst_v
    print(f"{name} {backend}: max |dV| vs JAX {worst_v:.2g} mV")
    assert len(got.spike_times) == len(ref.spike_times)
    np.testing.assert_array_equal(got.spike_sources, ref.spike_sources)
    np.testing.assert_allclose(got.spike_times, ref.spike_times, atol=1e-9)


@pytest.mark.parametrize("backend", ["jax", "tf", "onnx"])
def test_float32_keeps_spike_times_within_a_step(backend, reference):
    net, tstop = sc.two_cells()
    ref = reference("two_cells")
    got = Simulation(net, backend=backend, dtype="float32").run(tstop)
    assert got["va"].dtype == np.float32
    assert len(got.spike_times) == len(ref.spike_times) > 0
    assert np.abs(got.spike_times - ref.spike_times).max() <= sc.DT
    away = np.abs(ref["va"] - ref["va"][0]) < 5  # below threshold, where timing does not amplify rounding
    print(backend, "float32 vs float64 subthreshold |dV| (mV):", np.abs(got["va"] - ref["va"])[away].max())
