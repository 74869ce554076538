"""Networks exercising WATCH, FOR_NETCONS and net_move, built in NEURON and in modlc.runtime from
the same .mod files (tests/data/events, written from NEURON's documented semantics).

Each scenario is a function in NEURON_SCRIPT (one NEURON process runs them all and emits their
recordings) and a builder here returning (Network, tstop, spike sources by name); both record the
same names. A builder given a Network adds to it, its names prefixed with `tag` (`combined`).
"""

from __future__ import annotations

from pathlib import Path

from modlc.runtime import Network
from runtime_scenarios import FILES as MECHANISMS, iclamp, soma_cell

DATA = Path(__file__).resolve().parent / "data" / "events"
FILES = {"hh": MECHANISMS["hh"], "IClamp": MECHANISMS["IClamp"], "NetStim": MECHANISMS["NetStim"],
         "WatchSpike": DATA / "watch_spike.mod", "WatchCounter": DATA / "watch_counter.mod",
         "StdpSyn": DATA / "fornetcons_stdp.mod", "MovePacer": DATA / "netmove.mod"}
DT = 0.025

NEURON_SCRIPT = r'''
h.load_file("stdrun.hoc")
h.dt = 0.025
h.celsius = 6.3
M = {k: getattr(h, v) for k, v in NAMES.items() if k[0].isupper()}
keep = []


def soma(name):
    s = h.Section(name=name)
    s.L, s.diam, s.nseg = 20.0, 20.0, 1
    s.insert(NAMES["hh"])
    keep.append(s)
    return s


def clamp(s, delay, dur, amp):
    c = M["IClamp"](s(0.5))
    setattr(c, "del", delay)
    c.dur, c.amp = dur, amp
    keep.append(c)


def netstim(start, interval, number):
    ns = M["NetStim"]()
    ns.start, ns.interval, ns.number, ns.noise = start, interval, number, 0
    keep.append(ns)
    return ns


def connect(src, target, w, delay, sec=None):
    nc = h.NetCon(src, target, sec=sec) if sec is not None else h.NetCon(src, target)
    nc.weight[0], nc.delay = w, delay
    if sec is not None:
        nc.threshold = 10.0
    keep.append(nc)
    return nc


def spikes(src, sec=None):
    v = h.Vector()
    nc = h.NetCon(src, None, sec=sec) if sec is not None else h.NetCon(src, None)
    if sec is not None:
        nc.threshold = 10.0
    nc.record(v)
    keep.append(nc)
    return v


def record(obj, names):
    return {name: h.Vector().record(getattr(obj, "_ref_" + name)) for name in names}


def run(tstop, rec, spk):
    h.finitialize(-65.0)
    h.continuerun(tstop)
    out = {k: list(v) for k, v in rec.items()}
    out.update({k: list(v) for k, v in spk.items()})
    keep.clear()
    return out


def watch_spike():
    s = soma("ws")
    clamp(s, 2.0, 40.0, 0.3)
    det = M["WatchSpike"](s(0.5))
    connect(netstim(3.0, 7.0, 5), det, 0.5, 1.0)
    rec = record(det, ("count", "tlast", "inputs"))
    rec["v"] = h.Vector().record(s(0.5)._ref_v)
    return run(50.0, rec, {"det": spikes(det)})


def watch_counter():
    host = soma("host")
    a, b = M["WatchCounter"](host(0.5)), M["WatchCounter"](host(0.5))
    b.tau = 4.0
    up, down = netstim(1.0, 3.0, 12), netstim(5.0, 7.0, 5)
    for cell, w in ((a, 0.4), (b, 0.45)):
        connect(up, cell, w, 0.52)
        connect(down, cell, -0.35, 0.77)
    rec = {f"{k}_{n}": v for k, cell in (("a", a), ("b", b)) for n, v in record(cell, ("m", "nfire", "nlow")).items()}
    return run(45.0, rec, {"a": spikes(a), "b": spikes(b)})


def stdp():
    pre1, pre2, post = soma("pre1"), soma("pre2"), soma("post")
    clamp(pre1, 1.0, 100.0, 0.15)
    clamp(pre2, 8.0, 100.0, 0.2)
    clamp(post, 12.0, 2.0, 0.5)
    clamp(post, 31.0, 2.0, 0.5)
    syn = M["StdpSyn"](post(0.5))
    for pre, delay in ((pre1, 1.0), (pre2, 2.5)):
        connect(pre(0.5)._ref_v, syn, 0.004, delay, sec=pre)
    rec = record(syn, ("g", "tpost"))
    rec["v"] = h.Vector().record(post(0.5)._ref_v)
    spk = {"pre1": spikes(pre1(0.5)._ref_v, pre1), "pre2": spikes(pre2(0.5)._ref_v, pre2),
           "post": spikes(post(0.5)._ref_v, post)}
    return run(60.0, rec, spk)


def netmove():
    p1, p2 = M["MovePacer"](), M["MovePacer"]()
    p1.shift = 3.5
    p2.shift = 3.5
    connect(netstim(4.0, 6.0, 5), p1, 1.0, 0.0)
    connect(netstim(2.0, 9.0, 4), p2, 0.5, 0.0)
    host = h.Section(name="host")
    keep.append(host)
    rec = {f"{k}_{n}": h.Vector().record(getattr(p, "_ref_" + n), sec=host)
           for k, p in (("p1", p1), ("p2", p2)) for n in ("beats", "echoes", "tnext")}
    return run(45.0, rec, {"p1": spikes(p1), "p2": spikes(p2)})


emit({"watch_spike": watch_spike(), "watch_counter": watch_counter(), "stdp": stdp(), "netmove": netmove()})
'''


def watch_spike(net: Network | None = None, tag: str = ""):
    net = net if net is not None else Network()
    k = soma_cell(net, "ws")
    net.insert(FILES["hh"], k)
    iclamp(net, (k, "soma", 0.5), 2.0, 40.0, 0.3)
    det = net.place(FILES["WatchSpike"], at=(k, "soma", 0.5))
    stim = net.artificial(FILES["NetStim"], start=3.0, interval=7.0, number=5, noise=0)
    net.connect(stim, det, weight=0.5, delay=1.0)
    for name in ("count", "tlast", "inputs"):
        net.record(tag + name, name, point=det)
    net.record(tag + "v", "v", at=(k, "soma", 0.5))
    return net, 50.0, {tag + "det": det}


def watch_counter(net: Network | None = None, tag: str = ""):
    net = net if net is not None else Network()
    host = soma_cell(net, "host")
    net.insert(FILES["hh"], host)
    at = (host, "soma", 0.5)
    cells = {"a": net.place(FILES["WatchCounter"], at=at), "b": net.place(FILES["WatchCounter"], at=at, tau=4.0)}
    up = net.artificial(FILES["NetStim"], start=1.0, interval=3.0, number=12, noise=0)
    down = net.artificial(FILES["NetStim"], start=5.0, interval=7.0, number=5, noise=0)
    for (name, cell), w in zip(cells.items(), (0.4, 0.45)):
        net.connect(up, cell, weight=w, delay=0.52)
        net.connect(down, cell, weight=-0.35, delay=0.77)
        for var in ("m", "nfire", "nlow"):
            net.record(f"{tag}{name}_{var}", var, point=cell)
    return net, 45.0, {tag + name: cell for name, cell in cells.items()}


def stdp(net: Network | None = None, tag: str = ""):
    net = net if net is not None else Network()
    pre1, pre2, post = (soma_cell(net, name) for name in ("pre1", "pre2", "post"))
    for k in (pre1, pre2, post):
        net.insert(FILES["hh"], k)
    iclamp(net, (pre1, "soma", 0.5), 1.0, 100.0, 0.15)
    iclamp(net, (pre2, "soma", 0.5), 8.0, 100.0, 0.2)
    iclamp(net, (post, "soma", 0.5), 12.0, 2.0, 0.5)
    iclamp(net, (post, "soma", 0.5), 31.0, 2.0, 0.5)
    syn = net.place(FILES["StdpSyn"], at=(post, "soma", 0.5))
    for pre, delay in ((pre1, 1.0), (pre2, 2.5)):
        net.connect((pre, "soma", 0.5), syn, weight=0.004, delay=delay, threshold=10.0)
    for k in (pre1, pre2, post):
        net.connect((k, "soma", 0.5), None, threshold=10.0)
    net.record(tag + "g", "g", point=syn)
    net.record(tag + "tpost", "tpost", point=syn)
    net.record(tag + "v", "v", at=(post, "soma", 0.5))
    return net, 60.0, {tag + name: net.location((k, "soma", 0.5)) for name, k in (("pre1", pre1), ("pre2", pre2), ("post", post))}


def netmove(net: Network | None = None, tag: str = ""):
    net = net if net is not None else Network()
    pacers = {"p1": net.artificial(FILES["MovePacer"], shift=3.5), "p2": net.artificial(FILES["MovePacer"], shift=3.5)}
    net.connect(net.artificial(FILES["NetStim"], start=4.0, interval=6.0, number=5, noise=0), pacers["p1"],
                weight=1.0, delay=0.0)
    net.connect(net.artificial(FILES["NetStim"], start=2.0, interval=9.0, number=4, noise=0), pacers["p2"],
                weight=0.5, delay=0.0)
    for name, pacer in pacers.items():
        for var in ("beats", "echoes", "tnext"):
            net.record(f"{tag}{name}_{var}", var, point=pacer)
    return net, 45.0, {tag + name: pacer for name, pacer in pacers.items()}


SCENARIOS = {"watch_spike": watch_spike, "watch_counter": watch_counter, "stdp": stdp, "netmove": netmove}


def combined():
    """Every scenario in one Network (names prefixed `scenario:`), so that a backend compiles once."""
    net, sources, tstop = Network(), {}, 0.0
    for name, build in SCENARIOS.items():
        _, stop, found = build(net, f"{name}:")
        sources.update(found)
        tstop = max(tstop, stop)
    return net, tstop, sources
