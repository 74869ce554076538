"""The simulation runtime (installed as ``modlc.runtime``): cells, the Hines solver, ions, events.

    from modlc.runtime import Cell, Network, Simulation
    net = Network()
    soma = Cell("soma-only"); soma.section("soma", L=20, diam=20)
    k = net.add_cell(soma)
    net.insert("mechanisms/hh.mod", k)
    net.place("mechanisms/iclamp.mod", at=(k, "soma", 0.5), **{"del": 5, "dur": 30, "amp": 0.1})
    net.record("v", "v", at=(k, "soma", 0.5))
    result = Simulation(net, backend="jax").run(tstop=50)
"""

from .model import Location, Mechanism, NetCon, Network, PointProcess, SpikeTrain
from .morphology import NODES, Cell, ModelError, Section
from .simulation import Result, Simulation, SimulationError

__all__ = ["Cell", "NODES", "Section", "Network", "Mechanism", "Location", "PointProcess", "NetCon", "SpikeTrain",
           "Simulation", "Result", "SimulationError", "ModelError", "from_neuron"]


def from_neuron(mod_dirs=(), h=None) -> Network:
    """The model instantiated in this process's NEURON as a Network: NEURON's own geometry, every
    segment's mechanism parameters, point processes, NetCons (gid connections included), VecStims,
    gap junctions set with setpointer; the model's own .mod files are looked up in `mod_dirs`.
    Simulate it with `Simulation(net, dt=h.dt)`. What only the running script knows (Vector.record
    targets, PatternStim vectors, target_var links) needs the drop-in switch, modlc.neuron.enable()."""
    from .neuron_reader import read

    if h is None:
        from neuron import h
    return read(h, mod_dirs).network
