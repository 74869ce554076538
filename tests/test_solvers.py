"""The SOLVE methods against closed-form solutions (issue 3's numerical claims).

Each test compiles a small .mod file to the IR and runs the kernel with tests/ir_eval.py, a NumPy
interpreter of the IR that is independent of any backend.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from modlc.pipeline import compile_ir
from ir_eval import run

MECHANISMS = Path(__file__).resolve().parent.parent / "mechanisms"

DECAY = """
NEURON { SUFFIX decay RANGE tau }
PARAMETER { tau = 3 (ms) }
STATE { x }
INITIAL { x = 1 }
BREAKPOINT { SOLVE states METHOD {method} }
DERIVATIVE states { x' = -x/tau }
"""


def decay(write_mod, method):
    return compile_ir(write_mod(DECAY.replace("{method}", method)))


def test_cnexp_exponential_decay_is_exact(write_mod):
    state = decay(write_mod, "cnexp").kernels["state"]
    x = np.array([1.0, 0.5, -2.0, 1e-3])
    tau = np.array([3.0, 0.1, 7.0, 1e3])
    for dt in (0.025, 0.1, 1.0):
        out, _ = run(state, {"x": x, "tau": tau, "dt": dt})
        expected = x * np.exp(-dt / tau)
        np.testing.assert_allclose(out["x"], expected, rtol=1e-14, atol=0)


def test_cnexp_many_steps_stay_exact(write_mod):
    state = decay(write_mod, "cnexp").kernels["state"]
    x, tau, dt = np.array([1.0]), np.array([3.0]), 0.025
    for _ in range(400):
        x = run(state, {"x": x, "tau": tau, "dt": dt})[0]["x"]
    np.testing.assert_allclose(x, np.exp(-400 * dt / 3.0), rtol=1e-13)


def _hh_rates(v, celsius):
    """Hodgkin–Huxley 1952 rate functions (NEURON's hh.mod form), written independently here."""
    def vtrap(x, y):
        return np.where(np.abs(x / y) < 1e-6, y * (1 - x / y / 2), x / np.expm1(x / y))
    q10 = 3 ** ((celsius - 6.3) / 10)
    am, bm = 0.1 * vtrap(-(v + 40), 10), 4 * np.exp(-(v + 65) / 18)
    ah, bh = 0.07 * np.exp(-(v + 65) / 20), 1 / (np.exp(-(v + 35) / 10) + 1)
    an, bn = 0.01 * vtrap(-(v + 55), 10), 0.125 * np.exp(-(v + 65) / 80)
    return {g: (a / (a + b), 1 / (q10 * (a + b))) for g, a, b in (("m", am, bm), ("h", ah, bh), ("n", an, bn))}


def test_hh_gates_follow_the_analytic_exponential():
    mech = compile_ir(MECHANISMS / "hh.mod")
    v = np.linspace(-100, 50, 61)
    v[30] = -40.0  # the removable singularity of the m rate
    start = {"m": np.full_like(v, 0.05), "h": np.full_like(v, 0.6), "n": np.full_like(v, 0.3)}
    dt, celsius = 0.025, 6.3
    with np.errstate(invalid="ignore"):  # both branches of vtrap's guard are evaluated at v = -40
        out, _ = run(mech.kernels["state"], {**start, "v": v, "dt": dt, "celsius": celsius})
        rates = _hh_rates(v, celsius)
    for gate, (inf, tau) in rates.items():
        expected = inf + (start[gate] - inf) * np.exp(-dt / tau)
        np.testing.assert_allclose(out[gate], expected, rtol=1e-12, atol=1e-15, err_msg=gate)


def test_euler_and_runge_have_their_textbook_orders(write_mod):
    euler = decay(write_mod, "euler").kernels["state"]
    out, _ = run(euler, {"x": 2.0, "tau": 4.0, "dt": 0.5})
    assert out["x"] == pytest.approx(2.0 * (1 - 0.5 / 4.0), rel=1e-15)
    runge = decay(write_mod, "runge").kernels["state"]
    errors = []
    for dt in (0.2, 0.1, 0.05):
        x = 1.0
        for _ in range(round(2.0 / dt)):
            x = run(runge, {"x": x, "tau": 1.0, "dt": dt})[0]["x"]
        errors.append(abs(x - np.exp(-2.0)))
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all(np.abs(orders - 4) < 0.2), orders


NONLINEAR = """
NEURON { SUFFIX quad }
STATE { x }
BREAKPOINT { SOLVE states METHOD {method} }
DERIVATIVE states { x' = -x*x }
"""


def test_derivimplicit_converges_at_first_order_on_a_nonlinear_ode(write_mod):
    state = compile_ir(write_mod(NONLINEAR.replace("{method}", "derivimplicit"))).kernels["state"]
    errors = []
    for dt in (0.1, 0.05, 0.025, 0.0125):
        x = np.array([1.0])
        for _ in range(round(1.0 / dt)):
            x = run(state, {"x": x, "dt": dt})[0]["x"]
        errors.append(abs(x[0] - 1.0 / (1.0 + 1.0)))  # x(t) = x0 / (1 + x0 t)
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all(np.abs(orders - 1) < 0.1), orders


def test_derivimplicit_step_solves_backward_euler_exactly(write_mod):
    mech = compile_ir(write_mod(NONLINEAR.replace("{method}", "derivimplicit")))
    solve = next(s for s in mech.kernels["state"].statements if type(s).__name__ == "ImplicitSolve")
    assert solve.iterations > 1  # nonlinear: Newton iterates
    x0, dt = 0.7, 0.3
    x1 = run(mech.kernels["state"], {"x": x0, "dt": dt})[0]["x"]
    assert x1 - x0 + dt * x1 * x1 == pytest.approx(0, abs=1e-14)


def test_cnexp_of_a_nonlinear_derivative_falls_back_to_derivimplicit_with_a_note(write_mod):
    mech = compile_ir(write_mod(NONLINEAR.replace("{method}", "cnexp")))
    assert any("not linear in its own state" in n and "derivimplicit" in n for n in mech.notes)
    x1 = run(mech.kernels["state"], {"x": 0.7, "dt": 0.3})[0]["x"]
    assert x1 - 0.7 + 0.3 * x1 * x1 == pytest.approx(0, abs=1e-14)


KINETIC = """
NEURON { SUFFIX kin RANGE kf1, kb1, kf2, kb2 }
PARAMETER { kf1 = 2 (/ms) kb1 = 0.5 (/ms) kf2 = 3 (/ms) kb2 = 1.5 (/ms) }
STATE { A B C }
INITIAL { A = 1 B = 0 C = 0 }
BREAKPOINT { SOLVE scheme METHOD sparse }
KINETIC scheme {
    ~ A <-> B (kf1, kb1)
    ~ B + B <-> C (kf2, kb2)
    CONSERVE A + B + 2*C = 1
}
"""


def test_kinetic_conserve_holds_to_1e12_every_step(write_mod):
    mech = compile_ir(write_mod(KINETIC))
    state = mech.kernels["state"]
    values = {"kf1": 2.0, "kb1": 0.5, "kf2": 3.0, "kb2": 1.5, "dt": 0.05,
              "A": np.array([1.0, 0.2]), "B": np.array([0.0, 0.6]), "C": np.array([0.0, 0.1])}
    for _ in range(200):
        out, _ = run(state, values)
        total = out["A"] + out["B"] + 2 * out["C"]
        np.testing.assert_allclose(total, 1.0, rtol=0, atol=1e-12)
        values.update(A=out["A"], B=out["B"], C=out["C"])
    # and it reached the scheme's equilibrium: kf1 A = kb1 B, kf2 B² = kb2 C
    assert values["A"] * 2.0 == pytest.approx(values["B"] * 0.5, rel=1e-6)
    assert values["B"] ** 2 * 3.0 == pytest.approx(values["C"] * 1.5, rel=1e-6)


def test_linear_kinetic_scheme_is_one_exact_backward_euler_step(write_mod):
    mech = compile_ir(write_mod("""
        NEURON { SUFFIX two }
        STATE { A B }
        BREAKPOINT { SOLVE s METHOD sparse }
        KINETIC s { ~ A <-> B (2, 0.5) }
    """))
    solve = next(s for s in mech.kernels["state"].statements if type(s).__name__ == "ImplicitSolve")
    assert solve.iterations == 1
    a, b, dt = 0.9, 0.1, 0.1
    out, _ = run(mech.kernels["state"], {"A": a, "B": b, "dt": dt})
    matrix = np.array([[1 + 2 * dt, -0.5 * dt], [-2 * dt, 1 + 0.5 * dt]])
    np.testing.assert_allclose([out["A"], out["B"]], np.linalg.solve(matrix, [a, b]), rtol=1e-14)


def test_compartment_volumes_scale_rates_and_conservation(write_mod):
    mech = compile_ir(write_mod("""
        NEURON { SUFFIX vol }
        STATE { A B }
        BREAKPOINT { SOLVE s METHOD sparse }
        KINETIC s {
            COMPARTMENT 2 { A }
            COMPARTMENT 0.5 { B }
            ~ A <-> B (1, 1)
            CONSERVE A + B = 3
        }
    """))
    out, _ = run(mech.kernels["state"], {"A": 1.0, "B": 2.0, "dt": 1e6})
    # conservation counts amounts (volume × concentration); equilibrium A = B
    assert 2 * out["A"] + 0.5 * out["B"] == pytest.approx(3.0, abs=1e-12)
    assert out["A"] == pytest.approx(out["B"], rel=1e-5)


def test_steadystate_sparse_finds_the_equilibrium(write_mod):
    mech = compile_ir(write_mod("""
        NEURON { SUFFIX ss RANGE kf, kb }
        PARAMETER { kf = 0.3 kb = 0.9 }
        STATE { A B }
        INITIAL { A = 1 B = 0 SOLVE s STEADYSTATE sparse }
        BREAKPOINT { SOLVE s METHOD sparse }
        KINETIC s { ~ A <-> B (kf, kb) }
    """))
    out, _ = run(mech.kernels["init"], {"kf": 0.3, "kb": 0.9})
    assert out["A"] == pytest.approx(0.9 / 1.2, rel=1e-8)
    # Without CONSERVE the total survives NEURON's dt = 1e9 step only to the matrix's conditioning
    assert out["A"] + out["B"] == pytest.approx(1.0, abs=1e-8)


def test_flux_and_f_flux(write_mod):
    mech = compile_ir(write_mod("""
        NEURON { SUFFIX fl RANGE r }
        ASSIGNED { r }
        STATE { A B }
        BREAKPOINT { SOLVE s METHOD sparse }
        KINETIC s {
            ~ A <-> B (3, 1)
            r = f_flux - b_flux
            ~ A << (0.5)
        }
    """))
    out, _ = run(mech.kernels["state"], {"A": 1.0, "B": 1.0, "dt": 0.01})
    # backward Euler with the injected flux: A' = -3A + B + 0.5, B' = 3A - B
    matrix = np.array([[1 + 0.03, -0.01], [-0.03, 1 + 0.01]])
    expected = np.linalg.solve(matrix, [1.0 + 0.005, 1.0])
    np.testing.assert_allclose([out["A"], out["B"]], expected, rtol=1e-14)
    assert out["r"] == pytest.approx(3 * expected[0] - expected[1], rel=1e-12)  # at the new state


def test_linear_and_nonlinear_blocks(write_mod):
    mech = compile_ir(write_mod("""
        NEURON { SUFFIX eqs }
        STATE { x y z }
        BREAKPOINT { SOLVE lin SOLVE non }
        LINEAR lin {
            ~ 2*x + y = 5
            ~ x - y = 1
        }
        NONLINEAR non { ~ z*z = 2 }
    """))
    out, _ = run(mech.kernels["state"], {"x": 0.0, "y": 0.0, "z": 1.0})
    assert (out["x"], out["y"]) == (pytest.approx(2.0, rel=1e-14), pytest.approx(1.0, rel=1e-14))
    assert out["z"] == pytest.approx(np.sqrt(2), rel=1e-12)


def test_symbolic_and_numeric_conductance_of_hh_agree():
    symbolic = compile_ir(MECHANISMS / "hh.mod")
    numeric = compile_ir(MECHANISMS / "hh.mod", conductance="numeric")
    v = np.linspace(-90, 40, 27)
    values = {"v": v, "m": 0.3 + 0 * v, "h": 0.4 + 0 * v, "n": 0.5 + 0 * v, "gnabar": 0.12, "gkbar": 0.036,
              "gl": 0.0003, "el": -54.3, "ena": 50.0, "ek": -77.0}
    exact, _ = run(symbolic.kernels["current"], values)
    approx, _ = run(numeric.kernels["current"], values)
    for current in symbolic.currents:
        g_exact, g_numeric = exact[current.conductance], approx[current.conductance]
        np.testing.assert_allclose(g_numeric, g_exact, rtol=1e-3, err_msg=current.name)
        np.testing.assert_allclose(exact[current.name], approx[current.name], rtol=1e-15)


def test_symbolic_conductance_sees_v_through_functions(write_mod):
    mech = compile_ir(write_mod("""
        NEURON { SUFFIX ghk NONSPECIFIC_CURRENT i }
        ASSIGNED { v i }
        BREAKPOINT { i = f(v) }
        FUNCTION f(x) { f = x*x*x + exp(x/10) }
    """))
    v = np.array([-30.0, 0.0, 12.0])
    out, _ = run(mech.kernels["current"], {"v": v})
    np.testing.assert_allclose(out["di_dv"], 3 * v**2 + np.exp(v / 10) / 10, rtol=1e-14)


def test_symbolic_conductance_of_a_guarded_singularity_is_finite(write_mod):
    """The vtrap idiom in BREAKPOINT: at the removable 0/0 point the untaken branch is NaN; its
    derivative must not leak into dI/dv (it did, as NaN * 0, before branches were differentiated
    as branches)."""
    mech = compile_ir(write_mod("""
        NEURON { SUFFIX trap NONSPECIFIC_CURRENT i }
        ASSIGNED { v i }
        BREAKPOINT { i = vtrap(-(v + 54), 4)*(v + 100) }
        FUNCTION vtrap(x, y) {
            if (fabs(x/y) < 1e-6) {
                vtrap = y*(1 - x/y/2)
            } else {
                vtrap = x/(exp(x/y) - 1)
            }
        }
    """))
    v = np.array([-54.0, -54.0 + 1e-3, -60.0])
    with np.errstate(divide="ignore", invalid="ignore"):  # the untaken branch is evaluated too
        out, _ = run(mech.kernels["current"], {"v": v})

    def current(x):
        u = -(x + 54) / 4
        return -(x + 54) / np.expm1(u) * (x + 100) if u != 0 else 4 * (x + 100)

    slope = [(current(x + 1e-6) - current(x - 1e-6)) / 2e-6 for x in (-54.0 + 1e-7, -54.0 + 1e-3, -60.0)]
    assert np.isfinite(out["di_dv"]).all()
    np.testing.assert_allclose(out["di_dv"], slope, rtol=1e-6)


def test_conductance_hint_is_used(write_mod):
    mech = compile_ir(write_mod("""
        NEURON { SUFFIX hint USEION na READ ena WRITE ina RANGE gna }
        PARAMETER { gna = 0.1 }
        ASSIGNED { v ina ena }
        BREAKPOINT {
            CONDUCTANCE gna USEION na
            ina = gna*(v - ena) + 0.5*v*v
        }
    """), conductance="numeric")
    out, _ = run(mech.kernels["current"], {"v": 3.0, "gna": 0.1, "ena": 50.0})
    assert out["dina_dv"] == 0.1


@pytest.mark.parametrize("method, sees", [("derivimplicit", "new"), ("cnexp", "new"), ("euler", "old")])
def test_reading_a_state_after_its_derivative(write_mod, method, sees):
    """`cai = ca` after `ca' = …` (a common calcium-pool idiom) copies the state as NEURON has it
    there: updated in place by cnexp, the converged iterate for derivimplicit, the old value for
    euler (whose block runs once before the update)."""
    mech = compile_ir(write_mod("""
        NEURON { SUFFIX pool USEION ca WRITE cai }
        PARAMETER { tau = 5 (ms) cainf = 1e-4 (mM) }
        ASSIGNED { cai (mM) }
        STATE { ca (mM) }
        BREAKPOINT { SOLVE s METHOD {method} }
        DERIVATIVE s {
            ca' = (cainf - ca)/tau
            cai = ca
        }
    """.replace("{method}", method)))
    out, _ = run(mech.kernels["state"], {"ca": 2e-4, "cainf": 1e-4, "tau": 5.0, "dt": 0.025})
    assert out["ca"] != 2e-4
    assert out["cai"] == (out["ca"] if sees == "new" else 2e-4)
