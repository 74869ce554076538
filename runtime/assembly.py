"""Lowering a Network to flat arrays: one node array for all cells, one instance group per mechanism.

Everything here is NumPy and plain Python, done once per simulation; the engine turns the arrays
into backend constants.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import ModuleType
from typing import Callable

import numpy as np

from . import hines
from .ions import IonSpecies, species
from .model import STREAM_LIMIT, Location, Mechanism, Network, SpikeTrain
from .morphology import ModelError

BLOCKS = ("before_initial", "after_initial", "before_breakpoint", "after_solve", "before_step")  # NEURON's nrn_ba points


def ion_field(name: str, ion: str) -> str | None:
    """Which of an ion's per-node arrays a mechanism variable is: e (ena), ci (nai), co (nao), i (ina)."""
    return {f"e{ion}": "e", f"{ion}i": "ci", f"{ion}o": "co", f"i{ion}": "i"}.get(name)


@dataclass
class Group:
    """Every instance of one mechanism in the network, with the arrays its kernels read."""

    index: int
    mechanism: Mechanism
    module: ModuleType
    meta: dict
    nodes: np.ndarray | None  # node of each instance; None for artificial cells
    params: dict[str, np.ndarray | float]
    state: dict[str, np.ndarray]
    scale: np.ndarray  # current to mA/cm² of the node: 1 (density) or 100/area (point, nA)
    pointers: dict[str, np.ndarray]  # POINTER variable -> node whose v it reads
    ion_inputs: list[tuple[str, str, str]]  # (variable, ion, field) loaded into `ion`
    ion_mirrors: list[tuple[str, str, str]]  # concentration/reversal kept in s, refreshed from the ion
    ion_writes: list[tuple[str, str, str]]  # concentration/reversal written back to the ion
    points: dict[int, int] = field(default_factory=dict)  # PointProcess.index -> instance
    delivery: str | None = None  # "ring" (weight-additive NET_RECEIVE), "queue" or None
    netcons: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # global NetCon ids
    netcon_instance: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    args: dict[str, np.ndarray] = field(default_factory=dict)  # NET_RECEIVE arguments per NetCon
    sources: np.ndarray | None = None  # source id of each instance (net_event), -1 if none
    played: dict[str, tuple] = field(default_factory=dict)  # parameter -> (instances, rows, change per row past the end)
    transfers: dict[str, np.ndarray] = field(default_factory=dict)  # variable -> node whose v it takes each step
    streams: np.ndarray | None = None  # each instance's random stream, where any was given one

    @property
    def name(self) -> str:
        return self.meta["name"]

    @property
    def size(self) -> int:
        return len(self.scale)

    def kernel(self, name: str) -> Callable | None:
        return getattr(self.module, name, None) if name in self.meta["kernels"] else None


@dataclass
class Plan:
    """The whole network as arrays."""

    parent: np.ndarray
    area: np.ndarray
    cm: np.ndarray
    a: np.ndarray
    b: np.ndarray
    levels: hines.Levels
    cell_offsets: list[int]  # first node of each cell as built (before `layout`)
    position: np.ndarray  # built node -> simulated node
    groups: list[Group]
    ions: dict[str, IonSpecies]
    source_node: np.ndarray  # threshold sources: node of each (their ids come first)
    source_threshold: np.ndarray
    n_sources: int  # threshold sources + net_event sources (+ silent ones: NetCon sources without net_event)
    netcon_source: np.ndarray
    netcon_delay: np.ndarray
    point_sources: dict[int, int]  # PointProcess.index -> source id
    train_sources: dict[int, int]  # SpikeTrain.index -> source id (after every other source)
    schedule_time: np.ndarray  # every spike train's spikes, in time order ...
    schedule_source: np.ndarray  # ... and their source ids
    celsius: float
    v_start: np.ndarray  # initial v per node; NaN where the run's v_init applies

    @property
    def n_nodes(self) -> int:
        return len(self.parent)

    def node(self, net: Network, loc: Location) -> int:
        return int(self.position[self.cell_offsets[loc.cell] + net.cells[loc.cell].node(loc.section, loc.x)])


def layout(parent: np.ndarray, cm: np.ndarray, local: np.ndarray) -> np.ndarray:
    """The position of every node in the simulated order: by depth; within a depth the membrane
    nodes before the end nodes (cm = 0); then by the node's index within its cell (`local`), the
    cells interleaved.

    Parents still come before children (the Hines order) and every depth of the tree solve is one
    contiguous run. In a network of identical cells, a mechanism in one kind of section occupies one
    run per depth it reaches (a single run for one-compartment cells): its gathers and scatters
    become slices (see primitives.Span)."""
    keys = np.lexsort((np.arange(len(parent)), local, cm <= 0, hines.depths(parent)))
    position = np.empty(len(parent), dtype=np.int64)
    position[keys] = np.arange(len(parent))
    return position


def passive_ends(parent: np.ndarray, cm: np.ndarray, pinned: np.ndarray) -> np.ndarray:
    """The node whose v each node shares: itself, or for an end node that nothing is attached to
    (a tip of the tree, or a root with a single child), its one neighbour.

    Such a node carries no membrane, so its row of the cable equation says v_end = v_neighbour,
    and eliminating it from the tree matrix drops exactly its axial coupling (the Schur complement
    of the row is the coupling term it cancels). NEURON keeps them; leaving them out changes
    results only by rounding, and a single-compartment cell becomes one node instead of three."""
    n = len(parent)
    has_parent = parent >= 0
    children = np.bincount(parent[has_parent], minlength=n)
    only_child = np.full(n, -1)
    only_child[parent[has_parent]] = np.flatnonzero(has_parent)  # meaningful where children == 1
    free = (cm <= 0) & ~pinned
    tip = free & has_parent & (children == 0)
    root = free & ~has_parent & (children == 1)
    root &= cm[np.maximum(only_child, 0)] > 0
    attached = np.arange(n)
    attached[tip] = parent[tip]
    attached[root] = only_child[root]
    return attached


def assemble(net: Network, load: Callable[[Mechanism], ModuleType], dt: float) -> Plan:
    """Flatten `net`; `load` compiles a mechanism for the simulation's backend."""
    if not net.cells and not any(p.location is None for p in net.points):
        raise ModelError("the network is empty: add a cell or an artificial cell")
    trees = [c.tree() for c in net.cells]
    offsets, parent, area, cm, a, b, diam = [], [], [], [], [], [], []
    total = 0
    for t in trees:
        offsets.append(total)
        parent.append(np.where(t.parent >= 0, t.parent + total, -1))
        for dst, src in ((area, t.area), (cm, t.cm), (a, t.a), (b, t.b), (diam, t.diam)):
            dst.append(src)
        total += len(t.parent)
    cat = (lambda xs: np.concatenate(xs) if xs else np.zeros(0))
    built, built_cm = cat(parent).astype(np.int64), cat(cm)

    def built_node(loc: Location) -> int:
        return offsets[loc.cell] + net.cells[loc.cell].node(loc.section, loc.x)

    pinned = np.zeros(total, dtype=bool)
    pinned[[built_node(pp.location) for pp in net.points if pp.location is not None]] = True
    attached = passive_ends(built, built_cm, pinned)
    kept = np.flatnonzero(attached == np.arange(total))
    renumber = np.full(total, -1)
    renumber[kept] = np.arange(len(kept))
    kept_parent = np.where(built[kept] >= 0, renumber[np.maximum(built[kept], 0)], -1)  # -1: its root was dropped
    local = np.arange(total) - np.repeat(offsets, [len(t.parent) for t in trees])
    position_kept = layout(kept_parent, built_cm[kept], local[kept])
    position = position_kept[renumber[attached]]  # built node -> simulated node (a dropped end: its neighbour)
    by_position = np.argsort(position_kept)
    order = kept[by_position]
    parent_a = np.where(kept_parent >= 0, position_kept[np.maximum(kept_parent, 0)], -1)[by_position]
    coupled = parent_a >= 0
    area_a, diam_a = cat(area)[order], cat(diam)[order]
    plan_nodes = dict(parent=parent_a, area=area_a, cm=built_cm[order], a=np.where(coupled, cat(a)[order], 0.0),
                      b=np.where(coupled, cat(b)[order], 0.0))

    def node_at(loc: Location) -> int:
        return int(position[built_node(loc)])

    modules: dict[tuple, tuple[Mechanism, ModuleType]] = {}

    def module_of(mech: Mechanism) -> ModuleType:
        if mech.key not in modules:
            modules[mech.key] = (mech, load(mech))
        return modules[mech.key][1]

    # Density mechanisms: one instance per segment centre, in order of first insertion.
    density: dict[tuple, dict[int, dict]] = {}
    for ins in net.density:
        meta = module_of(ins.mechanism).META
        if meta["kind"] != "density":
            raise ModelError(f"{ins.mechanism.path}: {meta['name']} is a {meta['kind']} mechanism; use place() or artificial(), not insert()")
        tree = trees[ins.cell]
        slots = density.setdefault(ins.mechanism.key, {})
        nodes = ins.nodes if ins.nodes is not None else [node for sec in ins.sections for node in tree.centres[sec]]
        for k, node in enumerate(nodes):  # a parameter is one number or one value per segment
            values = {name: value if isinstance(value, (int, float)) else value[k] for name, value in ins.params.items()}
            slots.setdefault(int(position[offsets[ins.cell] + node]), {}).update(values)
    ordered: list[tuple[Mechanism, list]] = []
    for key, slots in density.items():  # instances in node order: consecutive nodes make a Span
        ordered.append((modules[key][0], [(n, None, slots[n]) for n in sorted(slots)]))
    by_mech: dict[tuple, list] = {}
    for pp in net.points:
        meta = module_of(pp.mechanism).META
        if meta["kind"] == "density":
            raise ModelError(f"{pp.mechanism.path}: {meta['name']} is a density mechanism; use insert(), not place()")
        if (pp.location is None) != (meta["kind"] == "artificial"):
            what = "an artificial cell (use artificial())" if meta["kind"] == "artificial" else "a point process (use place(..., at=))"
            raise ModelError(f"{pp.mechanism.path}: {meta['name']} is {what}")
        node = -1 if pp.location is None else node_at(pp.location)
        if pp.mechanism.key not in by_mech:
            by_mech[pp.mechanism.key] = []
            ordered.append((pp.mechanism, by_mech[pp.mechanism.key]))
        by_mech[pp.mechanism.key].append((node, pp, pp.params))

    ions = species([module_of(m).META for m, _ in ordered], net.ions)
    groups = []
    for mech, members in ordered:
        groups.append(_group(len(groups), mech, module_of(mech), members, net, node_at, area_a, diam_a, dt))

    plan = Plan(**plan_nodes, levels=hines.levels(parent_a, plan_nodes["a"], plan_nodes["b"]), cell_offsets=offsets, position=position,
                groups=groups, ions=ions, source_node=np.zeros(0, dtype=np.int64), source_threshold=np.zeros(0),
                n_sources=0, netcon_source=np.zeros(0, dtype=np.int64), netcon_delay=np.zeros(0),
                point_sources={}, train_sources={}, schedule_time=np.zeros(0), schedule_source=np.zeros(0, dtype=np.int64),
                celsius=net.celsius, v_start=_v_start(net, trees, offsets, total)[order])
    _connect(plan, net, dt)
    _plays(plan, net, dt)
    return plan


def _plays(plan: Plan, net: Network, dt: float) -> None:
    """Each played parameter as a table with one row per use: row 0 at finitialize (t = 0), row
    n + 1 in step n (NEURON applies a stepwise play's value once its time is <= t + dt/2, and
    evaluates a continuous one at t + dt/2); past the last row a stepwise value holds and a
    continuous one goes on along its last segment."""
    group_of = {pidx: (g, j) for g in plan.groups for pidx, j in g.points.items()}
    columns: dict[tuple[int, str], list] = {}
    for play in net.plays:
        if play.point is not None:
            g, j = group_of[play.point.index]
            name = play.variable
        else:
            node = plan.node(net, play.location)
            g = next((g for g in plan.groups if g.meta["kind"] == "density" and play.variable.endswith("_" + g.name)
                      and node in set(g.nodes.tolist())), None)
            if g is None:
                raise ModelError(f"play {play.variable}: no density mechanism with that variable at {play.location}")
            name = play.variable[: -len(g.name) - 1]
            j = int(np.flatnonzero(g.nodes == node)[0])
        base = g.params.get(name)
        if not isinstance(base, np.ndarray):
            raise ModelError(f"play {play.variable}: {g.name} has no RANGE parameter {name!r} to play into"
                             f" (playable: {', '.join(k for k, v in g.params.items() if isinstance(v, np.ndarray))})")
        times, values = np.array(play.times), np.array(play.values)
        steps = int(math.ceil(times[-1] / dt)) + 2
        at = np.concatenate([[0.0], (np.arange(steps) + 0.5) * dt])
        slope = 0.0
        if play.continuous:
            rows, slope = _continuous(times, values, at)
        else:
            i = np.searchsorted(times, np.concatenate([[0.0], at[1:]]), side="right") - 1
            rows = np.where(i >= 0, values[np.maximum(i, 0)], base[j])
        columns.setdefault((g.index, name), []).append((j, rows, slope * dt))
    for (k, name), cols in columns.items():
        length = max(len(r) for _, r, _ in cols)  # a shorter column goes on as its own last row would
        table = np.stack([np.concatenate([r, r[-1] + step * np.arange(1, length - len(r) + 1)]) for _, r, step in cols], axis=1)
        plan.groups[k].played[name] = (np.array([j for j, _, _ in cols], dtype=np.int64), table,
                                       np.array([step for _, _, step in cols]))


def _continuous(times: np.ndarray, values: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, float]:
    """NEURON's continuous play (VecPlayContinuous::interpolate): the first value up to the first
    time, then the line through the two points around t, past the last point the last segment's
    line (NEURON extrapolates); equal times give the mean of their values. Also the slope past the end."""
    if len(times) == 1:
        return np.full(len(at), values[0]), 0.0
    k = np.clip(np.searchsorted(times, at, side="right"), 1, len(times) - 1)
    t0, t1, y0, y1 = times[k - 1], times[k], values[k - 1], values[k]
    same = t1 == t0
    theta = np.where(same, 0.0, (at - t0) / np.where(same, 1.0, t1 - t0))
    rows = np.where(same, (y0 + y1) / 2, y0 + theta * (y1 - y0))
    rows = np.where(at <= times[0], values[0], rows)
    last = (values[-1] - values[-2]) / (times[-1] - times[-2]) if times[-1] > times[-2] else 0.0
    return rows, float(last)


def _v_start(net: Network, trees: list, offsets: list[int], total: int) -> np.ndarray:
    """Per-node initial v from Network.set_v_init: a section's centres and its 1-end node (and the
    root node for the root section), and the v of cells given node by node; NaN elsewhere."""
    v = np.full(total, np.nan)
    for cell, offset in zip(net.cells, offsets):
        if cell.node_v is not None:
            v[offset:offset + len(cell.node_v)] = cell.node_v
    for (cell, sec), value in net.v_start.items():
        tree = trees[cell]
        nodes = list(tree.centres[sec]) + [tree.ends[sec][1]]
        if net.cells[cell].sections[sec].parent is None:
            nodes.append(tree.ends[sec][0])
        v[offsets[cell] + np.array(nodes)] = value
    return v


def _check_loop_limits(mech, meta: dict, params: dict, n: int) -> None:
    """A FROM loop bounded by PARAMETERs was unrolled a fixed number of times: refuse values that
    would need more iterations than were generated, rather than run a shorter loop."""
    for limit in meta.get("loop_limits", ()):
        span = np.full(n, float(limit["offset"]))
        for name, coefficient in limit["terms"].items():
            span = span + coefficient * np.asarray(params[name], dtype=float)
        needed = np.floor(np.maximum(span, -1.0) / limit["step"]) + 1
        worst = int(np.argmax(needed)) if n else 0
        if n and needed[worst] > limit["iterations"]:
            values = ", ".join(f"{name} = {np.broadcast_to(params[name], (n,))[worst]:g}" for name in limit["terms"])
            raise ModelError(f"{mech.path.parent / limit['where']}: error: this FROM loop runs {int(needed[worst])} "
                             f"times with {values}, but modlc unrolled loops bounded by PARAMETERs "
                             f"{limit['iterations']} times")


def _group(index, mech, module, members, net, node_at, area, diam, dt) -> Group:
    meta = module.META
    kind = meta["kind"]
    n = len(members)
    where = f"{mech.path}: {meta['name']}"
    for k in meta["kernels"]:
        if k.startswith(("before_", "after_")) and k not in BLOCKS:
            raise ModelError(f"{where}: {k.replace('_', ' ', 1).upper()} blocks are not simulated (only "
                             f"{', '.join(b.replace('_', ' ').upper() for b in BLOCKS)})")
    nodes = np.array([m[0] for m in members], dtype=np.int64)
    variables = {v["name"]: v for v in meta["variables"]}
    params: dict = {}
    for v in meta["variables"]:
        if v["read_from"] != "p":
            continue
        default = v["default"] if v["default"] is not None else 0.0
        if v["scope"] == "global":
            params[v["name"]] = float(net.globals.get((mech.key, v["name"]), default))
        else:
            params[v["name"]] = np.full(n, float(default))
    for j, (_, _, overrides) in enumerate(members):
        for name, value in overrides.items():
            var = variables.get(name)
            if var is None or var["role"] not in ("parameter", "state", "assigned") or var["read_from"] == "ion":
                settable = sorted(k for k, v in variables.items() if v["read_from"] == "p" and v["scope"] != "global")
                raise ModelError(f"{where} has no settable parameter {name!r} (parameters: {', '.join(settable)})")
            if var["scope"] == "global" and var["read_from"] == "p":
                raise ModelError(f"{where}: {name} is GLOBAL; set it once with Network.set_global")
            if var["read_from"] == "p":
                params[name][j] = float(value)
    for (key, name), value in net.globals.items():
        if key == mech.key and (name not in variables or variables[name]["scope"] != "global"):
            raise ModelError(f"{where} has no GLOBAL parameter {name!r}")
    _check_loop_limits(mech, meta, params, n)
    located = nodes >= 0
    node_idx = np.where(located, nodes, 0)
    env = {"celsius": float(net.celsius), "dt": float(dt),
           "area": np.where(located, area[node_idx], 0.0) if located.any() else np.zeros(n),
           "diam": np.where(located, diam[node_idx], 0.0) if located.any() else np.zeros(n)}
    for name in meta["environment"]:
        params[name] = env[name]
    # s: every variable kept by the mechanism, from its default (NEURON starts them at 0).
    s_keys = {v["name"] for v in meta["variables"] if v["read_from"] == "s" or (v["written"] and v["role"] != "netcon_arg")}
    state = {name: np.full(n, float(variables[name]["default"] or 0.0)) for name in sorted(s_keys)}
    for j, (_, _, overrides) in enumerate(members):
        for name, value in overrides.items():
            if name in state and variables[name]["read_from"] != "p":
                state[name][j] = float(value)
    if any(k["newton"] for k in meta["kernels"].values()):
        state["__converged__"] = np.ones(n, dtype=bool)
    scale = np.ones(n) if kind == "density" else np.where(located, 100.0 / env["area"].clip(min=1e-300), 0.0)
    ion_inputs, mirrors, writes = [], [], []
    for v in meta["variables"]:
        if v["ion"] is None:
            continue
        fld = ion_field(v["name"], v["ion"])
        if fld is None:
            raise ModelError(f"{where}: ion variable {v['name']} is not e{v['ion']}, {v['ion']}i, {v['ion']}o or i{v['ion']}")
        entry = (v["name"], v["ion"], fld)
        if v["read_from"] == "ion":
            ion_inputs.append(entry)
        elif fld != "i" and v["name"] in state:
            mirrors.append(entry)
        if fld != "i" and v["written"]:
            writes.append(entry)
    pointers = {}
    read = {key for k in meta["kernels"].values() for key in k["reads"].get("ion", ())}
    for v in meta["variables"]:
        if v["role"] == "pointer" and v["written"]:  # NEURON would write the linked variable
            raise ModelError(f"{where}: POINTER {v['name']} is assigned; modlc's POINTERs only read the "
                             "v they are linked to (writing through a POINTER is not supported)")
        if v["role"] != "pointer" or v["name"] not in read:  # unread: a handle only VERBATIM C used
            continue
        targets = []
        for _, pp, _ in members:
            loc = pp.pointers.get(v["name"]) if pp is not None else None
            if loc is None:
                who = "a density mechanism" if pp is None else "a point process"
                raise ModelError(f"{where}: POINTER {v['name']} of {who} is not linked (use Network.link or gap_junction)")
            targets.append(node_at(loc))
        pointers[v["name"]] = np.array(targets, dtype=np.int64)
    transfers = _transfers(where, variables, members, node_at,
                           {v["name"] for v in meta["variables"] if v["role"] == "pointer"})
    group = Group(index, mech, module, meta, None if kind == "artificial" else nodes, params, state, scale, pointers,
                  ion_inputs, mirrors, writes)
    group.points = {pp.index: j for j, (_, pp, _) in enumerate(members) if pp is not None}
    group.transfers = transfers
    if any(pp is not None and pp.stream is not None for _, pp, _ in members):
        # instances without a stream of their own get one no user stream (< 2**31) can equal
        group.streams = np.array([pp.stream if pp.stream is not None else STREAM_LIMIT + pp.index
                                  for _, pp, _ in members], dtype=np.int64)
    if "net_receive" in meta["kernels"]:
        group.delivery = "ring" if meta["kernels"]["net_receive"].get("weight_additive") else "queue"
    return group


def _transfers(where: str, variables: dict, members: list, node_at, pointers: set[str]) -> dict[str, np.ndarray]:
    """Variables other than POINTERs that Network.link ties to another node's v: NEURON's
    `ParallelContext.target_var` writes them before every step (a half gap junction's vgap)."""
    linked = sorted({name for _, pp, _ in members if pp is not None for name in pp.pointers} - pointers)
    out = {}
    for name in linked:
        var = variables.get(name)
        if var is None or var["role"] not in ("assigned", "parameter") or var["written"] or var["scope"] == "global":
            raise ModelError(f"{where}: {name} cannot take another segment's v (link a POINTER, or a RANGE variable "
                             "the mechanism only reads)")
        if any(pp is None or name not in pp.pointers for _, pp, _ in members):
            raise ModelError(f"{where}: {name} is linked on some instances but not on all of them")
        out[name] = np.array([node_at(pp.pointers[name]) for _, pp, _ in members], dtype=np.int64)
    return out


def _connect(plan: Plan, net: Network, dt: float) -> None:
    """Sources (threshold detectors first, then net_event emitters, then spike trains), NetCons
    and their arguments."""
    thresholds: dict[tuple[int, float], int] = {}
    for nc in net.netcons:
        if isinstance(nc.source, Location):
            thresholds.setdefault((plan.node(net, nc.source), nc.threshold), len(thresholds))
    plan.source_node = np.array([k[0] for k in thresholds], dtype=np.int64)
    plan.source_threshold = np.array([k[1] for k in thresholds], dtype=float)
    next_id = len(thresholds)
    for g in plan.groups:
        emits = any("event" in k["events"] for k in g.meta["kernels"].values())
        g.sources = np.full(g.size, -1, dtype=np.int64)
        if emits:
            g.sources = np.arange(next_id, next_id + g.size, dtype=np.int64)
            for pidx, j in g.points.items():
                plan.point_sources[pidx] = next_id + j
            next_id += g.size
    for nc in net.netcons:  # a source that never calls net_event: legal in NEURON, it just never fires
        if not isinstance(nc.source, (Location, SpikeTrain)) and nc.source.index not in plan.point_sources:
            plan.point_sources[nc.source.index] = next_id
            next_id += 1
    times, ids = [], []
    for train in net.trains:
        plan.train_sources[train.index] = next_id
        window = np.ceil(np.array(train.times) / dt - 0.5)  # the step each spike is delivered in
        if len(window) > 1 and np.any(np.diff(window) == 0):
            k = int(np.flatnonzero(np.diff(window) == 0)[0])
            raise ModelError(f"a spike train has spikes at {train.times[k]:g} and {train.times[k + 1]:g} ms, within one "
                             f"step of dt = {dt:g} ms; modlc delivers at most one spike per source and step")
        times.extend(train.times)
        ids.extend([next_id] * len(train.times))
        next_id += 1
    order = np.argsort(np.array(times), kind="stable")
    plan.schedule_time = np.array(times, dtype=float)[order]
    plan.schedule_source = np.array(ids, dtype=np.int64)[order]
    plan.n_sources = next_id
    group_of = {pidx: (g, j) for g in plan.groups for pidx, j in g.points.items()}
    src, delay = [], []
    per_group: dict[int, list] = {}
    for c, nc in enumerate(net.netcons):
        if isinstance(nc.source, Location):
            src.append(thresholds[(plan.node(net, nc.source), nc.threshold)])
        elif isinstance(nc.source, SpikeTrain):
            src.append(plan.train_sources[nc.source.index])
        else:
            src.append(plan.point_sources[nc.source.index])
        delay.append(nc.delay)
        if nc.target is None:
            continue
        g, j = group_of[nc.target.index]
        if g.delivery is None:
            raise ModelError(f"NetCon {c}: target {g.name} has no NET_RECEIVE block")
        per_group.setdefault(g.index, []).append((c, j, nc.weights))
    plan.netcon_source = np.array(src, dtype=np.int64)
    plan.netcon_delay = np.array(delay, dtype=float)
    for g in plan.groups:
        entries = per_group.get(g.index, [])
        names = list(g.meta["net_receive_args"])
        g.netcons = np.array([e[0] for e in entries], dtype=np.int64)
        g.netcon_instance = np.array([e[1] for e in entries], dtype=np.int64)
        g.args = {a: np.zeros(len(entries)) for a in names}
        for k, (c, _, weights) in enumerate(entries):
            if len(weights) > max(len(names), 1):
                raise ModelError(f"NetCon {c}: {len(weights)} weights given, but {g.name}'s NET_RECEIVE takes {len(names)} arguments")
            for a, w in zip(names, weights):
                g.args[a][k] = w
        if entries and not names:
            raise ModelError(f"{g.name}: NET_RECEIVE needs at least one argument (the weight)")


def ring_depth(plan: Plan, dt: float) -> int:
    """Slots a delivery ring needs: the longest delay in steps, plus the step in progress."""
    longest = float(plan.netcon_delay.max(initial=0.0))
    return int(math.ceil(longest / dt)) + 3
