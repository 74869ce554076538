"""The benchmarks compare like with like: Jaxley's P1 and P2 cells (examples/benchmarks/jaxley_models.py)
are the models modlc runs from hh.mod and pas.mod, and the harness's Jaxley runner reports timings.

Jaxley's fixed step is NEURON's (the cable equation backward Euler with the gates of the step
before, then the gates' exponential update at the new potential), and so is modlc's implicit
scheme: the soma potentials agree to rounding, ~1e-9 mV over 100 ms of repetitive firing. (NEURON's
built-in hh, which the benchmarks time, interpolates its rates from tables by default, which moves
the 7th spike by 0.2 ms; without tables it agrees with modlc's hh.mod to rounding, see
test_mechanisms_neuron.)
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from modlc.runtime import Simulation
from parity import assert_rounding_level

BENCHMARKS = Path(__file__).resolve().parent.parent / "examples" / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))
sys.path.insert(0, str(BENCHMARKS.parent))
import harness  # noqa: E402
import jaxley_models  # noqa: E402
import p1_hh_population as p1  # noqa: E402
import p2_branched_cells as p2  # noqa: E402

TSTOP = 100.0


def modlc_soma(net) -> np.ndarray:
    net.record("soma_v", at=(0, "soma", 0.5))
    return Simulation(net, backend="jax").run(TSTOP)["soma_v"]


# Largest |Jaxley - modlc| of the soma potential over the 100 ms (mV), measured with Jaxley 0.14.
FIGURES = {"p1": 8.3e-10, "p2": 3.0e-9}


@pytest.mark.parametrize("workload, network", [("p1", p1.network), ("p2", p2.network)])
@pytest.mark.vs_simulator
def test_jaxley_cell_is_the_benchmarked_model(workload, network):
    expected = modlc_soma(network(1))
    assert np.sum((expected[:-1] < 0) & (expected[1:] >= 0)) == 7  # repetitive firing: the whole run is tested
    run, arg = jaxley_models.population(workload, 1, TSTOP, harness.DT)
    got = np.asarray(run(arg))[0, 0]
    assert got.shape == expected.shape
    deviation = float(np.abs(got - expected).max())
    print(f"{workload}: Jaxley vs modlc {deviation:.2g} mV")
    assert_rounding_level(deviation, FIGURES[workload], f"{workload} Jaxley vs modlc")


def test_jaxley_runner_reports_both_calls():
    timing = harness.time_jaxley("p1", 2, 5.0, "float32")
    assert timing.simulator == "Jaxley float32" and timing.steps == 200
    assert timing.first > 0 and timing.warm > 0


def test_a_failed_runner_names_the_simulator_and_shows_its_output():
    with pytest.raises(RuntimeError, match="(?s)Jaxley run failed:.*invalid choice: 'p9'"):
        harness.time_jaxley("p9", 2, 5.0, "float32")
