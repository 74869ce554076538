"""One network over several devices (runtime/distributed.py): the parts exchange spikes every
min-delay interval and reproduce the one-device run.

The parts compute each cell with the same arithmetic as the whole network does, and a spike from
another part enters the same NetCons with the same time and delay before its first event is due,
so results agree exactly up to the order in which one step's synaptic weights are summed: the
tests ask for identical spikes and 1e-12 mV (measured: 0.0 on NumPy and on JAX with 4 CPU devices).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from modlc.runtime import Cell, ModelError, Network, Simulation
from modlc.runtime.distributed import window_steps

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples"))
VOLTAGE_TOLERANCE = 1e-12  # mV


def ping_network(cells: int = 200) -> Network:
    """examples/ping.py's PING-Assembly network (4 assemblies of 50 cells, 1 ms delays), with
    three voltage probes in three assemblies."""
    import ping

    net = ping.build(cells, seed=1)[0]
    for k in (0, 45, 150):
        net.record(f"v{k}", "v", at=(k, "soma", 0.5))
    return net


def spikes_by_source(result) -> list[tuple[str, float]]:
    return sorted((repr(source), float(t)) for k, source in result.sources.items()
                  for t in result.spike_times[result.spike_sources == k])


def assert_same(one, many, probes, minimum: int = 100) -> None:
    a, b = spikes_by_source(one), spikes_by_source(many)
    assert len(a) > minimum and [s for s, _ in a] == [s for s, _ in b]
    assert max(abs(x - y) for (_, x), (_, y) in zip(a, b)) == 0.0  # identical spike times
    for name in probes:
        assert np.abs(one[name] - many[name]).max() <= VOLTAGE_TOLERANCE


@pytest.fixture(scope="module")
def ping_single():
    net = ping_network()
    return net, Simulation(net, backend="numpy", progress=False).run(60.0)


@pytest.mark.parametrize("partition", ["metis", "random", "contiguous", "given"])
@pytest.mark.vs_backends
def test_ping_assembly_over_four_parts_equals_one(ping_single, partition):
    """PING-Assembly (one connected network: assemblies linked by 10 % of their cells) in four
    parts under each strategy, NumPy: the parts take turns on the host, exchanging every 1 ms."""
    net, one = ping_single
    chosen = list(np.arange(200) % 4) if partition == "given" else partition  # cells dealt round-robin
    sim = Simulation(net, backend="numpy", devices=4, partition=chosen, progress=False)
    assert sim.distributed.window == 40 and sim.distributed.assignment.cut > 0
    assert_same(one, sim.run(60.0), ["v0", "v45", "v150"])


@pytest.mark.vs_backends
def test_artificial_cells_spike_trains_and_point_probes_cross_parts():
    """A NetStim in one part driving cells in the other, a spike train feeding both, a synapse's
    conductance recorded, delays that are not multiples of dt (window: 0.6 ms -> 24 steps)."""
    net = Network()
    for k in range(4):
        cell = Cell(f"c{k}")
        cell.section("soma", L=20, diam=20)
        net.add_cell(cell)
        net.insert("hh", k)
    syn = [net.place("ExpSyn", (k, "soma", 0.5), tau=2.0) for k in range(4)]
    stim = net.artificial("NetStim", number=5, start=2.0, interval=7.0)
    train = net.spike_train([1.0, 13.3, 21.7])
    for k in range(4):
        net.connect(stim, syn[k], 0.02, delay=0.6 + 0.1 * k)
        net.connect(train, syn[k], 0.01, delay=1.0)
        net.connect((k, "soma", 0.5), syn[(k + 1) % 4], 0.03, delay=0.61 + 0.2 * k, threshold=-10.0)
    net.record("g1", "g", point=syn[1])
    net.record("v3", "v", at=(3, "soma", 0.5))
    one = Simulation(net, backend="numpy", progress=False).run(40.0)
    sim = Simulation(net, backend="numpy", devices=2, partition=[0, 0, 1, 1, 1], progress=False)
    assert sim.distributed.window == 24
    many = sim.run(40.0)
    assert_same(one, many, ["v3"], minimum=20)
    assert np.abs(one["g1"] - many["g1"]).max() <= 1e-15


def test_four_jax_devices_each_run_a_part():
    """JAX with four CPU devices (XLA_FLAGS must be set before JAX starts: a process of its own):
    each part's state lives on its own device, and under every strategy the run equals the
    one-device run — PING-Assembly, and a chain of gap-junction-coupled cells, which four parts
    must cut (every step exchanges the mirrored voltages)."""
    script = f"""
import json, sys
sys.path.insert(0, {str(ROOT / 'tests')!r})
import numpy as np
from test_distributed import junction_chain, ping_network, spikes_by_source
from modlc.runtime import Simulation
from modlc.runtime.distributed import DistributedSimulation
out = []
for name, net, tstop, probes in (("ping", ping_network(), 40.0, ["v0", "v45", "v150"]),
                                 ("chain", junction_chain(8), 20.0, ["v0", "v4", "v7"])):
    one = Simulation(net, backend="jax", progress=False).run(tstop)
    for strategy in ("metis", "random", "contiguous"):
        dist = DistributedSimulation(net, devices=4, partition=strategy, backend="jax")
        many = dist.run(tstop)
        a, b = spikes_by_source(one), spikes_by_source(many)
        out.append({{"model": name, "strategy": strategy, "spikes": len(a),
                     "devices": len({{str(d) for sim in dist.sims.values() for d in sim.engine.zeros.devices()}}),
                     "couplings_cut": dist.assignment.cut_couplings, "same": [s for s, _ in a] == [s for s, _ in b],
                     "dt": max(abs(x - y) for (_, x), (_, y) in zip(a, b)),
                     "dv": max(float(np.abs(one[n] - many[n]).max()) for n in probes)}})
print(json.dumps(out))
"""
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=4", "JAX_ENABLE_X64": "1"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=900)
    assert done.returncode == 0, done.stderr
    runs = json.loads(done.stdout.strip().splitlines()[-1])
    assert len(runs) == 6
    for run in runs:
        assert run["devices"] == 4, run
        assert run["spikes"] > (100 if run["model"] == "ping" else 5) and run["same"] and run["dt"] == 0.0, run
        assert run["dv"] <= VOLTAGE_TOLERANCE, run
        assert run["model"] == "ping" or run["couplings_cut"] >= 6, run  # 8 cells in 4 parts: 3+ junctions cut


def junction_chain(cells: int = 6) -> Network:
    """hh cells in a row coupled by gap junctions, the first driven, NetCons skipping ahead."""
    net = Network()
    for k in range(cells):
        cell = Cell(f"c{k}")
        cell.section("soma", L=20, diam=20)
        net.add_cell(cell)
        net.insert("hh", k)
    for k in range(cells - 1):
        net.gap_junction(ROOT / "mechanisms" / "gap.mod", (k, "soma", 0.5), (k + 1, "soma", 0.5), g=2e-3)
    net.place("IClamp", (0, "soma", 0.5), **{"del": 1.0, "dur": 30.0, "amp": 0.4})
    syn = [net.place("ExpSyn", (k, "soma", 0.5), tau=3.0) for k in range(cells)]
    for k in range(cells - 2):
        net.connect((k, "soma", 0.5), syn[k + 2], 0.005, delay=1.3)
    for k in range(cells):
        net.record(f"v{k}", "v", at=(k, "soma", 0.5))
    return net


@pytest.mark.vs_backends
def test_gap_junctions_between_parts_read_mirrors_every_step():
    """Junctions 2-3 (and, in the second placement, 0-1 and 4-5) cross parts: each part reads a
    mirror of the other's node, set before every step; the same spikes and v as one device."""
    net = junction_chain()
    one = Simulation(net, backend="numpy", progress=False).run(30.0)
    assert np.ptp(one["v5"]) > 20  # the far end spikes: the junctions carry it
    for placement in ([0, 0, 0, 1, 1, 1], [0, 1, 1, 0, 0, 1]):
        sim = Simulation(net, backend="numpy", devices=2, partition=placement, progress=False)
        assert sim.distributed.window == 1 and sim.distributed.assignment.cut_couplings > 0
        assert_same(one, sim.run(30.0), [f"v{k}" for k in range(6)], minimum=5)


def test_a_pointer_read_as_states_advance_is_refused_across_parts(write_mod):
    """Its reading after the step's solve would see the mirror's old v: refused, not run wrong."""
    path = write_mod("""
        NEURON { POINT_PROCESS follower POINTER vp RANGE tau }
        PARAMETER { tau = 2 (ms) }
        ASSIGNED { vp (mV) }
        STATE { x (mV) }
        INITIAL { x = vp }
        BREAKPOINT { SOLVE s METHOD cnexp }
        DERIVATIVE s { x' = (vp - x) / tau }
    """, "follower.mod")
    net = two_cells()
    net.link(net.place(path, (1, "soma", 0.5)), "vp", (0, "soma", 0.5))
    with pytest.raises(ModelError, match="follower reads POINTER vp while its states advance"):
        Simulation(net, backend="numpy", devices=2, partition=[0, 1])


def test_window_is_the_delivery_lag_of_the_smallest_delay_between_parts():
    assert window_steps(1.0, 0.025) == 40  # a spike at step j is delivered at step j + 40
    assert window_steps(0.0375, 0.025) == 1  # 1.5 dt: delivered two steps on, one is safe
    assert window_steps(float("inf"), 0.025) == 0  # nothing crosses: run straight through
    with pytest.raises(ModelError, match="within half a step"):
        window_steps(0.0125, 0.025)


def two_cells(delay: float = 1.0, junction: bool = False) -> Network:
    net = Network()
    for k in range(2):
        cell = Cell(f"c{k}")
        cell.section("soma", L=20, diam=20)
        net.add_cell(cell)
    syn = net.place("ExpSyn", (1, "soma", 0.5))
    net.connect((0, "soma", 0.5), syn, 0.01, delay=delay)
    if junction:
        net.gap_junction(ROOT / "mechanisms" / "gap.mod", (0, "soma", 0.5), (1, "soma", 0.5), g=1e-3)
    return net


@pytest.mark.parametrize("build, options, message", [
    (lambda: two_cells(delay=0.01), dict(partition=[0, 1]), "within half a step"),
    (lambda: two_cells(delay=0.0), dict(partition=[0, 1]), "a NetCon of delay 0 ms joins two parts"),
    (lambda: two_cells(), dict(devices=3), "3 parts for a network of 2 cells"),
    (lambda: two_cells(), dict(threads=2), "give threads or devices, not both"),
    (lambda: two_cells(), dict(devices=0), "devices must be a whole number >= 1"),
])
def test_distributed_runs_that_cannot_be_are_refused(build, options, message):
    options = {"devices": 2, **options}
    with pytest.raises(ModelError, match=message):
        Simulation(build(), backend="numpy", **options)


def test_more_jax_devices_than_there_are_is_an_error():
    import jax

    many = len(jax.devices()) + 1
    with pytest.raises(ModelError, match=f"{many} devices asked for"):
        Simulation(two_cells(), backend="jax", devices=many)


def test_a_distributed_run_has_no_start_and_advance():
    sim = Simulation(two_cells(), backend="numpy", devices=2, partition=[0, 1])
    with pytest.raises(ModelError, match="runs only with run()"):
        sim.start()


WORKER = """
import json, os, sys
import jax
jax.config.update("jax_cpu_collectives_implementation", "gloo")
jax.config.update("jax_enable_x64", True)
process, port, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
jax.distributed.initialize(coordinator_address=f"127.0.0.1:{port}", num_processes=2, process_id=process)
sys.path.insert(0, TESTS)
import numpy as np
from test_distributed import junction_chain, ping_network, spikes_by_source
from modlc.runtime import Simulation
from modlc.runtime.distributed import DistributedSimulation
saved = {}
for name, net, tstop in (("ping", ping_network(), 40.0), ("chain", junction_chain(8), 15.0)):
    dist = DistributedSimulation(net, devices=4, partition="contiguous", backend="jax")
    many = dist.run(tstop)
    saved[name] = {"local": dist.local, "spikes": spikes_by_source(many),
                   "traces": {k: v.tolist() for k, v in many.traces.items()}}
    if process == 0:  # the one-device run, on this process's first device
        one = Simulation(net, backend="jax", progress=False).run(tstop)
        saved[name + " one"] = {"spikes": spikes_by_source(one), "traces": {k: v.tolist() for k, v in one.traces.items()}}
json.dump(saved, open(out, "w"))
"""


def test_two_jax_distributed_processes_give_the_one_process_result(tmp_path):
    """Two processes on this machine joined by jax.distributed (gloo collectives), two CPU
    devices each, four parts: each simulates its two parts and the windows' spikes and mirrored
    voltages cross between the processes; together they reproduce the one-device run."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
    env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    script = WORKER.replace("TESTS", repr(str(ROOT / "tests")))
    workers = [subprocess.Popen([sys.executable, "-c", script, str(k), port, str(tmp_path / f"p{k}.json")],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for k in (0, 1)]
    for w in workers:
        _, err = w.communicate(timeout=900)
        assert w.returncode == 0, err[-3000:]
    p0, p1 = (json.loads((tmp_path / f"p{k}.json").read_text()) for k in (0, 1))
    for name, minimum in (("ping", 100), ("chain", 5)):
        assert p0[name]["local"] == [0, 1] and p1[name]["local"] == [2, 3]
        reference = sorted(tuple(s) for s in p0[name + " one"]["spikes"])
        merged = sorted(tuple(s) for s in p0[name]["spikes"] + p1[name]["spikes"])
        assert len(reference) > minimum and [s for s, _ in merged] == [s for s, _ in reference]
        assert max(abs(a - b) for (_, a), (_, b) in zip(merged, reference)) == 0.0
        traces = {**p0[name]["traces"], **p1[name]["traces"]}
        assert set(traces) == set(p0[name + " one"]["traces"])
        for probe, values in traces.items():
            assert np.abs(np.array(values) - np.array(p0[name + " one"]["traces"][probe])).max() <= VOLTAGE_TOLERANCE


@pytest.mark.vs_backends
def test_an_ensemble_is_a_network_of_unconnected_copies_spread_over_devices():
    """Eight copies of one cell with different hh densities and drives: one network, cut into four
    parts that never meet (window 0), each copy's trace equal to that copy simulated alone."""
    cell = Cell("copy")
    cell.section("soma", L=20, diam=20)
    cell.section("dend", L=200, diam=1, nseg=5, parent="soma")
    copies = [(0.08 + 0.01 * k, 0.1 + 0.02 * k) for k in range(8)]  # (gnabar, IClamp nA)

    def ensemble(members):
        net = Network()
        for gnabar, amp in members:
            k = net.add_cell(cell)
            net.insert("hh", k, gnabar=gnabar)
            net.insert("pas", k, "dend")
            net.place("IClamp", (k, "soma", 0.5), **{"del": 1.0, "dur": 20.0, "amp": amp})
            net.record(f"v{k}", "v", at=(k, "dend", 1.0))
        return net

    sim = Simulation(ensemble(copies), backend="numpy", devices=4, partition="contiguous", progress=False)
    assert sim.distributed.window == 0 and sim.distributed.assignment.balance == 1.0
    together = sim.run(25.0)
    for k, member in enumerate(copies):
        alone = Simulation(ensemble([member]), backend="numpy", progress=False).run(25.0)
        assert np.array_equal(together[f"v{k}"], alone["v0"]), k
    assert np.ptp(together["v7"]) > 50  # the strongest drive fires
