"""NEURON's TABLEs, emulated: `usetable=True` interpolates as nocmodl's tables do.

A TABLE makes NEURON tabulate a FUNCTION or PROCEDURE at n + 1 points and interpolate linearly
(by default; usetable_<name> = 0 computes it exactly). modlc computes exactly unless a file is
compiled with usetable=True, which evaluates the function at the two grid points around the
argument and interpolates: NEURON's table entries without storing a table. The file here has
coarse tables (20 and 7 intervals), so exact and tabulated runs differ by tens of mV, and the
agreement shows which arithmetic each side used. NEURON computes dI/dv numerically, so modlc does
too (Mechanism(..., "numeric")); the bounds are rounding-level (measured 3e-11 mV).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from modlc.runtime import Cell, Mechanism, Network, Simulation
from neuron_oracle import compile_mechanisms, run_neuron

FILE = Path(__file__).parent / "data" / "tables" / "coarse_table.mod"
ARRAYS = Path(__file__).parent / "data" / "tables" / "array_table.mod"  # a TABLE naming arrays
TOLERANCE = 1e-8  # mV; measured 3e-11 (JAX) and 1.6e-11 (NumPy) over a 50 ms excursion to +49 mV

NEURON_SCRIPT = """
from neuron import h
h.load_file("stdrun.hoc")
out = {}
for usetable in (1, 0):
    setattr(h, "usetable_" + NAMES["coarse_table"], usetable)
    setattr(h, "usetable_" + NAMES["array_table"], usetable)
    h.usetable_hh = usetable
    for mech in (NAMES["coarse_table"], NAMES["array_table"], "hh"):
        s = h.Section(name="soma")
        s.L = s.diam = 20
        s.insert(mech)
        s.insert("pas")
        s.g_pas, s.e_pas = 1e-3, -65
        first = h.IClamp(s(0.5)); first.delay, first.dur, first.amp = 1, 20, 0.3
        second = h.IClamp(s(0.5)); second.delay, second.dur, second.amp = 25, 20, -0.8
        v = h.Vector().record(s(0.5)._ref_v)
        h.celsius = 16.3
        h.tstop = 50
        h.run()
        out[f"{mech} {usetable}"] = list(v)
        del first, second, s
emit(out)
"""


@pytest.fixture(scope="module")
def neuron(tmp_path_factory) -> dict:
    compiled = compile_mechanisms([FILE, ARRAYS], tmp_path_factory.mktemp("tables"), rename=False)
    return {k: np.array(v) for k, v in run_neuron(NEURON_SCRIPT, compiled).items()}


def modlc_run(path, usetable: bool, backend: str = "jax") -> np.ndarray:
    net = Network(celsius=16.3)
    cell = Cell()
    cell.section("soma", L=20, diam=20)
    k = net.add_cell(cell)
    net.insert(Mechanism(Path(path), "numeric", usetable=usetable), k)
    net.insert("pas", k, g=1e-3, e=-65)
    net.place("IClamp", (k, "soma", 0.5), **{"del": 1, "dur": 20, "amp": 0.3})
    net.place("IClamp", (k, "soma", 0.5), **{"del": 25, "dur": 20, "amp": -0.8})
    net.record("v", "v", at=(k, "soma", 0.5))
    return Simulation(net, backend=backend).run(50)["v"]


@pytest.mark.parametrize("backend", ["jax", "numpy", "tf", "onnx"])
@pytest.mark.vs_neuron
def test_tabulated_functions_match_neurons_tables(neuron, backend):
    assert np.abs(modlc_run(FILE, True, backend) - neuron["coarse_table 1"]).max() <= TOLERANCE


@pytest.mark.vs_neuron
def test_exact_functions_match_neuron_without_tables(neuron):
    exact = modlc_run(FILE, False)
    assert np.abs(exact - neuron["coarse_table 0"]).max() <= TOLERANCE
    assert np.abs(exact - neuron["coarse_table 1"]).max() > 1.0  # the tables matter: the test can tell


@pytest.mark.vs_neuron
def test_a_table_of_arrays_is_interpolated_element_by_element(neuron):
    assert np.abs(modlc_run(ARRAYS, True) - neuron["array_table 1"]).max() <= TOLERANCE
    assert np.abs(modlc_run(ARRAYS, False) - neuron["array_table 0"]).max() <= TOLERANCE
    assert np.abs(neuron["array_table 1"] - neuron["array_table 0"]).max() > 1e-3


@pytest.mark.vs_neuron
def test_library_hh_with_tables_is_neurons_default_hh(neuron):
    """modlc's hh.mod declares NEURON's hh TABLE; compiled with usetable it is NEURON's default hh."""
    hh = Path(__file__).parents[1] / "mechanisms" / "hh.mod"
    assert np.abs(modlc_run(hh, True) - neuron["hh 1"]).max() <= TOLERANCE
    assert np.abs(modlc_run(hh, False) - neuron["hh 0"]).max() <= TOLERANCE
    assert np.abs(neuron["hh 1"] - neuron["hh 0"]).max() > 1e-4  # NEURON's table does change hh
