"""A 3-D reconstructed pyramidal cell (NEURON's demo pyramid.nrn, read from the installed neuron
package) with tapering sections, hh densities falling with distance from the soma, and ExpSyn
synapses driven by a NetStim. Arguments: OUT.npz [tstop ms]."""

import sys
from pathlib import Path

import neuron
import numpy as np
from neuron import h

h.load_file("stdrun.hoc")
h.load_file(str(Path(neuron.__file__).parent / ".data" / "share" / "nrn" / "demo" / "pyramid.nrn"))
for sec in h.allsec():
    sec.nseg = 1 + 2 * int(sec.L / 40)
    sec.Ra = 150
    sec.insert("pas")
    for seg in sec:
        seg.g_pas, seg.e_pas = 1e-4, -65
    sec.insert("hh")
h.distance(0, 0.5, sec=h.soma)
for sec in h.allsec():
    if sec == h.soma:
        continue
    for seg in sec:
        d = h.distance(seg)
        seg.gnabar_hh = 0.04 * np.exp(-d / 200)
        seg.gkbar_hh = 0.012 * np.exp(-d / 300)
        seg.gl_hh = 0
stim = h.NetStim()
stim.number, stim.interval, stim.start, stim.noise = 10, 8, 5, 0
synapses, netcons = [], []
for i, sec in enumerate(list(h.allsec())[1:8]):
    syn = h.ExpSyn(sec(0.5))
    syn.tau, syn.e = 2, 0
    nc = h.NetCon(stim, syn)
    nc.weight[0], nc.delay = 0.02, 1 + 0.3 * i
    synapses.append(syn)
    netcons.append(nc)
clamp = h.IClamp(h.soma(0.5))
clamp.delay, clamp.dur, clamp.amp = 2, 80, 0.3
sites = [h.soma(0.5)] + [sec(0.5) for sec in list(h.allsec())[::10]] + [h.dendrite_1[30](0.9)]
traces = [h.Vector().record(seg._ref_v) for seg in sites]
time = h.Vector().record(h._ref_t)
spikes = h.Vector()
detector = h.NetCon(h.soma(0.5)._ref_v, None, sec=h.soma)
detector.threshold = -10
detector.record(spikes)
h.tstop = float(sys.argv[2]) if len(sys.argv) > 2 else 100.0
h.run()
np.savez(sys.argv[1], t=np.array(time), v=np.array([np.array(v) for v in traces]), spikes=np.array(spikes),
         compartments=sum(sec.nseg for sec in h.allsec()), final_v=h.soma(0.5).v)
