"""mechanisms/{hh,pas,expsyn,iclamp}.mod against NEURON's built-in hh, pas, ExpSyn and IClamp.

Two comparisons, each with NEURON's built-in mechanism as the reference:

* NEURON running our file: the four files are copied into a scratch directory with their
  mechanism renamed (``hh`` -> ``modlc_hh``, ``ExpSyn`` -> ``modlc_ExpSyn``, ...), compiled with
  one nrnivmodl call and loaded into one fresh NEURON process next to NEURON's own ``hh``,
  ``pas``, ``ExpSyn`` and ``IClamp``; identical models run with each. This checks that our .mod
  files *are* NEURON's mechanisms (same equations, same defaults); it does not run modlc. The
  traces are bit-identical, and asserted so.
* modlc running our file: the same models are built with modlc.runtime from the same .mod files
  (tests/library_models.py) and run on JAX and on NumPy in float64 (two operation orders); v,
  gates, currents, conductances and spike times are compared with the *built-in* mechanism's
  traces from the same NEURON process, to rounding level (tests/parity.py). This is the check
  that modlc(our .mod) == NEURON's built-in.

Protocol of both legs: one-segment soma, L = diam = 20 um, cm = 1 uF/cm2, dt = 0.025 ms,
finitialize(-65 mV) then fixed steps to tstop; NEURON's built-in hh with ``usetable_hh = 0``
(exact rates, as our file computes them). Recordings hold t = 0 and every step, in both.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

import library_models as lm
import parity
from modlc import load
from modlc.runtime import Network
from neuron_oracle import NeuronOracleError, compile_mechanisms, rename_mechanism, run_neuron

MECH_DIR = Path(__file__).resolve().parent.parent / "mechanisms"
MOD_FILES = {name: MECH_DIR / f"{stem}.mod" for name, stem in
             [("hh", "hh"), ("pas", "pas"), ("ExpSyn", "expsyn"), ("IClamp", "iclamp")]}

# modlc (JAX and NumPy, float64) vs NEURON's built-in mechanism: FIGURE is the largest deviation
# measured over both backends (JAX 0.10 / XLA, NumPy), per quantity, rounded up to two digits;
# each is asserted with parity's 10x margin (parity.assert_rounding_level).
HH_FIGURE = {   # v mV, gates dimensionless, currents mA/cm2, per temperature
    "6.3": {"v": 2.7e-11, "m": 1.2e-13, "h": 1.2e-14, "n": 2.6e-14, "ina": 2.8e-13, "ik": 1.6e-13, "il": 8.1e-15},
    "16.3": {"v": 2.1e-10, "m": 2.1e-12, "h": 4.0e-13, "n": 5.0e-13, "ina": 2.2e-12, "ik": 1.8e-12, "il": 6.3e-14},
}
HH_RATES_FIGURE = 4.3e-16   # relative: minf..ntau, m, h, n after INITIAL at the 6 potentials of RATE_V0
PAS_FIGURE = {"v": 3.6e-13, "i": 3.6e-16}                    # mV, mA/cm2
EXPSYN_FIGURE = {"v": 1.3e-12, "i": 1.3e-14, "g": 8.7e-19}   # mV, nA, uS
ICLAMP_V_FIGURE = 3.2e-13                                    # mV (the injected i is exact: asserted ==)

# The protocols, shared by both legs (the NEURON script receives them as PROTOCOL).
HH_CLAMP = (5.0, 10.0, 0.15)          # del, dur, amp of the hh cases
RATE_V0 = (-40.0, -40.0 + 1e-7, -55.0, -55.0 - 1e-7, -65.0, 30.0)   # where INITIAL is checked
RATE_VARS = ("minf", "hinf", "ninf", "mtau", "htau", "ntau", "m", "h", "n")
PAS_CLAMP = (2.0, 10.0, 0.1)          # del, dur, amp of the pas case
SYN_CASE = dict(tau=2.0, e=0.0, start=2.0, interval=3.0, number=5, weight=0.01, delay=1.0)   # ExpSyn case
ICLAMP = dict(delay=2.0, dur=5.0, amp=0.1)
TSTOP = {"hh": 30.0, "pas": 30.0, "ExpSyn": 30.0, "IClamp": 15.0}
PROTOCOL = "".join(f"{name} = {globals()[name]!r}\n"
                   for name in ("HH_CLAMP", "RATE_V0", "RATE_VARS", "PAS_CLAMP", "SYN_CASE", "ICLAMP"))


# Runs inside the NEURON subprocess, after PROTOCOL (see neuron_oracle.run_neuron for the
# prelude that provides h, NAMES and emit).
ORACLE_SCRIPT = r'''
import math

DT = 0.025
HH, PAS, SYN, CLAMP = NAMES["hh"], NAMES["pas"], NAMES["ExpSyn"], NAMES["IClamp"]


def soma(name):
    s = h.Section(name=name)
    s.L = s.diam = 20.0
    s.cm = 1.0
    s.nseg = 1
    return s


def iclamp(cls, seg, delay, dur, amp):
    c = cls(seg)
    setattr(c, "del", delay)   # 'del' is a Python keyword
    c.dur = dur
    c.amp = amp
    return c


def rec(ref):
    return h.Vector().record(ref)


def simulate(tstop, v_init=-65.0):
    h.dt = DT
    h.finitialize(v_init)
    while h.t < tstop - DT / 2:
        h.fadvance()


def maxdiff(a, b):
    assert len(a) == len(b) and len(a) > 1, (len(a), len(b))
    return max(abs(x - y) for x, y in zip(a, b))


def lists(d):
    return {k: list(v) for k, v in d.items()}


def spike_detector(sec):
    nc = h.NetCon(sec(0.5)._ref_v, None, sec=sec)
    nc.threshold = 0.0
    vec = h.Vector()
    nc.record(vec)
    return nc, vec


# Each case lives in its own function so every section, point process,
# NetStim and NetCon it creates is released together when it returns.  (A
# point process that outlives its section while a NetStim still targets it
# crashes NEURON on the next run.)  Each returns the NEURON-vs-NEURON maximum
# differences and the built-in mechanism's traces ("ref"), which the test
# compares with modlc's.


def defaults_case():
    s = soma("defaults")
    for mech in ("hh", HH, "pas", PAS):
        s.insert(mech)
    seg = s(0.5)
    res = {}
    for var in ("gnabar", "gkbar", "gl", "el"):
        res["hh." + var] = [getattr(seg, var + "_hh"), getattr(seg, var + "_" + HH)]
    for var in ("g", "e"):
        res["pas." + var] = [getattr(seg, var + "_pas"), getattr(seg, var + "_" + PAS)]
    ref_syn, our_syn = h.ExpSyn(seg), getattr(h, SYN)(seg)
    for var in ("tau", "e"):
        res["ExpSyn." + var] = [getattr(ref_syn, var), getattr(our_syn, var)]
    ref_cl, our_cl = h.IClamp(seg), getattr(h, CLAMP)(seg)
    for var in ("del", "dur", "amp"):
        res["IClamp." + var] = [getattr(ref_cl, var), getattr(our_cl, var)]
    return res


def hh_case(celsius):
    h.celsius = celsius
    ref, ours = soma("hh_ref"), soma("hh_ours")
    ref.insert("hh")
    ours.insert(HH)
    clamps = [iclamp(h.IClamp, s(0.5), *HH_CLAMP) for s in (ref, ours)]  # noqa: F841 (kept alive)
    detectors = {"hh": spike_detector(ref), HH: spike_detector(ours)}
    r = {}
    for mech, sec in (("hh", ref), (HH, ours)):
        seg = sec(0.5)
        r[mech] = {
            "v": rec(seg._ref_v),
            "m": rec(getattr(seg, "_ref_m_" + mech)),
            "h": rec(getattr(seg, "_ref_h_" + mech)),
            "n": rec(getattr(seg, "_ref_n_" + mech)),
            "ina": rec(seg._ref_ina),
            "ik": rec(seg._ref_ik),
            "il": rec(getattr(seg, "_ref_il_" + mech)),
        }
    simulate(30.0)
    a, b = r["hh"], r[HH]
    return {"diff": {k: maxdiff(a[k], b[k]) for k in a}, "ref": lists(a),
            "spikes_ref": list(detectors["hh"][1]), "spikes_ours": list(detectors[HH][1])}


def hh_rates_case():
    """Steady states and time constants after INITIAL (which calls rates(v))
    at the removable singularities of a_m (v = -40) and a_n (v = -55), just
    beside them, and elsewhere: the built-in's values, and our file's
    largest relative difference to them."""
    h.celsius = 6.3
    ref, ours = soma("hh_ref"), soma("hh_ours")
    ref.insert("hh")
    ours.insert(HH)
    res = {}
    for v0 in RATE_V0:
        simulate(0.0, v_init=v0)
        worst = 0.0
        values = {}
        for var in RATE_VARS:
            x = getattr(ref(0.5), var + "_hh")
            y = getattr(ours(0.5), var + "_" + HH)
            values[var] = x
            if not (math.isfinite(x) and math.isfinite(y)):
                worst = float("inf")
            else:
                worst = max(worst, abs(x - y) / max(abs(x), 1e-300))
        res[repr(v0)] = {"reldiff": worst, "ref": values}
    return res


def pas_case():
    ref, ours = soma("pas_ref"), soma("pas_ours")
    ref.insert("pas")
    ours.insert(PAS)
    clamps = [iclamp(h.IClamp, s(0.5), *PAS_CLAMP) for s in (ref, ours)]  # noqa: F841 (kept alive)
    a = {"v": rec(ref(0.5)._ref_v), "i": rec(ref(0.5)._ref_i_pas)}
    b = {"v": rec(ours(0.5)._ref_v), "i": rec(getattr(ours(0.5), "_ref_i_" + PAS))}
    simulate(30.0)   # v_init -65 relaxes towards e = -70, then the step
    return {"diff": {k: maxdiff(a[k], b[k]) for k in a}, "ref": lists(a)}


def expsyn_case():
    ref, ours = soma("syn_ref"), soma("syn_ours")
    for sec in (ref, ours):
        sec.insert("pas")
    syn_ref, syn_ours = h.ExpSyn(ref(0.5)), getattr(h, SYN)(ours(0.5))
    for syn in (syn_ref, syn_ours):
        syn.tau, syn.e = SYN_CASE["tau"], SYN_CASE["e"]
    stim = h.NetStim()
    stim.start, stim.interval, stim.number = SYN_CASE["start"], SYN_CASE["interval"], SYN_CASE["number"]
    stim.noise = 0
    netcons = [h.NetCon(stim, syn) for syn in (syn_ref, syn_ours)]
    for nc in netcons:
        nc.weight[0] = SYN_CASE["weight"]   # uS
        nc.delay = SYN_CASE["delay"]        # ms
    r = {}
    for key, sec, syn in (("ref", ref, syn_ref), ("ours", ours, syn_ours)):
        r[key] = {"v": rec(sec(0.5)._ref_v), "i": rec(syn._ref_i), "g": rec(syn._ref_g)}
    simulate(30.0)
    return {"diff": {k: maxdiff(r["ref"][k], r["ours"][k]) for k in ("v", "i", "g")},
            "ref": lists(r["ref"])}


def iclamp_case(delay, dur, amp):
    ref, ours = soma("cl_ref"), soma("cl_ours")
    for sec in (ref, ours):
        sec.insert("pas")
    cl_ref = iclamp(h.IClamp, ref(0.5), delay, dur, amp)
    cl_ours = iclamp(getattr(h, CLAMP), ours(0.5), delay, dur, amp)
    t = rec(h._ref_t)
    a = {"v": rec(ref(0.5)._ref_v), "i": rec(cl_ref._ref_i)}
    b = {"v": rec(ours(0.5)._ref_v), "i": rec(cl_ours._ref_i)}
    simulate(15.0)
    return {"diff": {k: maxdiff(a[k], b[k]) for k in a}, "ref": lists(a),
            "i_ours": list(b["i"]), "t": list(t)}


h.usetable_hh = 0   # built-in hh tabulates its rates by default; compute exactly
setattr(h, "usetable_" + HH, 0)  # and so does ours, which declares the same TABLE
out = {
    "defaults": defaults_case(),
    "hh": {str(c): hh_case(c) for c in (6.3, 16.3)},
    "hh_rates": hh_rates_case(),
    "hh_vtrap": {repr(x): [h.vtrap_hh(x, 10.0), getattr(h, "vtrap_" + HH)(x, 10.0)]
                 for x in (0.0, 1e-8, -1e-8, 1e-4, -25.0, 25.0)},
    "pas": pas_case(),
    "ExpSyn": expsyn_case(),
    "IClamp": iclamp_case(**ICLAMP),
}
emit(out)
'''

@pytest.fixture(scope="module")
def oracle(tmp_path_factory):
    """Compile all four files once and run every comparison in one process."""
    work = tmp_path_factory.mktemp("modlc_neuron")
    try:
        compiled = compile_mechanisms(MOD_FILES.values(), work)
        assert {k: v.new_name for k, v in compiled.mechanisms.items()} == {
            "hh": "modlc_hh", "pas": "modlc_pas",
            "ExpSyn": "modlc_ExpSyn", "IClamp": "modlc_IClamp"}
        return run_neuron(PROTOCOL + ORACLE_SCRIPT, compiled, timeout=120)
    except NeuronOracleError as exc:
        pytest.fail(str(exc), pytrace=False)


def hh_cell(net: Network, name: str) -> int:
    k = lm.soma(net, name)
    net.insert(lm.mod("hh"), k)
    lm.iclamp(net, k, *HH_CLAMP)
    for name, var in (("v", "v"), ("m", "m_hh"), ("h", "h_hh"), ("n", "n_hh"),
                      ("ina", "ina"), ("ik", "ik"), ("il", "il_hh")):
        net.record(f"hh.{name}", var, at=lm.at(k))
    net.connect(lm.at(k), None, threshold=0.0)   # spike detector, as NEURON's NetCon
    return k


@pytest.fixture(scope="module")
def modlc_runs():
    """Every case built with modlc.runtime and run on JAX and NumPy: one network per
    temperature, the independent cases side by side in the 6.3 degC one."""
    net = Network(celsius=6.3, v_init=-65.0)
    cool_hh = hh_cell(net, "hh")

    k = lm.soma(net, "pas")
    net.insert(lm.mod("pas"), k)
    lm.iclamp(net, k, *PAS_CLAMP)
    net.record("pas.v", "v", at=lm.at(k))
    net.record("pas.i", "i_pas", at=lm.at(k))

    k = lm.soma(net, "syn")
    net.insert(lm.mod("pas"), k)
    syn = net.place(lm.mod("expsyn"), at=lm.at(k), tau=SYN_CASE["tau"], e=SYN_CASE["e"])
    stim = net.artificial(lm.mod("netstim"), start=SYN_CASE["start"], interval=SYN_CASE["interval"],
                          number=SYN_CASE["number"], noise=0)
    net.connect(stim, syn, weight=SYN_CASE["weight"], delay=SYN_CASE["delay"])
    net.record("ExpSyn.v", "v", at=lm.at(k))
    for var in ("i", "g"):
        net.record(f"ExpSyn.{var}", var, point=syn)

    k = lm.soma(net, "clamp")
    net.insert(lm.mod("pas"), k)
    clamp = lm.iclamp(net, k, **ICLAMP)
    net.record("IClamp.v", "v", at=lm.at(k))
    net.record("IClamp.i", "i", point=clamp)

    for j, v0 in enumerate(RATE_V0):   # INITIAL at each potential: the values at t = 0
        k = lm.soma(net, f"rates{j}")
        net.insert(lm.mod("hh"), k)
        net.set_v_init(k, v0)
        for var in RATE_VARS:
            net.record(f"rates{j}.{var}", f"{var}_hh", at=lm.at(k))

    warm = Network(celsius=16.3, v_init=-65.0)
    warm_hh = hh_cell(warm, "hh")
    tstop = max(TSTOP.values())
    runs = {}
    for backend in lm.BACKENDS:
        # The rates cells start exactly at vtrap's removable singularities (v = -40, -55 mV),
        # where NumPy evaluates both branches of the generated where(): its 0/0 is discarded.
        with np.errstate(invalid="ignore", divide="ignore"):
            cool = lm.run(net, tstop, [backend])[backend]
        hot = lm.run(warm, tstop, [backend])[backend]
        runs[backend] = {"6.3": cool, "16.3": hot, "cells": {"6.3": cool_hh, "16.3": warm_hh}}
    return runs


def test_rename_touches_only_the_neuron_block():
    text = (
        "COMMENT\nSUFFIX hh in a comment stays\nENDCOMMENT\n"
        ": SUFFIX hh\n"
        "NEURON {\n    SUFFIX hh\n    RANGE gnabar\n}\n"
        "PARAMETER { hhx = 1 }\n"
    )
    new, kind, old, name = rename_mechanism(text)
    assert (kind, old, name) == ("SUFFIX", "hh", "modlc_hh")
    assert "NEURON {\n    SUFFIX modlc_hh\n" in new
    assert new.count("modlc_") == 1
    assert "SUFFIX hh in a comment stays" in new and ": SUFFIX hh\n" in new

    pp = "NEURON {\n\tPOINT_PROCESS ExpSyn\n\tRANGE tau\n}\n"
    assert rename_mechanism(pp)[0] == "NEURON {\n\tPOINT_PROCESS modlc_ExpSyn\n\tRANGE tau\n}\n"

    with pytest.raises(ValueError):
        rename_mechanism("PARAMETER { x = 1 }\n")


@pytest.mark.vs_neuron
def test_default_parameters_equal_builtins(oracle):
    """Our files' PARAMETER defaults, as NEURON compiles them and as modlc reads them, equal the
    built-ins'."""
    metas = {name: load(path, backend="numpy").META for name, path in MOD_FILES.items()}
    for key, (ref, ours) in oracle["defaults"].items():
        mech, var = key.split(".")
        assert ours == ref, f"default of {key} in NEURON: our file {ours!r} vs built-in {ref!r}"
        mine = next(x["default"] for x in metas[mech]["variables"] if x["name"] == var)
        assert mine == ref, f"default of {key}: modlc {mine!r} vs NEURON built-in {ref!r}"


@pytest.mark.parametrize("celsius", ["6.3", "16.3"])
@pytest.mark.neuron_only
def test_hh_file_in_neuron_is_bit_identical_to_builtin(oracle, celsius):
    """NEURON running our hh.mod vs NEURON's built-in hh (no modlc here)."""
    r = oracle["hh"][celsius]
    assert max(r["ref"]["v"]) > 0 and len(r["spikes_ref"]) >= 1, (
        f"built-in hh did not spike at {celsius} degC: comparison would be trivial")
    assert r["spikes_ours"] == r["spikes_ref"], r
    for k, d in r["diff"].items():
        assert d == 0.0, f"NEURON with our hh.mod vs built-in hh at {celsius} degC: max |d{k}| = {d:.3e}"


@pytest.mark.parametrize("celsius", ["6.3", "16.3"])
@pytest.mark.vs_neuron
def test_modlc_hh_matches_builtin(oracle, modlc_runs, celsius):
    """modlc running our hh.mod vs NEURON's built-in hh: traces to rounding, spikes in the same step."""
    ref = oracle["hh"][celsius]
    for backend, runs in modlc_runs.items():
        result = runs[celsius]
        figure = HH_FIGURE[celsius]
        dev = {k: lm.deviation(ref["ref"][k], result[f"hh.{k}"]) for k in figure}
        print(f"modlc {backend} vs built-in hh at {celsius} degC:", {k: f"{d:.3g}" for k, d in dev.items()})
        for k, d in dev.items():
            parity.assert_rounding_level(d, figure[k], f"hh {k} at {celsius} degC on {backend}")
        got = lm.spikes_until(result, lm.at(runs["cells"][celsius]), TSTOP["hh"])
        if len(got) == len(ref["spikes_ref"]):
            print(f"  spikes {list(got)}, max |dt| {np.abs(got - ref['spikes_ref']).max():.3g} ms")
        parity.assert_same_spikes(got, ref["spikes_ref"], TSTOP["hh"], lm.DT, f"hh at {celsius} degC on {backend}")


@pytest.mark.vs_neuron
def test_hh_rates_at_singular_points(oracle, modlc_runs):
    """Steady states, time constants and gates after INITIAL, at and beside the removable
    singularities of the rates: NEURON running our file == built-in exactly (and vtrap itself);
    modlc == built-in to rounding (modlc inlines vtrap, so it is checked through the rates)."""
    for v0 in RATE_V0:
        r = oracle["hh_rates"][repr(v0)]
        assert r["reldiff"] == 0.0, (
            f"NEURON: rates at v = {v0} mV of our hh.mod differ from built-in hh by rel {r['reldiff']:.3e}")
    for x, (ref, ours) in oracle["hh_vtrap"].items():
        assert ours == ref, f"NEURON: vtrap({x}, 10) of our hh.mod {ours!r} vs built-in {ref!r}"
    for backend, runs in modlc_runs.items():
        worst = 0.0
        for j, v0 in enumerate(RATE_V0):
            for var in RATE_VARS:
                ref = oracle["hh_rates"][repr(v0)]["ref"][var]
                got = float(runs["6.3"][f"rates{j}.{var}"][0])
                assert math.isfinite(got), (backend, v0, var, got)
                worst = max(worst, abs(got - ref) / abs(ref))
        print(f"modlc {backend} vs built-in hh rates after INITIAL: max rel {worst:.3g}")
        parity.assert_rounding_level(worst, HH_RATES_FIGURE, f"hh rates on {backend}")


# What shows that each case exercises its mechanism: pas moves v, the synapse is driven.
EXERCISED = {"pas": lambda ref: max(ref["v"]) - min(ref["v"]) > 1.0,
             "ExpSyn": lambda ref: max(ref["g"]) > 0.01 and min(ref["i"]) < -0.1}


@pytest.mark.vs_neuron
@pytest.mark.parametrize("mech, figure", [("pas", PAS_FIGURE), ("ExpSyn", EXPSYN_FIGURE)])
def test_pas_and_expsyn_match_builtin(oracle, modlc_runs, mech, figure):
    """NEURON running our file == built-in exactly; modlc running it == built-in to rounding."""
    r = oracle[mech]
    assert EXERCISED[mech](r["ref"]), f"{mech}: a trivial trace"
    for k, d in r["diff"].items():
        assert d == 0.0, f"NEURON with our {mech} file vs built-in {mech}: max |d{k}| = {d:.3e}"
    for backend, runs in modlc_runs.items():
        dev = {k: lm.deviation(r["ref"][k], runs["6.3"][f"{mech}.{k}"]) for k in figure}
        print(f"modlc {backend} vs built-in {mech}:", {k: f"{d:.3g}" for k, d in dev.items()})
        for k, d in dev.items():
            parity.assert_rounding_level(d, figure[k], f"{mech} {k} on {backend}")


def expected_clamp_current(t, delay, dur, amp):
    """NEURON evaluates BREAKPOINT at the half step: the i recorded at t_k was computed at
    t_k - dt/2 (and is 0 at t = 0, set by INITIAL)."""
    t = np.asarray(t, dtype=float)
    mid = t - lm.DT / 2
    return np.where((np.arange(len(t)) > 0) & (delay <= mid) & (mid < delay + dur), amp, 0.0)


@pytest.mark.vs_neuron
@pytest.mark.vs_closed_form
def test_iclamp_matches_builtin(oracle, modlc_runs):
    """The injected current, exactly amp within [del, del + dur) at the half step, in the built-in,
    in NEURON running our file and in modlc; v: NEURON running our file == built-in exactly, modlc
    == built-in to rounding."""
    r = oracle["IClamp"]
    expected = expected_clamp_current(r["t"], **ICLAMP)
    assert np.count_nonzero(expected) == 200   # dur / dt steps with the pulse on
    assert max(r["ref"]["v"]) - min(r["ref"]["v"]) > 1.0, "clamp did not move v"
    for k, d in r["diff"].items():
        assert d == 0.0, f"NEURON with our iclamp.mod vs built-in IClamp: max |d{k}| = {d:.3e}"
    np.testing.assert_array_equal(r["ref"]["i"], expected, "built-in IClamp's i")
    np.testing.assert_array_equal(r["i_ours"], expected, "NEURON with our iclamp.mod: i")
    n = len(r["t"])
    for backend, runs in modlc_runs.items():
        result = runs["6.3"]
        np.testing.assert_array_equal(result["IClamp.i"][:n], expected, f"modlc {backend}: IClamp i")
        assert np.abs(result.t[:n] - r["t"]).max() <= parity.step_time_tolerance(TSTOP["IClamp"], lm.DT)
        dv = lm.deviation(r["ref"]["v"], result["IClamp.v"], same_length=False)   # 15 of 30 ms
        print(f"modlc {backend} vs built-in IClamp: v {dv:.3g} mV, i exact")
        parity.assert_rounding_level(dv, ICLAMP_V_FIGURE, f"IClamp v on {backend}")
