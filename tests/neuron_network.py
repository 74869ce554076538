"""A modlc Network of one-compartment cells rebuilt in NEURON, so that a whole example network (PING,
the antennal lobe) runs in both simulators from one description and nothing can differ.

`describe` turns the Network's plain-data fields (cells, density mechanisms and their parameters,
point processes with parameters and POINTERs to a cell's v, NetCons, ion start values) into JSON
for SCRIPT, and refuses anything it does not carry (several sections, globals, per-section v_init,
two thresholds on one source) rather than ignore it. `run` returns NEURON's spikes and the v of the
chosen cells, sampled every `record_every` steps from t = 0.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from modlc.runtime import Location, Network
from neuron_oracle import CompiledMechanisms, run_neuron

SCRIPT = r'''
import json
import time
import numpy as np
spec = json.loads(open(SPEC).read())
h.load_file("stdrun.hoc")
h.dt = spec["dt"]
h.celsius = spec["celsius"]
for ion, values in spec["ions"].items():
    for name, value in values.items():
        setattr(h, f"{name}0_{ion}_ion", value)
secs = []
for k, (L, diam, cm) in enumerate(spec["cells"]):
    s = h.Section(name=f"cell{k}")
    s.L, s.diam, s.cm, s.nseg = L, diam, cm, 1
    secs.append(s)
for k, mech, params in spec["density"]:
    secs[k].insert(NAMES[mech])
    for name, value in params.items():
        setattr(secs[k](0.5), f"{name}_{NAMES[mech]}", value)
points = []
for mech, k, x, params, pointers in spec["points"]:
    p = getattr(h, NAMES[mech])(secs[k](x))
    for name, value in params.items():
        setattr(p, name, value)
    for name, (pre, pre_x) in pointers.items():
        h.setpointer(secs[pre](pre_x)._ref_v, name, p)
    points.append(p)
spike_t, spike_cell, netcons = h.Vector(), h.Vector(), []
for k, x, target, w, delay, threshold in spec["netcons"]:
    nc = h.NetCon(secs[k](x)._ref_v, points[target] if target >= 0 else None, sec=secs[k])
    nc.threshold, nc.delay, nc.weight[0] = threshold, delay, w
    if target < 0:  # a spike detector: record this cell's spikes
        nc.record(spike_t, spike_cell, k)
    netcons.append(nc)
v = [h.Vector().record(secs[k](0.5)._ref_v) for k in spec["record_cells"]]
h.finitialize(spec["v_init"])
start = time.perf_counter()
h.continuerun(spec["tstop"])
seconds = time.perf_counter() - start
np.save(spec["v_file"], np.array([np.asarray(x)[::spec["record_every"]] for x in v]))
emit({"t": list(spike_t), "cell": [int(c) for c in spike_cell], "seconds": seconds})
'''


@dataclass
class NeuronRun:
    spike_times: np.ndarray  # ms, as NEURON reports them
    spike_cells: np.ndarray
    v: np.ndarray  # [recorded cell, sample] (mV)
    seconds: float  # NEURON's continuerun

    def spikes_of(self, cell: int) -> np.ndarray:
        return np.sort(self.spike_times[self.spike_cells == cell])


def describe(net: Network, compiled: CompiledMechanisms, dt: float, tstop: float, record_cells,
             record_every: int, v_file: Path) -> dict:
    """The Network as data for SCRIPT (see the module docstring for what it refuses)."""
    mech = {str(m.source.resolve()): name for name, m in compiled.mechanisms.items()}
    name = lambda m: mech[str(m.path.resolve())]  # noqa: E731
    assert not (net.globals or net.v_start)
    cells = []
    for cell in net.cells:
        (sec,) = cell.sections.values()
        assert sec.nseg == 1
        cells.append((sec.L, sec.diam, sec.cm))
    assert all(d.sections == list(net.cells[d.cell].sections) for d in net.density)
    netcons, thresholds = [], {}
    for nc in net.netcons:
        assert isinstance(nc.source, Location) and len(nc.weights) == 1
        assert thresholds.setdefault(nc.source, nc.threshold) == nc.threshold  # NEURON: one threshold per source
        netcons.append((nc.source.cell, nc.source.x, -1 if nc.target is None else nc.target.index, nc.weights[0],
                        nc.delay, nc.threshold))
    points = []
    for p in net.points:
        assert all(isinstance(at, Location) for at in p.pointers.values())
        points.append((name(p.mechanism), p.location.cell, p.location.x, dict(p.params),
                       {k: (at.cell, at.x) for k, at in p.pointers.items()}))
    return {"dt": dt, "tstop": tstop, "celsius": net.celsius, "v_init": net.v_init, "ions": net.ions, "cells": cells,
            "density": [(d.cell, name(d.mechanism), dict(d.params)) for d in net.density], "points": points,
            "netcons": netcons, "record_cells": [int(k) for k in record_cells], "record_every": int(record_every),
            "v_file": str(v_file)}


def run(net: Network, compiled: CompiledMechanisms, folder: Path, dt: float, tstop: float, record_cells,
        record_every: int = 1, timeout: float = 600) -> NeuronRun:
    """The network simulated by NEURON (one subprocess), its spikes and the recorded cells' v."""
    spec = folder / "network.json"
    spec.write_text(json.dumps(describe(net, compiled, dt, tstop, record_cells, record_every, folder / "v.npy"),
                               default=lambda x: x.item()))  # NumPy scalars
    out = run_neuron(f"SPEC = {str(spec)!r}\n" + SCRIPT, compiled, timeout=timeout)
    return NeuronRun(np.asarray(out["t"], dtype=float), np.asarray(out["cell"], dtype=int),
                     np.load(folder / "v.npy"), out["seconds"])
