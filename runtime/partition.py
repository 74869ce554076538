"""Split a Network into parts that share nothing, so that each can run on its own core.

XLA:CPU runs one fused loop on one core, so a single program leaves the other cores idle. Cells
that no NetCon, gap junction or POINTER connects evolve independently: a Simulation given
`threads=k` groups them into k parts of similar size (whole connected groups of cells, in the
network's order), simulates each part as a network of its own on its own thread, and merges the
recordings and spikes. Every cell sees the same arithmetic as in one big run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import DensityInsertion, Location, NetCon, Network, PointProcess, Probe


@dataclass
class Part:
    """One part as a network of its own, and how its objects map back to the whole network's."""

    net: Network
    original: dict = field(default_factory=dict)  # the part's Location / PointProcess -> the network's


class _Groups:
    """Union-find over the network's cells (0 … n-1) and artificial cells (n + point index)."""

    def __init__(self, size: int):
        self.parent = list(range(size))

    def find(self, k: int) -> int:
        while self.parent[k] != k:
            self.parent[k] = self.parent[self.parent[k]]
            k = self.parent[k]
        return k

    def join(self, a: int, b: int) -> None:
        a, b = self.find(a), self.find(b)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def _owner(net: Network, thing) -> int:
    """The union-find element a location or point process belongs to."""
    if isinstance(thing, Location):
        return thing.cell
    if thing.location is None:
        return len(net.cells) + thing.index
    return thing.location.cell


def components(net: Network) -> list[list[int]]:
    """Groups of elements (cells, then n + index for artificial cells) that interact, each sorted,
    in the order of their first element."""
    groups = _Groups(len(net.cells) + len(net.points))
    for pp in net.points:
        for target in pp.pointers.values():
            groups.join(_owner(net, pp), _owner(net, target))
    for nc in net.netcons:
        if nc.target is not None:
            groups.join(_owner(net, nc.source), _owner(net, nc.target))
    members: dict[int, list[int]] = {}
    used = set(range(len(net.cells))) | {len(net.cells) + pp.index for pp in net.points if pp.location is None}
    for k in sorted(used):
        members.setdefault(groups.find(k), []).append(k)
    return list(members.values())


def _weight(net: Network, element: int) -> int:
    """Compartments of a cell (an artificial cell counts one)."""
    if element >= len(net.cells):
        return 1
    return net.cells[element].compartments()


def split(net: Network, parts: int) -> list[Part]:
    """At most `parts` parts of similar weight, each a run of whole components in network order;
    one part (the network itself) when nothing can be split."""
    if net.trains or net.plays:  # spike trains and plays are not split (yet): one part
        return [Part(net)]
    groups = components(net)
    parts = min(parts, len(groups))
    if parts <= 1:
        return [Part(net)]
    weights = [sum(_weight(net, e) for e in g) for g in groups]
    total, bins, filled = sum(weights), [[] for _ in range(parts)], 0
    for group, weight in zip(groups, weights):  # a group goes to the part its middle falls in
        bins[(2 * filled + weight) * parts // (2 * total)].extend(group)
        filled += weight
    return [_subnetwork(net, sorted(b)) for b in bins if b]


def _subnetwork(net: Network, elements: list[int]) -> Part:
    n, members = len(net.cells), set(elements)
    cells = [e for e in elements if e < n]
    new_cell = {old: new for new, old in enumerate(cells)}
    points = [pp for pp in net.points if _owner(net, pp) in members]
    sub = Network()
    part = Part(sub)

    def location(loc: Location) -> Location:
        moved = Location(new_cell[loc.cell], loc.section, loc.x)
        part.original[moved] = loc
        return moved

    new_point: dict[int, PointProcess] = {}
    for pp in points:
        moved = PointProcess(pp.mechanism, None if pp.location is None else location(pp.location), dict(pp.params),
                             {k: location(v) for k, v in pp.pointers.items()}, index=len(sub.points))
        sub.points.append(moved)
        new_point[pp.index] = moved
        part.original[moved] = pp
    sub.cells = [net.cells[k] for k in cells]
    sub.density = [DensityInsertion(d.mechanism, new_cell[d.cell], d.sections, d.params, d.nodes)
                   for d in net.density if d.cell in new_cell]
    for nc in net.netcons:
        if _owner(net, nc.source) in members:
            source = location(nc.source) if isinstance(nc.source, Location) else new_point[nc.source.index]
            target = None if nc.target is None else new_point[nc.target.index]
            sub.netcons.append(NetCon(source, target, nc.weights, nc.delay, nc.threshold))
    for probe in net.probes:
        if probe.point is not None and probe.point.index in new_point:
            sub.probes.append(Probe(probe.name, probe.variable, None, new_point[probe.point.index]))
        elif probe.location is not None and probe.location.cell in new_cell:
            sub.probes.append(Probe(probe.name, probe.variable, location(probe.location), None))
    sub.ions = {x: dict(v) for x, v in net.ions.items()}
    sub.globals = dict(net.globals)
    sub.celsius, sub.v_init = net.celsius, net.v_init
    sub.v_start = {(new_cell[c], sec): v for (c, sec), v in net.v_start.items() if c in new_cell}
    return part
