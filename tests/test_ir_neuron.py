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

from ir_eval import EPS, run, skeel_condition
from modlc.pipeline import compile_ir
from neuron_oracle import compile_mechanisms, run_neuron

pytestmark = pytest.mark.vs_neuron

V0, DT, STEPS = -20.0, 0.025, 40
# NEURON's Newton tolerances (nrn/src/scopmath/errcodes.hpp): sparse iterates a nonlinear scheme, and
# STEADYSTATE any scheme, until the summed update is <= CONVERGE; derivimplicit's Newton stops once
# the relative change is <= CONVERGE and every residual x' - (x - x_old)/dt is <= ZERO.
NEURON_CONVERGE, NEURON_ZERO = 1e-6, 1e-8

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


def tolerance(name: str, init_matrices: list, step_matrices: list, ours: np.ndarray) -> float:
    """How far the two trajectories may part, derived per method. Each step's error, ours and
    NEURON's, is carried into later steps with gain <= 1 (backward Euler and cnexp of these decaying
    schemes are contractions), so the bound is the sum of the per-step bounds over the run."""
    size = np.abs(ours).max(axis=1)  # |x_k|_inf
    if name == "kinir":
        # Nonlinear (B + B): both sides iterate Newton. Ours takes every iteration and stops at the
        # root to within the rounding of the residual (~6 operations on terms summing to <= 3, 9 EPS),
        # i.e. within |J^-1| 9 EPS. NEURON stops once its last update summed <= CONVERGE, leaving
        # Newton's quadratic remainder 1/2 |J^-1| |F''| CONVERGE², F'' = 2 x 0.7 dt on B (the
        # remainder is what can exceed rounding: ~1e-13 a step; measured 1.5 EPS in all).
        inverse = [np.abs(np.linalg.inv(m[-1])).sum(axis=-1).max() for m in step_matrices]
        return sum(w * (9 * EPS + 0.5 * 2 * 0.7 * DT * NEURON_CONVERGE**2 + 9 * EPS) for w in inverse)
    if name == "ssir":
        # Linear: one elimination a step on either side, row-wise backward stable, so each is within
        # (3n 2^(n-1) + 2) u Skeel-cond (|x_k| + |x_k+1|) (n = 3; Skeel's condition <= 5 here). The
        # STEADYSTATE start has rows of 1e9 next to the CONSERVE row: np.linalg.cond = 4e8 but Skeel's
        # condition 11, and NEURON refines that solve (its change is then far below CONVERGE) while ours
        # is one step: one bound for it. (Measured 1.5 EPS; was asserted to 1e-9.)
        per_solve = (3 * 3 * 4 + 2) * EPS / 2
        bound = per_solve * skeel_condition(init_matrices[-1]) * (1 + size[0])
        for k, m in enumerate(step_matrices):
            bound += 2 * per_solve * skeel_condition(m[-1]) * (size[k] + size[k + 1])
        return bound
    if name == "cnexpir":
        # Closed-form steps from two formulas: ours m e^z - minf expm1(z), NEURON's
        # m + (1 - e^z)(minf - m). Each step rounds e^z (its ulp, 2u, is the same each step and adds
        # up) and ~3 operations on terms <= 1: <= 5u a side per step; minf and tau, formed in other
        # orders, differ by ~4u, a fixed offset of the fixed point (measured 5 EPS).
        return (2 * 5 * STEPS + 8) * EPS / 2
    if name == "implir":
        # Ours converges to rounding; NEURON stops with |x' - (x - x_old)/dt| <= ZERO, and as the
        # residual's slope in x is -(1/dt + 1.6 x) <= -1/dt, its iterate is within ZERO dt of the
        # root: 2.5e-10 a step, <= STEPS ZERO dt = 1e-8 in all (measured 5.9e-10). The test used to
        # assert 1e-9, below what NEURON's stopping rule guarantees.
        return STEPS * NEURON_ZERO * DT
    raise KeyError(name)


@pytest.mark.parametrize("name", ["kinir", "ssir", "cnexpir", "implir"])
def test_state_trajectory_matches_neuron(neuron_traces, name):
    traces, paths = neuron_traces
    # nothing moved v: no mechanism writes a current, so NEURON's right-hand side is exactly 0 and
    # v += 0 keeps it to the bit; the states saw a constant v
    assert traces["v"] == V0
    mech = compile_ir(paths[name])
    defaults = {v.name: v.default for v in mech.variables if v.role == "parameter"}
    inputs = {"v": V0, "dt": DT, "celsius": 6.3, **defaults}
    states = {s: 0.0 for s in STATES[name]}
    init_matrices: list = []
    init, _ = run(mech.kernels["init"], {**inputs, **states}, init_matrices)
    states.update({s: init[s] for s in STATES[name] if s in init})
    ours = [[states[s] for s in STATES[name]]]
    step_matrices = []
    for _ in range(STEPS):
        step_matrices.append([])
        out, _ = run(mech.kernels["state"], {**inputs, **states}, step_matrices[-1])
        states.update({s: out[s] for s in STATES[name] if s in out})
        ours.append([states[s] for s in STATES[name]])
    reference = np.array(traces[name])
    if name != "ssir":  # ssir starts at its steady state, by design
        assert np.ptp(reference[:, 0]) > 1e-3  # the states do move
    ours = np.array(ours, dtype=float)
    np.testing.assert_allclose(ours, reference, rtol=0, atol=tolerance(name, init_matrices, step_matrices, ours))
