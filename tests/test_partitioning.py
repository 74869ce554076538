"""Placing a network's cells into parts (runtime/partitioning.py): the strategies, what they cost
(cut, balance, exchange interval) and the placements that cannot run."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from modlc.runtime import Cell, ModelError, Network
from modlc.runtime.partitioning import assign, runs

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
MECHANISMS = Path(__file__).resolve().parents[1] / "mechanisms"


def soma() -> Cell:
    cell = Cell("soma")
    cell.section("soma", L=10, diam=10)
    return cell


def cells_with_synapses(n: int) -> tuple[Network, list]:
    net = Network([soma() for _ in range(n)])
    synapses = [net.place("ExpSyn", (k, "soma", 0.5)) for k in range(n)]
    return net, synapses


@pytest.fixture(scope="module")
def ping_network() -> Network:
    """examples/ping.py's PING-Assembly network: 4 assemblies of 50 cells (40 E, 10 I), dense
    within an assembly, 10 % of cells sending one synapse to another assembly."""
    import ping

    return ping.build(200, seed=1)[0]


@pytest.mark.parametrize("parts", [2, 4])
def test_metis_cuts_far_fewer_netcons_than_random_placement(ping_network, parts):
    """The must-hold of the issue: METIS against random on PING-Assembly. Random placement cuts
    about (1 - 1/k) of the NetCons; the assemblies themselves (contiguous, as built) cut only the
    between-assembly synapses, and METIS finds a cut as small without being told the assemblies."""
    total = len(assign(ping_network, parts, "contiguous").graph.netcons)
    random = assign(ping_network, parts, "random", seed=1)
    metis = assign(ping_network, parts, "metis", seed=1)
    assembly = assign(ping_network, parts, "contiguous")
    assert abs(random.cut / total - (1 - 1 / parts)) < 0.05
    assert metis.cut < random.cut / 20
    assert metis.cut <= 2 * assembly.cut
    for done in (random, metis, assembly):
        assert done.balance == 1.0  # equal one-compartment cells split evenly
        assert done.min_delay == 1.0


def test_metis_keeps_tightly_connected_cells_together_and_is_deterministic():
    """Two pairs (0, 2) and (1, 3) joined by many NetCons, one NetCon between the pairs: METIS cuts
    that one; contiguous placement (0, 1 | 2, 3) cuts the pairs instead."""
    net, syn = cells_with_synapses(4)
    for a, b in ((0, 2), (1, 3)):
        for _ in range(5):
            net.connect((a, "soma", 0.5), syn[b], 0.01, delay=2.0)
            net.connect((b, "soma", 0.5), syn[a], 0.01, delay=2.0)
    net.connect((2, "soma", 0.5), syn[3], 0.01, delay=3.5)
    metis = assign(net, 2, "metis")
    assert metis.part[0] == metis.part[2] != metis.part[1] == metis.part[3]
    assert metis.cut == 1 and metis.min_delay == 3.5
    assert assign(net, 2, "contiguous").cut == 20
    assert np.array_equal(assign(net, 2, "metis").part, metis.part)


def test_gap_junctions_across_parts_are_counted_and_kept_together_by_metis():
    net = Network([soma() for _ in range(4)])
    net.gap_junction(MECHANISMS / "gap.mod", (0, "soma", 0.5), (3, "soma", 0.5), g=1e-3)
    net.gap_junction(MECHANISMS / "gap.mod", (1, "soma", 0.5), (2, "soma", 0.5), g=1e-3)
    contiguous = assign(net, 2, "contiguous")
    assert contiguous.cut_couplings == 4  # each junction is two POINTER links, both cut
    metis = assign(net, 2, "metis")
    assert metis.cut_couplings == 0 and metis.min_delay == float("inf")
    assert "0 of 4 couplings cut" in metis.report()


def test_artificial_cells_are_placed_and_weigh_one():
    net, syn = cells_with_synapses(3)
    for k in range(3):
        stim = net.artificial("NetStim", number=1, start=1.0)
        net.connect(stim, syn[k], 0.01, delay=0.5)
    done = assign(net, 2, [0, 0, 1, 0, 1, 1])  # cells 0-2, then the three NetStims
    assert [kind for kind, _ in done.graph.elements] == ["cell"] * 3 + ["artificial"] * 3
    assert done.cut == 1 and done.min_delay == 0.5  # only NetStim 1 -> cell 1 crosses
    assert list(done.work) == [3.0, 3.0] and list(done.cell_parts()) == [0, 0, 1]


def test_contiguous_runs_leave_no_part_empty():
    for work, parts in (([1, 1, 100, 1, 1], 4), ([100, 1, 1], 3), ([1] * 10, 3), ([3, 1], 2)):
        part = runs(np.array(work, float), parts)
        assert np.all(np.diff(part) >= 0) and set(part) == set(range(parts)), (work, part)


@pytest.mark.parametrize("call, message", [
    (lambda net: assign(net, 5), "5 parts for a network of 4 cells"),
    (lambda net: assign(net, 0), "whole number >= 1"),
    (lambda net: assign(net, 2, "spectral"), "unknown partition strategy 'spectral'"),
    (lambda net: assign(net, 2, [0, 1, 0]), "the part of each of the 4 cells"),
    (lambda net: assign(net, 2, [0, 1, 2, 0]), r"whole numbers in \[0, 2\)"),
    (lambda net: assign(net, 2, [0.0, 1.0, 0.0, 1.0]), r"whole numbers in \[0, 2\)"),
    (lambda net: assign(net, 2, "metis", edge_weight="delay"), "edge_weight must be"),
    (lambda net: assign(net, 2, [1, 1, 1, 1]), "part 0 of 2 would hold no cell"),
    (lambda net: assign(net, 2, [0, 1, 1, 1]), "a NetCon of delay 0 ms joins two parts"),
])
def test_placements_that_cannot_run_are_refused(call, message):
    net, syn = cells_with_synapses(4)
    net.connect((0, "soma", 0.5), syn[1], 0.01, delay=0.0)  # fine inside one part, not across
    assert assign(net, 2, [0, 0, 1, 1]).min_delay == float("inf")
    with pytest.raises(ModelError, match=message):
        call(net)
