"""The PING network's cells (mechanisms/rtm.mod, wb.mod) and its gamma rhythm (examples/ping.py).

1. rtm.mod and wb.mod against NEURON 9: one reduced Traub-Miles E cell and one Wang-Buzsaki I
   cell, each driven by an IClamp, coupled E -> I (ExpSyn, e = 0, tau 2 ms) and I -> E (ExpSyn,
   e = -75, tau 9 ms) through NetCons, 150 ms; then both cells started exactly at each removable
   0/0 point of the rate functions. Same .mod files, same dt and initial v; modlc runs on JAX and
   NumPy in float64, with NEURON's difference-quotient dI/dv and with the exact one. Every recorded
   trace is asserted at rounding level (tests/parity.py; PAIR_FIGURE, SINGULAR_FIGURE), and the
   spikes fall in the same steps.
2. The default network of examples/ping.py (200 cells, seed 1, 500 ms) oscillates in the gamma
   band: the E population rate's spectral peak lies in 30-40 Hz, and E and I cells both fire.
3. The same network in NEURON (built from the modlc Network object itself: the same cells, .mod
   files, IClamp amplitudes and onsets, ExpSyns, NetCons with their weights, delays and thresholds;
   ~1-2 s in NEURON): the two rasters are identical over the whole 500 ms (3271 spikes, every one
   in the same step), the two recorded voltage traces agree at rounding level (NETWORK_FIGURE),
   NEURON's own spectral peak lies in 30-40 Hz, and the example's statistics of NEURON's raster
   equal modlc's. How much each check can see (measured in NEURON): every drive scaled by 1 + 1e-4
   moves a spike to another step at 14 ms, by 1 + 1e-6 at 344 ms; by 1 + 1e-9 the raster stays the
   same but v_E moves by 3.5e-5 mV, 6e4 times NETWORK_FIGURE. Seeds 1-12 (measured, not run here):
   identical rasters for all twelve, peaks 34.4-36.9 Hz in both simulators.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

import parity
from neuron_network import run as neuron_network_run
from modlc.runtime import Cell, Mechanism, Network, Simulation

ROOT = Path(__file__).resolve().parent.parent
MECH = ROOT / "mechanisms"
sys.path.insert(0, str(ROOT / "examples"))
sys.path.insert(0, str(ROOT / "tests"))

FILES = {"rtm": MECH / "rtm.mod", "wb": MECH / "wb.mod", "ExpSyn": MECH / "expsyn.mod", "IClamp": MECH / "iclamp.mod"}
DIAM = float(np.sqrt(1e4 / np.pi))  # µm: L = diam gives 1e4 µm2 = 1e-4 cm2
DT, TSTOP, V_INIT = 0.025, 150.0, -65.0
# (cell, IClamp del, dur, amp nA): E driven throughout (1.4 µA/cm2), I by a pulse on top of its E input
CLAMPS = [("e", 2.0, 1e9, 0.14), ("i", 100.0, 30.0, 0.08)]
SYNAPSES = [("e", "i", 0.0, 2.0, 0.03, 1.0), ("i", "e", -75.0, 9.0, 0.02, 1.5)]  # pre, post, e, tau, weight uS, delay
SINGULAR = [-54.0, -27.0, -52.0, -35.0, -34.0]  # a_m, b_m, a_n of RTM; a_m, a_n of WB: 0/0 there
T_SINGULAR = 1.0
STATES = ["v", "m", "h", "n"]
BACKENDS = ["jax", "numpy"]

# Rounding level (tests/parity.py): the largest |modlc - NEURON| of each trace, measured over JAX
# 0.10 and NumPy, each with numeric and symbolic dI/dv (mV for v, gates dimensionless). Worst
# cases: v_e 9.1e-10 (NumPy, numeric), v_i 1.06e-9 (NumPy, symbolic). Spike times: same step.
PAIR_FIGURE = {"v_e": 9.2e-10, "m_e": 9.0e-12, "h_e": 1.7e-12, "n_e": 8.1e-13,
               "v_i": 1.1e-9, "m_i": 1.4e-11, "h_i": 3.1e-12, "n_i": 4.4e-12}
# The same, worst over the five 1-ms runs started exactly at a 0/0 point of a rate (v_e: 3.6e-10, symbolic)
SINGULAR_FIGURE = {"v_e": 3.7e-10, "m_e": 3.4e-12, "h_e": 4.3e-13, "n_e": 3.3e-13,
                   "v_i": 2.9e-12, "m_i": 5.4e-14, "h_i": 2.2e-14, "n_i": 1.6e-14}
# The default network against NEURON: the two voltage traces the example records, over 500 ms
# (measured: v_E 5.9e-10 mV on JAX, 5.8e-10 on NumPy; v_I 7.5e-11 on both)
NETWORK_FIGURE = {"v_E": 6.0e-10, "v_I": 7.5e-11}
SEED = 1

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
def compiled(tmp_path_factory):
    from neuron_oracle import compile_mechanisms

    return compile_mechanisms(list(FILES.values()), tmp_path_factory.mktemp("ping"))


@pytest.fixture(scope="module")
def neuron(compiled):
    from neuron_oracle import run_neuron

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


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("conductance", ["numeric", "symbolic"])
@pytest.mark.vs_neuron
def test_rtm_and_wb_match_neuron(neuron, conductance, backend):
    ref = neuron["main"]
    # the comparison means something: both cells fire repeatedly, the I cell also from its E input alone
    assert len(ref["spikes_e"]) >= 5 and len(ref["spikes_i"]) >= 5, (ref["spikes_e"], ref["spikes_i"])
    assert any(t < CLAMPS[1][1] for t in ref["spikes_i"]), ref["spikes_i"]
    assert max(ref["v_e"]) > 20 and max(ref["v_i"]) > 20
    net, detectors = pair(conductance)
    sim = Simulation(net, backend=backend, dtype="float64", dt=DT)
    result = sim.run(TSTOP, v_init=V_INIT)
    traces = [k for k in ref if not k.startswith("spikes")]
    assert sorted(traces) == sorted(PAIR_FIGURE), traces  # every trace NEURON recorded has its figure
    dev = parity.deviations(ref, result, traces)
    print(f"RTM/WB vs NEURON ({backend}, {conductance} dI/dv), worst |difference| (mV, gates):",
          {k: f"{v:.2e}" for k, v in dev.items()})
    for name, d in dev.items():
        parity.assert_rounding_level(d, PAIR_FIGURE[name], f"{name} ({backend}, {conductance} dI/dv)")
    for name in ("e", "i"):
        got, expected = result.spikes(detectors[name]), np.asarray(ref[f"spikes_{name}"])
        parity.assert_same_spikes(got, expected, TSTOP, DT, f"{name} cell ({backend}, {conductance} dI/dv)")
        print(f"  {name} cell: {len(got)} spikes, worst |time difference| {np.abs(got - expected).max():.1e} ms")

    # started exactly at a removable singularity of a rate function: finite, and as in NEURON
    worst = dict.fromkeys(SINGULAR_FIGURE, 0.0)
    for v0 in SINGULAR:
        r = sim.run(T_SINGULAR, v_init=v0)
        assert sorted(neuron[str(v0)]) == sorted(SINGULAR_FIGURE)
        for name, d in parity.deviations(neuron[str(v0)], r, SINGULAR_FIGURE).items():
            assert np.isfinite(r[name]).all(), (v0, name)
            worst[name] = max(worst[name], d)
    print(f"started at the 0/0 points {SINGULAR} mV: worst |difference|", {k: f"{v:.2e}" for k, v in worst.items()})
    for name, d in worst.items():
        parity.assert_rounding_level(d, SINGULAR_FIGURE[name], f"{name} from the 0/0 points ({backend}, {conductance})")


@pytest.fixture(scope="module")
def ping_run():
    """The example's default network on JAX in float64, as `python examples/ping.py` runs it."""
    import ping

    return ping.simulate("jax", dtype="float64", seed=SEED)


@pytest.mark.vs_published
def test_default_network_oscillates_in_the_gamma_band(ping_run):
    run = ping_run
    print(f"PING default ({run.cells} cells, {run.tstop:g} ms): peak {run.peak_hz:.1f} Hz, E {run.mean_rate_e:.1f} Hz, "
          f"I {run.mean_rate_i:.1f} Hz, {run.e_spikes} E and {run.i_spikes} I spikes, {run.seconds:.1f} s")
    assert run.info.n_e > 0 and run.info.n_i > 0
    assert run.e_spikes > run.info.n_e and run.i_spikes > run.info.n_i  # both populations fire, more than once a cell
    assert 30.0 <= run.peak_hz <= 40.0, run.peak_hz
    # a rhythm, not noise: the peak stands well above the rest of the 5-200 Hz spectrum's mean
    band = (run.freqs >= 5) & (run.freqs <= 200)
    assert run.power[band].max() > 10 * run.power[band].mean()


@pytest.fixture(scope="module")
def neuron_network(compiled, tmp_path_factory):
    """The default network in NEURON (tests/neuron_network.py), recording the cells of info.traces."""
    import ping

    net, info = ping.build(ping.CELLS, SEED)
    return neuron_network_run(net, compiled, tmp_path_factory.mktemp("ping_network"), DT, ping.TSTOP,
                              list(info.traces.values()))


@pytest.mark.vs_neuron
def test_default_network_matches_neuron(ping_run, neuron_network):
    import ping

    run, ref = ping_run, neuron_network
    info = run.info
    ref_t, ref_cell = ref.spike_times, ref.spike_cells
    # Spike by spike: every cell fires the same spikes in the same steps over the whole run, though
    # the network is chaotic (a difference of one spike would grow; none appears in 500 ms)
    worst = 0.0
    for k in range(run.cells):
        got, expected = run.spike_times[run.spike_cells == k], ref.spikes_of(k)
        parity.assert_same_spikes(got, expected, run.tstop, DT, f"PING cell {k} (modlc JAX vs NEURON)")
        worst = max(worst, float(np.abs(got - expected).max(initial=0.0)))
    dev = parity.deviations(dict(zip(info.traces, ref.v)), run.result, NETWORK_FIGURE)
    for name, d in dev.items():
        parity.assert_rounding_level(d, NETWORK_FIGURE[name], f"PING {name}, cell {info.traces[name]}")

    # The example's statistics of NEURON's raster. NEURON's spike times are its t, summed step by
    # step (t += dt), + 1e-10 ms, so a spike in the step ending at an integer ms (every 40th step)
    # lies a few 1e-10 ms below or above it, while the example's 1-ms bins have their edges there:
    # half of those spikes land in the bin before. Taken at its step's time k dt (which is what
    # assert_same_spikes equates), NEURON's raster gives exactly modlc's numbers; as NEURON reports
    # it, the peak moves by one 0.12 Hz step of the zero-padded spectrum (seed 1: 35.52 vs 35.40).
    raw = ping.measure(ref_t, ref_cell, info, run.tstop)
    step = ping.measure(np.round(ref_t / DT) * DT, ref_cell, info, run.tstop)
    print(f"PING seed {SEED}: {len(ref_t)} spikes in both, NEURON {ref.seconds:.1f} s; peak Hz / E Hz / I Hz: "
          f"modlc {run.peak_hz:.2f} / {run.mean_rate_e:.2f} / {run.mean_rate_i:.2f}, NEURON {raw[5]:.2f} / "
          f"{raw[6]:.2f} / {raw[7]:.2f} (at step times {step[5]:.2f} / {step[6]:.2f} / {step[7]:.2f}); "
          f"|difference|: spike times {worst:.1e} ms, " + ", ".join(f"{k} {v:.2e} mV" for k, v in dev.items()))
    assert 30.0 <= raw[5] <= 40.0 and 30.0 <= step[5] <= 40.0, (raw[5], step[5])  # NEURON's own peak: gamma
    assert (step[5], step[6], step[7]) == (run.peak_hz, run.mean_rate_e, run.mean_rate_i), (step[5:], run.peak_hz)
    assert abs(raw[5] - run.peak_hz) <= 2 * 1e3 / 8192  # the bin-edge effect above: at most 2 steps of the grid
