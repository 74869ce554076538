"""A network spread over several devices: each part simulated on its own, spikes exchanged every
min-delay interval (NEURON's ParallelContext rule).

Cells are placed by runtime.partitioning. Each part becomes a network of its own (part_networks):
its cells, artificial cells and point processes; its NetCons; for each source whose spikes reach
another part, a NetCon without target (so that the part detects and reports it); for each remote
source feeding this part, a proxy — a spike train with no spikes of its own — carrying that
source's NetCons into this part. Every part then runs as an ordinary Simulation on its device.

No event from another part is due sooner than the smallest NetCon delay between parts, so the
parts run `window` steps apart — the delivery lag of that delay in steps — then exchange the
window's spikes: each remote spike enters the proxy's NetCons exactly as it would have entered
the original's (`Simulation.inject`: same spike time, same delays), before the step its earliest
event can be due in. Spike times and voltages therefore equal the single-device run's, up to the
order in which same-step synaptic weights are summed (rounding).

A gap junction or POINTER link between parts reads a mirror: a node of its own part without
currents, whose v is set to the remote node's before every step (the parts then meet every step,
which costs far more than keeping the junction in one part: METIS weighs such links heavily).
Exact for what NEURON's gap junctions do, reading the peer's v in BREAKPOINT; a mechanism that
reads its POINTER while its states advance (after the step's solve) is refused across parts.
"""

from __future__ import annotations

import math
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from .model import DensityInsertion, Location, NetCon, Network, Play, PointProcess, Probe, SpikeTrain
from .morphology import Cell, ModelError
from .partitioning import Assignment, assign


@dataclass
class PartNetwork:
    """One part's network, and how its sources map onto the whole network's."""

    net: Network
    exports: dict = field(default_factory=dict)  # key of a source others listen to -> its NetCon here (no target)
    imports: dict = field(default_factory=dict)  # key of a remote source -> its proxy SpikeTrain here
    mirrors: dict = field(default_factory=dict)  # a remote Location a POINTER here reads -> its mirror here
    original: dict = field(default_factory=dict)  # this part's Location / PointProcess / SpikeTrain -> the network's


def source_key(nc: NetCon) -> tuple:
    """What identifies a spike source across parts: a location's v with a threshold, or a point
    process / artificial cell (by its index in the whole network)."""
    if isinstance(nc.source, Location):
        return ("v", nc.source.cell, nc.source.section, nc.source.x, nc.threshold)
    return ("point", nc.source.index)


def part_networks(net: Network, assignment: Assignment) -> list[PartNetwork]:
    """The network cut along the assignment (see the module doc)."""
    cell_part = assignment.cell_parts()
    artificial_part = {k: p for (kind, k), p in zip(assignment.graph.elements, assignment.part) if kind == "artificial"}

    def owner(thing) -> int:
        if isinstance(thing, Location):
            return int(cell_part[thing.cell])
        if thing.location is None:
            return int(artificial_part[thing.index])
        return int(cell_part[thing.location.cell])

    parts = [PartNetwork(Network()) for _ in range(assignment.parts)]
    new_cell: dict[int, int] = {}
    for k, cell in enumerate(net.cells):
        new_cell[k] = len(parts[cell_part[k]].net.cells)
        parts[cell_part[k]].net.cells.append(cell)

    def moved(loc: Location, part: PartNetwork) -> Location:
        here = Location(new_cell[loc.cell], loc.section, loc.x)
        part.original[here] = loc
        return here

    def pointed(loc: Location, home: int) -> Location:
        """Where a POINTER of part `home` reads `loc`'s v: the node itself, or its mirror here."""
        part = parts[home]
        if owner(loc) == home:
            return moved(loc, part)
        moved(loc, parts[owner(loc)])  # (known there, for the exchange to find)
        if loc not in part.mirrors:
            part.mirrors[loc] = Location(len(part.net.cells), "soma", 0.5)
            part.net.cells.append(MIRROR)
            start = _initial_v(net, loc)
            if start is not None:
                part.net.v_start[(part.mirrors[loc].cell, "soma")] = start
        return part.mirrors[loc]

    point_in: dict[int, PointProcess] = {}
    for pp in net.points:
        part = parts[owner(pp)]
        copy = PointProcess(pp.mechanism, None if pp.location is None else moved(pp.location, part), dict(pp.params),
                            {name: pointed(loc, owner(pp)) for name, loc in pp.pointers.items()},
                            index=len(part.net.points), stream=pp.stream)
        part.net.points.append(copy)
        part.original[copy] = pp
        point_in[pp.index] = copy
    for d in net.density:
        part = parts[cell_part[d.cell]]
        part.net.density.append(DensityInsertion(d.mechanism, new_cell[d.cell], d.sections, d.params, d.nodes))
    for (cell, section), value in net.v_start.items():
        parts[cell_part[cell]].net.v_start[(new_cell[cell], section)] = value
    for part in parts:
        part.net.ions = {x: dict(v) for x, v in net.ions.items()}
        part.net.globals = dict(net.globals)
        part.net.celsius, part.net.v_init = net.celsius, net.v_init
    _connect(net, parts, owner, moved, point_in)
    for probe in net.probes:
        if probe.point is not None:
            parts[owner(probe.point)].net.probes.append(Probe(probe.name, probe.variable, None, point_in[probe.point.index]))
        else:
            part = parts[owner(probe.location)]
            part.net.probes.append(Probe(probe.name, probe.variable, moved(probe.location, part), None))
    for play in net.plays:
        home = play.point if play.point is not None else play.location
        part = parts[owner(home)]
        part.net.plays.append(Play(None if play.point is None else point_in[play.point.index],
                                   None if play.location is None else moved(play.location, part),
                                   play.variable, play.values, play.times, play.continuous))
    return parts


def _mirror_cell() -> Cell:
    """A node that stands for another part's node: membrane without currents, so a step leaves
    its v as the exchange set it (rhs 0, so dv = 0 exactly)."""
    cell = Cell("mirror")
    cell.section("soma", L=1.0, diam=1.0)
    return cell


MIRROR = _mirror_cell()


def _initial_v(net: Network, loc: Location) -> float | None:
    """The v a location starts from, where it is not the run's v_init."""
    cell = net.cells[loc.cell]
    if cell.node_v is not None:
        return float(cell.node_v[int(loc.x)])
    return net.v_start.get((loc.cell, loc.section))


def _connect(net: Network, parts: list[PartNetwork], owner, moved, point_in) -> None:
    """NetCons into their target's part (through a proxy where the source lies elsewhere); a
    spike train is copied into every part it feeds."""
    trains: dict[tuple[int, int], SpikeTrain] = {}

    def local_source(nc: NetCon, part: PartNetwork):
        if isinstance(nc.source, Location):
            return moved(nc.source, part)
        return point_in[nc.source.index]

    for nc in net.netcons:
        if isinstance(nc.source, SpikeTrain):
            homes = [owner(nc.target)] if nc.target is not None else []
        else:
            homes = [owner(nc.source)] if nc.target is None else [owner(nc.target)]
        for home in homes:
            part = parts[home]
            if isinstance(nc.source, SpikeTrain):
                key = (home, nc.source.index)
                if key not in trains:
                    trains[key] = part.net.spike_train(nc.source.times)
                    part.original[trains[key]] = nc.source
                source = trains[key]
            elif owner(nc.source) == home:
                source = local_source(nc, part)
            else:
                key = source_key(nc)
                if key not in part.imports:
                    part.imports[key] = part.net.spike_train(())
                source = part.imports[key]
                origin = parts[owner(nc.source)]
                if key not in origin.exports:
                    origin.exports[key] = NetCon(local_source(nc, origin), None, (0.0,), 1.0, nc.threshold)
                    origin.net.netcons.append(origin.exports[key])
            target = None if nc.target is None else point_in[nc.target.index]
            part.net.netcons.append(NetCon(source, target, nc.weights, nc.delay, nc.threshold))


def window_steps(min_delay: float, dt: float) -> int:
    """How many steps the parts may run apart: the fewest steps between a spike and the step that
    delivers its earliest event, for the smallest delay between parts (events are delivered in the
    step whose midpoint they precede, spikes leave 1e-10 ms after the step starts)."""
    if math.isinf(min_delay):
        return 0  # nothing crosses: the parts never need to meet
    steps = math.ceil(min_delay / dt - 0.5)
    if steps < 1:
        raise ModelError(f"the smallest NetCon delay between parts, {min_delay:g} ms, is within half a step of dt = "
                         f"{dt:g} ms: the parts could not run apart for even one step (raise it, or keep both ends "
                         "in one part)")
    return steps


class DistributedSimulation:
    """A network run as parts on several devices (JAX devices; with other backends the parts take
    turns on the host), exchanging spikes every window. `devices`: a number of parts (the first
    jax.devices()) or a list of devices; `partition`: a strategy of runtime.partitioning or an
    assignment. Other arguments as Simulation's.

    Under jax.distributed (several processes, each with its own devices; see the README) every
    process builds the same placement, simulates the parts on its own devices and exchanges the
    windows' spikes and mirrored voltages with the others (multihost_utils.process_allgather);
    its Result holds its own parts' recordings and spikes."""

    def __init__(self, net: Network, devices=2, partition="metis", backend: str = "jax", dt: float = 0.025,
                 seed: int = 0, **options):
        from .simulation import Simulation

        self.devices = _devices(devices, backend)
        self.net, self.dt, self.backend = net, float(dt), backend
        self.assignment = assign(net, len(self.devices), partition, seed=seed)
        self.parts = part_networks(net, self.assignment)
        mirrored = any(part.mirrors for part in self.parts)
        self.window = 1 if mirrored else window_steps(self.assignment.min_delay, self.dt)
        if mirrored:
            window_steps(self.assignment.min_delay, self.dt)  # (still refuses a delay the parts cannot run apart for)
        self.processes, here = _processes(backend)
        self.local = [k for k, d in enumerate(self.devices) if d is None or d.process_index == here]
        self.sims = {}
        for k in self.local:
            with _on(self.devices[k]):
                self.sims[k] = Simulation(self.parts[k].net, backend, dt, seed=seed, progress=False, **options)
        self.keys = sorted({key for part in self.parts for key in part.exports}, key=repr)  # every process alike
        number = {key: i for i, key in enumerate(self.keys)}
        self._routes = {k: {s: number[key] for s, key in self._exported_ids(k).items()} for k in self.local}
        self._proxies = {k: {number[key]: self.sims[k].plan.train_sources[train.index]
                             for key, train in self.parts[k].imports.items()} for k in self.local}
        # every mirror of every part, in one order all processes share: (part of the original, the
        # original's Location there, part of the mirror, the mirror's Location there)
        # every mirror of every part, in one order all processes share; what this process reads
        # (original's part, its node, mirror number) and writes (part -> mirror numbers, nodes)
        mirrors = [(int(self.assignment.cell_parts()[remote.cell]), _local(self.parts, remote), k, mirror)
                   for k, part in enumerate(self.parts) for remote, mirror in part.mirrors.items()]
        for k in self.local:
            self._check_mirrors(k)
        self.n_mirrors = len(mirrors)
        self._originals = [(home, self.sims[home].plan.node(self.parts[home].net, original), i)
                           for i, (home, original, _, _) in enumerate(mirrors) if home in self.sims]
        self._mirror_nodes = {k: (np.array([i for i, m in enumerate(mirrors) if m[2] == k]),
                                  np.array([self.sims[k].plan.node(self.parts[k].net, m[3]) for m in mirrors if m[2] == k]))
                              for k in self.local if any(m[2] == k for m in mirrors)}
        self.train_home = {}  # a spike train copied into several parts is reported by the first
        for k, part in enumerate(self.parts):
            for copy in part.net.trains:
                if copy in part.original:
                    self.train_home.setdefault(part.original[copy].index, k)

    def _check_mirrors(self, k: int) -> None:
        part, sim = self.parts[k], self.sims[k]
        mirror_nodes = {sim.plan.node(part.net, m) for m in part.mirrors.values()}
        for g in sim.plan.groups:
            state_reads = set(g.meta["kernels"].get("state", {}).get("reads", {}).get("ion", ()))
            for name, nodes in {**g.pointers, **g.transfers}.items():
                if name in state_reads and mirror_nodes & set(nodes.tolist()):
                    raise ModelError(f"{g.name} reads POINTER {name} while its states advance: it cannot read a cell "
                                     "of another part (place both cells in one part)")

    def _exported_ids(self, k: int) -> dict[int, tuple]:
        """Part k's source id -> key, for every source another part listens to."""
        part, sim, out = self.parts[k], self.sims[k], {}
        for key, nc in part.exports.items():
            if isinstance(nc.source, Location):
                node = sim.plan.node(part.net, nc.source)
                ids = np.flatnonzero((sim.plan.source_node == node) & (sim.plan.source_threshold == nc.threshold))
                out[int(ids[0])] = key
            else:
                out[sim.plan.point_sources[nc.source.index]] = key
        return out

    def run(self, tstop: float, v_init: float | None = None, record_every: int = 1):
        """Initialise and integrate every part to tstop, exchanging every window; the merged
        Result of this process's parts (sources numbered part after part, named by the whole
        network's objects)."""
        runs = {}
        for k in self.local:
            with _on(self.devices[k]):
                runs[k] = self.sims[k].start(v_init, record_every)
        self._reflect(runs)
        total = int(round(tstop / self.dt))
        sent = {k: 0 for k in self.local}  # (INITIAL may already have fired: a NetStim with start = 0)
        steps = 0
        with ThreadPoolExecutor(max(1, len(self.local))) as pool:
            while steps < total:
                steps = total if self.window == 0 else min(total, steps + self.window)
                list(pool.map(lambda k: self._advance(k, runs[k], steps), self.local))
                if steps == total:
                    break  # (what the last window sent is due after the run)
                spikes = []
                for k in self.local:
                    spikes.extend(self._exported(k, runs[k].spikes[sent[k]:]))
                    sent[k] = len(runs[k].spikes)
                self._deliver(runs, self._gathered(spikes))
                self._reflect(runs)
        return _merged(self, {k: runs[k].result() for k in self.local})

    def _advance(self, k: int, run, until: int) -> None:
        with _on(self.devices[k]):
            self.sims[k].advance(run, until * self.dt)

    def _gathered(self, spikes: list[tuple[float, int]]) -> list[tuple[float, int]]:
        """Every process's spikes of the window (this process's alone when there is one)."""
        if self.processes == 1:
            return spikes
        from jax.experimental import multihost_utils

        counts = multihost_utils.process_allgather(np.array([len(spikes)], dtype=np.int64)).reshape(-1)
        size = max(1, int(counts.max()))
        table = np.zeros((size, 2))
        if spikes:
            table[:len(spikes)] = np.array(spikes, dtype=float)
        everyone = multihost_utils.process_allgather(table)
        return [(float(t), int(key)) for rows, n in zip(everyone, counts) for t, key in rows[:n]]

    def _reflect(self, runs) -> None:
        """Every mirror takes its original's v (before the next step)."""
        if not self.n_mirrors:
            return
        values, now = np.zeros(self.n_mirrors), {}
        for home, node, i in self._originals:
            if home not in now:
                now[home] = runs[home].v()
            values[i] = now[home][node]
        if self.processes > 1:  # each original lives in one process: the others contribute 0
            from jax.experimental import multihost_utils

            values = multihost_utils.process_allgather(values).sum(axis=0)
        for k, (which, nodes) in self._mirror_nodes.items():
            with _on(self.devices[k]):
                self.sims[k].set_v(runs[k], nodes, values[which])

    def _exported(self, k: int, chunks) -> list[tuple[float, int]]:
        routes = self._routes[k]
        return [(t, routes[s]) for times, sources in chunks for t, s in zip(times.tolist(), sources.tolist())
                if s in routes]

    def _deliver(self, runs, spikes: list[tuple[float, int]]) -> None:
        """Each remote spike into the proxies that stand for its source, one spike per source and
        call (a source may have fired more than once in a window)."""
        for k in self.local:
            proxies = self._proxies[k]
            mine = sorted((t, proxies[key]) for t, key in spikes if key in proxies)
            rounds: list[dict[int, float]] = []
            for t, source in mine:
                slot = next((r for r in rounds if source not in r), None)
                if slot is None:
                    slot = {}
                    rounds.append(slot)
                slot[source] = t
            for r in rounds:
                with _on(self.devices[k]):
                    self.sims[k].inject(runs[k], np.array(list(r), dtype=np.int64), np.array(list(r.values())))


def _local(parts: list[PartNetwork], remote: Location) -> Location:
    """The part's own Location that stands for the network's `remote`."""
    return next(loc for part in parts for loc, original in part.original.items()
                if original == remote and isinstance(loc, Location))


def _merged(dist: DistributedSimulation, results: dict):
    """One Result of this process's parts: their own sources' spikes (not the proxies', and a spike
    train copied into several parts once)."""
    from .simulation import merged

    pieces = []
    for k, r in results.items():
        part = dist.parts[k]
        skip = {i for i, obj in r.sources.items() if isinstance(obj, SpikeTrain) and
                (obj not in part.original or dist.train_home[part.original[obj].index] != k)}
        pieces.append((r, part.original, dist.sims[k].plan.n_sources, skip))
    return merged(pieces, dist.net.probes)


def _processes(backend: str) -> tuple[int, int]:
    """(processes, this one's index): several only under jax.distributed."""
    if backend != "jax":
        return 1, 0
    import jax

    return jax.process_count(), jax.process_index()


def _devices(devices, backend: str) -> list:
    """The devices the parts run on (None for each part with a backend other than JAX)."""
    if isinstance(devices, (int, np.integer)):
        if devices < 1:
            raise ModelError(f"devices must be a whole number >= 1 or a list of devices, not {devices!r}")
        if backend != "jax":
            return [None] * int(devices)
        import jax

        available = jax.devices()
        if devices > len(available):
            raise ModelError(f"{devices} devices asked for, {len(available)} available ({available[0].platform}; "
                             "for CPU devices set XLA_FLAGS=--xla_force_host_platform_device_count=N before JAX starts)")
        return list(available[:devices])
    return list(devices)


class _on:
    """`with jax.default_device(device)` for a JAX device; nothing for None."""

    def __init__(self, device):
        self.device, self.context = device, None

    def __enter__(self):
        if self.device is not None:
            import jax

            self.context = jax.default_device(self.device)
            self.context.__enter__()

    def __exit__(self, *exc):
        if self.context is not None:
            self.context.__exit__(*exc)
