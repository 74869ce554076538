"""The hand-written JAX kernel of the inferior-olive network (examples/benchmarks/io_kernel.py, the
baseline of benchmark P3) against modlc's explicit scheme on the network of examples/inferior_olive.py.

Both integrate the same equations with synchronous forward Euler in float64, so they differ only in
the order of floating-point operations: the soma potentials agree to rounding level over 100 ms
(tests/parity.py).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import parity
from modlc import backends
from modlc.runtime import Simulation

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
sys.path.insert(0, str(EXAMPLES))
sys.path.insert(0, str(EXAMPLES / "benchmarks"))
import inferior_olive as io  # noqa: E402
import io_kernel  # noqa: E402

CELLS = 64  # the smallest lattice with junctions (a 3^3 lattice has radius 1, so none)
TSTOP = 100.0
DT = 0.025
# Largest |hand kernel - modlc| of the 64 soma potentials, sampled every 1 ms over 100 ms, measured
# with modlc on JAX and on NumPy (JAX 0.10, float64): 3.55e-14 mV on both, 5 ulps of 60 mV
# (TensorFlow, not run here for its 20 s: 4.3e-14 mV).
KERNEL_FIGURE = 3.6e-14  # mV


def test_initial_state_and_junctions_follow_build():
    state = io_kernel.initial_state(CELLS)
    assert tuple(state) == io.STATE_NAMES
    net = io.build(CELLS)
    sim = Simulation(net, backend="numpy", scheme="explicit")
    v = np.asarray(sim.engine.initial(net.v_init)["v"])
    for name, section in (("Vs", "soma"), ("Va", "axon"), ("Vd", "dend")):
        nodes = [sim.plan.node(net, net.location((k, section, 0.5))) for k in range(CELLS)]
        np.testing.assert_array_equal(state[name], v[nodes])
    a, b = io_kernel.junctions(CELLS)
    assert len(a) == CELLS * 10 // 2  # 320 junctions, each a pair of Cx36 point processes in build()
    ends = [(pp.location.cell, pp.location.section) for pp in net.points]
    assert ends == [end for pair in zip(a, b) for end in ((int(pair[0]), "dend"), (int(pair[1]), "dend"))]


@pytest.fixture(scope="module")
def hand_kernel():
    backends.prepare("jax", "float64")
    steps = int(round(TSTOP / DT))
    _, vs = io_kernel.make_run(CELLS, dt=DT)(io_kernel.initial_state(CELLS), steps)
    vs = np.asarray(vs)
    assert vs.dtype == np.float64 and vs.shape == (steps // 40 + 1, CELLS)
    return vs


@pytest.mark.parametrize("backend", ["jax", "numpy"])
@pytest.mark.vs_simulator
def test_hand_kernel_matches_the_explicit_scheme(hand_kernel, backend):
    result = Simulation(io.build(CELLS), backend=backend, dt=DT, scheme="explicit").run(TSTOP, record_every=40)
    reference = np.array([result[f"soma{k}"] for k in range(CELLS)]).T  # (samples, cells)
    assert reference.shape == hand_kernel.shape
    deviation = float(np.abs(hand_kernel - reference).max())
    print(f"hand kernel vs modlc explicit on {backend}, {CELLS} cells, {TSTOP:g} ms: max |dVs| {deviation:.2e} mV")
    assert np.ptp(reference, axis=0).min() > 1.0  # every cell moves: the comparison is not trivial
    parity.assert_rounding_level(deviation, KERNEL_FIGURE, f"hand kernel vs modlc on {backend}")
