"""modlc.runtime against NEURON 9 on the same .mod files (mechanisms/), model by model.

One nrnivmodl call and one NEURON process produce every reference trace (runtime_scenarios);
modlc runs each model on JAX in float64. The other backends are compared with JAX in
test_runtime_backends.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import runtime_scenarios as sc
from modlc.runtime import Simulation
from neuron_oracle import compile_mechanisms, run_neuron


@pytest.fixture(scope="module")
def neuron(tmp_path_factory):
    work = tmp_path_factory.mktemp("neuron_runtime")
    compiled = compile_mechanisms(list(sc.FILES.values()), work)
    return run_neuron(sc.NEURON_SCRIPT, compiled, timeout=300)


def simulate(net, tstop, backend="jax", dtype="float64"):
    return Simulation(net, backend=backend, dtype=dtype).run(tstop)


def worst(ref: dict, result, names) -> dict[str, float]:
    out = {}
    for name in names:
        expected = np.asarray(ref[name])
        got = result[name]
        assert got.shape == expected.shape, (name, got.shape, expected.shape)
        out[name] = float(np.abs(got - expected).max())
    return out


def test_single_compartment_hh_iclamp_numeric_conductance(neuron):
    net, tstop = sc.single("numeric")
    dev = worst(neuron["single"], simulate(net, tstop), ["v", "m", "gna", "minf", "ina"])
    assert dev["v"] <= 1e-4, dev
    assert max(dev["m"], dev["minf"], dev["ina"]) <= 1e-9 and dev["gna"] <= 1e-10, dev
    assert np.ptp(neuron["single"]["v"]) > 80  # it spikes, so the comparison means something
    print("single compartment, numeric conductance:", dev)


def test_single_compartment_with_symbolic_conductance_stays_close(neuron):
    net, tstop = sc.single("symbolic")
    dev = worst(neuron["single"], simulate(net, tstop), ["v"])
    print("single compartment, symbolic conductance vs NEURON's numeric one:", dev)
    assert dev["v"] <= 0.05, dev


def test_branched_cell_every_compartment(neuron):
    net, tstop = sc.branched()
    names = list(neuron["branched"])
    assert len([n for n in names if not n.endswith("(1)")]) >= 50
    dev = worst(neuron["branched"], simulate(net, tstop), names)
    assert max(dev.values()) <= 1e-3, max(dev.items(), key=lambda kv: kv[1])
    # the action potential reaches the tips of the branches
    for tip in ("d2(1)", "d3(1)", "ax(1)"):
        assert max(neuron["branched"][tip]) > 0, tip
    print("branched cell, worst |dV| (mV):", max(dev.values()))


def test_two_cells_netcon_delay_exp2syn(neuron):
    net, tstop = sc.two_cells()
    result = simulate(net, tstop)
    ref = neuron["two_cells"]
    dev = worst(ref, result, ["va", "vb", "g"])
    assert dev["va"] <= 1e-3 and dev["vb"] <= 1e-3, dev
    sources = list(result.sources)
    for name, source in zip(("spikes_a", "spikes_b"), sources):
        got = result.spikes(source)
        assert len(got) == len(ref[name]) > 0, (name, got, ref[name])
        assert np.abs(got - np.asarray(ref[name])).max() < sc.DT, name
    print("two cells:", dev)


def test_netstim_drives_expsyn(neuron):
    net, tstop = sc.netstim_expsyn()
    result = simulate(net, tstop)
    ref = neuron["netstim_expsyn"]
    dev = worst(ref, result, ["v", "g"])
    assert dev["v"] <= 1e-6 and dev["g"] <= 1e-12, dev
    stim = next(iter(result.sources))
    np.testing.assert_allclose(result.spikes(stim), ref["stim"], atol=1e-9)
    print("NetStim -> ExpSyn:", dev)


def test_intfire1_network_spike_times(neuron):
    net, tstop, cells = sc.intfire()
    result = simulate(net, tstop)
    ref = neuron["intfire"]
    for i, cell in enumerate(cells):
        got, expected = result.spikes(cell), np.asarray(ref[f"spikes_{i}"])
        assert len(got) == len(expected) > 0, (i, got, expected)
        np.testing.assert_allclose(got, expected, atol=1e-9)


def test_calcium_pool_writes_cai_and_eca_follows_nernst(neuron):
    net, tstop = sc.calcium()
    result = simulate(net, tstop)
    ref = neuron["calcium"]
    dev = worst(ref, result, ["v", "cai", "eca", "ica"])
    assert max(ref["cai"]) > 1.5 * ref["cai"][0]  # calcium really flows in
    assert dev["v"] <= 1e-6 and dev["eca"] <= 1e-6, dev
    assert dev["cai"] <= 1e-9 * max(ref["cai"]), dev
    print("calcium:", dev)


def test_kinetic_channel(neuron):
    net, tstop = sc.kinetic()
    result = simulate(net, tstop)
    dev = worst(neuron["kinetic"], result, ["v", "ik"])
    assert dev["v"] <= 1e-6, dev
    print("KINETIC channel:", dev)


def test_gap_junctions_linear_and_cx36(neuron):
    net, tstop = sc.gaps()
    result = simulate(net, tstop)
    ref = neuron["gaps"]
    dev = worst(ref, result, ["v0", "v1", "v2", "v3", "i_cx36"])
    assert max(ref["v1"]) > 0 and max(ref["v3"]) > 0  # the coupled partners are driven to fire
    assert max(dev.values()) <= 1e-6, dev
    net, tstop = sc.gaps("symbolic")
    symbolic = worst(ref, simulate(net, tstop), ["v2", "v3"])
    assert max(symbolic.values()) <= 1e-2, symbolic
    print("gap junctions:", dev, "Cx36 with symbolic dI/dv:", symbolic)


def test_seclamp(neuron):
    net, tstop = sc.voltage_clamp()
    result = simulate(net, tstop)
    dev = worst(neuron["voltage_clamp"], result, ["v", "i"])
    assert dev["v"] <= 1e-6 and dev["i"] <= 1e-6 * np.abs(neuron["voltage_clamp"]["i"]).max(), dev
    print("SEClamp:", dev)


def test_before_and_after_blocks_run_where_neuron_runs_them(neuron):
    net, tstop = sc.blocks()
    result = simulate(net, tstop)
    ref = neuron["blocks"]
    assert ref["n_bb"][-1] == ref["n_bs"][-1] == 401 and ref["n_as"][-1] == 400  # counts mean something
    dev = worst(ref, result, list(ref))
    assert max(dev.values()) <= 1e-9, dev
