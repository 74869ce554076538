"""The same NEURON model read both ways, in one process: in bulk (NEURON's CoreNEURON data) and by
the section walk; both simulated by modlc (NumPy, float64) from gidnet.py's model, 30 ms. Then
one NetCon is switched off, which only the walk can read.
Arguments: OUT.npz."""

import runpy
import sys

import numpy as np

target = sys.argv[1]
sys.argv = ["gidnet.py", target + ".neuron.npz", "1"]  # build it (gidnet.py also runs it 1 ms in NEURON)
model = runpy.run_path("gidnet.py")
h = model["h"]
h.finitialize(-65)

from modlc.runtime import Simulation  # noqa: E402
from modlc.runtime.neuron_reader import Captured, MechanismIndex, Problems, read, walk  # noqa: E402

out = {}
for route, transfer in (("bulk", read(h)), ("walk", walk(h, MechanismIndex(h, ()), Captured(), Problems()))):
    assert transfer.route == route, transfer.route
    net = transfer.network
    sites = [model["cells"][0].soma(0), model["cells"][20].apical(0.7), model["cells"][41].branches[0](1)]
    for k, seg in enumerate(sites):
        net.record(f"v{k}", "v", at=transfer.location(seg))
    result = Simulation(net, backend="numpy", dt=h.dt, dtype="float64", progress=False).run(30.0)
    spikes = sorted((gid, float(t)) for gid, source in transfer.gid_sources.items() for t in result.spikes(source))
    out[f"{route}_v"] = np.array([result[f"v{k}"] for k in range(len(sites))])
    out[f"{route}_spikes"] = np.array(spikes)
    out[f"{route}_cells"] = transfer.cells
model["connections"][0].active(0)  # a NetCon switched off: the CoreNEURON data cannot say so
out["inactive_route"] = read(h).route
np.savez(target, **out)
