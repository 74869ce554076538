"""Vector.play: stepwise at given times (IClamp amp), continuous (a second IClamp), every Dt into
SEClamp's amp1, and into a density parameter (gnabar_hh); records v, SEClamp i, m_hh every 0.1 ms
and ina."""

import sys
import numpy as np
from neuron import h
h.load_file("stdrun.hoc")
h.usetable_hh = 0  # rates computed exactly (the other scripts keep NEURON's default tables)
s = h.Section(name="soma"); s.L = s.diam = 20; s.insert("hh")
d = h.Section(name="dend"); d.connect(s(1)); d.L = 200; d.diam = 2; d.nseg = 5; d.insert("pas")
ic = h.IClamp(s(0.5)); ic.delay = 0; ic.dur = 1e9
amp = h.Vector([0, 0.1, 0.3, -0.05, 0.2, 0])
ic_t = h.Vector([0, 10.01, 20, 35.3, 50, 70])
amp.play(ic._ref_amp, ic_t)              # stepwise at given times
ic2 = h.IClamp(d(0.7)); ic2.delay = 0; ic2.dur = 1e9
wave = h.Vector(np.sin(np.arange(400) * 0.05) * 0.05)
wave_t = h.Vector(np.arange(400) * 0.25)
wave.play(ic2._ref_amp, wave_t, 1)        # continuous, every 0.25 ms
clamp = h.SEClamp(d(0.3)); clamp.dur1 = 30; clamp.amp1 = -70; clamp.dur2 = 40; clamp.amp2 = -50; clamp.rs = 5
cv = h.Vector([-70, -60, -55, -75]); cv.play(clamp._ref_amp1, 8.0)   # every 8 ms, stepwise
gn = h.Vector([0.12, 0.06, 0.12]); gn_t = h.Vector([0, 40, 80]); gn.play(s(0.5)._ref_gnabar_hh, gn_t)
vs = [h.Vector().record(s(0.5)._ref_v), h.Vector().record(d(0.3)._ref_v), h.Vector().record(clamp._ref_i),
      h.Vector().record(s(0.5)._ref_m_hh, 0.1), h.Vector().record(s(0.5)._ref_ina)]
h.tstop = 100
h.run()
np.savez(sys.argv[1], **{f"r{k}": np.array(v) for k, v in enumerate(vs)})
