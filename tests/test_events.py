"""WATCH, FOR_NETCONS and net_move: their lowering, NEURON 9 on the same networks (event_scenarios,
tests/data/events), and the other backends against NumPy.

The NEURON comparisons run on NumPy: these small event-driven models take 20-30 s each to compile
for JAX (as IntFire1's network does) and about 2 min for TensorFlow, where NumPy runs them in 3 s.
ONNX (every scenario) and JAX (the two that between them run all three constructs) are compared
with NumPy here; TensorFlow was measured against NEURON for FIGURES but is left out of the suite
for its compile time.
FIGURES are the largest |modlc - NEURON| measured over JAX, TensorFlow, ONNX and NumPy (JAX 0.10,
TF 2.21, NumPy 2.4, NEURON 9.0.2); BACKENDS the largest |backend - NumPy|. Both are asserted with
parity.ROUNDING_MARGIN. Counters (count, nfire, beats...) must agree exactly; times recorded by a
NET_RECEIVE (tlast, tpost) differ by the rounding of t itself (NEURON adds dt/2 twice per step,
modlc computes n·dt); every spike falls in the same step.
"""

from __future__ import annotations

import numpy as np
import pytest

import event_scenarios as es
from modlc.pipeline import compile_ir
from modlc.runtime import Network, Simulation
from modlc.runtime.simulation import SimulationError
from ir_eval import run
from neuron_oracle import compile_mechanisms, run_neuron
from parity import assert_same_spikes, assert_traces
from test_lowering import error_of

FIGURES = {
    "watch_spike": {"count": 0.0, "inputs": 0.0, "tlast": 9.2e-13, "v": 1.5e-10},
    "watch_counter": {"a_m": 1.1e-14, "a_nfire": 0.0, "a_nlow": 0.0, "b_m": 1.1e-16, "b_nfire": 0.0, "b_nlow": 0.0},
    "stdp": {"g": 2.5e-16, "tpost": 2.0e-12, "v": 3.5e-11},
    "netmove": {f"{p}_{n}": 0.0 for p in ("p1", "p2") for n in ("beats", "echoes", "tnext")},
}
BACKENDS = {
    "watch_spike": {"count": 0.0, "inputs": 0.0, "tlast": 0.0, "v": 1.4e-11},
    "watch_counter": {"a_m": 2.2e-16, "a_nfire": 0.0, "a_nlow": 0.0, "b_m": 1.1e-16, "b_nfire": 0.0, "b_nlow": 0.0},
    "stdp": {"g": 3.5e-18, "tpost": 0.0, "v": 1.9e-12},
    "netmove": FIGURES["netmove"],
}


def simulate(name: str, backend: str = "numpy"):
    net, tstop, sources = es.SCENARIOS[name]()
    return Simulation(net, backend=backend).run(tstop), tstop, sources


def assert_matches_neuron(reference: dict, name: str, what: str) -> None:
    """Scenario `name` on NumPy: its traces within FIGURES, its spikes in NEURON's steps."""
    result, tstop, sources = simulate(name)
    assert_traces(reference, result, FIGURES[name], what)
    for label, source in sources.items():
        assert_same_spikes(result.spikes(source), reference[label], tstop, es.DT, f"{what} {label}")


# ----- lowering ------------------------------------------------------------------------------
def test_watch_slots_become_net_receive_events_and_a_watch_kernel(write_mod):
    mech = compile_ir(write_mod("""
        NEURON { POINT_PROCESS W RANGE th, n }
        PARAMETER { th = -20 }
        ASSIGNED { v n }
        NET_RECEIVE(w) {
            LOCAL th
            th = 100
            if (flag == 1) {
                WATCH (v > th) 2, (n < 3) 3
            } else {
                n = n + 1
                WATCH (v > th + 5) 4
            }
        }
    """))
    watch, events = run(mech.kernels["watch"], {"v": 10.0, "th": -20.0, "n": 1.0})
    assert watch == {} and [(k, a) for k, a, _ in events] == [("watch", [30.0]), ("watch", [2.0]), ("watch", [25.0])]
    inputs = {"v": 10.0, "th": -20.0, "n": 1.0, "w": 0.0, "t": 0.0}
    _, events = run(mech.kernels["net_receive"], {**inputs, "flag": 1.0})
    # the condition reads the PARAMETER th, not NET_RECEIVE's LOCAL th (nocmodl makes it a function
    # of the instance); slots 1 and 2 execute, slot 3 does not
    assert [(k, a, bool(m)) for k, a, m in events] == [("watch", [30.0, 2.0], True), ("watch", [2.0, 3.0], True),
                                                       ("watch", [0, 0], False)]
    out, events = run(mech.kernels["net_receive"], {**inputs, "flag": 0.0})
    assert out == {"n": 2.0} and [bool(m) for _, _, m in events] == [False, False, True]
    assert events[2][1] == [25.0, 4.0]  # v - (th + 5), with the parameter th


def test_for_netcons_body_is_a_kernel_over_netcons(write_mod):
    mech = compile_ir(write_mod("""
        NEURON { POINT_PROCESS S RANGE k }
        PARAMETER { k = 2 }
        NET_RECEIVE(w, last) {
            if (flag == 2) {
                FOR_NETCONS(w1, l1) { w1 = w1 + k * (t - l1) }
            }
        }
    """))
    assert mech.kernels["for_netcons_1"].outputs  # writes w
    out, _ = run(mech.kernels["for_netcons_1"], {"w": 1.0, "last": 3.0, "k": 2.0, "t": 5.0})
    assert out == {"w": 5.0}
    _, events = run(mech.kernels["net_receive"], {"w": 0.0, "last": 0.0, "flag": 2.0, "t": 5.0, "k": 2.0})
    assert [(k, bool(m)) for k, _, m in events] == [("for_netcons", True)]


@pytest.mark.parametrize("body, message", [
    ("INITIAL { net_send(0, 1) }\nNET_RECEIVE(w) { INITIAL { WATCH (v > 0) 2 } }",
     "4:28: WATCH is only allowed in NET_RECEIVE (outside its INITIAL block)"),
    ("NET_RECEIVE(w) { WATCH (v >= 0) 2 }",
     "3:18: a WATCH condition must be `a > b` or `a < b`"),
    ("NET_RECEIVE(w, x) { FOR_NETCONS(a) { a = 1 } }",
     "3:21: FOR_NETCONS takes as many arguments as NET_RECEIVE (2), not 1"),
    ("NET_RECEIVE(w) { FOR_NETCONS(a) { n = a } }",
     "3:18: unsupported: FOR_NETCONS body that assigns 'n' (only the loop's arguments may change)"),
    ("NET_RECEIVE(w) { FOR_NETCONS(a) { a = n }  n = 1 }",
     "3:18: unsupported: FOR_NETCONS reads 'n', which NET_RECEIVE changes after the loop"),
])
def test_event_statements_that_cannot_be_lowered_get_a_located_error(write_mod, body, message):
    assert error_of(write_mod("NEURON { POINT_PROCESS bad }\nASSIGNED { v n }\n" + body + "\n")) == message


def test_net_move_without_a_pending_flag_1_event_stops_the_run(write_mod):
    """NEURON: nocmodl clears the movable event when the flag-1 event is delivered, and net_move
    then fails ("No event with flag=1 for net_move")."""
    mover = write_mod("""
        NEURON { ARTIFICIAL_CELL Mover }
        INITIAL { net_send(1, 1) }
        NET_RECEIVE(w) { if (flag == 0) { net_move(t + 1) } }
    """, "mover.mod")
    net = Network()
    cell = net.artificial(mover)
    net.connect(net.artificial(es.FILES["NetStim"], start=3.0, number=1, noise=0), cell, weight=1.0, delay=0.0)
    with pytest.raises(SimulationError, match="net_move found no pending"):
        Simulation(net, backend="numpy").run(5.0)


# ----- against NEURON ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def neuron(tmp_path_factory):
    work = tmp_path_factory.mktemp("neuron_events")
    compiled = compile_mechanisms(list(es.FILES.values()), work)
    return run_neuron(es.NEURON_SCRIPT, compiled, timeout=300)


@pytest.mark.vs_neuron
def test_watch_detects_spikes_and_rearms(neuron):
    ref = neuron["watch_spike"]
    assert ref["count"][-1] >= 3 and ref["inputs"][-1] == 2.5  # inputs (no WATCH executed) kept the watch
    assert_matches_neuron(ref, "watch_spike", "WATCH spike detector")


@pytest.mark.vs_neuron
def test_two_watch_slots_fire_from_state_changed_by_events(neuron):
    """The inputs arrive in the second half of a step, so NEURON delivers them at the end of the
    step, before the next step's watch check: modlc must do the same to fire in the same step."""
    ref = neuron["watch_counter"]
    assert ref["a_nfire"][-1] >= 1 and ref["a_nlow"][-1] >= 1
    assert_matches_neuron(ref, "watch_counter", "WATCH counter")


@pytest.mark.vs_neuron
def test_for_netcons_stdp_potentiates_every_netcon(neuron):
    ref = neuron["stdp"]
    jumps = np.diff(ref["g"])
    assert len(ref["post"]) >= 2 and jumps.max() > 0.004 * 1.2  # a weight carried a potentiated A
    assert_matches_neuron(ref, "stdp", "FOR_NETCONS STDP")


@pytest.mark.vs_neuron
def test_net_move_postpones_the_flag_1_event_only(neuron):
    ref = neuron["netmove"]
    assert ref["p1"] != [10.0, 20.0, 30.0, 40.0] and ref["p1_echoes"][-1] == 5  # moved; flag-2 events kept
    assert_matches_neuron(ref, "netmove", "net_move")


# ----- backends ------------------------------------------------------------------------------
# Every scenario on ONNX; on JAX's compiled loop the two that between them run all three
# constructs: WATCH with FOR_NETCONS (stdp), net_move (netmove).
PAIRS = [(name, "onnx") for name in es.SCENARIOS] + [(name, "jax") for name in ("stdp", "netmove")]


@pytest.fixture(scope="module")
def on_numpy():
    return {}


@pytest.mark.vs_backends
@pytest.mark.parametrize("name, backend", PAIRS)
def test_event_constructs_agree_across_backends(on_numpy, name, backend):
    if name not in on_numpy:
        reference, tstop, sources = simulate(name)
        on_numpy[name] = reference, tstop, {label: reference.spikes(source) for label, source in sources.items()}
    reference, tstop, spikes = on_numpy[name]
    result, _, sources = simulate(name, backend)
    assert_traces(reference.traces, result, BACKENDS[name], f"{name} on {backend}")
    for label, source in sources.items():
        assert_same_spikes(result.spikes(source), spikes[label], tstop, es.DT, f"{name} {label} on {backend}")
