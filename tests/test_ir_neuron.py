"""The IR's SOLVE methods against NEURON itself, step by step.

Each mechanism here writes no current, so in a bare section v stays where `finitialize` put it;
NEURON's state trajectory then depends only on how it solves the block. The IR's kernels (run by
tests/ir_eval.py) must reproduce it: KINETIC with COMPARTMENT, stoichiometry, `<<` and a CONSERVE
law the dynamics do not keep (so the replaced row and its volume weights must be NEURON's),
STEADYSTATE, cnexp and derivimplicit.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from ir_eval import run
from modlc.pipeline import compile_ir
from neuron_oracle import compile_mechanisms, run_neuron

pytest.importorskip("neuron")

V0, DT, STEPS = -20.0, 0.025, 40

MODS = {
    "kinir": """
        NEURON {
            SUFFIX kinir
            RANGE k1
        }
        PARAMETER { k1 = 0.3 (/ms) }
        STATE { A B C D }
        INITIAL { A = 0.5 B = 0 C = 0 D = 0.25 }
        BREAKPOINT { SOLVE scheme METHOD sparse }
        KINETIC scheme {
            LOCAL a
            a = k1*exp(v/30)
            COMPARTMENT 2 {A B}
            COMPARTMENT 0.5 {C}
            ~ A <-> B (a, 0.2)
            ~ B + B <-> C (0.7, 0.1)
            ~ D << (0.05*A)
            CONSERVE A + B + C = 1
        }
    """,
    "ssir": """
        NEURON {
            SUFFIX ssir
        }
        STATE { O C I }
        INITIAL { C = 1 SOLVE scheme STEADYSTATE sparse }
        BREAKPOINT { SOLVE scheme METHOD sparse }
        KINETIC scheme {
            ~ C <-> O (0.4*exp(v/25), 0.3)
            ~ O <-> I (0.2, 0.05*exp(-v/40))
            CONSERVE O + C + I = 1
        }
    """,
    "cnexpir": """
        NEURON {
            SUFFIX cnexpir
        }
        STATE { m }
        INITIAL { m = 0.1 }
        BREAKPOINT {
            SOLVE gate METHOD cnexp
        }
        DERIVATIVE gate { m' = (1/(1 + exp(-(v + 30)/6)) - m)/(1 + 0.1*v*v/100) }
    """,
    # (nocmodl 9.0.2 hangs on one BREAKPOINT solving both blocks, so they are two mechanisms)
    "implir": """
        NEURON {
            SUFFIX implir
        }
        STATE { x }
        INITIAL { x = 2 }
        BREAKPOINT {
            SOLVE nonlin METHOD derivimplicit
        }
        DERIVATIVE nonlin { x' = -0.8*x*x + 0.1*exp(v/50) }
    """,
}

SCRIPT = """
sec = h.Section(name="soma")
for name in NAMES:
    sec.insert(name)
h.dt = {dt}
h.celsius = 6.3
h.finitialize({v0})
seg = sec(0.5)
states = {states!r}
trace = {{name: [[getattr(seg, s + "_" + name) for s in states[name]]] for name in NAMES}}
for _ in range({steps}):
    h.fadvance()
    for name in NAMES:
        trace[name].append([getattr(seg, s + "_" + name) for s in states[name]])
trace["v"] = seg.v
emit(trace)
"""

STATES = {"kinir": ["A", "B", "C", "D"], "ssir": ["O", "C", "I"], "cnexpir": ["m"], "implir": ["x"]}


@pytest.fixture(scope="module")
def neuron_traces(tmp_path_factory):
    work = tmp_path_factory.mktemp("ir_neuron")
    paths = []
    for name, text in MODS.items():
        path = work / f"{name}.mod"
        path.write_text(textwrap.dedent(text))
        paths.append(path)
    compiled = compile_mechanisms(paths, work / "build", rename=False)
    script = SCRIPT.format(dt=DT, v0=V0, steps=STEPS, states=STATES)
    return run_neuron(script, compiled, timeout=120), {p.stem: p for p in paths}


@pytest.mark.parametrize("name, tolerance", [("kinir", 1e-12), ("ssir", 1e-9), ("cnexpir", 1e-12), ("implir", 1e-9)])
def test_state_trajectory_matches_neuron(neuron_traces, name, tolerance):
    traces, paths = neuron_traces
    assert traces["v"] == pytest.approx(V0)  # nothing moved v: the states saw a constant v
    mech = compile_ir(paths[name])
    defaults = {v.name: v.default for v in mech.variables if v.role == "parameter"}
    inputs = {"v": V0, "dt": DT, "celsius": 6.3, **defaults}
    states = {s: 0.0 for s in STATES[name]}
    init, _ = run(mech.kernels["init"], {**inputs, **states})
    states.update({s: init[s] for s in STATES[name] if s in init})
    ours = [[states[s] for s in STATES[name]]]
    for _ in range(STEPS):
        out, _ = run(mech.kernels["state"], {**inputs, **states})
        states.update({s: out[s] for s in STATES[name] if s in out})
        ours.append([states[s] for s in STATES[name]])
    reference = np.array(traces[name])
    if name != "ssir":  # ssir starts at its steady state, by design
        assert np.ptp(reference[:, 0]) > 1e-3  # the states do move
    np.testing.assert_allclose(np.array(ours, dtype=float), reference, rtol=0, atol=tolerance)
