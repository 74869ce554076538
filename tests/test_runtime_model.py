"""The runtime's parts on their own: tree solve, morphology, SWC, events, and error messages."""

from __future__ import annotations

import math

import numpy as np
import pytest

import parity
import runtime_scenarios as sc
from modlc.runtime import Cell, ModelError, Network, Simulation, SimulationError
from modlc.runtime import hines
from modlc.runtime.primitives import primitives

EPS = parity.EPS


def random_forest(rng, trees=5, size=40):
    parent = []
    for _ in range(trees):
        base = len(parent)
        parent.append(-1)
        for i in range(1, size):
            parent.append(base + int(rng.integers(0, i)))
    parent = np.array(parent)
    a = -rng.uniform(0.1, 2.0, len(parent)) * (parent >= 0)
    b = -rng.uniform(0.1, 2.0, len(parent)) * (parent >= 0)
    d = rng.uniform(0.5, 1.0, len(parent)) - b
    np.add.at(d, np.where(parent >= 0, parent, 0), -np.where(parent >= 0, a, 0))
    return parent, a, b, d


def by_depth(parent, a, b, d):
    """The same forest renumbered depth by depth (assembly.layout's order), parents first."""
    order = np.lexsort((np.arange(len(parent)), hines.depths(parent)))
    new = np.empty(len(parent), dtype=np.int64)
    new[order] = np.arange(len(parent))
    moved = np.where(parent[order] >= 0, new[np.maximum(parent[order], 0)], -1)
    return order, moved, a[order], b[order], d[order]


@pytest.mark.parametrize("backend", ["numpy", "jax", "tf"])
@pytest.mark.parametrize("ordered", [False, True], ids=["by-tree", "by-depth"])
@pytest.mark.vs_closed_form
def test_level_scheduled_hines_solve_equals_dense_solve(backend, ordered):
    """Both forms of the schedule: per-level indices (nodes tree by tree) and per-depth blocks."""
    rng = np.random.default_rng(7)
    parent, a, b, d = random_forest(rng)
    rhs = rng.normal(size=len(parent))
    if ordered:
        order, parent, a, b, d = by_depth(parent, a, b, d)
        rhs = rhs[order]
    ops = primitives(backend, "float64")
    schedule = hines.on_backend(ops, hines.levels(parent, a, b))
    assert isinstance(schedule, hines.Blocks) == ordered
    matrix = hines.dense_matrix(parent, a, b, d)

    def solve_tolerance(x):
        """Both solves are backward stable (elimination without pivoting on this diagonally
        dominant tree matrix; LAPACK's with pivoting), so each is off by about
        cond(A) * eps * |x|; a decade above that (cond_inf 34, |x| 2.3: 1.7e-13; measured 1.3e-15)."""
        return 10 * np.linalg.cond(matrix, np.inf) * EPS * np.abs(x).max()

    x = ops.numpy(hines.solve(ops, schedule, ops.const(d), ops.const(rhs)))
    dense = np.linalg.solve(matrix, rhs)
    np.testing.assert_allclose(x, dense, rtol=0, atol=solve_tolerance(dense))
    assert len(hines.levels(parent, a, b).nodes) < len(parent) / 4  # depth, not node count

    # the axial currents of a potential v, added to rhs in the form the solve takes
    v = rng.normal(size=len(parent))
    expected = rhs.copy()
    size, terms = np.abs(rhs), np.ones(len(parent))  # per node: sum of |summands|, their number
    edges = [(i, p) for i, p in enumerate(parent) if p >= 0]
    for i, p in edges:
        expected[i] -= b[i] * (v[p] - v[i])
        size[i] += abs(b[i] * (v[p] - v[i]))
        terms[i] += 1
    for i, p in edges:
        expected[p] += a[i] * (v[p] - v[i])
        size[p] += abs(a[i] * (v[p] - v[i]))
        terms[p] += 1
    axial = hines.with_axial(ops, schedule, ops.const(v), ops.const(rhs))
    got = np.concatenate([ops.numpy(block) for block in axial]) if ordered else ops.numpy(axial)
    # In any order, a sum of k terms, each a product of a difference (2 roundings), is within
    # (k + 2) eps of the sum of the terms' magnitudes (measured: equal on every backend)
    assert (np.abs(got - expected) <= (terms + 2) * EPS * size).all(), np.abs(got - expected).max()
    x = ops.numpy(hines.solve(ops, schedule, ops.const(d), axial))
    reference = np.linalg.solve(matrix, expected)
    np.testing.assert_allclose(x, reference, rtol=0, atol=solve_tolerance(reference))


@pytest.mark.vs_closed_form
def test_section_tree_follows_neuron_layout():
    cell = Cell("c")
    cell.section("soma", L=20, diam=20, nseg=1)
    cell.section("dend", L=100, diam=2, nseg=4, parent="soma", parent_x=1.0)
    cell.section("side", L=50, diam=1, nseg=2, parent="dend", parent_x=0.5)
    tree = cell.tree()
    assert len(tree.parent) == 1 + (1 + 1) + (4 + 1) + (2 + 1)  # root node, then centres + x=1 end per section
    assert tree.parent[tree.centres["dend"][0]] == tree.ends["soma"][1]
    assert tree.parent[tree.centres["side"][0]] == tree.centres["dend"][2]  # x = 0.5 of nseg 4 is segment 2
    np.testing.assert_allclose(tree.area[tree.centres["dend"]], np.pi * 2 * 25, rtol=2 * EPS, atol=0)
    assert tree.area[tree.ends["dend"][1]] == 100.0 and tree.cm[tree.ends["dend"][1]] == 0.0

    # NEURON's axial coupling: a node joins its parent node through half a segment of its own
    # section when one of the two is the section's first centre (the parent's node is where the
    # section starts) or its 1-end node, and through a whole segment (two halves) between two
    # centres; b = -g / (own area), a = -g / (parent's area), in S/cm2.
    def half_resistance(L, diam, nseg, Ra=35.4):  # Ω: Ra (Ω cm) x half a segment (µm -> cm) / cross-section (µm2 -> cm2)
        return Ra * (L / nseg / 2 * 1e-4) / (math.pi * diam * diam / 4 * 1e-8)

    for name, L, diam, nseg in (("dend", 100, 2, 4), ("side", 50, 1, 2)):
        half = half_resistance(L, diam, nseg)
        nodes = list(tree.centres[name]) + [tree.ends[name][1]]
        for j, node in enumerate(nodes):
            g = 1.0 / (half if j in (0, nseg) else 2 * half)  # S
            own, parent = tree.area[node] * 1e-8, tree.area[tree.parent[node]] * 1e-8  # cm2
            assert tree.b[node] == pytest.approx(-g / own, rel=8 * EPS), (name, j)
            assert tree.a[node] == pytest.approx(-g / parent, rel=8 * EPS), (name, j)


@pytest.mark.vs_closed_form
def test_swc_file_becomes_sections(tmp_path):
    swc = tmp_path / "cell.swc"
    swc.write_text("# soma, a dendrite that branches\n"
                   "1 1 0 0 0 10 -1\n2 3 10 0 0 1 1\n3 3 30 0 0 1 2\n"
                   "4 3 40 10 0 0.5 3\n5 3 40 -10 0 0.5 3\n")
    cell = Cell.from_swc(swc, nseg_per_um=0.1)
    assert list(cell.sections) == ["soma", "dend_2", "dend_3", "dend_4"]
    dend = cell.sections["dend_2"]
    # lengths are sums of point-to-point distances: exact here but for the one rounding of sqrt(200)
    assert dend.parent == "soma" and dend.L == 30.0 and dend.diam == 2.0  # 10 + 20 µm from the soma's point
    assert cell.sections["soma"].L == cell.sections["soma"].diam == 20.0
    for branch in ("dend_3", "dend_4"):  # the branch point's radius only fixes where they start
        sec = cell.sections[branch]
        assert (sec.parent, sec.parent_x, sec.diam) == ("dend_2", 1.0, 1.0)
        assert sec.L == pytest.approx(math.sqrt(10 ** 2 + 10 ** 2), rel=2 * EPS, abs=0)
    # nseg: odd, at least 1, from 0.1 per µm (2 * int(L * 0.1 / 2) + 1)
    assert [s.nseg for s in cell.sections.values()] == [3, 3, 1, 1]
    bad = tmp_path / "bad.swc"
    bad.write_text("1 1 0 0 0 10 -1\n2 3 1 2\n")
    with pytest.raises(ModelError, match=r"bad.swc:2:1: error: an SWC line needs 7 numbers"):
        Cell.from_swc(bad)


def test_queue_overflow_is_an_error_not_a_silent_loss():
    net = Network()
    stim = net.artificial(sc.FILES["NetStim"], start=1.0, interval=0.1, number=100, noise=0)
    target = net.artificial(sc.FILES["IntFire1"])
    net.connect(stim, target, weight=0.1, delay=50.0)  # 100 events in flight, capacity 8
    with pytest.raises(SimulationError, match=r"queue overflowed its capacity \(pending events per mechanism: NetStim 8, IntFire1 8\)"):
        Simulation(net, backend="numpy", queue_capacity=8).run(20.0)


@pytest.mark.parametrize("backend", ["numpy", "jax"])
def test_spike_buffer_keeps_every_spike_or_stops(backend):
    net = Network()
    net.artificial(sc.FILES["NetStim"], start=0.5, interval=1.0, number=100, noise=0)
    times = Simulation(net, backend=backend, chunk=400, spike_capacity=10).run(40.0).spike_times
    parity.assert_same_spikes(times, np.arange(40) + 0.5, 40.0, 0.025, "NetStim")  # 10 per 10 ms chunk: exactly full, in order
    with pytest.raises(SimulationError, match="more than 9 spikes fell in one chunk of 400 steps"):
        Simulation(net, backend=backend, chunk=400, spike_capacity=9).run(40.0)


def test_simultaneous_events_arrive_in_sending_order():
    """Three NetStims fire into one IntFire1 at the same times; every input counts, in order."""
    net = Network()
    cell = net.artificial(sc.FILES["IntFire1"], tau=1e9)
    for _ in range(3):
        stim = net.artificial(sc.FILES["NetStim"], start=2.0, interval=5.0, number=1, noise=0)
        net.connect(stim, cell, weight=0.4, delay=1.0)
    result = Simulation(net, backend="numpy").run(10.0)
    parity.assert_same_spikes(result.spikes(cell), [3.0], 10.0, 0.025, "IntFire1")  # the third 0.4 crosses 1 at t = 3


def test_a_netcon_from_a_cell_that_never_emits_delivers_nothing(write_mod):
    """NEURON accepts a NetCon whose source never calls net_event (it simply never fires); modlc
    used to refuse the model. The source counts its inputs, so the events into it do arrive."""
    counter = write_mod("""
        NEURON { ARTIFICIAL_CELL Counter RANGE n }
        ASSIGNED { n }
        INITIAL { n = 0 }
        NET_RECEIVE (w) { n = n + 1 }
    """, "counter.mod")
    net = Network()
    counts = net.artificial(counter)
    net.connect(net.artificial(sc.FILES["NetStim"], start=1.0, interval=2.0, number=5, noise=0), counts, weight=1.0, delay=1.0)
    k = sc.soma_cell(net, "soma")
    net.insert(sc.FILES["pas"], k)
    net.connect(counts, net.place(sc.FILES["ExpSyn"], at=(k, "soma", 0.5)), weight=0.01, delay=1.0)
    net.record("v", "v", at=(k, "soma", 0.5))
    net.record("n", "n", point=counts)
    result = Simulation(net, backend="numpy").run(20.0)
    assert result["n"][-1] == 5
    assert len(result.spikes(counts)) == 0
    assert (np.diff(np.asarray(result["v"])) <= 0).all()  # pas relaxes from -65 toward -70: no synaptic kick


@pytest.mark.parametrize("change, message", [
    (lambda net, k: net.insert(sc.FILES["hh"], k, gnabarr=0.1), "has no settable parameter 'gnabarr'"),
    (lambda net, k: net.place(sc.FILES["hh"], at=(k, "soma", 0.5)), "is a density mechanism; use insert"),
    (lambda net, k: net.insert(sc.FILES["ExpSyn"], k), "is a point mechanism; use place"),
    (lambda net, k: net.place(sc.FILES["Gap"], at=(k, "soma", 0.5)), "POINTER vgap of a point process is not linked"),
    (lambda net, k: net.insert(sc.FILES["hh"], k, where="axon"), "has no section 'axon'"),
    (lambda net, k: net.place(sc.FILES["ExpSyn"], at=(k, "soma", 1.5)), r"position x must lie in \[0, 1\]"),
    (lambda net, k: net.insert("no/such.mod", k), "no/such.mod: no such .mod file"),
])
def test_bad_models_get_precise_errors(change, message):
    net = Network()
    cell = Cell("c")
    cell.section("soma", L=20, diam=20)
    k = net.add_cell(cell)
    with pytest.raises(ModelError, match=message):
        change(net, k)
        Simulation(net, backend="numpy")


def test_bad_simulation_options_are_refused():
    net, _ = sc.single()
    with pytest.raises(ModelError, match="unknown backend 'torch'"):
        Simulation(net, backend="torch")
    with pytest.raises(ModelError, match="dtype must be float64 or float32"):
        Simulation(net, backend="numpy", dtype="float16")
    with pytest.raises(ModelError, match="tstop must be a non-negative number"):
        Simulation(net, backend="numpy").run(float("nan"))
    with pytest.raises(ModelError, match="scheme must be 'implicit'"):
        Simulation(net, backend="numpy", scheme="rk4")
    with pytest.raises(ModelError, match="set_v_init: there is no cell 3"):
        net.set_v_init(3, -70.0)


def passive_pair(g_pas=1e-3, e_pas=-70.0):
    """A passive soma with a dendrite attached at its middle, and a current step into the soma."""
    net = Network()
    cell = Cell("c")
    cell.section("soma", L=20, diam=20)
    cell.section("dend", L=100, diam=2, parent="soma", parent_x=0.5, Ra=150.0)
    k = net.add_cell(cell)
    net.insert(sc.FILES["pas"], k, g=g_pas, e=e_pas)
    net.place(sc.FILES["IClamp"], at=(k, "soma", 0.5), **{"del": 0.0, "dur": 1e9, "amp": 0.1})
    for where in ("soma", "dend"):
        net.record(where, "v", at=(k, where, 0.5))
    net.record("dend_end", "v", at=(k, "dend", 1.0))
    return net, cell


@pytest.mark.vs_closed_form
def test_explicit_scheme_is_synchronous_forward_euler():
    """Two compartments in closed form: each dv = dt/cm * (-i_pas + axial + stimulus), all from
    the values at t; the dendrite's zero-area 1-end node follows its centre. The axial coupling is
    NEURON's rule applied to passive_pair's geometry, not the runtime's matrix: the dendrite (nseg
    1) joins the soma's centre node, where it is attached, through half its own cylinder."""
    net, _ = passive_pair()
    net.set_v_init(0, -60.0, "dend")
    result = Simulation(net, backend="numpy", scheme="explicit").run(0.5)
    soma_area = math.pi * 20.0 * 20.0 * 1e-8  # cm2: L = diam = 20 µm, x 1e-8 cm2/µm2
    dend_area = math.pi * 2.0 * 100.0 * 1e-8  # cm2: diam 2 µm, L 100 µm
    # Ra 150 Ω cm through half the dendrite (50 µm = 5e-3 cm) of cross-section π (1 µm)^2 = π 1e-8 cm2
    r_axial = 150.0 * (100.0 / 2 * 1e-4) / (math.pi * 1.0 ** 2 * 1e-8)  # Ω (2.39e7)
    g_axial = 1e3 / r_axial  # mS
    g_dend, g_soma = g_axial / dend_area, g_axial / soma_area  # mS/cm2 on each node: 6.67 and 3.33
    g_pas, e_pas, cm = 1.0, -70.0, 1.0  # mS/cm2 (1e-3 S/cm2), mV, µF/cm2
    i_stim = 0.1e-3 / soma_area  # µA/cm2: 0.1 nA = 1e-4 µA over the soma's area
    vs, vd, dt = -65.0, -60.0, 0.025
    # Each step the runtime and this loop round ~8 operations each to half an ulp of terms below
    # 70 mV; errors carried from earlier steps shrink (|1 - dt (g_pas + g_dend)| = 0.81 < 1), so
    # after n steps they differ by at most n * 8 eps * 70 mV (2.5e-12 mV after 20; measured: 0).
    step_rounding = 8 * EPS * 70.0
    for n in range(1, len(result.t)):
        dvs = dt / cm * (-g_pas * (vs - e_pas) + g_soma * (vd - vs) + i_stim)
        dvd = dt / cm * (-g_pas * (vd - e_pas) + g_dend * (vs - vd))
        vs, vd = vs + dvs, vd + dvd
        assert abs(result["soma"][n] - vs) <= n * step_rounding, (n, result["soma"][n], vs)
        assert abs(result["dend"][n] - vd) <= n * step_rounding, (n, result["dend"][n], vd)
    assert len(result.t) == 21 and vd - result["dend"][0] < -4.0  # 20 steps that move the dendrite 4 mV
    # the 1-end node is solved from its one coupling: its v follows the centre's up to the rounding
    # of that solve and of the addition, 2 eps |v| per step (measured: equal)
    steps = np.arange(len(result.t))
    assert (np.abs(result["dend_end"] - result["dend"]) <= steps * 2 * EPS * 70.0).all()


def test_set_v_init_starts_sections_apart_without_touching_the_parent():
    net, _ = passive_pair()
    net.set_v_init(0, -50.0, "dend")
    result = Simulation(net, backend="numpy").run(0.025)
    assert result["soma"][0] == -65.0  # the dendrite's x = 0 is the soma's node: unchanged
    assert result["dend"][0] == -50.0 and result["dend_end"][0] == -50.0


def test_the_loop_carries_only_what_a_later_kernel_reads_or_a_probe_records():
    net, _ = sc.single()  # hh, recording m, gna, minf and ina
    engine = Simulation(net, backend="numpy").engine
    carry = engine.initial(-65.0)
    hh = next(g.index for g in engine.plan.groups if g.name == "hh")
    assert set(carry["s"][hh]) == {"m", "h", "n", "gna", "minf"}  # not mtau, gk, ik, ...
    assert carry["ion"] == {"na": {"i": carry["ion"]["na"]["i"]}, "k": {}}  # ena, ek fixed; ik unread
    assert np.all(engine.ion_value(carry, "na", "e") == 50.0)

    net = Network()  # a calcium pool (writes cai, reads ica) fed by a channel with a fixed reversal
    k = sc.soma_cell(net, "pool")
    for name in ("io_cah", "io_capool"):
        net.insert(sc.MECH / f"{name}.mod", k)
    carry = Simulation(net, backend="numpy").engine.initial(-65.0)
    assert set(carry["ion"]["ca"]) == {"ci", "i"}  # no Nernst reversal while nothing reads eca
    net.record("eca", "eca", at=(k, "soma", 0.5))
    engine = Simulation(net, backend="numpy").engine
    assert set(engine.initial(-65.0)["ion"]["ca"]) == {"ci", "i", "e"}


@pytest.mark.vs_backends
def test_chunks_do_not_change_the_result():
    net, tstop = sc.two_cells()
    whole = Simulation(net, backend="jax").run(tstop)
    pieces = Simulation(net, backend="jax", chunk=333).run(tstop)
    for key in whole.traces:
        np.testing.assert_array_equal(whole[key], pieces[key])
    np.testing.assert_array_equal(whole.spike_times, pieces.spike_times)


def test_record_every_samples_the_time_axis():
    net, tstop = sc.single()
    result = Simulation(net, backend="numpy").run(5.0, record_every=40)
    np.testing.assert_allclose(result.t, [0, 1, 2, 3, 4, 5], rtol=0, atol=parity.step_time_tolerance(5.0, 0.025))
    assert result["v"].shape == (6,)


def test_cell_templates_give_each_copy_its_own_mechanisms():
    """DESIGN's pattern: mechanisms placed on a Cell, the cell copied into a Network. The result is
    the one of the same network built instance by instance (runtime_scenarios.two_cells)."""
    cell = Cell("hh")
    cell.section("soma", L=20, diam=20)
    cell.insert(sc.FILES["hh"])
    syn = cell.place(sc.FILES["Exp2Syn"], at=("soma", 0.5), tau1=0.5, tau2=3.0)
    net = Network(cells=[cell] * 2)
    net.place(sc.FILES["IClamp"], at=(0, "soma", 0.5), **{"del": 2.0, "dur": 40.0, "amp": 0.15})
    net.connect((0, "soma", 0.5), (1, syn), weight=0.05, delay=3.0, threshold=0.0)
    net.connect((1, "soma", 0.5), None, threshold=0.0)
    net.record("va", "v", at=(0, "soma", 0.5))
    net.record("vb", "v", at=(1, "soma", 0.5))
    net.record("g", "g", point=(1, syn))
    assert net.point(0, syn) is not net.point(1, syn)
    templated = Simulation(net, backend="numpy").run(50.0)
    explicit_net, tstop = sc.two_cells()
    explicit = Simulation(explicit_net, backend="numpy").run(tstop)
    for key in ("va", "vb", "g"):
        np.testing.assert_array_equal(templated[key], explicit[key])
    np.testing.assert_array_equal(templated.spike_times, explicit.spike_times)


def test_a_loaded_module_stands_for_its_mod_file():
    import modlc

    hh = modlc.load(sc.FILES["hh"], backend="numpy", conductance="numeric")
    net, tstop = sc.single("numeric")
    by_module = Network()
    cell = Cell("single")
    cell.section("soma", L=20, diam=20)
    k = by_module.add_cell(cell)
    by_module.insert(hh, k)  # compiled again for the simulation's backend, with the module's conductance mode
    by_module.place(sc.FILES["IClamp"], at=(k, "soma", 0.5), **{"del": 5.0, "dur": 30.0, "amp": 0.1})
    by_module.record("v", "v", at=(k, "soma", 0.5))
    a = Simulation(by_module, backend="jax").run(tstop)
    b = Simulation(net, backend="jax").run(tstop)
    np.testing.assert_array_equal(a["v"], b["v"])


def test_progress_bar_on_request(capsys):
    net, _ = sc.single()
    Simulation(net, backend="numpy", chunk=100, progress=True).run(5.0)
    err = capsys.readouterr().err
    assert "[" + "#" * 30 + "] 5.0/5.0 ms" in err


@pytest.mark.parametrize("backend", ["numpy", "jax", "tf"])
@pytest.mark.vs_closed_form
def test_noisy_netstim_is_reproducible_and_poisson_like(backend):
    """NetStim with noise 1 draws exponential intervals in the runtime: the same seed repeats the
    train exactly, another seed gives another train, and the mean interval is the configured one."""
    def train(seed):
        net = Network()
        net.artificial(sc.FILES["NetStim"], start=0.0, interval=1.0, number=100000, noise=1.0)
        return Simulation(net, backend=backend, seed=seed).run(2000.0).spike_times

    first, again, other = train(1), train(1), train(2)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first[:20], other[:20])
    # Exponential intervals of mean 1 ms over 2000 ms: a Poisson count of mean 2000; for n intervals
    # the standard errors of the mean and of the sd are 1/sqrt(n) and sqrt(2/n) (an exponential's
    # fourth central moment is 9: Var(s^2) = (9 - 1)/n, so Var(s) = 2/n), and the fraction below
    # the median ln 2 has 0.5/sqrt(n). Each is asserted to 5 standard errors.
    isi = np.diff(first)
    n = len(isi)
    assert abs(len(first) - 2000) <= 5 * math.sqrt(2000), len(first)
    assert abs(isi.mean() - 1.0) <= 5 / math.sqrt(n), isi.mean()
    assert abs(isi.std() - 1.0) <= 5 * math.sqrt(2 / n), isi.std()
    assert abs((isi < math.log(2)).mean() - 0.5) <= 5 * 0.5 / math.sqrt(n), (isi < math.log(2)).mean()


@pytest.mark.parametrize("backend", ["numpy", "jax", "tf"])
@pytest.mark.vs_closed_form
def test_gathers_and_scatters_through_runs_equal_index_arrays(backend):
    """Spans (consecutive runs, out of order, overlapping as a tree level's parents are) give the
    same gathers and scatters as the index array they stand for; other index sets stay arrays."""
    from modlc.runtime.primitives import MAX_RUNS, Span, index

    ops = primitives(backend, "float64")
    x = np.arange(20.0) * 1.5
    for positions in ([3, 4, 5, 6], [10, 11, 12, 0, 1, 2], [4, 5, 6, 4, 5, 6, 15], list(range(20))):
        positions = np.array(positions)
        span = index(ops, positions)
        assert isinstance(span, Span) and len(span.runs) <= 3
        values = np.linspace(-1.0, 1.0, len(positions))
        added, size, count = x.copy(), np.abs(x), np.zeros(len(x))
        np.add.at(added, positions, values)
        np.add.at(size, positions, np.abs(values))
        np.add.at(count, positions, 1)
        np.testing.assert_array_equal(ops.numpy(ops.take(ops.const(x), span)), x[positions])
        # k additions into one place, in any order: within k eps of the sum of magnitudes (measured: equal)
        got = ops.numpy(ops.scatter_add(ops.const(x), span, ops.const(values)))
        assert (np.abs(got - added) <= count * EPS * size).all(), (positions, got - added)
        if len(set(positions.tolist())) == len(positions):
            expected = x.copy()
            expected[positions] = values
            np.testing.assert_array_equal(ops.numpy(ops.scatter_set(ops.const(x), span, ops.const(values))), expected)
    assert not isinstance(index(ops, np.arange(0, 4 * (MAX_RUNS + 1), 2)), Span)  # too many runs: an array


def test_a_cell_given_node_by_node_simulates_as_its_sections():
    """Cell.from_nodes (how a NEURON model arrives in bulk) with the node arrays of a cell built
    from sections: the same nodes, so the same arithmetic and the same v, bit for bit."""
    from modlc.runtime import NODES

    built = Cell("c")
    built.section("soma", L=20, diam=20)
    built.section("dend", L=300, diam=2, nseg=5, parent="soma")
    built.section("side", L=80, diam=1, nseg=3, parent="dend", parent_x=0.4)
    tree = built.tree()
    given = Cell.from_nodes("n", tree.parent, tree.area, tree.cm, tree.a, tree.b, tree.diam)
    assert given.compartments() == built.compartments() == 9
    traces = []
    for cell, where, soma, tip in ((built, "all", ("soma", 0.5), ("side", 1.0)),
                                   (given, np.flatnonzero(tree.cm > 0), (NODES, tree.centres["soma"][0]),
                                    (NODES, tree.ends["side"][1]))):
        net = Network([cell])
        net.insert(sc.FILES["hh"], 0, where)
        net.place(sc.FILES["IClamp"], at=(0, *soma), **{"del": 1.0, "dur": 5.0, "amp": 0.3})
        net.record("tip", "v", at=(0, *tip))
        traces.append(Simulation(net, backend="numpy").run(10.0)["tip"])
    assert np.ptp(traces[0]) > 50  # it spiked
    assert np.array_equal(traces[0], traces[1])


@pytest.mark.parametrize("build, message", [
    (lambda: Cell.from_nodes("n", [-1, 1], [1, 1], [1, 1], [0, 0], [0, 0], [1, 1]), "parent must come before it"),
    (lambda: Cell.from_nodes("n", [-1, 0], [1], [1, 1], [0, 0], [0, 0], [1, 1]), "needs 2 values"),
    (lambda: Network([Cell.from_nodes("n", [-1, 0], [1, 1], [1, 1], [0, 0], [0, 0], [1, 1])]).location((0, "soma", 0.5)),
     "given node by node"),
    (lambda: Network([Cell.from_nodes("n", [-1, 0], [1, 1], [1, 1], [0, 0], [0, 0], [1, 1])]).insert(sc.FILES["hh"], 0, [0, 2]),
     r"node indices must lie in \[0, 2\)"),
    (lambda: Network([Cell.from_nodes("n", [-1, 0], [1, 1], [1, 1], [0, 0], [0, 0], [1, 1])]).set_v_init(0, -50.0),
     "no sections to select"),
])
def test_cells_given_node_by_node_refuse_what_they_cannot_hold(build, message):
    with pytest.raises(ModelError, match=message):
        build()
