"""Simulation(threads=k): networks split into parts that share nothing, run side by side, merged."""

from __future__ import annotations

import numpy as np
import pytest

import runtime_scenarios as sc
from parity import assert_rounding_level, assert_same_spikes
from modlc.runtime import Cell, ModelError, Network, Simulation
from modlc.runtime.partition import components, split


def mixed_network():
    """Seven cells in five groups that interact only within themselves: a lone spiking cell, a
    NetCon-coupled pair, a gap-junction pair, a cell driven by a NetStim, and a branched cell."""
    net = Network()
    soma = Cell("soma")
    soma.section("soma", L=20, diam=20)
    soma.insert(sc.FILES["hh"])
    branched = Cell("branched")
    branched.section("soma", L=20, diam=20)
    branched.section("dend", L=200, diam=2, nseg=9, parent="soma", parent_x=0.5)
    branched.insert(sc.FILES["hh"])
    for _ in range(6):
        net.add_cell(soma)
    net.add_cell(branched)
    for k, amp in [(0, 0.15), (1, 0.2), (3, 0.3), (6, 0.5)]:
        net.place(sc.FILES["IClamp"], at=(k, "soma", 0.5), **{"del": 1.0, "dur": 1e9, "amp": amp})
    net.connect((0, "soma", 0.5), None, threshold=0.0)
    syn = net.place(sc.FILES["Exp2Syn"], at=(2, "soma", 0.5), tau1=0.5, tau2=3.0)
    net.connect((1, "soma", 0.5), syn, weight=0.05, delay=2.0, threshold=0.0)
    net.connect((2, "soma", 0.5), None, threshold=0.0)
    net.gap_junction(sc.FILES["Gap"], (3, "soma", 0.5), (4, "soma", 0.5), g=0.02)
    stim = net.artificial(sc.FILES["NetStim"], start=2.0, interval=4.0, number=5, noise=0.0)
    expsyn = net.place(sc.FILES["ExpSyn"], at=(5, "soma", 0.5), tau=2.0)
    net.connect(stim, expsyn, weight=0.05, delay=1.0)
    net.connect(stim, None)
    net.connect((6, "dend", 0.9), None, threshold=0.0)
    for k in range(7):
        net.record(f"v{k}", "v", at=(k, "soma", 0.5))
    net.record("dend", "v", at=(6, "dend", 0.9))
    net.record("m0", "m_hh", at=(0, "soma", 0.5))
    net.record("g2", "g", point=syn)
    return net, stim


def test_components_are_the_groups_that_interact():
    net, stim = mixed_network()
    assert components(net) == [[0], [1, 2], [3, 4], [5, 7 + stim.index], [6]]


def test_parts_keep_whole_groups_balanced_by_compartments():
    net, stim = mixed_network()
    parts = split(net, 2)  # compartments 1 | 2 | 2 | 2 (+ the NetStim) | 10
    located = [sorted({p.original[pp].location.cell for pp in p.net.points if pp.location is not None}) for p in parts]
    assert located == [[0, 1, 2, 3, 4, 5], [6]]
    for part in parts:
        originals = [part.original[pp] for pp in part.net.points]
        assert originals == sorted(originals, key=lambda pp: pp.index)  # the network's order
    assert stim in parts[0].original.values()
    assert [len(p.net.cells) for p in split(net, 3)] == [5, 1, 1]
    assert len(split(net, 1)) == 1 and split(net, 1)[0].net is net
    assert len(split(net, 99)) == 3  # 5 groups at most; by weight the branched cell is half the work


# The largest |three parts - one| over the traces (mV), measured over the backends (parity.py's rule:
# asserted within its ROUNDING_MARGIN of one decade): 2.8e-12 mV on TF (v4, a gap-junction cell),
# 9.2e-13 on JAX (JAX 0.10, TF 2.21). XLA may round a kernel's last bit differently on a part's
# shorter arrays, and every spike amplifies that; an error in the split (a lost coupling, a
# misplaced stimulus) moves a trace by millivolts.
THREADS_FIGURE = 2.8e-12
TSTOP, DT = 30.0, 0.025


@pytest.mark.parametrize("backend", ["jax", "tf"])
@pytest.mark.vs_backends
def test_threads_give_the_one_thread_result(backend):
    net, stim = mixed_network()
    one = Simulation(net, backend=backend).run(TSTOP, record_every=2)
    three = Simulation(net, backend=backend, threads=3)
    assert len(three.parts) == 3
    many = three.run(TSTOP, record_every=2)
    np.testing.assert_array_equal(one.t, many.t)
    assert list(many.traces) == list(one.traces)
    for name in one.traces:
        deviation = float(np.max(np.abs(np.asarray(many[name]) - np.asarray(one[name]))))
        assert_rounding_level(deviation, THREADS_FIGURE, f"{backend} {name}")
    sources = [nc.source for nc in net.netcons]
    assert len(one.spike_times) == len(many.spike_times) > 10
    for source in sources:  # the same spikes, each in the same step (measured identical)
        assert_same_spikes(many.spikes(source), one.spikes(source), TSTOP, DT, f"{backend} {source}")
    assert len(one.spikes(stim)) == 5 and len(one.spikes(sources[2])) > 0  # the NetStim and the driven cell


def test_a_connected_network_stays_one_part():
    net, _ = sc.two_cells()  # a NetCon joins the two cells
    assert len(Simulation(net, backend="numpy", threads=2).parts) == 0  # one group: nothing to split


def test_bad_thread_counts_are_refused():
    net, _ = sc.single()
    for bad in (0, -1, 1.5, "2"):
        with pytest.raises(ModelError, match="threads must be a whole number >= 1"):
            Simulation(net, backend="numpy", threads=bad)
