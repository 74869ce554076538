"""mechanisms/{intfire2,alphasynapse}.mod against NEURON's built-ins of the same name.

The two files are copied into a scratch directory with their mechanism renamed (``IntFire2`` ->
``modlc_IntFire2``, ...), compiled with one nrnivmodl call and run in one fresh NEURON process beside
NEURON's built-in IntFire2 and AlphaSynapse, in identical models; the same models are
built with modlc.runtime from the same files and run on JAX and NumPy in float64. Two comparisons,
as in test_library_neuron.py:

* NEURON running our file vs NEURON's built-in: checks that our files are NEURON's mechanisms
  (parameter defaults, spike times and the recorded states); it does not
  run modlc. Bit-identical, asserted so.
* modlc running our file vs NEURON's built-in: the same spikes at times equal to rounding, the recorded
  states, and AlphaSynapse's v and i to rounding
  level (tests/parity.py). (NEURON's AlphaSynapse does not expose g: it is not RANGE.)

Protocol: dt = 0.025 ms, 6.3 degC, finitialize(-65 mV), fixed steps; recordings hold t = 0 and
every step. The artificial cells are driven by single-event NetStims in NEURON (start = the event
time, number = 1) and by modlc's spike trains with the same times, through NetCons of delay
0.5 ms. The input times are binary fractions (see input_times), so start + interval - interval
(NetStim's first event) and + 0.5 ms (the delay) are exact in both, and no two inputs of a cell
coincide (NEURON orders simultaneous events arbitrarily). AlphaSynapse sits on one-segment somata (L = diam =
20 um, cm = 1 uF/cm2) with NEURON's built-in hh (usetable_hh = 0) or pas, and modlc's
mechanisms/hh.mod or pas.mod.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import library_models as lm
import parity
from modlc import load
from modlc.runtime import Network
from neuron_oracle import NeuronOracleError, compile_mechanisms, run_neuron

MECH_DIR = Path(__file__).resolve().parent.parent / "mechanisms"
STEMS = {"IntFire2": "intfire2", "AlphaSynapse": "alphasynapse"}
TSTOP = 200.0          # ms, the artificial cells' runs
ALPHA_TSTOP = 40.0     # ms, AlphaSynapse's

# modlc (JAX and NumPy, float64) vs NEURON's built-in: FIGURE is the largest deviation measured over
# both backends, per case and quantity, rounded up to two digits; each is asserted with parity's
# 10x margin (parity.assert_rounding_level). "spikes" is the largest |modlc - NEURON| spike time
# (ms); the states are dimensionless. The spike times are not on the step grid: each is computed in
# closed form (Newton's method on the analytic m(t), at most 11 steps), so it carries the rounding of
# the exp/log/pow arithmetic before it, a few ulps of t (2.8e-14 ms at 100-200 ms), amplified where
# the equations are ill-conditioned: m holds the factor taus/(taus - taum), 101 in 'taus_moved'
# (taus = taum + 0.1). A different operation order could at worst flip Newton's stopping test
# (|dx| <= 1e-6) and add one more step, which is quadratically small there. Any
# difference in the equations or the algorithm moves spikes by orders more: every input weight off
# by 1e-9 relative moves the spikes of these cases by 1.6e-8 to 2.0e-7 ms (measured on NumPy).
FIGURES = {
    ("IntFire2", "quiet"): {"spikes": 2.9e-14, "m": 2.0e-15, "i": 2.9e-15},
    ("IntFire2", "bias"): {"spikes": 1.5e-14, "m": 5.4e-15, "i": 1.6e-15},
    ("IntFire2", "subthreshold_bias"): {"spikes": 8.6e-14, "m": 9.5e-15, "i": 1.4e-15},
    ("IntFire2", "taus_moved"): {"spikes": 1.5e-12, "m": 2.4e-13, "i": 1.6e-13},
}
ALPHA_FIGURE = {"hh": {"v": 3.6e-11, "i": 3.5e-13},   # mV, nA (i: the larger over the two synapses)
                "pas": {"v": 4.7e-12, "i": 2.3e-13}}


def input_times(seed: int, counts) -> list[list[float]]:
    """Disjoint sorted lists of event times (ms) in [1, 190), one list per count. Each time is
    j/8 + r/64 ms for a distinct slot j and r in {1, 2, 3, 5, 6, 7}: exact in binary, never on a
    multiple of dt/2 = 1/80 ms (where a step starts or where NEURON's delivery bound t + dt/2 lies:
    the recorded states would then depend on how each simulator rounds t), and at least 1/32 ms
    apart, so no two events of a train fall in one step (modlc's spike trains send one per step)."""
    rng = np.random.default_rng(seed)
    slots = rng.permutation(np.arange(8, 190 * 8))[: sum(counts)]
    times = slots / 8.0 + rng.choice([1, 2, 3, 5, 6, 7], size=len(slots)) / 64.0
    out, k = [], 0
    for n in counts:
        out.append(sorted(float(x) for x in times[k:k + n]))
        k += n
    return out


def drive(seed, weights_counts):
    """[(times, weight)] for a cell: one input stream per (weight, count)."""
    times = input_times(seed, [n for _, n in weights_counts])
    return [(ts, w) for ts, (w, _) in zip(times, weights_counts)]


# case -> (parameters, [(input times, weight)]). The cases reach every branch of IntFire2's
# firetime(): ib <= 1 with inputs (first and third branches), ib > 1 (spontaneous firing: the
# second branch, from INITIAL on), and taus <= taum (INITIAL moves taus to taum + 0.1).
INTFIRE2 = {
    "quiet": (dict(taus=20.0, taum=10.0, ib=0.0), drive(1, [(0.35, 40), (-0.2, 20)])),
    "bias": (dict(taus=15.0, taum=5.0, ib=1.2), drive(2, [(0.5, 20), (-0.4, 30)])),
    "subthreshold_bias": (dict(taus=30.0, taum=8.0, ib=0.7), drive(3, [(0.25, 30), (-0.3, 10)])),
    "taus_moved": (dict(taus=8.0, taum=10.0, ib=0.5), drive(4, [(0.6, 30), (-0.5, 10)])),
}
INTFIRE_VARS = {"IntFire2": ("m", "i")}
# the time constants INITIAL may move (modlc records only variables that a block writes)
INTFIRE_TAUS = {"IntFire2": ("taus",)}
# AlphaSynapse: an excitatory synapse that fires the hh cell, then an inhibitory one that
# outlasts 10 tau (the cut-off at onset + 10 tau falls inside the run); on pas, the default tau of
# 0.1 ms (shorter than 4 steps) at an onset between steps, and a slow one.
ALPHA = {
    "hh": [dict(onset=5.0, tau=1.0, gmax=0.01, e=0.0), dict(onset=20.3, tau=1.5, gmax=0.005, e=-80.0)],
    "pas": [dict(onset=2.31, gmax=0.05, e=0.0), dict(onset=10.0, tau=3.0, gmax=0.002, e=-90.0)],
}

PROTOCOL = "".join(f"{name} = {globals()[name]!r}\n" for name in (
    "TSTOP", "ALPHA_TSTOP", "INTFIRE2", "INTFIRE_VARS", "INTFIRE_TAUS", "ALPHA"))

# Runs inside the NEURON subprocess after PROTOCOL (neuron_oracle.run_neuron's prelude provides h,
# NAMES and emit).
ORACLE_SCRIPT = r'''
DT = 0.025
h.usetable_hh = 0   # built-in hh tabulates its rates by default; hh.mod computes them exactly
h.celsius = 6.3


def ours(name):
    return getattr(h, NAMES[name])


def run(tstop):
    h.dt = DT
    h.finitialize(-65.0)
    while h.t < tstop - DT / 2:
        h.fadvance()


def maxdiff(a, b):
    a, b = list(a), list(b)
    if len(a) != len(b):
        return float("inf")
    return max((abs(x - y) for x, y in zip(a, b)), default=0.0)


def soma(name, mech):
    s = h.Section(name=name)
    s.L = s.diam = 20.0
    s.cm = 1.0
    s.nseg = 1
    s.insert(mech)
    return s


def defaults_case():
    s = soma("defaults", "pas")
    pairs = [("IntFire2", h.IntFire2(), ours("IntFire2")(), ("taus", "taum", "ib")),
             ("AlphaSynapse", h.AlphaSynapse(s(0.5)), ours("AlphaSynapse")(s(0.5)), ("onset", "tau", "gmax", "e"))]
    return {f"{n}.{v}": [getattr(ref, v), getattr(mine, v)] for n, ref, mine, names in pairs for v in names}


def intfire_case(kind, params, inputs):
    """The built-in and our cell side by side, fed the same events; their spikes, recorded
    states and the time constants as INITIAL left them."""
    cells = [getattr(h, kind)(), ours(kind)()]
    keep = []
    for c in cells:
        for k, val in params.items():
            setattr(c, k, val)
    for times, w in inputs:
        for tev in times:   # a NetStim that fires once, at tev
            src = h.NetStim()
            src.start, src.interval, src.number, src.noise = tev, 1.0, 1, 0
            keep.append(src)
            for c in cells:
                nc = h.NetCon(src, c)
                nc.weight[0] = w
                nc.delay = 0.5
                keep.append(nc)
    spikes = []
    for c in cells:
        nc = h.NetCon(c, None)
        vec = h.Vector()
        nc.record(vec)
        keep.append(nc)
        spikes.append(vec)
    anchor = h.Section(name="anchor")   # Vector.record needs a section to exist
    recs = [{v: h.Vector().record(getattr(c, "_ref_" + v), sec=anchor) for v in INTFIRE_VARS[kind]} for c in cells]
    run(TSTOP)
    taus = [{v: getattr(c, v) for v in INTFIRE_TAUS[kind]} for c in cells]  # as INITIAL left them
    return {"spikes": [list(s) for s in spikes],
            "diff": {v: maxdiff(recs[0][v], recs[1][v]) for v in INTFIRE_VARS[kind]},
            "ref": {v: list(recs[0][v]) for v in INTFIRE_VARS[kind]},
            "taus": taus}


def alpha_case(mech, synapses):
    cells = [soma(mech + "_ref", mech), soma(mech + "_ours", mech)]
    keep = []
    r = []
    for cell, make in zip(cells, (h.AlphaSynapse, ours("AlphaSynapse"))):
        syns = [make(cell(0.5)) for _ in synapses]
        for syn, params in zip(syns, synapses):
            for k, val in params.items():
                setattr(syn, k, val)
        keep.append(syns)
        rec = {"v": h.Vector().record(cell(0.5)._ref_v)}
        for j, syn in enumerate(syns):
            rec[f"i{j}"] = h.Vector().record(syn._ref_i)
        r.append(rec)
    run(ALPHA_TSTOP)
    return {"diff": {k: maxdiff(r[0][k], r[1][k]) for k in r[0]}, "ref": {k: list(x) for k, x in r[0].items()}}


emit({
    "defaults": defaults_case(),
    "IntFire2": {case: intfire_case("IntFire2", *args) for case, args in INTFIRE2.items()},
    "AlphaSynapse": {case: alpha_case(case, syns) for case, syns in ALPHA.items()},
})
'''


@pytest.fixture(scope="module")
def oracle(tmp_path_factory):
    """Compile the two files once and run every NEURON case in one NEURON process."""
    work = tmp_path_factory.mktemp("modlc_builtin_library")
    try:
        compiled = compile_mechanisms([MECH_DIR / f"{s}.mod" for s in STEMS.values()], work)
        assert sorted(compiled.mechanisms) == sorted(STEMS)
        return run_neuron(PROTOCOL + ORACLE_SCRIPT, compiled, timeout=180)
    except NeuronOracleError as exc:
        pytest.fail(str(exc), pytrace=False)


# The modlc half: every case side by side in one network per backend (they are independent), so
# JAX compiles once.

def build() -> tuple[Network, dict]:
    net = Network(celsius=6.3, v_init=-65.0)
    handles = {}
    for kind, cases in (("IntFire2", INTFIRE2),):
        for case, (params, inputs) in cases.items():
            cell = net.artificial(lm.mod(STEMS[kind]), **params)
            for times, w in inputs:
                net.connect(net.spike_train(times), cell, weight=w, delay=0.5)
            net.connect(cell, None)
            for var in INTFIRE_VARS[kind] + INTFIRE_TAUS[kind]:
                net.record(f"{kind}{case}.{var}", var, point=cell)
            handles[f"{kind}{case}"] = cell
    for case, synapses in ALPHA.items():
        k = lm.soma(net, f"alpha_{case}")
        net.insert(lm.mod(case), k)
        net.record(f"Alpha{case}.v", "v", at=lm.at(k))
        for j, params in enumerate(synapses):
            syn = net.place(lm.mod("alphasynapse"), at=lm.at(k), **params)
            net.record(f"Alpha{case}.i{j}", "i", point=syn)
    return net, handles


@pytest.fixture(scope="module")
def modlc_runs():
    """{backend: (Result, {case: artificial cell})} on JAX and NumPy, float64, to TSTOP."""
    out = {}
    for backend in lm.BACKENDS:
        net, handles = build()
        with np.errstate(divide="ignore", invalid="ignore"):   # NumPy evaluates every branch of
            # firetime()/firetimebound(), also those whose division the taken branch avoids
            out[backend] = (lm.run(net, TSTOP, [backend])[backend], handles)
    return out


def spikes_before_end(times) -> np.ndarray:
    """Spikes before the last step: at the very end NEURON also delivers events due by
    tstop + dt/2, modlc none due at tstop (README, limitations)."""
    times = np.asarray(times, dtype=float)
    return times[times < TSTOP - lm.DT]


def assert_same_train(got, ref, figure, what):
    """The same number of spikes before the last step, their times within 10x the case's FIGURE
    (see FIGURES for what sets it)."""
    got, ref = spikes_before_end(got), spikes_before_end(ref)
    assert len(got) == len(ref), f"{what}: {len(got)} spikes vs {len(ref)}: {got} vs {ref}"
    worst = float(np.abs(got - ref).max()) if len(ref) else 0.0
    print(f"{what}: {len(ref)} spikes, max |dt| {worst:.3g} ms")
    parity.assert_rounding_level(worst, figure, f"{what} spike times")


@pytest.mark.vs_neuron
def test_default_parameters_equal_builtins(oracle):
    """Our files' PARAMETER defaults, as NEURON compiles them and as modlc reads them, equal the
    built-ins'."""
    metas = {name: load(MECH_DIR / f"{stem}.mod", backend="numpy").META for name, stem in STEMS.items()}
    for key, (ref, ours) in oracle["defaults"].items():
        mech, var = key.split(".")
        assert ours == ref, f"default of {key} in NEURON: our file {ours!r} vs built-in {ref!r}"
        mine = next(x["default"] for x in metas[mech]["variables"] if x["name"] == var)
        assert mine == ref, f"default of {key}: modlc {mine!r} vs NEURON built-in {ref!r}"


def check_intfire(oracle, modlc_runs, kind, case):
    r = oracle[kind][case]
    figures = FIGURES[(kind, case)]
    ref, ours = r["spikes"]
    assert ours == ref, f"{kind} {case}: NEURON with our file {ours} vs built-in {ref}"
    for var, d in r["diff"].items():
        assert d == 0.0, f"{kind} {case}: NEURON with our file, max |d{var}| = {d:.3e}"
    assert r["taus"][0] == r["taus"][1], r["taus"]
    n_inputs = sum(len(times) for times, _ in INTFIRE2[case][1])
    assert 5 <= len(spikes_before_end(ref)) < 3 * n_inputs, f"{kind} {case}: trivial output {ref}"
    for backend, (result, handles) in modlc_runs.items():
        name = f"{kind}{case}"
        assert_same_train(result.spikes(handles[name]), ref, figures["spikes"], f"modlc {backend} {kind} {case}")
        for var, value in r["taus"][0].items():   # the time constants as INITIAL left them
            assert result[f"{name}.{var}"][-1] == value, (var, result[f"{name}.{var}"][-1], value)
        dev = {var: lm.deviation(r["ref"][var], result[f"{name}.{var}"]) for var in INTFIRE_VARS[kind]}
        print(f"modlc {backend} vs built-in {kind} {case}:", {k: f"{d:.3g}" for k, d in dev.items()})
        for var, d in dev.items():
            parity.assert_rounding_level(d, figures[var], f"{kind} {case} {var} on {backend}")


@pytest.mark.parametrize("case", list(INTFIRE2))
@pytest.mark.vs_neuron
def test_intfire2_matches_builtin(oracle, modlc_runs, case):
    """Spike times, m and i: NEURON running our intfire2.mod == built-in exactly; modlc running
    it: spike times, m and i to rounding level."""
    check_intfire(oracle, modlc_runs, "IntFire2", case)


@pytest.mark.parametrize("case", list(ALPHA))
@pytest.mark.vs_neuron
def test_alphasynapse_matches_builtin(oracle, modlc_runs, case):
    """v and i: NEURON running our alphasynapse.mod == built-in exactly; modlc running it: to
    rounding level (and so far inside the 1e-6 mV that a model port needs)."""
    r = oracle["AlphaSynapse"][case]
    for k, d in r["diff"].items():
        assert d == 0.0, f"NEURON with our alphasynapse.mod vs built-in AlphaSynapse {case}: max |d{k}| = {d:.3e}"
    peaks = [max(abs(x) for x in r["ref"][f"i{j}"]) for j in range(len(ALPHA[case]))]
    assert min(peaks) > 0.01, f"synapses not driven: peak |i| {peaks} nA"
    if case == "hh":
        assert max(r["ref"]["v"]) > 0.0, "the hh cell did not fire"
    figure = ALPHA_FIGURE[case]
    for backend, (result, _) in modlc_runs.items():
        dev = {k: lm.deviation(r["ref"][k], result[f"Alpha{case}.{k}"], same_length=False) for k in r["ref"]}
        print(f"modlc {backend} vs built-in AlphaSynapse {case}:", {k: f"{d:.3g}" for k, d in dev.items()})
        for k, d in dev.items():
            parity.assert_rounding_level(d, figure[k.rstrip("01")], f"AlphaSynapse {case} {k} on {backend}")
