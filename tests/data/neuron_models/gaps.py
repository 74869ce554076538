"""Six cells in a chain of gap junctions between dendrites, made with pc.source_var/target_var
(HalfGap), and one made with h.setpointer (modlc's own Gap); an IClamp drives the first cell."""

import sys
import numpy as np
from neuron import h
h.load_file("stdrun.hoc")
h.usetable_hh = 0  # rates computed exactly (the other scripts keep NEURON's default tables)
pc = h.ParallelContext()
cells, gaps, vecs = [], [], []
for i in range(6):
    s = h.Section(name=f"s{i}"); s.L = s.diam = 15; s.insert("hh"); s.gnabar_hh = 0.12 if i % 2 == 0 else 0.0
    d = h.Section(name=f"d{i}"); d.connect(s(1)); d.L = 100; d.diam = 1; d.nseg = 3; d.insert("pas")
    cells.append((s, d))
# a chain of junctions between dendrites through source_var / target_var
for i in range(5):
    a, b = cells[i][1](0.9), cells[i + 1][1](0.9)
    pc.source_var(a._ref_v, 2 * i, sec=a.sec)
    pc.source_var(b._ref_v, 2 * i + 1, sec=b.sec)
    ga, gb = h.HalfGap(a), h.HalfGap(b)
    ga.g = gb.g = 0.002 * (i + 1)
    pc.target_var(ga, ga._ref_vgap, 2 * i + 1)
    pc.target_var(gb, gb._ref_vgap, 2 * i)
    gaps += [ga, gb]
# one junction made with setpointer
g1, g2 = h.Gap(cells[0][0](0.5)), h.Gap(cells[5][0](0.5))
h.setpointer(cells[5][0](0.5)._ref_v, "vgap", g1); h.setpointer(cells[0][0](0.5)._ref_v, "vgap", g2)
g1.g = g2.g = 0.003
pc.setup_transfer()
stim = h.IClamp(cells[0][0](0.5)); stim.delay = 5; stim.dur = 60; stim.amp = 0.25
for s, d in cells:
    vecs.append(h.Vector().record(s(0.5)._ref_v)); vecs.append(h.Vector().record(d(0.9)._ref_v))
vecs.append(h.Vector().record(gaps[3]._ref_i))
h.tstop = 100
h.run()
np.savez(sys.argv[1], v=np.array([np.array(v) for v in vecs]))
