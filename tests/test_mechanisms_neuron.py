"""Validate mechanisms/{hh,pas,expsyn,iclamp}.mod against NEURON's built-ins.

Our four files are copied into a scratch directory with their mechanism
renamed (``hh`` -> ``modlc_hh``, ``ExpSyn`` -> ``modlc_ExpSyn``, ...),
compiled with a single nrnivmodl call, and loaded into a fresh NEURON
process next to NEURON's own ``hh``, ``pas``, ``ExpSyn`` and ``IClamp``.
Identical models are then simulated with each and the traces compared.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from neuron_oracle import NeuronOracleError, compile_mechanisms, rename_mechanism, run_neuron

MECH_DIR = Path(__file__).resolve().parent.parent / "mechanisms"
MOD_FILES = {name: MECH_DIR / f"{stem}.mod" for name, stem in
             [("hh", "hh"), ("pas", "pas"), ("ExpSyn", "expsyn"), ("IClamp", "iclamp")]}

# Tolerances (absolute).
HH_V_TOL = 1e-6       # mV
HH_GATE_TOL = 1e-9
PAS_V_TOL = 1e-9      # mV
SYN_I_TOL = 1e-12     # nA
SYN_V_TOL = 1e-9      # mV
ICLAMP_V_TOL = 1e-12  # mV
DEFAULT_REL_TOL = 1e-15

# Runs inside the NEURON subprocess (see neuron_oracle.run_neuron for the
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


def count_spikes(v, thresh=0.0):
    return sum(1 for a, b in zip(v, list(v)[1:]) if a < thresh <= b)


# Each case lives in its own function so every section, point process,
# NetStim and NetCon it creates is released together when it returns.  (A
# point process that outlives its section while a NetStim still targets it
# crashes NEURON on the next run.)


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
    clamps = [iclamp(h.IClamp, s(0.5), 5.0, 10.0, 0.15) for s in (ref, ours)]  # noqa: F841 (kept alive)
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
    res = {k: maxdiff(a[k], b[k]) for k in a}
    res["vmax_ref"] = max(a["v"])
    res["vmax_ours"] = max(b["v"])
    res["spikes_ref"] = count_spikes(a["v"])
    res["spikes_ours"] = count_spikes(b["v"])
    return res


def hh_rates_case():
    """Steady states and time constants after INITIAL (which calls rates(v))
    at the removable singularities of a_m (v = -40) and a_n (v = -55), just
    beside them, and elsewhere; relative difference to the built-in."""
    h.celsius = 6.3
    ref, ours = soma("hh_ref"), soma("hh_ours")
    ref.insert("hh")
    ours.insert(HH)
    res = {}
    for v0 in (-40.0, -40.0 + 1e-7, -55.0, -55.0 - 1e-7, -65.0, 30.0):
        simulate(0.0, v_init=v0)
        worst = 0.0
        for var in ("minf", "hinf", "ninf", "mtau", "htau", "ntau", "m", "h", "n"):
            x = getattr(ref(0.5), var + "_hh")
            y = getattr(ours(0.5), var + "_" + HH)
            if not (math.isfinite(x) and math.isfinite(y)):
                worst = float("inf")
            else:
                worst = max(worst, abs(x - y) / max(abs(x), 1e-300))
        res[repr(v0)] = worst
    return res


def pas_case():
    ref, ours = soma("pas_ref"), soma("pas_ours")
    ref.insert("pas")
    ours.insert(PAS)
    clamps = [iclamp(h.IClamp, s(0.5), 2.0, 10.0, 0.1) for s in (ref, ours)]  # noqa: F841 (kept alive)
    v_ref, v_ours = rec(ref(0.5)._ref_v), rec(ours(0.5)._ref_v)
    i_ref = rec(ref(0.5)._ref_i_pas)
    i_ours = rec(getattr(ours(0.5), "_ref_i_" + PAS))
    simulate(30.0)   # v_init -65 relaxes towards e = -70, then the step
    return {"v": maxdiff(v_ref, v_ours), "i": maxdiff(i_ref, i_ours),
            "vmin": min(v_ref), "vmax": max(v_ref)}


def expsyn_case():
    ref, ours = soma("syn_ref"), soma("syn_ours")
    for sec in (ref, ours):
        sec.insert("pas")
    syn_ref, syn_ours = h.ExpSyn(ref(0.5)), getattr(h, SYN)(ours(0.5))
    for syn in (syn_ref, syn_ours):
        syn.tau = 2.0
        syn.e = 0.0
    stim = h.NetStim()
    stim.start, stim.interval, stim.number, stim.noise = 2.0, 3.0, 5, 0
    netcons = [h.NetCon(stim, syn) for syn in (syn_ref, syn_ours)]
    for nc in netcons:
        nc.weight[0] = 0.01   # uS
        nc.delay = 1.0        # ms
    r = {}
    for key, sec, syn in (("ref", ref, syn_ref), ("ours", ours, syn_ours)):
        r[key] = {"v": rec(sec(0.5)._ref_v), "i": rec(syn._ref_i), "g": rec(syn._ref_g)}
    simulate(30.0)
    res = {k: maxdiff(r["ref"][k], r["ours"][k]) for k in ("v", "i", "g")}
    res["gmax"] = max(r["ours"]["g"])
    res["imin"] = min(r["ours"]["i"])
    res["vmax"] = max(r["ours"]["v"])
    return res


def iclamp_case(delay=2.0, dur=5.0, amp=0.1):
    ref, ours = soma("cl_ref"), soma("cl_ours")
    for sec in (ref, ours):
        sec.insert("pas")
    cl_ref = iclamp(h.IClamp, ref(0.5), delay, dur, amp)
    cl_ours = iclamp(getattr(h, CLAMP), ours(0.5), delay, dur, amp)
    t = rec(h._ref_t)
    v_ref, v_ours = rec(ref(0.5)._ref_v), rec(ours(0.5)._ref_v)
    i_ref, i_ours = rec(cl_ref._ref_i), rec(cl_ours._ref_i)
    simulate(15.0)
    # With the fixed-step method NEURON evaluates BREAKPOINT currents at the
    # half step: the value recorded at t_k was computed at t_k - dt/2
    # (and is 0 at t = 0, set by INITIAL).
    bad = []
    n_on = 0
    for k, (tk, ik) in enumerate(zip(t, i_ours)):
        tmid = tk - DT / 2
        expected = amp if (k > 0 and delay <= tmid < delay + dur) else 0.0
        n_on += expected != 0.0
        if ik != expected:
            bad.append([tk, ik, expected])
    return {"v": maxdiff(v_ref, v_ours), "i": maxdiff(i_ref, i_ours),
            "i_mismatch": bad[:10], "n_mismatch": len(bad), "n_on": n_on,
            "dv": max(v_ours) - min(v_ours)}


h.usetable_hh = 0   # built-in hh tabulates its rates by default; compute exactly
out = {
    "defaults": defaults_case(),
    "hh": {str(c): hh_case(c) for c in (6.3, 16.3)},
    "hh_rates_reldiff": hh_rates_case(),
    "hh_vtrap": {repr(x): [h.vtrap_hh(x, 10.0), getattr(h, "vtrap_" + HH)(x, 10.0)]
                 for x in (0.0, 1e-8, -1e-8, 1e-4, -25.0, 25.0)},
    "pas": pas_case(),
    "ExpSyn": expsyn_case(),
    "IClamp": iclamp_case(),
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
        return run_neuron(ORACLE_SCRIPT, compiled, timeout=120)
    except NeuronOracleError as exc:
        pytest.fail(str(exc), pytrace=False)


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


def test_default_parameters_match_builtins(oracle):
    for name, (ref, ours) in oracle["defaults"].items():
        assert ours == pytest.approx(ref, rel=DEFAULT_REL_TOL, abs=0), (
            f"default of {name}: ours {ours!r} vs NEURON built-in {ref!r}")


@pytest.mark.parametrize("celsius", ["6.3", "16.3"])
def test_hh_matches_builtin(oracle, celsius):
    r = oracle["hh"][celsius]
    assert r["vmax_ref"] > 0 and r["spikes_ref"] >= 1, (
        f"built-in hh did not spike at {celsius} degC (vmax {r['vmax_ref']}): "
        "comparison would be trivial")
    assert r["spikes_ours"] == r["spikes_ref"], r
    assert r["v"] < HH_V_TOL, f"max |dv| = {r['v']:.3e} mV at {celsius} degC"
    for gate in ("m", "h", "n"):
        assert r[gate] < HH_GATE_TOL, f"max |d{gate}| = {r[gate]:.3e} at {celsius} degC"
    for cur in ("ina", "ik", "il"):
        assert r[cur] < 1e-6, f"max |d{cur}| = {r[cur]:.3e} mA/cm2 at {celsius} degC"


def test_hh_rates_at_singular_points(oracle):
    for v0, rel in oracle["hh_rates_reldiff"].items():
        assert rel < 1e-12, (
            f"rates at v = {v0} mV differ from built-in hh by rel {rel:.3e}")
    for x, (ref, ours) in oracle["hh_vtrap"].items():
        assert ours == pytest.approx(ref, rel=1e-14, abs=0), f"vtrap({x}, 10)"


def test_pas_matches_builtin(oracle):
    r = oracle["pas"]
    assert r["vmax"] - r["vmin"] > 1.0, f"trivial pas trace: {r}"
    assert r["v"] < PAS_V_TOL, f"pas: max |dv| = {r['v']:.3e} mV"
    assert r["i"] < 1e-12, f"pas: max |di| = {r['i']:.3e} mA/cm2"


def test_expsyn_matches_builtin(oracle):
    r = oracle["ExpSyn"]
    assert r["gmax"] > 0.01 and r["imin"] < -0.1, f"synapse was never driven: {r}"
    assert r["g"] < SYN_I_TOL, f"ExpSyn: max |dg| = {r['g']:.3e} uS"
    assert r["i"] < SYN_I_TOL, f"ExpSyn: max |di| = {r['i']:.3e} nA"
    assert r["v"] < SYN_V_TOL, f"ExpSyn: max |dv| = {r['v']:.3e} mV"


def test_iclamp_matches_builtin(oracle):
    r = oracle["IClamp"]
    assert r["dv"] > 1.0, f"clamp did not move v: {r}"
    assert r["v"] < ICLAMP_V_TOL, f"IClamp: max |dv| = {r['v']:.3e} mV"
    assert r["i"] == 0.0, f"IClamp: built-in and ours inject different i (max {r['i']:.3e} nA)"
    assert r["n_on"] == 200, r  # dur / dt steps with the pulse on
    assert r["n_mismatch"] == 0, (
        f"IClamp i != amp inside [del, del+dur) / 0 outside at (t, i, expected): "
        f"{r['i_mismatch']}")
