"""VERBATIM C read as NMODL (modlc/verbatim.py) and random streams (NEURON 9 RANDOM variables and
the Random-pointer idiom).

What a VERBATIM idiom means is checked three ways: the IR of a no-op idiom equals the IR without
it; the deterministic idioms run in NEURON and in modlc from the same file (tests/data/verbatim)
and agree to rounding; random draws, whose stream is modlc's own by design, are checked for their
distribution (moments within five standard errors of the sample) and for per-instance
reproducibility, and the synapses that draw are compared with NEURON at release probability 1,
where the draw cannot change the run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import runtime_scenarios as sc
from ir_eval import run
from modlc import load
from modlc.diagnostics import ModlcError
from modlc.ir_text import mechanism_text
from modlc.pipeline import compile_ir
from modlc.runtime import Mechanism, Network, Simulation
from modlc.symbolic import ExponentialDraw, NormalDraw, RandomDraw, UniformDraw
from neuron_oracle import compile_mechanisms, run_neuron
from parity import assert_traces

DATA = Path(__file__).resolve().parent / "data" / "verbatim"
FILES = {"vbcalc": DATA / "vbcalc.mod", "VbRelease": DATA / "vbrelease.mod", "VbPick": DATA / "vbpick.mod",
         "hh": sc.FILES["hh"], "IClamp": sc.FILES["IClamp"], "NetStim": sc.FILES["NetStim"]}


def error_of(path) -> str:
    with pytest.raises(ModlcError) as info:
        compile_ir(path)
    return str(info.value).split("t.mod:", 1)[1]


def ir_without_notes(path) -> str:
    return "\n".join(line for line in mechanism_text(compile_ir(path)).splitlines() if not line.startswith("note:"))


# ----------------------------------------------------------------------------- no-ops
PLAIN = """
NEURON { SUFFIX nop RANGE y }
ASSIGNED { y }
BREAKPOINT { p(v) }
PROCEDURE p(x) {
  y = 2 * x
%s}
"""


@pytest.mark.parametrize("verbatim", [
    "return 0;", "return;", "", "   \n\t", "/* a comment */", "// a comment", "#include <stdio.h>\n#include <math.h>",
    "return 0; /* done */",
])
def test_no_op_verbatim_leaves_the_ir_unchanged(write_mod, verbatim):
    plain = ir_without_notes(write_mod(PLAIN % "", "plain.mod"))
    assert ir_without_notes(write_mod(PLAIN % f"VERBATIM\n{verbatim}\nENDVERBATIM\n")) == plain


def test_an_early_return_makes_the_rest_of_the_body_the_other_branch(write_mod):
    """`if (w <= 0) { return; }` at the top of NET_RECEIVE: the rest runs only where w > 0."""
    mech = compile_ir(write_mod("""
        NEURON { POINT_PROCESS early RANGE g }
        ASSIGNED { g }
        NET_RECEIVE(w) {
          if (w <= 0) {
        VERBATIM
            return;
        ENDVERBATIM
          }
          g = g + w
        }
    """))
    out, _ = run(mech.kernels["net_receive"], {"g": np.array([1.0, 1.0, 1.0]), "w": np.array([-2.0, 0.0, 3.0])})
    assert list(out["g"]) == [1.0, 1.0, 4.0]


@pytest.mark.parametrize("body, message", [
    ("INITIAL { LOCAL i  FROM i = 0 TO 2 {\nVERBATIM\n  return;\nENDVERBATIM\n} }",
     "4:3: error: unsupported: VERBATIM `return` inside a loop"),
    ("INITIAL {\nVERBATIM\n  ip->dbx = 1;\nENDVERBATIM\n}",
     "4:5: error: unsupported: VERBATIM C code modlc cannot read (expected ';'): `-> dbx = 1 ;`"),
    ("INITIAL {\nVERBATIM\n#if NRN_VERSION_GTEQ(9, 0, 0)\nENDVERBATIM\n}",
     "4:1: error: unsupported: VERBATIM C code modlc cannot read (a preprocessor condition modlc cannot evaluate): "
     "`#if NRN_VERSION_GTEQ(9, 0, 0)`"),
    ("INITIAL {\nVERBATIM\n#pragma once\nENDVERBATIM\n}",
     "4:1: error: unsupported: VERBATIM C code modlc cannot read (a preprocessor directive): `#pragma once`"),
    ("INITIAL {\nVERBATIM\n#if NRNBBCORE\nENDVERBATIM\n}",
     "3:1: error: unsupported: VERBATIM C code modlc cannot read (an #if without its #endif)"),
    ("INITIAL { LOCAL a\nVERBATIM\n  _la = (int)v;\nENDVERBATIM\n}",
     "4:9: error: unsupported: VERBATIM C code modlc cannot read (a cast that changes the value)"),
    ("INITIAL { LOCAL a\nVERBATIM\n  _la = 1 / 2;\nENDVERBATIM\n}",
     "4:11: error: unsupported: VERBATIM C code modlc cannot read (C's integer division): `1 / 2`"),
    ("INITIAL {\nVERBATIM\n  int i = 0;\nENDVERBATIM\n}",
     "4:3: error: unsupported: VERBATIM C code modlc cannot read (only double locals"),
    ("INITIAL {\nVERBATIM\n  hoc_execerror(\"no\", 0);\nENDVERBATIM\n}",
     "4:3: error: unsupported: function 'hoc_execerror'"),
    ("ASSIGNED { x }\nINITIAL {\nVERBATIM\n  switch (v > 0) { case 0: x = 1; case 1: x = 2; }\nENDVERBATIM\n}",
     "5:35: error: unsupported: VERBATIM C code modlc cannot read (a switch case that falls through into the next)"),
    ("ASSIGNED { x }\nINITIAL {\nVERBATIM\n  if (v > 0 && (x = 2) > 1) { x = 3; }\nENDVERBATIM\n}",
     "5:3: error: unsupported: VERBATIM C code modlc cannot read (an assignment inside a condition with && || or ?:)"),
    ("ASSIGNED { x y }\nINITIAL {\nVERBATIM\n  y = (x = 2) + 1;\nENDVERBATIM\n}",
     "5:7: error: unsupported: VERBATIM C code modlc cannot read (an assignment inside an expression)"),
])
def test_c_modlc_cannot_read_is_a_located_error_quoting_it(write_mod, body, message):
    path = write_mod("NEURON { SUFFIX bad }\n" + body + "\n")
    assert error_of(path).startswith(message)


def test_preprocessor_conditions_on_neurons_build_macros_are_evaluated(write_mod):
    """NEURON compiles a mechanism with NRNBBCORE 0 and without CORENEURON_BUILD: the C and the
    NMODL statements those branches exclude are skipped (a published L-type calcium file)."""
    path = write_mod("""
NEURON { SUFFIX vbif RANGE a, b, c }
ASSIGNED { a b c }
INITIAL {
VERBATIM
#if NRNBBCORE
    double* _nt_data = _nt->_data;
    a = 1;
#else
    a = 2;
#endif
#ifndef CORENEURON_BUILD
ENDVERBATIM
    b = 3
VERBATIM
#endif
#if defined(CORENEURON_BUILD)
ENDVERBATIM
    c = 4
VERBATIM
#endif
ENDVERBATIM
}
""")
    net = Network()
    k = sc.soma_cell(net, "s")
    net.insert(path, k)
    for name in "abc":
        net.record(name, f"{name}_vbif", at=(k, "soma", 0.5))
    result = Simulation(net, backend="numpy").run(0.1)
    assert (result["a"][0], result["b"][0], result["c"][0]) == (2.0, 3.0, 0.0)


def test_a_hoc_only_function_is_skipped_with_a_note_unless_a_kernel_calls_it(write_mod):
    hoc_only = """
        NEURON { SUFFIX hoconly RANGE y }
        ASSIGNED { y }
        INITIAL { y = 1 %s }
        FUNCTION dump() {
        VERBATIM
          FILE* f = hoc_obj_file_arg(1);
          fprintf(f, "%%g\\n", y);
        ENDVERBATIM
        }
    """
    mech = compile_ir(write_mod(hoc_only % "", "ok.mod"))
    assert any("FUNCTION dump (VERBATIM C) skipped: no kernel calls it (hoc-only)" in n for n in mech.notes)
    assert error_of(write_mod(hoc_only % "y = dump()")).startswith(
        "6:3: error: unsupported: VERBATIM C code modlc cannot read")


def test_c_expressions_mean_what_they_mean_in_c(write_mod):
    mech = compile_ir(write_mod("""
        NEURON { SUFFIX cexpr RANGE a, b, c, d }
        ASSIGNED { a b c d }
        VERBATIM
        #define TWO 2.0
        ENDVERBATIM
        INITIAL {
        VERBATIM
          double u = v / TWO, w;
          w = u > 0 ? pow(u, 3) : -fabs(u);
          if (v < -10) a = 1; else if (v < 10) { a = 2; } else { a = 3; }
          b = w;
          b *= 2;
          c = (double)7 + exp(0.0) + 1.0 / 2;
          d = !(v > 0) && v != -20;
          d++;
        ENDVERBATIM
        }
    """))
    v = np.array([-30.0, -20.0, 0.0, 6.0, 40.0])
    out, _ = run(mech.kernels["init"], {"v": v})
    u = v / 2
    assert list(out["a"]) == [1, 1, 2, 2, 3]
    np.testing.assert_array_equal(out["b"], 2 * np.where(u > 0, u ** 3, -np.abs(u)))
    assert np.all(out["c"] == 8.5)
    assert list(out["d"]) == [2, 1, 2, 1, 1]


# ----------------------------------------------------------------------------- random draws
def draws_of(mech, kernel: str) -> list:
    k = mech.kernels[kernel]
    found = {d for s in k.statements for d in getattr(s, "value", 0).atoms(RandomDraw)} if k.statements else set()
    found |= {d for e in k.outputs.values() for d in e.atoms(RandomDraw)}
    return sorted(found, key=lambda d: int(d.args[0]))


def test_random_variables_and_random_handles_become_draws(write_mod):
    mech = compile_ir(DATA / "vbdraws.mod")
    kinds = [type(d) for d in draws_of(mech, "current")]
    assert kinds == [UniformDraw, NormalDraw, ExponentialDraw, NormalDraw, UniformDraw]
    assert any("PROCEDURE setRNG (VERBATIM C) skipped" in n for n in mech.notes)
    release = compile_ir(DATA / "vbrelease.mod")
    assert any("random_setseq() ignored" in n for n in release.notes)
    # with no hoc Random object attached, `if (_p_rng)` is false: vbpick draws its scop_random() fallback
    assert [type(d) for d in draws_of(compile_ir(DATA / "vbpick.mod"), "net_receive")] == [UniformDraw]


def test_a_random_function_needs_a_random_variable(write_mod):
    path = write_mod("NEURON { SUFFIX r RANGE x }\nASSIGNED { x }\nINITIAL { x = random_uniform(x) }\n")
    assert error_of(path).startswith("3:15: error: random_uniform() takes a RANDOM variable")


def draws_network(streams, before=0):
    """VbDraws instances (each records its draws every step), `before` extra ones placed first."""
    net = Network()
    k = sc.soma_cell(net, "s")
    points = [net.place(DATA / "vbdraws.mod", at=(k, "soma", 0.5)) for _ in range(before)]
    points += [net.place(DATA / "vbdraws.mod", at=(k, "soma", 0.5), stream=s) for s in streams]
    for j, pp in enumerate(points[before:]):
        for name in "unxpq":
            net.record(f"{name}{j}", name, point=pp)
    return net


@pytest.mark.vs_closed_form
@pytest.mark.parametrize("backend", ["numpy", "jax"])
def test_draws_have_their_distributions(backend):
    """Moments over n = 20 instances x 500 steps, each within five standard errors: the mean's is
    sd/sqrt(n), the variance's sqrt((mu4 - sd^4)/n) with mu4 the distribution's fourth central moment."""
    instances = 20
    net = draws_network(range(instances))
    result = Simulation(net, backend=backend, seed=3).run(500 * sc.DT)
    expected = {  # name: (mean, variance, fourth central moment)
        "u": (3.5, 9 / 12, 81 / 80), "n": (1.0, 9.0, 3 * 81.0), "x": (4.0, 16.0, 9 * 256.0),
        "p": (-2.0, 0.25, 3 * 0.0625), "q": (0.5, 1 / 12, 1 / 80)}
    for name, (mean, var, mu4) in expected.items():
        sample = np.concatenate([np.asarray(result[f"{name}{j}"])[1:] for j in range(instances)])
        n = len(sample)
        assert abs(sample.mean() - mean) < 5 * np.sqrt(var / n), name
        assert abs(sample.var() - var) < 5 * np.sqrt((mu4 - var ** 2) / n), name


@pytest.mark.vs_backends
@pytest.mark.parametrize("backend", ["numpy", "jax", "tf"])
def test_an_instance_stream_depends_on_its_seed_and_stream_only(backend):
    def run_(net, seed=1):
        return Simulation(net, backend=backend, seed=seed).run(20 * sc.DT)

    first = run_(draws_network([11, 11, 12]))
    assert np.array_equal(first["n0"], first["n1"])  # the same stream: the same draws
    assert not np.array_equal(first["n0"], first["n2"])
    # other instances placed before it (a different group size and position) change nothing
    again = run_(draws_network([11, 12], before=2))
    for name in "unxpq":
        assert np.array_equal(first[f"{name}0"], again[f"{name}0"]), name
        assert np.array_equal(first[f"{name}2"], again[f"{name}1"]), name
    assert not np.array_equal(first["n0"], run_(draws_network([11]), seed=2)["n0"])


def test_a_stream_is_an_integer_below_two_to_the_31():
    net = Network()
    k = sc.soma_cell(net, "s")
    with pytest.raises(Exception, match=r"stream must be an integer in \[0, 2\*\*31\)"):
        net.place(DATA / "vbdraws.mod", at=(k, "soma", 0.5), stream=-1)


# ----------------------------------------------------------------------------- against NEURON
NEURON_SCRIPT = r'''
h.load_file("stdrun.hoc")
h.dt = 0.025
h.celsius = 6.3
s = h.Section(name="s")
s.L = s.diam = 20.0
s.insert(NAMES["hh"])
s.insert(NAMES["vbcalc"])
c = getattr(h, NAMES["IClamp"])(s(0.5))
setattr(c, "del", 2.0)
c.dur, c.amp = 30.0, 0.08
release = getattr(h, NAMES["VbRelease"])(s(0.5))
pick = getattr(h, NAMES["VbPick"])(s(0.5))
stim = getattr(h, NAMES["NetStim"])()
stim.start, stim.interval, stim.number, stim.noise = 5.0, 7.0, 5, 0
keep = []
for target, weight in ((release, 0.004), (pick, 0.003), (pick, -0.002)):
    nc = h.NetCon(stim, target)
    nc.delay, nc.weight[0] = 1.0, weight
    keep.append(nc)
r = {"v": h.Vector().record(s(0.5)._ref_v),
     "y": h.Vector().record(getattr(s(0.5), "_ref_y_" + NAMES["vbcalc"])),
     "w": h.Vector().record(getattr(s(0.5), "_ref_w_" + NAMES["vbcalc"])),
     "u": h.Vector().record(getattr(s(0.5), "_ref_u_" + NAMES["vbcalc"])),
     "g_release": h.Vector().record(release._ref_g), "g_pick": h.Vector().record(pick._ref_g)}
h.finitialize(-65.0)
h.continuerun(40.0)
out = {k: list(v) for k, v in r.items()}
emit(out)
'''

# Largest |modlc - NEURON| measured on JAX and NumPy (float64; mV, 1, 1, 1, uS, uS): w follows v (w = v/2 there), u
# follows 2y and 0.003w.
FIGURES = {"v": 8.9e-11, "y": 1.4e-12, "w": 4.5e-11, "u": 2.4e-12, "g_release": 4.3e-19, "g_pick": 4.3e-19}


@pytest.fixture(scope="module")
def neuron(tmp_path_factory):
    compiled = compile_mechanisms(list(FILES.values()), tmp_path_factory.mktemp("neuron_verbatim"))
    return run_neuron(NEURON_SCRIPT, compiled, timeout=300)


def verbatim_model() -> Network:
    net = Network()
    k = sc.soma_cell(net, "s")
    net.insert(Mechanism(FILES["hh"], "numeric"), k)  # NEURON's dI/dv: the same implicit step
    net.insert(Mechanism(FILES["vbcalc"], "numeric"), k)
    sc.iclamp(net, (k, "soma", 0.5), 2.0, 30.0, 0.08)
    release = net.place(FILES["VbRelease"], at=(k, "soma", 0.5))
    pick = net.place(FILES["VbPick"], at=(k, "soma", 0.5))
    stim = net.artificial(FILES["NetStim"], start=5.0, interval=7.0, number=5, noise=0)
    for target, weight in ((release, 0.004), (pick, 0.003), (pick, -0.002)):
        net.connect(stim, target, weight=weight, delay=1.0)
    net.record("v", "v", at=(k, "soma", 0.5))
    net.record("y", "y_vbcalc", at=(k, "soma", 0.5))
    net.record("w", "w_vbcalc", at=(k, "soma", 0.5))
    net.record("u", "u_vbcalc", at=(k, "soma", 0.5))
    net.record("g_release", "g", point=release)
    net.record("g_pick", "g", point=pick)
    return net


@pytest.mark.vs_neuron
@pytest.mark.parametrize("backend", ["jax", "numpy"])
def test_verbatim_idioms_and_release_at_probability_one_match_neuron(neuron, backend):
    """vbcalc's C gate and ternary, vbpick's early return (the negative-weight NetCon) and both
    synapses' draws (at P = 1 every event releases): the same run as NEURON's, to rounding."""
    assert np.ptp(neuron["v"]) > 80 and max(neuron["g_pick"]) > 0.002
    u = np.asarray(neuron["u"])  # the switch's cases all ran: -(min(2y, 0.5) + 0.003 w), and 2y passes 0.5
    assert np.allclose(u, -(np.minimum(2 * np.asarray(neuron["y"]), 0.5) + 0.003 * np.asarray(neuron["w"])))
    assert (2 * np.asarray(neuron["y"])).max() > 0.5 > (2 * np.asarray(neuron["y"])).min()
    result = Simulation(verbatim_model(), backend=backend).run(40.0)
    assert_traces(neuron, result, FIGURES, f"VERBATIM idioms on {backend}")


def test_a_constructor_reading_hoc_arguments_takes_its_no_argument_branch(write_mod):
    """`new NStim(x)` passes no second argument, nor does modlc's place(): ifarg(2) is false and
    the CONSTRUCTOR's fallbacks become the defaults; *getarg(2) is never reached (a published
    NetStim variant)."""
    path = write_mod("""
NEURON { ARTIFICIAL_CELL vbctor RANGE id, kind }
ASSIGNED { id kind }
CONSTRUCTOR {
VERBATIM
    if (ifarg(2)) { id = *getarg(2); } else { id = -1; }
    if (ifarg(3)) { kind = *getarg(3); } else { kind = 1; }
ENDVERBATIM
}
""")
    defaults = {v["name"]: v["default"] for v in load(path, backend="numpy").META["variables"]}
    assert (defaults["id"], defaults["kind"]) == (-1.0, 1.0)
