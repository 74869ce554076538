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

from .model import Location, Mechanism, NetCon, Network, PointProcess
from .morphology import Cell, ModelError, Section
from .simulation import Result, Simulation, SimulationError

__all__ = ["Cell", "Section", "Network", "Mechanism", "Location", "PointProcess", "NetCon",
           "Simulation", "Result", "SimulationError", "ModelError"]
