"""Lowering: inlining, selects, unrolling, tables, NET_RECEIVE, ions — and located errors for what
cannot become a tensor kernel."""

from __future__ import annotations

import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from modlc import ir
from modlc.diagnostics import ModlcError
from modlc.pipeline import compile_ir
from ir_eval import EPS, exact_solve_2x2, newton_step_bound, run

ROOT = Path(__file__).resolve().parent.parent


def error_of(path) -> str:
    with pytest.raises(ModlcError) as info:
        compile_ir(path)
    d = info.value.diagnostics[0]
    return f"{d.loc.line}:{d.loc.col}: {d.message}"


def test_functions_and_procedures_inline_with_locals_and_side_effects(write_mod):
    mech = compile_ir(write_mod("""
        NEURON { SUFFIX inl RANGE a, b }
        ASSIGNED { a b }
        BREAKPOINT { }
        INITIAL { setab(v) }
        PROCEDURE setab(x) {
            LOCAL y
            y = sq(x) + 1
            a = y
            b = sq(y)
        }
        FUNCTION sq(z) {
            LOCAL y
            y = z
            sq = y*y
        }
    """))
    kernel = mech.kernels["init"]
    assert all(isinstance(s, ir.Assign) for s in kernel.statements)
    out, _ = run(kernel, {"v": 3.0})
    assert (out["a"], out["b"]) == (10.0, 100.0)


def test_recursion_is_a_located_error(write_mod):
    path = write_mod("""
        NEURON { SUFFIX rec }
        INITIAL { LOCAL x  x = fact(3) }
        FUNCTION fact(n) {
            if (n <= 1) { fact = 1 } else { fact = n*fact(n - 1) }
        }
    """)
    assert error_of(path) == "4:46: unsupported: recursive call of FUNCTION 'fact' (modlc inlines calls)"


def test_if_on_instance_values_becomes_a_select_of_both_branches(write_mod):
    mech = compile_ir(write_mod("""
        NEURON { SUFFIX sel RANGE y }
        ASSIGNED { y }
        BREAKPOINT {
            if (v > 0) { y = 2*v } else if (v > -10) { y = -v } else { y = 7 }
        }
    """))
    v = np.array([5.0, -3.0, -50.0])
    out, _ = run(mech.kernels["current"], {"v": v})
    np.testing.assert_array_equal(out["y"], [10.0, 3.0, 7.0])


@pytest.mark.vs_closed_form
def test_vtrap_guard_keeps_its_semantics_at_the_singular_point(write_mod):
    mech = compile_ir(write_mod("""
        NEURON { SUFFIX vt RANGE r }
        ASSIGNED { r }
        BREAKPOINT { r = vtrap(v + 40, 10) }
        FUNCTION vtrap(x, y) {
            if (fabs(x/y) < 1e-6) { vtrap = y*(1 - x/y/2) } else { vtrap = x/(exp(x/y) - 1) }
        }
    """))
    with np.errstate(invalid="ignore", divide="ignore"):
        out, _ = run(mech.kernels["current"], {"v": np.array([-40.0, -30.0])})
    # at -30: exp(1) within 2u e, e - 1 then exact (it lands in the binade below), the quotient u;
    # the reference's np.e is within u e, its quotient u: (3.2 + 1 + 1.6 + 1)u = 3.4 EPS (measured 0)
    np.testing.assert_allclose(out["r"], [10.0, 10 / (np.e - 1)], rtol=4 * EPS)


def test_constant_loops_unroll_and_arrays_flatten(write_mod):
    mech = compile_ir(write_mod("""
        DEFINE N 4
        NEURON { SUFFIX loop RANGE total }
        ASSIGNED { total  w[N] }
        INITIAL {
            LOCAL k
            total = 0
            FROM k = 0 TO N - 1 { w[k] = k*k  total = total + w[k] }
        }
    """))
    out, _ = run(mech.kernels["init"], {})
    assert out["total"] == 0 + 1 + 4 + 9
    assert [out[f"w[{k}]"] for k in range(4)] == [0, 1, 4, 9]
    assert [v.name for v in mech.variables if v.name.startswith("w")] == ["w[0]", "w[1]", "w[2]", "w[3]"]


def test_table_is_computed_directly(write_mod):
    mech = compile_ir(write_mod("""
        NEURON { SUFFIX tab RANGE f }
        ASSIGNED { f }
        BREAKPOINT { rates(v) }
        PROCEDURE rates(x) {
            TABLE f FROM -100 TO 100 WITH 200
            f = exp(x/7)
        }
    """))
    out, _ = run(mech.kernels["current"], {"v": 3.3})
    # direct: the same exp(v/7) in either order, v/7 rounded (0.47u) and exp's ulp (2u) a side:
    # 2.5 EPS (measured 0.5). A linear table with 1-mV steps would be off by h² f''/8 = 2.6e-3 f.
    assert out["f"] == pytest.approx(np.exp(3.3 / 7), rel=3 * EPS)


@pytest.mark.parametrize("body, message", [
    ("INITIAL { LOCAL i  i = 0  while (i < v) { i = i + 1 } }",
     "2:27: unsupported: WHILE loop whose condition is known only at run time"),
    ("INITIAL { LOCAL i  FROM i = 0 TO v { } }",
     "2:20: unsupported: FROM loop whose bounds are known only at run time (no array indexed by 'i' bounds "
     "its trip count)"),
    ("FUNCTION_TABLE tau(v)\nINITIAL { LOCAL x  x = tau(v) }",
     "3:24: unsupported: FUNCTION_TABLE 'tau' without values (NEURON's come from hoc; give modlc's with "
     "tables={'tau': FunctionTable(...)} when compiling)"),
    ("INITIAL { LOCAL i  FROM i = v TO 3 { } }",
     "2:20: unsupported: FROM loop whose bounds are known only at run time (nothing bounds stop - start)"),
    ("PARAMETER { n = 2 }\nINITIAL { LOCAL i  FROM i = 0 TO 3 BY n { } }",
     "3:20: unsupported: FROM loop whose bounds are known only at run time (modlc needs a known, positive step)"),
    ("ASSIGNED { x[20000] }\nINITIAL { x[v] = 1 }",
     "3:11: unsupported: loops unrolling to more than 10000 iterations (run-time array indices count each element)"),
    ("ASSIGNED { a }\nCONSTRUCTOR { a = v }",
     "3:1: unsupported: CONSTRUCTOR reading v (modlc folds a CONSTRUCTOR into default values: it may read only "
     "constants and RANGE values)"),
    ("ASSIGNED { a }\nDESTRUCTOR { a = 1 }",
     "3:1: DESTRUCTOR is only permitted in a POINT_PROCESS or ARTIFICIAL_CELL (as nocmodl says)"),
    ("STATE { c[2] s }\nBREAKPOINT { SOLVE k METHOD sparse }\nKINETIC k {\nCOMPARTMENT i, diam*i {c s}\n~ c[0] <-> s (1, 1) }",
     "5:26: unsupported: COMPARTMENT i, ... lists 's', which is not an array: nocmodl computes its volume with a "
     "stale loop index (undefined in NEURON)"),
])
def test_untranslatable_code_gets_a_located_unsupported_error(write_mod, body, message):
    path = write_mod("NEURON { SUFFIX bad }\n" + body + "\n")
    assert error_of(path) == message


def test_constructor_with_a_global_is_refused(write_mod):
    path = write_mod("NEURON { POINT_PROCESS bad GLOBAL g }\nASSIGNED { g }\nCONSTRUCTOR { g = 1 }\n")
    assert error_of(path) == ("3:1: unsupported: CONSTRUCTOR assigning 'g' (a GLOBAL or assigned value, "
                              "changed once per instance)")


def test_run_time_loop_and_index_lower_to_masked_selects(write_mod):
    """nocmodl's `for (j = 0; j <= (int) n; j++)` and `x[(int) k]`: C truncates toward zero."""
    mech = compile_ir(write_mod("""
        NEURON { SUFFIX rt RANGE n, k, acc, pick }
        PARAMETER { n = 1  k = 0 }
        ASSIGNED { x[4] acc pick }
        INITIAL {
            LOCAL j
            FROM j = 0 TO 3 { x[j] = 10 ^ j }
            acc = 0
            FROM j = 0 TO n { acc = acc + x[j] }
            x[k] = -1
            pick = x[k + 1]
        }
    """))
    for n, k, acc, pick in [(1.9, 2.7, 11, 1000), (-0.5, 0, 1, 10), (-1.5, 2, 0, 1000), (7, 1, 1111, 100)]:
        out, _ = run(mech.kernels["init"], {"n": n, "k": k})
        assert (out["acc"], out["pick"]) == (acc, pick), (n, k)
        assert out[f"x[{int(k)}]"] == -1


def test_verbatim_outside_kernels_is_ignored_with_a_note(write_mod):
    mech = compile_ir(write_mod("""
        NEURON { SUFFIX vb }
        VERBATIM
        #include <math.h>
        ENDVERBATIM
        STATE { x }
        BREAKPOINT { SOLVE s METHOD cnexp }
        DERIVATIVE s { x' = -x }
    """))
    assert any("top-level VERBATIM ignored" in n for n in mech.notes)


def test_net_receive_events_weights_and_net_init(write_mod):
    mech = compile_ir(write_mod("""
        NEURON { POINT_PROCESS Syn RANGE g }
        ASSIGNED { g }
        INITIAL { g = 0  net_send(5, 1) }
        NET_RECEIVE(w, count) {
            INITIAL { count = 0 }
            if (flag == 1) {
                net_send(2, 1)
            } else {
                g = g + w
                count = count + 1
                net_event(t)
            }
        }
    """))
    assert mech.net_receive_args == ["w", "count"]
    init_out, init_events = run(mech.kernels["init"], {})
    assert init_out == {"g": 0} and init_events == [("send", [5, 1], True)]
    out, events = run(mech.kernels["net_receive"], {"g": 1.0, "w": 0.5, "count": 3.0, "flag": 0.0, "t": 7.0})
    assert out["g"] == 1.5 and out["count"] == 4.0
    assert [(k, a, bool(m)) for k, a, m in events] == [("send", [2, 1], False), ("event", [7.0], True)]
    out, events = run(mech.kernels["net_receive"], {"g": 1.0, "w": 0.5, "count": 3.0, "flag": 1.0, "t": 7.0})
    assert out["g"] == 1.0 and [bool(m) for _, _, m in events] == [True, False]
    net_init, _ = run(mech.kernels["net_init"], {"w": 0.5, "count": 9.0})
    assert net_init == {"count": 0}


def test_ion_reads_and_writes_are_explicit_variables():
    mech = compile_ir(ROOT / "mechanisms" / "hh.mod")
    roles = {v.name: (v.role, v.ion, v.access) for v in mech.variables}
    assert roles["ena"] == ("ion", "na", "read")
    assert roles["ina"] == ("ion", "na", "write")
    assert roles["m"][0] == "state" and roles["gnabar"][0] == "parameter"
    assert "v" not in roles  # supplied by the runtime
    assert [(c.name, c.ion) for c in mech.currents] == [("ina", "na"), ("ik", "k"), ("il", None)]


def test_reaction_with_a_non_state_species_uses_its_value(write_mod):
    mech = compile_ir(write_mod("""
        NEURON { SUFFIX pump USEION ca READ cao }
        ASSIGNED { cao (mM) }
        STATE { B CaB }
        BREAKPOINT { SOLVE s METHOD sparse }
        KINETIC s { ~ cao + B <-> CaB (1, 0.5) }
    """))
    out, _ = run(mech.kernels["state"], {"B": 1.0, "CaB": 0.0, "cao": 2.0, "dt": 0.1})
    # one backward Euler step, B' = -1 cao B + 0.5 CaB, CaB' = -B', solved exactly (rational
    # arithmetic); the IR's Newton step is within 7 cond EPS (cond 1.3) of the update, plus u |x1|
    matrix = [[1 + 2 * Fraction(0.1), -Fraction(0.1) / 2], [-2 * Fraction(0.1), 1 + Fraction(0.1) / 2]]
    exact = [float(x) for x in exact_solve_2x2(matrix, [1.0, 0.0])]
    tolerance = newton_step_bound(np.array(matrix, dtype=float), [1.0, 0.0], exact)
    np.testing.assert_allclose([out["B"], out["CaB"]], exact, rtol=0, atol=tolerance)


@pytest.mark.vs_neuron
def test_ghk_matches_neuron():
    from neuron import h

    h.celsius = 22.0
    expected = [h.ghk(v, 1e-4, 2.0, 2) for v in (-70.0, 0.0, 1e-9, 35.0)]
    from modlc.lower import ghk
    from modlc.symbolic import number, sym
    for v, want in zip((-70.0, 0.0, 1e-9, 35.0), expected):
        got = float(ghk(number(v), number(1e-4), number(2.0), number(2)).subs(sym("celsius"), 22.0))
        # NEURON's nrn_ghk and modlc's expression round differently: the argument z v/ktf (ktf from
        # R, F and celsius in another order) within ~6u, efun(x) = x/(e^x - 1) with |x| <= 5.5 within
        # ~10u (no cancellation: both sides switch to 1 - x/2 below |x| = 1e-4), then ~3 products:
        # ~13u a side, 13 EPS apart (measured <= 0.9 EPS)
        assert got == pytest.approx(want, rel=13 * EPS)


def test_ir_text_is_identical_under_different_hash_seeds():
    outputs = set()
    for seed in ("0", "1", "12345"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        result = subprocess.run([sys.executable, "-m", "modlc.cli", "show", "mechanisms/hh.mod", "--stage", "ir"],
                                cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        outputs.add(result.stdout)
    assert len(outputs) == 1


@pytest.mark.parametrize("stage", ["lowered", "solved", "ir"])
def test_show_stages(run_cli, stage):
    status, out, err = run_cli("show", str(ROOT / "mechanisms" / "hh.mod"), "--stage", stage)
    assert status == 0 and err == ""
    assert out.startswith("mechanism hh (density)")
    assert ("SOLVE DERIVATIVE states METHOD cnexp" in out) == (stage == "lowered")


def test_show_ir_json_and_errors(run_cli, write_mod):
    import json
    status, out, _ = run_cli("show", str(ROOT / "mechanisms" / "expsyn.mod"), "--stage", "ir", "--json")
    assert status == 0
    data = json.loads(out)
    assert data["kernels"]["net_receive"]["statements"] == [{"assign": "g_1", "value": "g + weight"}]
    assert data["kernels"]["net_receive"]["outputs"] == {"g": "g_1"}
    bad = write_mod("NEURON { SUFFIX w }\nINITIAL { LOCAL i  i = 0  while (i < v) { i = i + 1 } }\n")
    status, out, err = run_cli("show", str(bad), "--stage", "ir")
    assert status == 2 and "t.mod:2:27: error: unsupported: WHILE loop" in err and "Traceback" not in err


def test_random_draws_stay_distinct_through_cse(write_mod):
    mech = compile_ir(write_mod("""
        NEURON { SUFFIX rnd RANGE a, b }
        ASSIGNED { a b }
        INITIAL { a = normrand(0, 1) + normrand(0, 1)  b = exprand(2) }
    """))
    from modlc.symbolic import RandomDraw
    draws = {d for s in mech.kernels["init"].statements if isinstance(s, ir.Assign)
             for d in s.value.atoms(RandomDraw)}
    draws |= {d for e in mech.kernels["init"].outputs.values() for d in e.atoms(RandomDraw)}
    assert len(draws) == 3
    assert mech.kernels["init"].inputs() == []


def hoc_func_table(values, axes, args):
    """NEURON's src/oc/functabl.cpp restated: clamp at the ends, else the interval's fraction;
    an axis is a list of grid points or a (lo, hi) pair of an evenly spaced one."""
    def index(axis, n, x):
        if isinstance(axis, tuple):
            lo, hi = axis
            if x <= lo:
                return 0, 0.0
            if x >= hi:
                return n - 1, 0.0
            x1 = (x - lo) / ((hi - lo) / float(n - 1))
            return int(x1), x1 - int(x1)
        if x <= axis[0]:
            return 0, 0.0
        if x >= axis[-1]:
            return n - 1, 0.0
        j = max(k for k in range(n - 1) if axis[k] <= x)
        return j, (x - axis[j]) / (axis[j + 1] - axis[j])

    def inter(frac, row, j):
        return (1.0 - frac) * row[j] + frac * row[j + 1] if frac > 0 else row[j]

    if len(axes) == 1:
        j, frac = index(axes[0], len(values), args[0])
        return inter(frac, values, j)
    (i, fx), (j, fy) = index(axes[0], len(values), args[0]), index(axes[1], len(values[0]), args[1])
    y1 = inter(fy, values[i], j)
    return (1.0 - fx) * y1 + fx * inter(fy, values[i + 1], j) if fx > 0 else y1


def test_function_table_interpolates_and_clamps_as_hoc_func_table(write_mod):
    from modlc.function_table import Evenly, FunctionTable
    tau = ([5.0, 3.0, 1.5, 2.5], [-70.0, -50.0, -20.0, 10.0])
    g = ([[0.1, 0.2, 0.4], [0.1, 0.3, 0.5], [0.2, 0.5, 1.0], [0.4, 0.9, 1.5]], (-60.0, 30.0), [0.0, 0.3, 1.0])
    path = write_mod("""
        NEURON { SUFFIX ft RANGE a, b, c, x }
        FUNCTION_TABLE tau(v)
        FUNCTION_TABLE g(v, x)
        FUNCTION_TABLE k(v)
        PARAMETER { x = 0 }
        ASSIGNED { a b c }
        INITIAL { a = tau(v)  b = g(v, x)  c = k(v) }
    """)
    mech = compile_ir(path, tables={"tau": FunctionTable(*tau), "k": FunctionTable(7.5),
                                    "g": FunctionTable(g[0], Evenly(*g[1]), g[2])})
    for v in (-90.0, -70.0, -65.3, -50.0, -21.0, -20.0, 0.7, 10.0, 29.9, 30.0, 55.0):
        for x in (-1.0, 0.0, 0.1, 0.3, 0.77, 1.0, 2.0):
            out, _ = run(mech.kernels["init"], {"v": v, "x": x})
            assert out["a"] == pytest.approx(hoc_func_table(tau[0], [tau[1]], [v]), rel=4 * EPS, abs=0), v
            assert out["b"] == pytest.approx(hoc_func_table(g[0], [g[1], g[2]], [v, x]), rel=8 * EPS, abs=0), (v, x)
            assert out["c"] == 7.5


def test_external_is_a_global_parameter_read_only(write_mod):
    mech = compile_ir(write_mod("""
        NEURON { SUFFIX ex EXTERNAL gx, celsius RANGE a }
        ASSIGNED { a }
        INITIAL { a = gx * celsius }
    """))
    gx = next(v for v in mech.variables if v.name == "gx")
    assert (gx.role, gx.scope) == ("parameter", "global")
    assert not any(v.name == "celsius" for v in mech.variables)  # the runtime supplies it
    path = write_mod("NEURON { SUFFIX ex2 EXTERNAL gx }\nINITIAL { gx = 1 }\n")
    assert error_of(path).startswith("2:11: unsupported: assignment to EXTERNAL 'gx'")


def test_upper_bound_of_a_loop_span():
    """FROM i = imax(n - 5, 0) TO n spans at most 5 whatever n is; a bare n bounds nothing."""
    import sympy as sp
    from modlc.bounds import upper_bound
    n = sp.Symbol("n", real=True)
    assert upper_bound(n - sp.Piecewise((n - 5, n - 5 > 0), (0, True))) == 5.0
    assert upper_bound(sp.Piecewise((3, n < 2), (2 * n - 1, n <= 4), (0, True))) == 7.0
    assert upper_bound(n - 2) is None
    assert upper_bound(sp.Piecewise((n, n > 4), (1, True))) is None
