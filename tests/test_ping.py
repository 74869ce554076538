"""The PING network's cells (mechanisms/rtm.mod, wb.mod) and its gamma rhythm (examples/ping.py).

1. rtm.mod and wb.mod against NEURON 9: one reduced Traub-Miles E cell and one Wang-Buzsaki I
   cell, each driven by an IClamp, coupled E -> I (ExpSyn, e = 0, tau 2 ms) and I -> E (ExpSyn,
   e = -75, tau 9 ms) through NetCons, 150 ms; then both cells started exactly at each removable
   0/0 point of the rate functions. Same .mod files, same dt and initial v; modlc runs on JAX in
   float64, with NEURON's difference-quotient dI/dv and with the exact one.
2. The default network of examples/ping.py (fixed seed) oscillates in the gamma band: the E
   population rate's spectral peak lies in 30-40 Hz, and E and I cells both fire.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from modlc.runtime import Cell, Mechanism, Network, Simulation

ROOT = Path(__file__).resolve().parent.parent
MECH = ROOT / "mechanisms"
sys.path.insert(0, str(ROOT / "examples"))

FILES = {"rtm": MECH / "rtm.mod", "wb": MECH / "wb.mod", "ExpSyn": MECH / "expsyn.mod", "IClamp": MECH / "iclamp.mod"}
DIAM = float(np.sqrt(1e4 / np.pi))  # µm: L = diam gives 1e4 µm2 = 1e-4 cm2
DT, TSTOP, V_INIT = 0.025, 150.0, -65.0
# (cell, IClamp del, dur, amp nA): E driven throughout (1.4 µA/cm2), I by a pulse on top of its E input
CLAMPS = [("e", 2.0, 1e9, 0.14), ("i", 100.0, 30.0, 0.08)]
SYNAPSES = [("e", "i", 0.0, 2.0, 0.03, 1.0), ("i", "e", -75.0, 9.0, 0.02, 1.5)]  # pre, post, e, tau, weight uS, delay
SINGULAR = [-54.0, -27.0, -52.0, -35.0, -34.0]  # a_m, b_m, a_n of RTM; a_m, a_n of WB: 0/0 there
T_SINGULAR = 1.0
STATES = ["v", "m", "h", "n"]

NEURON_SCRIPT = r'''
h.load_file("stdrun.hoc")
h.dt = DT
h.celsius = 6.3
cells = {}
for name, suffix in (("e", NAMES["rtm"]), ("i", NAMES["wb"])):
    s = h.Section(name=name)
    s.L, s.diam, s.nseg = DIAM, DIAM, 1
    s.insert(suffix)
    cells[name] = (s, suffix)
keep = []
for name, delay, dur, amp in CLAMPS:
    c = getattr(h, NAMES["IClamp"])(cells[name][0](0.5))
    setattr(c, "del", delay)
    c.dur, c.amp = dur, amp
    keep.append(c)
for pre, post, e, tau, w, delay in SYNAPSES:
    syn = getattr(h, NAMES["ExpSyn"])(cells[post][0](0.5))
    syn.e, syn.tau = e, tau
    nc = h.NetCon(cells[pre][0](0.5)._ref_v, syn, sec=cells[pre][0])
    nc.threshold, nc.delay, nc.weight[0] = 0.0, delay, w
    keep += [syn, nc]
spikes = {}
for name, (s, suffix) in cells.items():
    spikes[name] = h.Vector()
    det = h.NetCon(s(0.5)._ref_v, None, sec=s)
    det.threshold = 0.0
    det.record(spikes[name])
    keep.append(det)


def record():
    r = {}
    for name, (s, suffix) in cells.items():
        seg = s(0.5)
        r[f"v_{name}"] = h.Vector().record(seg._ref_v)
        for x in ("m", "h", "n"):
            r[f"{x}_{name}"] = h.Vector().record(getattr(seg, f"_ref_{x}_{suffix}"))
    return r


def run(tstop, v_init):
    r = record()
    h.finitialize(v_init)
    h.continuerun(tstop)
    return {k: list(v) for k, v in r.items()}


out = {"main": run(TSTOP, V_INIT)}
out["main"]["spikes_e"], out["main"]["spikes_i"] = list(spikes["e"]), list(spikes["i"])
for v0 in SINGULAR:
    out[str(v0)] = run(T_SINGULAR, v0)
emit(out)
'''


@pytest.fixture(scope="module")
def neuron(tmp_path_factory):
    pytest.importorskip("neuron")
    from neuron_oracle import compile_mechanisms, run_neuron

    compiled = compile_mechanisms(list(FILES.values()), tmp_path_factory.mktemp("ping"))
    prelude = "\n".join(f"{k} = {v!r}" for k, v in dict(DT=DT, TSTOP=TSTOP, V_INIT=V_INIT, DIAM=DIAM, CLAMPS=CLAMPS,
                                                         SYNAPSES=SYNAPSES, SINGULAR=SINGULAR,
                                                         T_SINGULAR=T_SINGULAR).items())
    return run_neuron(prelude + "\n" + NEURON_SCRIPT, compiled, timeout=300)


def pair(conductance: str) -> tuple[Network, dict]:
    """The same two cells in modlc."""
    net = Network()
    soma = Cell("soma")
    soma.section("soma", L=DIAM, diam=DIAM)
    at = {}
    for name, suffix in (("e", "rtm"), ("i", "wb")):
        k = net.add_cell(soma)
        net.insert(Mechanism(FILES[suffix], conductance), k)
        at[name] = (k, "soma", 0.5)
        net.record(f"v_{name}", "v", at=at[name])
        for x in ("m", "h", "n"):
            net.record(f"{x}_{name}", f"{x}_{suffix}", at=at[name])
    for name, delay, dur, amp in CLAMPS:
        net.place(FILES["IClamp"], at=at[name], **{"del": delay, "dur": dur, "amp": amp})
    for pre, post, e, tau, w, delay in SYNAPSES:
        syn = net.place(FILES["ExpSyn"], at=at[post], e=e, tau=tau)
        net.connect(at[pre], syn, weight=w, delay=delay, threshold=0.0)
    detectors = {}
    for name in at:
        net.connect(at[name], None, threshold=0.0)
        detectors[name] = net.location(at[name])
    return net, detectors


@pytest.mark.parametrize("conductance", ["numeric", "symbolic"])
def test_rtm_and_wb_match_neuron(neuron, conductance):
    ref = neuron["main"]
    # the comparison means something: both cells fire repeatedly, the I cell also from its E input alone
    assert len(ref["spikes_e"]) >= 5 and len(ref["spikes_i"]) >= 5, (ref["spikes_e"], ref["spikes_i"])
    assert any(t < CLAMPS[1][1] for t in ref["spikes_i"]), ref["spikes_i"]
    assert max(ref["v_e"]) > 20 and max(ref["v_i"]) > 20
    net, detectors = pair(conductance)
    sim = Simulation(net, backend="jax", dtype="float64", dt=DT)
    result = sim.run(TSTOP, v_init=V_INIT)
    dev = {}
    for name, expected in ref.items():
        if name.startswith("spikes"):
            continue
        got = result[name]
        assert got.shape == (len(expected),), (name, got.shape, len(expected))
        dev[name] = float(np.abs(got - np.asarray(expected)).max())
    for name in ("e", "i"):
        got, expected = result.spikes(detectors[name]), np.asarray(ref[f"spikes_{name}"])
        assert len(got) == len(expected), (name, got, expected)
        dev[f"spikes_{name}"] = float(np.abs(got - expected).max())
    print(f"RTM/WB vs NEURON ({conductance} dI/dv), worst |difference| (mV, gates, ms):",
          {k: f"{v:.2e}" for k, v in dev.items()})
    assert max(dev["v_e"], dev["v_i"]) <= 1e-6, dev
    assert max(v for k, v in dev.items() if k[0] in "mhn") <= 1e-8, dev
    assert max(dev["spikes_e"], dev["spikes_i"]) <= 1e-6, dev

    # started exactly at a removable singularity of a rate function: finite, and as in NEURON
    worst = 0.0
    for v0 in SINGULAR:
        r = sim.run(T_SINGULAR, v_init=v0)
        for name, expected in neuron[str(v0)].items():
            assert np.isfinite(r[name]).all(), (v0, name)
            worst = max(worst, float(np.abs(r[name] - np.asarray(expected)).max()))
    print(f"started at the 0/0 points {SINGULAR} mV: worst |difference| {worst:.2e}")
    assert worst <= 1e-6


def test_default_network_oscillates_in_the_gamma_band():
    import ping

    run = ping.simulate("jax", dtype="float64", seed=1)
    print(f"PING default ({run.cells} cells, {run.tstop:g} ms): peak {run.peak_hz:.1f} Hz, E {run.mean_rate_e:.1f} Hz, "
          f"I {run.mean_rate_i:.1f} Hz, {run.e_spikes} E and {run.i_spikes} I spikes, {run.seconds:.1f} s")
    assert run.info.n_e > 0 and run.info.n_i > 0
    assert run.e_spikes > run.info.n_e and run.i_spikes > run.info.n_i  # both populations fire, more than once a cell
    assert 30.0 <= run.peak_hz <= 40.0, run.peak_hz
    # a rhythm, not noise: the peak stands well above the rest of the 5-200 Hz spectrum's mean
    band = (run.freqs >= 5) & (run.freqs <= 200)
    assert run.power[band].max() > 10 * run.power[band].mean()
