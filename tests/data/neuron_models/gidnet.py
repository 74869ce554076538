"""A network CoreNEURON could run (every cell with a gid), which modlc reads in bulk from the data
NEURON writes for CoreNEURON: 60 branched cells (hh soma, tapering 3-D dendrite with hh densities
falling with distance, passive branches, nseg up to 5), ExpSyn and Exp2Syn targets of gid
connections with varied delays, NetStims (one with a gid, one without) and an IClamp; records v at
a root, a centre and a section end, an ExpSyn's g, m_hh, ina and t; spikes from pc.spike_record;
two psolve calls; saves the final v of every segment. Arguments: OUT.npz [tstop]."""

import sys

import numpy as np
from neuron import h

h.load_file("stdrun.hoc")
pc = h.ParallelContext()
N = 60
h.celsius = 16.3


class Cell:
    def __init__(self, gid):
        self.soma = h.Section(name=f"soma_{gid}")
        self.soma.L = self.soma.diam = 14 + (gid % 4)
        self.soma.insert("hh")
        self.apical = h.Section(name=f"apical_{gid}")
        self.apical.connect(self.soma(1))
        for k in range(6):  # a tapering 3-D dendrite
            self.apical.pt3dadd(0, 0, 40.0 * k, 3.0 - 0.4 * k)
        self.apical.nseg = 5
        self.apical.insert("hh")
        for seg in self.apical:
            seg.hh.gnabar = 0.12 * (1 - 0.8 * seg.x)
            seg.hh.gkbar = 0.036 * (1 - 0.5 * seg.x)
        self.branches = []
        for k, (parent, x, L) in enumerate([(self.apical, 1, 90), (self.apical, 0.5, 60), (self.soma, 0, 120)]):
            b = h.Section(name=f"branch{k}_{gid}")
            b.L, b.diam, b.nseg = L, 0.9, 1 + 2 * (k == 2)
            b.connect(parent(x))
            b.insert("pas")
            b.g_pas, b.e_pas = 2e-4, -66
            self.branches.append(b)
        for sec in [self.soma, self.apical] + self.branches:
            sec.Ra = 120
            sec.cm = 1.0 + 0.1 * (gid % 3)
        self.syn = h.ExpSyn(self.apical(0.7))
        self.syn.tau = 1.5 + 0.1 * (gid % 5)
        self.slow = h.Exp2Syn(self.soma(0.5))
        self.slow.tau1, self.slow.tau2, self.slow.e = 1, 8, -75
        pc.set_gid2node(gid, pc.id())
        detector = h.NetCon(self.soma(0.5)._ref_v, None, sec=self.soma)
        detector.threshold = -10
        pc.cell(gid, detector)


cells = [Cell(i) for i in range(N)]
connections = []
for i in range(N):
    for step, w, target in ((1, 0.02, "syn"), (11, 0.002, "slow"), (23, 0.01, "syn")):
        nc = pc.gid_connect(i, getattr(cells[(i + step) % N], target))
        nc.weight[0], nc.delay = w, 1 + (i % 4) * 0.65 + 0.01 * step
        connections.append(nc)
stim = h.NetStim()  # an artificial cell with a gid
stim.number, stim.start, stim.interval = 3, 1, 30
pc.set_gid2node(1000, pc.id())
pc.cell(1000, h.NetCon(stim, None))
for c in (0, 20, 40):
    nc = pc.gid_connect(1000, cells[c].syn)
    nc.weight[0], nc.delay = 0.05, 0.5
    connections.append(nc)
loose = h.NetStim()  # one without: a plain NetCon
loose.number, loose.start, loose.interval = 2, 12, 25
nc = h.NetCon(loose, cells[7].slow)
nc.weight[0], nc.delay = 0.01, 2
connections.append(nc)
clamp = h.IClamp(cells[33].soma(0.5))
clamp.delay, clamp.dur, clamp.amp = 5, 3, 0.4

spt, spg = h.Vector(), h.Vector()
pc.spike_record(-1, spt, spg)
t = h.Vector().record(h._ref_t)
traces = [h.Vector().record(ref) for ref in (
    cells[0].soma(0)._ref_v, cells[20].apical(0.7)._ref_v, cells[41].branches[0](1)._ref_v,
    cells[0].syn._ref_g, cells[20].apical(0.3)._ref_m_hh, cells[33].soma(0.5)._ref_ina)]
tstop = float(sys.argv[2]) if len(sys.argv) > 2 else 100
pc.set_maxstep(10)
h.finitialize(-65)
pc.psolve(tstop / 2)
pc.psolve(tstop)
final = [seg.v for sec in h.allsec() for seg in sec.allseg()]
np.savez(sys.argv[1], spike_t=np.array(spt), spike_gid=np.array(spg), t=np.array(t),
         traces=np.array([np.array(v) for v in traces]), final_v=np.array(final))
print("spikes", len(spt), "t", h.t, file=sys.stderr)
