"""Models built twice, once in NEURON and once with modlc.runtime, from the same .mod files.

Each scenario has a NEURON half (a function in NEURON_SCRIPT, run in one NEURON subprocess for
all scenarios) and a modlc half (a builder returning a Network). Both record the same names.
NEURON loads mechanisms/*.mod renamed to modlc_<name> (see neuron_oracle), so the very files
modlc compiles are what NEURON runs.
"""

from __future__ import annotations

from pathlib import Path

from modlc.runtime import Cell, Mechanism, Network

MECH = Path(__file__).resolve().parent.parent / "mechanisms"
FILES = {name: MECH / f"{stem}.mod" for name, stem in [
    ("hh", "hh"), ("pas", "pas"), ("IClamp", "iclamp"), ("ExpSyn", "expsyn"), ("Exp2Syn", "exp2syn"),
    ("NetStim", "netstim"), ("IntFire1", "intfire1"), ("cad", "cad"), ("cal", "cal"), ("kchan", "kchan"),
    ("Gap", "gap"), ("Cx36", "cx36"), ("SEClamp", "seclamp")]}
FILES["blocks"] = Path(__file__).resolve().parent / "data" / "runtime" / "blocks.mod"  # BEFORE/AFTER blocks
DT = 0.025

# ---------------------------------------------------------------------------------------------
# The NEURON half. NAMES maps our mechanism names to the renamed ones; emit() returns JSON.
NEURON_SCRIPT = r'''
h.load_file("stdrun.hoc")
h.dt = 0.025
M = {k: getattr(h, v) if k[0].isupper() else v for k, v in NAMES.items()}
S = {k: v for k, v in NAMES.items()}


def soma(name, L=20.0, diam=20.0):
    s = h.Section(name=name)
    s.L, s.diam, s.nseg = L, diam, 1
    return s


def clamp(seg, delay, dur, amp):
    c = M["IClamp"](seg)
    setattr(c, "del", delay)
    c.dur, c.amp = dur, amp
    return c


def run(tstop, v_init=-65.0):
    h.celsius = 6.3
    h.finitialize(v_init)
    h.continuerun(tstop)


def vec(ref):
    return h.Vector().record(ref)


def out(d):
    return {k: list(v) for k, v in d.items()}


def single(conductance_tag):
    s = soma("single")
    s.insert(S["hh"])
    c = clamp(s(0.5), 5.0, 30.0, 0.1)
    seg = s(0.5)
    r = {"v": vec(seg._ref_v), "m": vec(getattr(seg, "_ref_m_" + S["hh"])), "gna": vec(getattr(seg, "_ref_gna_" + S["hh"])),
         "minf": vec(getattr(seg, "_ref_minf_" + S["hh"])), "ina": vec(seg._ref_ina)}
    run(50.0)
    return out(r)


def branched():
    s = soma("soma")
    d1 = h.Section(name="d1"); d1.L, d1.diam, d1.nseg = 200.0, 2.0, 21
    d2 = h.Section(name="d2"); d2.L, d2.diam, d2.nseg = 150.0, 1.5, 15
    d3 = h.Section(name="d3"); d3.L, d3.diam, d3.nseg = 150.0, 1.0, 15
    ax = h.Section(name="ax"); ax.L, ax.diam, ax.nseg = 300.0, 1.0, 25
    d1.connect(s(1)); d2.connect(d1(1)); d3.connect(d1(0.5)); ax.connect(s(0))
    for sec in (s, d1, d2, d3, ax):
        sec.Ra = 100.0
        sec.insert(S["hh"])
    for sec in (d1, d2, d3):
        sec.insert(S["pas"])
        for seg in sec:
            setattr(seg, "g_" + S["pas"], 2e-4)
            setattr(seg, "gnabar_" + S["hh"], 0.06)
    c = clamp(s(0.5), 1.0, 1.0, 1.5)
    r = {}
    for sec in (s, d1, d2, d3, ax):
        for seg in sec:
            r[f"{sec.name()}({seg.x:.6f})"] = vec(seg._ref_v)
        r[f"{sec.name()}(1)"] = vec(sec(1)._ref_v)
    run(15.0)
    return out(r)


def two_cells():
    a, b = soma("a"), soma("b")
    a.insert(S["hh"]); b.insert(S["hh"])
    c = clamp(a(0.5), 2.0, 40.0, 0.15)
    syn = M["Exp2Syn"](b(0.5)); syn.tau1, syn.tau2 = 0.5, 3.0
    nc = h.NetCon(a(0.5)._ref_v, syn, sec=a); nc.threshold, nc.delay, nc.weight[0] = 0.0, 3.0, 0.05
    ta, tb = h.Vector(), h.Vector()
    nc.record(ta)
    det = h.NetCon(b(0.5)._ref_v, None, sec=b); det.threshold = 0.0
    det.record(tb)
    r = {"va": vec(a(0.5)._ref_v), "vb": vec(b(0.5)._ref_v), "g": vec(syn._ref_g)}
    run(50.0)
    res = out(r)
    res["spikes_a"], res["spikes_b"] = list(ta), list(tb)
    return res


def netstim_expsyn():
    s = soma("s"); s.insert(S["hh"])
    syn = M["ExpSyn"](s(0.5)); syn.tau = 2.0
    ns = M["NetStim"](); ns.start, ns.interval, ns.number, ns.noise = 5.0, 10.0, 4, 0
    nc = h.NetCon(ns, syn); nc.delay, nc.weight[0] = 1.0, 0.02
    t = h.Vector(); nc.record(t)
    r = {"v": vec(s(0.5)._ref_v), "g": vec(syn._ref_g)}
    run(50.0)
    res = out(r)
    res["stim"] = list(t)
    return res


def intfire():
    ns = M["NetStim"](); ns.start, ns.interval, ns.number, ns.noise = 1.0, 2.0, 20, 0
    cells = [M["IntFire1"]() for _ in range(3)]
    cells[1].tau = 5.0
    cells[2].refrac, cells[2].tau = 2.0, 20.0
    links = [(ns, cells[0], 0.4, 0.5), (cells[0], cells[1], 1.1, 1.0), (cells[1], cells[2], 0.7, 2.0),
             (cells[2], cells[0], 0.3, 1.5)]
    ncs = []
    for src, tgt, w, d in links:
        nc = h.NetCon(src, tgt); nc.weight[0], nc.delay = w, d
        ncs.append(nc)
    spikes = []
    for cell in cells:
        v = h.Vector(); nc = h.NetCon(cell, None); nc.record(v); ncs.append(nc); spikes.append(v)
    run(60.0)
    return {f"spikes_{i}": list(v) for i, v in enumerate(spikes)}


def calcium():
    s = soma("ca")
    for m in ("hh", "cal", "cad"):
        s.insert(S[m])
    setattr(s(0.5), "gcabar_" + S["cal"], 2e-3)
    c = clamp(s(0.5), 2.0, 30.0, 0.2)
    seg = s(0.5)
    r = {"v": vec(seg._ref_v), "cai": vec(seg._ref_cai), "eca": vec(seg._ref_eca), "ica": vec(seg._ref_ica)}
    run(40.0)
    return out(r)


def kinetic():
    s = soma("kin")
    s.insert(S["kchan"]); s.insert(S["pas"])
    setattr(s(0.5), "g_" + S["pas"], 1e-4)
    c = clamp(s(0.5), 2.0, 20.0, 0.3)
    r = {"v": vec(s(0.5)._ref_v), "ik": vec(s(0.5)._ref_ik)}
    run(30.0)
    return out(r)


def gaps():
    cells = [soma(f"g{i}") for i in range(4)]
    for c in cells:
        c.insert(S["hh"])
    stims = [clamp(cells[0](0.5), 2.0, 20.0, 0.3), clamp(cells[2](0.5), 2.0, 20.0, 0.3)]
    junctions = []
    for (i, j), mech, g in (((0, 1), "Gap", 0.02), ((2, 3), "Cx36", 0.05)):
        a, b = M[mech](cells[i](0.5)), M[mech](cells[j](0.5))
        a.g = b.g = g
        h.setpointer(cells[j](0.5)._ref_v, "vgap", a)
        h.setpointer(cells[i](0.5)._ref_v, "vgap", b)
        junctions += [a, b]
    r = {f"v{i}": vec(c(0.5)._ref_v) for i, c in enumerate(cells)}
    r["i_cx36"] = vec(junctions[2]._ref_i)
    run(30.0)
    return out(r)


def voltage_clamp():
    s = soma("vc"); s.insert(S["hh"])
    c = M["SEClamp"](s(0.5))
    c.dur1, c.amp1, c.dur2, c.amp2, c.dur3, c.amp3, c.rs = 5.0, -70.0, 10.0, -10.0, 5.0, -60.0, 0.01
    r = {"v": vec(s(0.5)._ref_v), "i": vec(c._ref_i)}
    run(25.0)
    return out(r)


def blocks():
    s = soma("blocks")
    s.insert(S["hh"]); s.insert(S["blocks"])
    c = clamp(s(0.5), 1.0, 5.0, 0.2)
    seg = s(0.5)
    r = {name: vec(getattr(seg, f"_ref_{name}_" + S["blocks"])) for name in ("n_bi", "n_ai", "n_bb", "n_as", "n_bs", "vsum", "tb")}
    run(10.0)
    return out(r)


emit({"blocks": blocks(), "gaps": gaps(), "voltage_clamp": voltage_clamp(), "single": single("numeric"), "branched": branched(), "two_cells": two_cells(),
      "netstim_expsyn": netstim_expsyn(), "intfire": intfire(), "calcium": calcium(), "kinetic": kinetic()})
'''


# ---------------------------------------------------------------------------------------------
# The modlc half.
def soma_cell(net: Network, name: str, L: float = 20.0, diam: float = 20.0) -> int:
    """A one-compartment cell (NEURON's defaults: nseg 1, cm 1 uF/cm2); its index in net."""
    cell = Cell(name)
    cell.section("soma", L=L, diam=diam)
    return net.add_cell(cell)


def iclamp(net: Network, at, delay: float, dur: float, amp: float):
    """mechanisms/iclamp.mod at a location ('del' is a Python keyword, hence the dict)."""
    return net.place(FILES["IClamp"], at=at, **{"del": delay, "dur": dur, "amp": amp})


def single(conductance: str = "numeric") -> tuple[Network, float]:
    net = Network()
    k = soma_cell(net, "single")
    net.insert(Mechanism(FILES["hh"], conductance), k)
    iclamp(net, (k, "soma", 0.5), 5.0, 30.0, 0.1)
    net.record("v", "v", at=(k, "soma", 0.5))
    net.record("m", "m_hh", at=(k, "soma", 0.5))
    # assigned variables no kernel reads, and an ion current nothing reads: kept only because recorded
    net.record("gna", "gna_hh", at=(k, "soma", 0.5))
    net.record("minf", "minf_hh", at=(k, "soma", 0.5))
    net.record("ina", "ina", at=(k, "soma", 0.5))
    return net, 50.0


BRANCHES = [("soma", 20.0, 20.0, 1, None, 1.0), ("d1", 200.0, 2.0, 21, "soma", 1.0), ("d2", 150.0, 1.5, 15, "d1", 1.0),
            ("d3", 150.0, 1.0, 15, "d1", 0.5), ("ax", 300.0, 1.0, 25, "soma", 0.0)]


def branched() -> tuple[Network, float]:
    net = Network()
    cell = Cell("branched")
    for name, L, diam, nseg, parent, x in BRANCHES:
        cell.section(name, L=L, diam=diam, nseg=nseg, Ra=100.0, parent=parent, parent_x=x)
    k = net.add_cell(cell)
    net.insert(FILES["hh"], k, where="all")
    net.insert(FILES["hh"], k, where=["d1", "d2", "d3"], gnabar=0.06)
    net.insert(FILES["pas"], k, where=["d1", "d2", "d3"], g=2e-4)
    iclamp(net, (k, "soma", 0.5), 1.0, 1.0, 1.5)
    for name, L, diam, nseg, parent, x in BRANCHES:
        for j in range(nseg):
            xc = (j + 0.5) / nseg
            net.record(f"{name}({xc:.6f})", "v", at=(k, name, xc))
        net.record(f"{name}(1)", "v", at=(k, name, 1.0))
    return net, 15.0


def two_cells():
    net = Network()
    a, b = soma_cell(net, "a"), soma_cell(net, "b")
    for k in (a, b):
        net.insert(FILES["hh"], k)
    iclamp(net, (a, "soma", 0.5), 2.0, 40.0, 0.15)
    syn = net.place(FILES["Exp2Syn"], at=(b, "soma", 0.5), tau1=0.5, tau2=3.0)
    net.connect((a, "soma", 0.5), syn, weight=0.05, delay=3.0, threshold=0.0)
    net.connect((b, "soma", 0.5), None, threshold=0.0)
    net.record("va", "v", at=(a, "soma", 0.5))
    net.record("vb", "v", at=(b, "soma", 0.5))
    net.record("g", "g", point=syn)
    return net, 50.0


def netstim_expsyn():
    net = Network()
    k = soma_cell(net, "s")
    net.insert(FILES["hh"], k)
    syn = net.place(FILES["ExpSyn"], at=(k, "soma", 0.5), tau=2.0)
    stim = net.artificial(FILES["NetStim"], start=5.0, interval=10.0, number=4, noise=0)
    net.connect(stim, syn, weight=0.02, delay=1.0)
    net.record("v", "v", at=(k, "soma", 0.5))
    net.record("g", "g", point=syn)
    return net, 50.0


def intfire():
    net = Network()
    stim = net.artificial(FILES["NetStim"], start=1.0, interval=2.0, number=20, noise=0)
    cells = [net.artificial(FILES["IntFire1"]), net.artificial(FILES["IntFire1"], tau=5.0),
             net.artificial(FILES["IntFire1"], refrac=2.0, tau=20.0)]
    for src, tgt, w, d in [(stim, cells[0], 0.4, 0.5), (cells[0], cells[1], 1.1, 1.0), (cells[1], cells[2], 0.7, 2.0),
                           (cells[2], cells[0], 0.3, 1.5)]:
        net.connect(src, tgt, weight=w, delay=d)
    return net, 60.0, cells


def calcium():
    net = Network()
    k = soma_cell(net, "ca")
    net.insert(FILES["hh"], k)
    net.insert(FILES["cal"], k, gcabar=2e-3)
    net.insert(FILES["cad"], k)
    iclamp(net, (k, "soma", 0.5), 2.0, 30.0, 0.2)
    for name in ("v", "cai", "eca", "ica"):
        net.record(name, name, at=(k, "soma", 0.5))
    return net, 40.0


def kinetic():
    net = Network()
    k = soma_cell(net, "kin")
    net.insert(FILES["kchan"], k)
    net.insert(FILES["pas"], k, g=1e-4)
    iclamp(net, (k, "soma", 0.5), 2.0, 20.0, 0.3)
    net.record("v", "v", at=(k, "soma", 0.5))
    net.record("ik", "ik", at=(k, "soma", 0.5))
    return net, 30.0


def gaps(conductance: str = "numeric"):
    """Cx36's current is nonlinear in v, so dI/dv matters: "numeric" is what NEURON computes."""
    net = Network()
    cells = [soma_cell(net, f"g{i}") for i in range(4)]
    for k in cells:
        net.insert(FILES["hh"], k)
    iclamp(net, (cells[0], "soma", 0.5), 2.0, 20.0, 0.3)
    iclamp(net, (cells[2], "soma", 0.5), 2.0, 20.0, 0.3)
    net.gap_junction(FILES["Gap"], (cells[0], "soma", 0.5), (cells[1], "soma", 0.5), g=0.02)
    a, _ = net.gap_junction(Mechanism(FILES["Cx36"], conductance), (cells[2], "soma", 0.5), (cells[3], "soma", 0.5), g=0.05)
    for i, k in enumerate(cells):
        net.record(f"v{i}", "v", at=(k, "soma", 0.5))
    net.record("i_cx36", "i", point=a)
    return net, 30.0


def voltage_clamp():
    net = Network()
    k = soma_cell(net, "vc")
    net.insert(FILES["hh"], k)
    clamp = net.place(FILES["SEClamp"], at=(k, "soma", 0.5), dur1=5.0, amp1=-70.0, dur2=10.0, amp2=-10.0,
                      dur3=5.0, amp3=-60.0, rs=0.01)
    net.record("v", "v", at=(k, "soma", 0.5))
    net.record("i", "i", point=clamp)
    return net, 25.0


def blocks():
    net = Network()
    k = soma_cell(net, "blocks")
    net.insert(FILES["hh"], k)
    net.insert(FILES["blocks"], k)
    iclamp(net, (k, "soma", 0.5), 1.0, 5.0, 0.2)
    for name in ("n_bi", "n_ai", "n_bb", "n_as", "n_bs", "vsum", "tb"):
        net.record(name, f"{name}_blocks", at=(k, "soma", 0.5))
    return net, 10.0
