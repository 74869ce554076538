"""The constructs real files need, run against NEURON 9 and across backends.

tests/data/constructs/ holds one small file per construct: runloop.mod (a FROM loop whose stop is a
run-time parameter, array indices known only at run time, read and written), ctor.mod (a
CONSTRUCTOR that only initialises, and a DESTRUCTOR), ftable.mod (1-D and 2-D FUNCTION_TABLEs,
filled through hoc's table_name(...) in NEURON and Mechanism(tables=...) in modlc) and extdst.mod
(EXTERNAL: another mechanism's GLOBAL, extsrc.mod's, and celsius). NEURON compiles and runs the
same files (renamed modlc_<name>); each of two cells carries them with hh and an IClamp, and the
user sets parameters after the instances are created, as a hoc or Python script does.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import runtime_scenarios as sc
from modlc.function_table import Evenly, FunctionTable
from modlc.runtime import Mechanism, Network, Simulation
from neuron_oracle import compile_mechanisms, run_neuron
from parity import assert_traces

DATA = Path(__file__).resolve().parent / "data" / "constructs"
FILES = {"hh": sc.FILES["hh"], "IClamp": sc.FILES["IClamp"], "runloop": DATA / "runloop.mod",
         "ctor": DATA / "ctor.mod", "ftable": DATA / "ftable.mod", "extsrc": DATA / "extsrc.mod",
         "extdst": DATA / "extdst.mod"}
TSTOP = 20.0
# (name in the result, mechanism, variable) of every recorded trace besides v
TRACES = [("total", "runloop", "total"), ("picked", "runloop", "picked"), ("last", "runloop", "last"),
          ("recent", "runloop", "recent"),
          ("m", "ctor", "m"), ("scale", "ctor", "scale"), ("w2", "ctor", "w[2]"),
          ("tau_now", "ftable", "tau_now"), ("ginf", "ftable", "ginf"), ("s", "ftable", "s"),
          ("a", "extdst", "a")]
GSRC = 2.5  # extsrc.mod's GLOBAL gsrc, which extdst.mod reads as an EXTERNAL: set by the user
# ftable.mod's FUNCTION_TABLEs: tau(v) on an uneven grid (hoc: table_tau(yvec, xvec)); gtab(v, x)
# row-major, v evenly from -70 to 20 mV, x on a grid (hoc: table_gtab(&t, 7, -70, 20, 3, &x)). The
# run takes v and s past both ends of every axis, so the clamping is exercised too.
TAU = ([5.0, 3.0, 1.0, 2.5, 4.0], [-70.0, -50.0, -20.0, 0.0, 10.0])
GTAB = ([[0.1, 0.2, 0.4], [0.1, 0.3, 0.5], [0.2, 0.5, 1.0], [0.4, 0.9, 1.5], [0.6, 1.2, 2.0],
         [0.7, 1.3, 2.2], [0.8, 1.4, 2.5]], (-70.0, 20.0), [0.05, 0.3, 0.6])

NEURON_SCRIPT = r'''
h.load_file("stdrun.hoc")
h.dt = 0.025
h.celsius = 6.3
h.gsrc_modlc_extsrc = GSRC
tau_y, tau_x = h.Vector(TAU[0]), h.Vector(TAU[1])
g_t, g_x = h.Vector([y for row in GTAB[0] for y in row]), h.Vector(GTAB[2])


def cell(name, user):
    s = h.Section(name=name)
    s.L, s.diam, s.nseg = 20.0, 20.0, 1
    for m in ("hh", "runloop", "ftable", "extdst"):
        s.insert(NAMES[m])
    seg = s(0.5)
    pp = getattr(h, NAMES["ctor"])(seg)  # its CONSTRUCTOR runs here
    for (mech, var), value in user.items():  # the user's values come after creation
        if mech == "ctor":
            setattr(pp, var, value)
        else:
            setattr(seg, f"{var}_{NAMES[mech]}", value)
    c = getattr(h, NAMES["IClamp"])(seg)
    setattr(c, "del", 1.0)
    c.dur, c.amp = 5.0, 0.2
    rec = {"v": h.Vector().record(seg._ref_v)}
    for name, mech, var in TRACES:
        base, _, index = var.partition("[")
        ref = getattr(pp, f"_ref_{base}") if mech == "ctor" else getattr(seg, f"_ref_{base}_{NAMES[mech]}")
        rec[name] = h.Vector().record(ref[int(index[:-1])] if index else ref)
    return s, c, pp, rec


cells = [cell(name, USER[name]) for name in USER]
getattr(h, "table_tau_" + NAMES["ftable"])(tau_y, tau_x)
getattr(h, "table_gtab_" + NAMES["ftable"])(g_t._ref_x[0], len(GTAB[0]), *GTAB[1], len(GTAB[2]), g_x._ref_x[0])
h.finitialize(-65.0)
h.continuerun(TSTOP)
emit({name: {k: list(v) for k, v in rec.items()} for name, (*_, rec) in zip(USER, cells)})
'''

# Parameters the user sets on each cell after creating it; cell "b" keeps the defaults (and so
# the CONSTRUCTOR's gbar), cell "a" overrides the constructor's gbar and moves the run-time bounds.
USER = {"a": {("runloop", "n"): 2.5, ("runloop", "k"): 3.2, ("ctor", "gbar"): 0.002},
        "b": {}}


FTABLE = Mechanism(FILES["ftable"], "numeric", tables={
    "tau": FunctionTable(*TAU), "gtab": FunctionTable(GTAB[0], Evenly(*GTAB[1]), GTAB[2])})


def network() -> Network:
    net = Network()
    for name, user in USER.items():
        given = {mech: {var: value for (m, var), value in user.items() if m == mech} for mech in ("runloop", "ctor")}
        k = sc.soma_cell(net, name)
        net.insert(FILES["hh"], k)
        net.insert(Mechanism(FILES["runloop"], "numeric"), k, **given["runloop"])  # NEURON's dI/dv
        net.insert(FTABLE, k)
        net.insert(FILES["extdst"], k)
        pp = net.place(FILES["ctor"], at=(k, "soma", 0.5), **given["ctor"])
        sc.iclamp(net, (k, "soma", 0.5), 1.0, 5.0, 0.2)
        net.record(f"{name}.v", "v", at=(k, "soma", 0.5))
        for trace, mech, var in TRACES:
            if mech == "ctor":
                net.record(f"{name}.{trace}", var, point=pp)
            else:
                net.record(f"{name}.{trace}", f"{var}_{mech}", at=(k, "soma", 0.5))
    net.set_global(FILES["extdst"], "gsrc_modlc_extsrc", GSRC)
    return net


def flat(reference: dict) -> dict:
    return {f"{cell}.{k}": v for cell, traces in reference.items() for k, v in traces.items()}


@pytest.fixture(scope="module")
def neuron(tmp_path_factory):
    compiled = compile_mechanisms(list(FILES.values()), tmp_path_factory.mktemp("constructs"))
    script = f"TRACES = {TRACES!r}\nUSER = {USER!r}\nTSTOP = {TSTOP!r}\nTAU = {TAU!r}\nGTAB = {GTAB!r}\nGSRC = {GSRC!r}\n" + NEURON_SCRIPT
    return flat(run_neuron(script, compiled, timeout=300))


@pytest.fixture(scope="module")
def jax_run():
    return Simulation(network(), backend="jax").run(TSTOP)


# Largest |modlc - NEURON| per trace over JAX and NumPy (float64), both cells; the integer-valued
# picks and the CONSTRUCTOR's values are exact.
FIGURES = {"v": 4.5e-11, "total": 4.1e-11, "picked": 0.0, "last": 0.0, "recent": 0.0, "m": 2.7e-15, "scale": 0.0, "w2": 0.0,
           "tau_now": 6.8e-12, "ginf": 6.9e-13, "s": 1.3e-13, "a": 0.0}
# Largest |backend - JAX| per trace over NumPy, TensorFlow and ONNX (float64).
BACKENDS = {"v": 1.9e-11, "total": 1.7e-11, "picked": 0.0, "last": 0.0, "recent": 0.0, "m": 1.2e-15, "scale": 0.0, "w2": 0.0,
            "tau_now": 2.6e-12, "ginf": 3.7e-13, "s": 6.7e-14, "a": 0.0}


def per_cell(figures: dict) -> dict:
    return {f"{cell}.{k}": v for cell in USER for k, v in figures.items()}


@pytest.mark.vs_neuron
def test_loops_indices_constructor_tables_and_externals_match_neuron(neuron, jax_run):
    a, b = ({k: np.asarray(neuron[f"{cell}.{k}"]) for k in ("v", "picked", "last", "recent")} for cell in USER)
    assert a["v"].max() > 0 and b["v"].max() > 0  # both cells fire
    assert (a["picked"][0], a["last"][0]) == (12.0, 1.5)  # k = 3.2 picks w[3] = 2 + 10; n = 2.5, w[2]
    assert (b["picked"][0], b["last"][0]) == (11.5, 2.0)
    assert (a["recent"][0], b["recent"][0]) == (3.0, 14.5)  # j from (int) 0.5 and (int) 1.7: w[0..2], w[1..3]
    assert np.abs(a["v"] - b["v"]).max() > 0.1  # the user's gbar replaced the CONSTRUCTOR's
    assert neuron["a.a"][0] == GSRC * (6.3 + 1)  # the EXTERNAL global and celsius
    for cell in USER:  # the run takes the tables' arguments past both ends of their axes
        v, x = np.asarray(neuron[f"{cell}.v"]), np.asarray(neuron[f"{cell}.s"])
        assert v.min() < TAU[1][0] and v.max() > TAU[1][-1] and v.max() > GTAB[1][1]
        assert x.min() < GTAB[2][0] and x.max() > GTAB[2][-1]
    assert_traces(neuron, jax_run, per_cell(FIGURES), "constructs vs NEURON")


@pytest.mark.vs_backends
@pytest.mark.parametrize("backend", ["numpy", "tf", "onnx"])
def test_constructs_agree_across_backends(jax_run, backend):
    result = Simulation(network(), backend=backend).run(TSTOP)
    assert_traces(jax_run, result, per_cell(BACKENDS), f"constructs, {backend} vs JAX")
