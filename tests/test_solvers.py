"""The SOLVE methods against closed-form solutions (issue 3's numerical claims).

Each test compiles a small .mod file to the IR and runs the kernel with tests/ir_eval.py, a NumPy
interpreter of the IR that is independent of any backend.

Every tolerance is derived from the numerics, in a comment next to it: u = EPS/2 is the unit
roundoff (each operation is exact to u relative), a library exp or pow is within one ulp (2u), a
linear solve is bounded by `solve_bound` (tests/ir_eval.py). Where a reference is itself rounded,
its error is counted too; where it can be computed exactly (rational arithmetic), it is.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from modlc.pipeline import compile_ir
from ir_eval import EPS, exact_solve_2x2, newton_step_bound, run

pytestmark = pytest.mark.vs_closed_form

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
        # Either side rounds z = -dt/tau by <= 2u relative, which exp turns into 2u|z| relative,
        # plus exp's own ulp (2u) and the product with x (u): (2|z| + 3)u each, (2|z| + 3) EPS
        # apart at most (z up to 10 here: 5e-15; measured 0).
        z = np.max(dt / tau)
        np.testing.assert_allclose(out["x"], expected, rtol=(2 * z + 3) * EPS, atol=0)


def test_cnexp_many_steps_stay_exact(write_mod):
    state = decay(write_mod, "cnexp").kernels["state"]
    x, tau, dt, steps = np.array([1.0]), np.array([3.0]), 0.025, 400
    for _ in range(steps):
        x = run(state, {"x": x, "tau": tau, "dt": dt})[0]["x"]
    # Each step multiplies by the same rounded factor exp(-dt/tau) (<= 2u + 2u dt/tau, the same error
    # every step, so it adds up) and rounds the product (u): <= 3u per step, 400 x 3u in all; the
    # reference exp(-10/3) is within (2 x 3.3 + 3)u. Bound (3N/2 + 5) EPS = 1.3e-13 (measured 3e-15).
    np.testing.assert_allclose(x, np.exp(-steps * dt / 3.0), rtol=(1.5 * steps + 5) * EPS)


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
    # Both sides evaluate the same rates in different operation orders. The exponents reach
    # |x/y| = 10.5 (n's vtrap at v = 50), so a rate is within (10.5 + 2)u plus, for vtrap's
    # exp(x/y) - 1 with |x/y| >= 0.25 on this grid, 2u/0.25: ~21u. Then inf = a/(a+b) <= 44u,
    # 1/tau <= 23u, exp(-dt/tau) with dt/tau <= 0.23 <= 8u, and the gate
    # inf + (g0 - inf) e, all terms <= 1, <= 44u (1 - e) + 8u + 3u <= 21u absolute on each side:
    # 42u = 21 EPS apart at most (measured 0.5 EPS).
    for gate, (inf, tau) in rates.items():
        expected = inf + (start[gate] - inf) * np.exp(-dt / tau)
        np.testing.assert_allclose(out[gate], expected, rtol=0, atol=21 * EPS, err_msg=gate)


def test_euler_and_runge_have_their_textbook_orders(write_mod):
    euler = decay(write_mod, "euler").kernels["state"]
    out, _ = run(euler, {"x": 2.0, "tau": 4.0, "dt": 0.5})
    # x + dt (-x/tau) = 2 - 0.25: every intermediate is a short dyadic number, exact in any order
    assert out["x"] == 1.75
    runge = decay(write_mod, "runge").kernels["state"]
    errors = []
    for dt in (0.2, 0.1, 0.05):
        x, steps = 1.0, round(2.0 / dt)
        for _ in range(steps):
            x = run(runge, {"x": x, "tau": 1.0, "dt": dt})[0]["x"]
        # On x' = -x one RK4 step multiplies by R(z) = 1 + z + z²/2 + z³/6 + z⁴/24, z = -dt: the
        # whole run is exactly R(z)^steps, computed here in rational arithmetic from the float dt.
        # One step rounds x + dt/6 (k1 + 2k2 + 2k3 + k4) by <= u + 8u dt relative (the stages, all
        # of one sign, carry <= 8u); errors are relative and R < 1 carries them unchanged, so
        # they add: <= steps (1 + 8 dt) u (measured 1 EPS against 13-26 EPS).
        z = -Fraction(dt)
        exact = (1 + z + z**2 / 2 + z**3 / 6 + z**4 / 24) ** steps
        assert abs(Fraction(x) / exact - 1) <= steps * (1 + 8 * dt) * EPS / 2, (dt, x, float(exact))
        errors.append(abs(x - np.exp(-2.0)))
    # the global error is C dt^4 (1 + O(dt)): the estimated orders are 4.12 and 4.06
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
        x, reference, steps = np.array([1.0]), 1.0, round(1.0 / dt)
        for _ in range(steps):
            x = run(state, {"x": x, "dt": dt})[0]["x"]
            # backward Euler by hand: x1 + dt x1² = x0, the root of the quadratic in the form
            # without cancellation (<= 6u relative, with Newton's converged iterate <= 2u)
            reference = 2 * reference / (1 + np.sqrt(1 + 4 * dt * reference))
        # relative errors pass from step to step with factor (1 + dt x1)/(1 + 2 dt x1) <= 1: they
        # add, <= 8u = 4 EPS per step (measured <= 6 EPS after 80 steps)
        assert abs(x[0] / reference - 1) <= 4 * steps * EPS, (dt, x[0], reference)
        errors.append(abs(x[0] - 1.0 / (1.0 + 1.0)))  # x(t) = x0 / (1 + x0 t)
    # the global error is C dt (1 + O(dt)): the estimated orders are 0.965, 0.982, 0.991
    orders = np.log2(np.array(errors[:-1]) / np.array(errors[1:]))
    assert np.all(np.abs(orders - 1) < 0.1), orders


def backward_euler_of_quadratic_decay(x0: float, dt: float) -> float:
    """The root of x1 - x0 + dt x1² = 0 near x0, without cancellation: within 6u relative."""
    return 2 * x0 / (1 + np.sqrt(1 + 4 * dt * x0))


def test_derivimplicit_step_solves_backward_euler_exactly(write_mod):
    mech = compile_ir(write_mod(NONLINEAR.replace("{method}", "derivimplicit")))
    solve = next(s for s in mech.kernels["state"].statements if type(s).__name__ == "ImplicitSolve")
    # Newton's error here goes e -> e² dt/(1 + 2 dt x) = 0.23 e², from e0 = x0 - x1 = 0.12:
    # 3e-3, 2e-6, 1e-12, 3e-25 -- four iterations reach the float64 root, which is the claim
    # below; NEWTON_TOLERANCE (1e-9) plays no part, as every iteration is taken.
    assert solve.iterations >= 4
    x0, dt = 0.7, 0.3
    x1 = run(mech.kernels["state"], {"x": x0, "dt": dt})[0]["x"]
    # Newton's fixed point is within ~2u of the root, the reference within 6u: 4 EPS
    assert x1 == pytest.approx(backward_euler_of_quadratic_decay(x0, dt), rel=4 * EPS, abs=0)
    # the residual at a root within 4 EPS (slope 1 + 2 dt x1 = 1.35), evaluated with 3 roundings of
    # terms <= 0.7: <= 1.35 x 4 EPS x 0.58 + 1.5 x 0.7 EPS ~ 4 EPS
    assert x1 - x0 + dt * x1 * x1 == pytest.approx(0, abs=4 * EPS)


def test_cnexp_of_a_nonlinear_derivative_falls_back_to_derivimplicit_with_a_note(write_mod):
    mech = compile_ir(write_mod(NONLINEAR.replace("{method}", "cnexp")))
    assert any("not linear in its own state" in n and "derivimplicit" in n for n in mech.notes)
    x1 = run(mech.kernels["state"], {"x": 0.7, "dt": 0.3})[0]["x"]
    # as in the test above: the converged Newton root, within 4 EPS of the closed form
    assert x1 == pytest.approx(backward_euler_of_quadratic_decay(0.7, 0.3), rel=4 * EPS, abs=0)


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


def test_kinetic_conserve_holds_to_rounding_every_step(write_mod):
    mech = compile_ir(write_mod(KINETIC))
    state = mech.kernels["state"]
    values = {"kf1": 2.0, "kb1": 0.5, "kf2": 3.0, "kb2": 1.5, "dt": 0.05,
              "A": np.array([1.0, 0.2]), "B": np.array([0.0, 0.6]), "C": np.array([0.0, 0.1])}
    distances = []
    # The equilibrium, by hand: kf1 A = kb1 B gives B = 4A, kf2 B² = kb2 C gives C = 2B² = 32A²,
    # and A + B + 2C = 1 then reads 64A² + 5A - 1 = 0.
    a_eq = (-5 + np.sqrt(281)) / 128
    equilibrium = np.array([a_eq, 4 * a_eq, 32 * a_eq**2])
    for _ in range(200):
        out, _ = run(state, values)
        total = out["A"] + out["B"] + 2 * out["C"]
        # CONSERVE is a row of the Newton system, so each converged step meets it up to the last
        # update x - dx (u per state, amounts <= 1) and this sum's own 3 roundings: <= 4u = 2 EPS,
        # asserted 4 EPS (measured 0.5 EPS); it is imposed anew each step, nothing accumulates
        np.testing.assert_allclose(total, 1.0, rtol=0, atol=4 * EPS)
        values.update(A=out["A"], B=out["B"], C=out["C"])
        distances.append(np.abs(np.stack([out["A"], out["B"], out["C"]], axis=-1) - equilibrium).max(axis=-1))
    # Near equilibrium backward Euler shrinks the slow mode by rho = 1/(1 + lambda dt) a step, lambda
    # the slower decay rate of the linearisation on the plane A = 1 - B - 2C, in (B, C):
    b_eq = equilibrium[1]
    jacobian = np.array([[-2.0 - 0.5 - 4 * 3.0 * b_eq, -2 * 2.0 + 2 * 1.5], [2 * 3.0 * b_eq, -1.5]])
    slow = min(-np.linalg.eigvals(jacobian).real)  # 1.944 /ms (the fast one: 6.467 /ms)
    rho = 1 / (1 + slow * 0.05)
    # ... so the last steps contract by exactly rho (up to O(distance) = 1e-8 and the fast mode's
    # (0.83)^200): a scheme with another amplification factor (forward Euler 0.903, Crank-Nicolson
    # 0.907, here 0.911) fails this
    np.testing.assert_allclose(distances[-1] / distances[-2], rho, rtol=1e-6)
    # ... and after 200 steps the state is within rho^200 = 8.8e-9 of the equilibrium for each unit
    # of initial distance (<= 1 here), asserted with a factor 2 for the nonlinear start (measured 7e-9)
    assert np.all(distances[-1] <= 2 * rho**200), (distances[-1], rho**200)


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
    matrix = [[1 + 2 * Fraction(dt), -Fraction(dt) / 2], [-2 * Fraction(dt), 1 + Fraction(dt) / 2]]
    exact = [float(x) for x in exact_solve_2x2(matrix, [a, b])]
    # cond = 1.3: 7 cond EPS of the update |x1 - x0| = 0.07, 1e-16 (measured 0.5 EPS of |x1|)
    tolerance = newton_step_bound(np.array(matrix, dtype=float), [a, b], exact)
    np.testing.assert_allclose([out["A"], out["B"]], exact, rtol=0, atol=tolerance)


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
    dt = 1e6
    out, _ = run(mech.kernels["state"], {"A": 1.0, "B": 2.0, "dt": dt})
    # By hand: amounts move, 2 A' = B - A and 0.5 B' = A - B; CONSERVE 2A + 0.5B = 3 replaces B's row.
    # One backward Euler step: A1 - 1 = dt (B1 - A1)/2 with B1 = 6 - 4 A1, so
    # A1 = (1 + 3 dt)/(1 + 2.5 dt) = 1.2 - 8e-8 and B1 = 1.2 + 3.2e-7: the equilibrium A = B = 1.2 up
    # to O(1/dt). NEURON 9.0.2 gives the same two numbers, 1.1999999200000322 and 1.2000003199998721.
    a1 = (1 + 3 * Fraction(dt)) / (1 + Fraction(5, 2) * Fraction(dt))
    exact = [float(a1), float(6 - 4 * a1)]
    # Newton's matrix [[1 + dt/2, -dt/2], [2, 0.5]] has cond 4e5: 7 cond EPS of the update
    # |x1 - x0| = 0.82 is 1.6e-10, 2500 times finer than B1 - A1 = 4e-7 (measured 2e-16)
    tolerance = newton_step_bound(np.array([[1 + dt / 2, -dt / 2], [2, 0.5]]), [1.0, 2.0], exact)
    np.testing.assert_allclose([out["A"], out["B"]], exact, rtol=0, atol=tolerance)
    # conservation counts amounts (volume × concentration). Its row has small entries, so partial
    # pivoting's row-wise backward error there is ~6u |L||U| |dx| <= 24u; the update x0 - dx adds
    # 3u and this sum 6u (amounts <= 3): 33u ~ 16 EPS (measured 2 EPS)
    assert 2 * out["A"] + 0.5 * out["B"] == pytest.approx(3.0, abs=16 * EPS)


def test_steadystate_sparse_finds_the_equilibrium(write_mod):
    mech = compile_ir(write_mod("""
        NEURON { SUFFIX ss RANGE kf, kb }
        PARAMETER { kf = 0.3 kb = 0.9 }
        STATE { A B }
        INITIAL { A = 1 B = 0 SOLVE s STEADYSTATE sparse }
        BREAKPOINT { SOLVE s METHOD sparse }
        KINETIC s { ~ A <-> B (kf, kb) }
    """))
    kf, kb, dt = 0.3, 0.9, 1e9  # NEURON's STEADYSTATE step (scopmath's ss_dt)
    out, _ = run(mech.kernels["init"], {"kf": kf, "kb": kb})
    # What is exact. The step solves M x1 = x0 with M = I - dt J = [[1 + dt kf, -dt kb],
    # [-dt kf, 1 + dt kb]], x0 = (1, 0). M's columns sum to 1, so A1 + B1 = 1, and the first row gives
    # A1 = (1 + dt kb)/(1 + dt (kf + kb)) = kb/(kf + kb) + kf/((kf + kb)(1 + dt (kf + kb))):
    # the equilibrium 0.75 plus 0.3/(1.2 (1 + 1.2e9)) = 2.08e-10, an O(1/dt) difference.
    k, kf_, kb_, dt_ = Fraction(kf) + Fraction(kb), Fraction(kf), Fraction(kb), Fraction(dt)
    a1 = (1 + dt_ * kb_) / (1 + dt_ * k)
    assert a1 - kb_ / k == kf_ / (k * (1 + dt_ * k))
    assert float(a1 - kb_ / k) == pytest.approx(2.0833e-10, rel=1e-4)
    # What is rounding. M is nearly singular (dt J has rank 1): cond(M) = 1.5e9, so one solve is
    # good to cond(M) x a small multiple x EPS -- solve_bound's 7 cond EPS of the update
    # |x1 - x0| = 0.35: 8e-7 -- whatever order the library's LU takes (measured: A = 0.75000001749,
    # off by 1.7e-8 = 0.05 cond EPS; NEURON refines the solve until its change is below 1e-6 and
    # lands on A1 correctly rounded, 0.7500000002083334). The O(1/dt) difference above is far below
    # this bound: no one-solve result can resolve it.
    matrix = np.array([[1 + dt * kf, -dt * kb], [-dt * kf, 1 + dt * kb]])
    tolerance = newton_step_bound(matrix, [1.0, 0.0], [float(a1), float(1 - a1)])
    assert out["A"] == pytest.approx(float(a1), rel=0, abs=tolerance)
    # Without CONSERVE the total survives the step only to the same bound (off by 1.6e-8)
    assert out["A"] + out["B"] == pytest.approx(1.0, rel=0, abs=tolerance)


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
    dt = 0.01
    out, _ = run(mech.kernels["state"], {"A": 1.0, "B": 1.0, "dt": dt})
    # backward Euler with the injected flux: A' = -3A + B + 0.5, B' = 3A - B, in rational arithmetic:
    # A1 = 1.02505/1.04 = 0.985625, B1 = 1.06015/1.04 = 1.019375
    d = Fraction(dt)
    a1, b1 = exact_solve_2x2([[1 + 3 * d, -d], [-3 * d, 1 + d]], [1 + d / 2, 1])
    # cond 1.04: 7 cond EPS of the update (0.02) and u of |x1|: 1.6e-16 (measured 0.4 EPS of |x1|)
    tolerance = newton_step_bound(np.array([[1 + 3 * dt, -dt], [-3 * dt, 1 + dt]]), [1.0, 1.0], [a1, b1])
    np.testing.assert_allclose([out["A"], out["B"]], [float(a1), float(b1)], rtol=0, atol=tolerance)
    # f_flux - b_flux at the new state, as NEURON has it (sparse evaluates the block once more after
    # the solve; NEURON 9.0.2 gives r = 1.9375 here, not 3 A0 - B0 = 2): 3 A1 - B1 = 31/16, with the
    # states' error tripled and 2 roundings of terms <= 3
    assert out["r"] == pytest.approx(float(3 * a1 - b1), rel=0, abs=4 * tolerance + 3 * EPS)


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
    # one Newton step from (0, 0) solves [[2, 1], [1, -1]] (cond 2.6): 7 cond EPS of |x1| = 2.2, 9e-15
    tolerance = newton_step_bound(np.array([[2.0, 1.0], [1.0, -1.0]]), [0.0, 0.0], [2.0, 1.0])
    assert (out["x"], out["y"]) == (pytest.approx(2.0, abs=tolerance), pytest.approx(1.0, abs=tolerance))
    # Newton on z² = 2 from 1: errors 0.41, 0.086, 2.5e-3, 2.1e-6, 1.6e-12, 9e-25 -- the float root
    # after 5 of its 6 iterations; near it a step z - (z² - 2)/(2z) rounds to within ~1.5u of sqrt(2)
    assert out["z"] == pytest.approx(np.sqrt(2), rel=2 * EPS)


def test_symbolic_and_numeric_conductance_of_hh_agree():
    symbolic = compile_ir(MECHANISMS / "hh.mod")
    numeric = compile_ir(MECHANISMS / "hh.mod", conductance="numeric")
    v = np.linspace(-90, 40, 27)
    values = {"v": v, "m": 0.3 + 0 * v, "h": 0.4 + 0 * v, "n": 0.5 + 0 * v, "gnabar": 0.12, "gkbar": 0.036,
              "gl": 0.0003, "el": -54.3, "ena": 50.0, "ek": -77.0}
    exact, _ = run(symbolic.kernels["current"], values)
    approx, _ = run(numeric.kernels["current"], values)
    reversal = {"ina": 50.0, "ik": -77.0, "il": -54.3}
    h = 0.001  # NEURON's step: (I(v + h) - I(v))/h
    for current in symbolic.currents:
        g_exact, g_numeric = exact[current.conductance], approx[current.conductance]
        # With the gates given, each current is g (v - e), linear in v: the difference quotient has no
        # truncation error, only rounding. Each I(v) is within 6u g |v - e| (a product of <= 5
        # factors and the subtraction), v + h is rounded by u |v|: the slope is within
        # (12 max|v - e| + max|v|) u / h of g, 2e-10 here (measured 2.6e-11).
        rtol = (12 * np.max(np.abs(v - reversal[current.name])) + np.max(np.abs(v))) * EPS / 2 / h
        np.testing.assert_allclose(g_numeric, g_exact, rtol=rtol, err_msg=current.name)
        # the current itself: the same <= 6 roundings on either side, in whichever order CSE leaves
        # them (measured identical)
        np.testing.assert_allclose(exact[current.name], approx[current.name], rtol=6 * EPS)


def test_symbolic_conductance_sees_v_through_functions(write_mod):
    mech = compile_ir(write_mod("""
        NEURON { SUFFIX ghk NONSPECIFIC_CURRENT i }
        ASSIGNED { v i }
        BREAKPOINT { i = f(v) }
        FUNCTION f(x) { f = x*x*x + exp(x/10) }
    """))
    v = np.array([-30.0, 0.0, 12.0])
    out, _ = run(mech.kernels["current"], {"v": v})
    # positive terms: exp(v/10)/10 within (|v/10| + 2)u + u <= 6u, 3 v² within 3u, the sum u: 7u a
    # side, 14u = 7 EPS apart (measured 0)
    np.testing.assert_allclose(out["di_dv"], 3 * v**2 + np.exp(v / 10) / 10, rtol=7 * EPS)


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

    # By hand: i = 4 g(s) (v + 100) with s = x/4, x = -(v + 54), g(s) = s/(e^s - 1), so
    # di/dv = 4 g(s) - g'(s) (v + 100) with g'(s) = 1/(e^s - 1) - s e^s/(e^s - 1)². Near s = 0 the
    # Bernoulli series g = 1 - s/2 + s²/12 - s⁴/720, g' = -1/2 + s/6 - s³/180 + s⁵/5040 (next term
    # s⁷/1.2e5: 1e-30 at s = -2.5e-4). At v = -54 the guard's branch 4 (1 - s/2) gives exactly 0.5 x 46 + 4 = 27.
    def slope(x):
        s = -(x + 54) / 4
        if abs(s) < 0.1:
            g, dg = 1 - s / 2 + s**2 / 12 - s**4 / 720, -0.5 + s / 6 - s**3 / 180 + s**5 / 5040
        else:
            e = np.expm1(s)
            g, dg = s / e, 1 / e - s * (e + 1) / e**2
        return 4 * g - dg * (x + 100)

    expected = np.array([slope(x) for x in v])
    assert np.isfinite(out["di_dv"]).all()
    # The tolerance per point. At -54 the guard's polynomial: a few exact operations (measured
    # exact). At -54 + 1e-3 the file's own x/(exp(x/y) - 1) cancels: e^s - 1 with s = -2.5e-4 is off
    # by up to exp's ulp (2u) absolute, 2u/|s| relative, and its derivative's two terms of size 1/|s|
    # (relative errors 2u/|s| and 4u/|s|) leave <= 6u/s² on g', times |v + 100| = 46: 1.8e-8
    # relative (measured 2.2e-10). At -60, s = 1.5: no cancellation, ~10 roundings (measured 2.6 EPS).
    s = -(v[1] + 54) / 4
    rtol = np.array([4 * EPS, 3 * EPS * abs(v[1] + 100) / s**2 / abs(expected[1]), 8 * EPS])
    np.testing.assert_array_less(np.abs(out["di_dv"] - expected), rtol * np.abs(expected))


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
    # the hint copies gna, no arithmetic: exactly 0.1 (the numeric slope would be 0.1 + 2v + h = 6.1)
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
