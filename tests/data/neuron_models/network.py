"""A ParallelContext network of 120 branched cells (hh soma, four passive dendrites) wired by gid
with varied delays, excitatory and inhibitory ExpSyns, driven by a PatternStim (fake gids 1000-1009)
and a VecStim, run by two psolve calls; spikes from pc.spike_record. Arguments: OUT.npz [tstop]."""

import sys
import numpy as np
from neuron import h
h.load_file("stdrun.hoc")
pc = h.ParallelContext()
N = 120

class Cell:
    def __init__(self, gid):
        self.soma = h.Section(name=f"soma_{gid}")
        self.soma.L = self.soma.diam = 12 + (gid % 3)
        self.soma.insert("hh")
        self.dends = []
        for k, (parent, x, L) in enumerate([(None, 1, 150), (0, 1, 80), (0, 1, 60), (0, 0.5, 40)]):
            d = h.Section(name=f"dend{k}_{gid}")
            d.L, d.diam, d.nseg = L, 1.2 - 0.2 * k, 1 + 2 * (k == 0)
            d.connect(self.soma(1) if parent is None else self.dends[parent](x))
            d.insert("pas"); d.g_pas = 1e-3; d.e_pas = -65
            self.dends.append(d)
        for sec in [self.soma] + self.dends:
            sec.Ra = 100
        self.syn = h.ExpSyn(self.dends[1](0.5)); self.syn.tau = 2
        self.isyn = h.ExpSyn(self.soma(0.5)); self.isyn.tau = 6; self.isyn.e = -80
        pc.set_gid2node(gid, pc.id())
        nc = h.NetCon(self.soma(0.5)._ref_v, None, sec=self.soma)
        pc.cell(gid, nc)

cells = [Cell(i) for i in range(N)]
ncs = []
for i in range(N):
    for step, w, syn in ((1, 0.012, "syn"), (7, 0.004, "isyn"), (31, 0.008, "syn")):
        nc = pc.gid_connect(i, getattr(cells[(i + step) % N], syn))
        nc.weight[0] = w
        nc.delay = 1 + (i % 5) * 0.7 + 0.01 * step
        ncs.append(nc)
# PatternStim: fake gids 1000..1009, each reaching 12 cells
tvec, gidvec = [], []
for j in range(10):
    for t in (2 + j, 40 + 2 * j, 70 + 0.5 * j):
        tvec.append(t); gidvec.append(1000 + j)
order = np.argsort(tvec)
ps = h.PatternStim()
tv, gv = h.Vector(np.array(tvec)[order]), h.Vector(np.array(gidvec, float)[order])
ps.play(tv, gv)
for j in range(10):
    for c in range(j * 12, j * 12 + 12, 3):
        nc = pc.gid_connect(1000 + j, cells[c].syn); nc.weight[0] = 0.02; nc.delay = 0.5 + 0.1 * j
        ncs.append(nc)
vs = h.VecStim(); vst = h.Vector([5, 22.5, 55, 81.3]); vs.play(vst)
for c in (0, 60):
    nc = h.NetCon(vs, cells[c].syn); nc.weight[0] = 0.03; nc.delay = 1.5
    ncs.append(nc)
spt, spg = h.Vector(), h.Vector()
pc.spike_record(-1, spt, spg)
v0 = h.Vector().record(cells[0].soma(0.5)._ref_v)
v1 = h.Vector().record(cells[61].dends[2](0.5)._ref_v)
tstop = float(sys.argv[2]) if len(sys.argv) > 2 else 100
pc.set_maxstep(10)
h.finitialize(-65)
pc.psolve(tstop / 2)
pc.psolve(tstop)
np.savez(sys.argv[1], t=np.array(spt), gid=np.array(spg), v0=np.array(v0), v1=np.array(v1))
print("spikes", len(spt), "t", h.t, file=sys.stderr)
