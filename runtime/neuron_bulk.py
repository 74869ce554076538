"""A NEURON network read in bulk: NEURON writes its CoreNEURON data, modlc reads the arrays.

Walking NEURON's Python objects (runtime.neuron_reader) costs about as much as NEURON's own build
(one Python call per segment and variable). For a model CoreNEURON could run — every cell in one
thread, spike sources identified by gid — NEURON writes the same facts in C in a few milliseconds
(`ParallelContext.nrnbbcore_write`, runtime.coreneuron_files reads them), and modlc builds its
network from the arrays without touching a section: one cell given node by node (a forest of
NEURON's cells, with NEURON's own a, b, area and v per node), one insertion per density mechanism,
point processes and NetCons by their rows in NEURON's storage. NEURON's pointers name those rows
(`data_handle<double>{cont=ExpSyn g row=3/5 ...}`), so recordings and plays resolve without a walk.

`read` returns None where the model needs the section walk instead (no gids, several threads,
spike trains, POINTERs, sources the CoreNEURON data cannot name); the walk then reads it.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

import numpy as np

from . import coreneuron_files as files
from .model import Location, Network, PointProcess
from .morphology import NODES, Cell, ModelError

NOT_MECHANISMS = ("capacitance", "morphology")  # NEURON's per-node data, not mechanisms modlc inserts
NEEDS_WALK = ("VecStim", "PatternStim", "LinearMechanism")  # read by the section walk only


def read(h, mod_dirs, captured, index, problems):
    """The model as a Transfer, or None where the section walk must read it (see the module doc)."""
    from .neuron_reader import Transfer, read_ions, read_plays

    pc = h.ParallelContext()
    if _needs_walk(h, pc, captured):
        return None
    data = _written(h, pc)
    if data is None:
        return None
    table = {m.type: m.name for m in data.mechanisms.values()}
    net = Network(celsius=float(h.celsius))
    net.add_cell(_forest(data))
    net.v_init = float(h.v_init)  # (every node's v is given)
    points = _mechanisms(h, net, data, index, problems)
    if points is None:
        return None
    problems.raise_if_any()
    sources = _sources(data, table, points)
    if sources is None or not _connect(net, data, table, points, sources, index):
        return None
    read_ions(h, net, index, {m.name[:-4]: set(np.unique(m.data[:, 0]).tolist())
                              for m in data.mechanisms.values() if m.ion}, problems)
    resolver = RowResolver(h, data, points, index)
    read_plays(net, captured, resolver, problems)
    problems.raise_if_any()
    gid_sources = {int(gid): source for gid, (source, _) in sources.items() if gid >= 0}
    return Transfer(net, float(h.dt), gid_sources, resolver, lambda: _segments(h), _location,
                    lambda nc: _source(nc, gid_sources, resolver), data.n_cells, "bulk")


def _forest(data: files.ThreadData) -> Cell:
    """NEURON's cells as one cell given node by node (their roots are the first nodes)."""
    parent = data.parent.astype(np.int64)
    parent[:data.n_cells] = -1
    cm = np.zeros(len(parent))
    capacitance = data.mechanisms["capacitance"]
    cm[capacitance.nodes] = capacitance.data[:, 0]
    diam = data.diam if data.diam is not None else np.full(len(parent), np.nan)  # written when a mechanism reads it
    return Cell.from_nodes("NEURON", parent, data.area, cm, data.a, data.b, diam, data.v)


def _mechanisms(h, net: Network, data: files.ThreadData, index, problems) -> dict[str, list[PointProcess]] | None:
    """Every density mechanism inserted, every point process and artificial cell placed (their
    instances in NEURON's storage order, by name); None where the walk must read the model."""
    from .neuron_reader import parameters, read_globals

    points: dict[str, list[PointProcess]] = {}
    for mech in data.mechanisms.values():
        if mech.name in NOT_MECHANISMS or mech.ion:
            continue
        found = index.load(mech.name, problems, f"{len(mech.data)} instances")
        if found is None:
            continue
        compiled, meta = found
        if any(v["role"] == "pointer" for v in meta["variables"]):
            return None  # setpointer targets: read by the walk
        columns = _columns(h, mech, parameters(meta, "range"))
        if columns is None:
            return None
        values = {name: mech.data[:, k] for name, k in columns.items()}
        read_globals(h, net, compiled, meta, mech.name)
        if not mech.point:
            net.insert(compiled, 0, mech.nodes, **values)
            continue
        if mech.name == "NetStim" and "noise" in values and np.any(values["noise"] > 0):
            problems.add("a NetStim with noise > 0 (modlc's random numbers are not NEURON's Random123 "
                         "streams, so its spikes would differ)", f"{int(np.sum(values['noise'] > 0))} NetStims")
        rows = [dict(zip(values, row)) for row in zip(*values.values())] if values else [{}] * len(mech.data)
        if mech.artificial:
            points[mech.name] = [net.artificial(compiled, **row) for row in rows]
        else:
            points[mech.name] = [net.place(compiled, (0, NODES, int(node)), **row) for node, row in zip(mech.nodes, rows)]
    return points


def _needs_walk(h, pc, captured) -> bool:
    """What the CoreNEURON data does not hold."""
    from .neuron_reader import type_names

    classes = set(type_names(h, 1)) | {"LinearMechanism"}  # (List of a class NEURON lacks is a hoc error)
    return (int(pc.nthread()) != 1 or bool(captured.target_vars or captured.source_vars or captured.netcon_records
                                            or captured.patterns)
            or any(int(h.List(name).count()) for name in NEEDS_WALK if name in classes) or _netcons_off(h))


def _netcons_off(h) -> bool:
    """Whether a NetCon is switched off (the data does not say which are)."""
    return any(nc.syn() is not None and not nc.active() for nc in h.List("NetCon"))


def _written(h, pc) -> files.ThreadData | None:
    """NEURON's CoreNEURON data for this model (in memory-backed /dev/shm where there is one), or
    None where NEURON refuses to write it (no gid, extracellular, LinearMechanism or RxD) or
    writes what this reader does not know. hoc's execute1 keeps NEURON's refusal, a hoc error,
    from aborting a hoc procedure that called modlc (stdrun's run()) and from printing."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    folder = Path(tempfile.mkdtemp(prefix="modlc-coreneuron-", dir=base))
    try:
        if not h.execute1(f'{{{pc.hname()}.nrnbbcore_write("{folder}")}}', 0):
            return None
        groups = files.groups(folder)
        if len(groups) != 1:
            return None
        return files.read_thread(folder, groups[0], files.mechanism_table(folder))
    except (files.FormatError, OSError, ValueError):
        return None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _columns(h, mech: files.MechanismData, names: list[str]) -> dict[str, int] | None:
    """The data column of each of modlc's parameters: NEURON's variables in storage order are its
    PARAMETERs, ASSIGNEDs and STATEs as MechanismStandard lists them (then hidden ones)."""
    standard = h.MechanismStandard(mech.name, 0)
    suffix = "" if mech.point else "_" + mech.name
    name = h.ref("")
    order = []
    for i in range(int(standard.count())):
        size = int(standard.name(name, i))
        order.append((name[0][:-len(suffix)] if suffix and name[0].endswith(suffix) else name[0], size))
    if len(order) > len(mech.dims) or any(size != dim for (_, size), dim in zip(order, mech.dims)):
        return None
    position = {var: (k, size) for k, (var, size) in enumerate(order)}
    columns = {}
    for var in names:
        if var not in position or position[var][1] != 1:
            return None  # not in NEURON's layout, or an array: read by the walk
        columns[var] = mech.column(position[var][0])
    return columns


def _decode(code: int, table: dict[int, str], points) -> PointProcess | None:
    """-(type + 1000 * row): the point process or artificial cell CoreNEURON numbers that way."""
    kind, row = (-code) % 1000, (-code) // 1000
    found = points.get(table.get(kind, ""), ())
    return found[row] if row < len(found) else None


def _sources(data: files.ThreadData, table, points) -> dict | None:
    """gid (or CoreNEURON's negative code) -> (modlc source, threshold) of every spike source."""
    sources = {}
    for k, (gid, node) in enumerate(zip(data.output_gid.tolist(), data.output_node.tolist())):
        if gid == -1:
            continue  # a source no NetCon of the data can name
        if node >= 0:
            source = Location(0, NODES, node)
            threshold = float(data.output_threshold[k])
        else:
            source, threshold = _decode(node, table, points), 10.0
            if source is None:
                return None
        sources[gid] = (source, threshold)
    return sources


def _connect(net: Network, data: files.ThreadData, table, points, sources, index) -> bool:
    """Every NetCon; False where one's source is not in the data (the walk then reads the model)."""
    targets = [None if kind == 0 else points[table[kind]][row]
               for kind, row in zip(data.netcon_type.tolist(), data.netcon_instance.tolist())]
    counts = [1 if t is None else len(index.compiled(table[kind])["net_receive_args"] or [None])
              for t, kind in zip(targets, data.netcon_type.tolist())]
    if sum(counts) != len(data.weights):
        return False
    starts = np.concatenate([[0], np.cumsum(counts)]).tolist()
    weights = data.weights.tolist()
    for k, (code, target, delay) in enumerate(zip(data.netcon_source.tolist(), targets, data.delay.tolist())):
        found = sources.get(code) if code != -1 else None
        if found is None:
            return False  # a source without gid on a v, or a gid of no cell here
        source, threshold = found
        net.connect(source, target, weights[starts[k]:starts[k + 1]], delay=delay, threshold=threshold)
    return True


class RowResolver:
    """What a NEURON pointer points at, from the storage row its repr names."""

    _HANDLE = re.compile(r"\{(?:cont=(\S+) (\S+)|Node::field::(\S+)) row=(\d+)/")

    def __init__(self, h, data: files.ThreadData, points: dict[str, list[PointProcess]], index):
        self.h, self.data, self.points, self.index = h, data, points, index

    def point(self, obj) -> PointProcess | None:
        """The modlc instance of a NEURON point process or artificial cell (by any variable's row)."""
        meta = self.index.compiled(obj.hname().split("[")[0])
        for v in meta.get("variables", ()):
            if v["scope"] != "global" and v["role"] != "pointer":
                try:
                    kind, target, _ = self.resolve(getattr(obj, "_ref_" + v["name"]))
                except (ModelError, AttributeError, LookupError, TypeError, RuntimeError):
                    continue
                return target if kind == "point" else None
        return None

    def resolve(self, pointer) -> tuple[str, object, str]:
        """("v" | "range" | "point" | "t", Location or PointProcess or None, variable name)."""
        if pointer == self.h._ref_t:
            return "t", None, "t"
        text = repr(pointer)
        match = self._HANDLE.search(text)
        if match:
            container, variable, node_field, row = match.group(1), match.group(2), match.group(3), int(match.group(4))
            if node_field == "Voltage":
                return "v", Location(0, NODES, row), "v"
            if container in self.points and row < len(self.points[container]):
                return "point", self.points[container][row], variable
            mech = self.data.mechanisms.get(container)
            if mech is not None and mech.nodes is not None and row < len(mech.nodes):
                name = variable if mech.ion else f"{variable}_{container}"
                return "range", Location(0, NODES, int(mech.nodes[row])), name
        raise ModelError(f"modlc cannot tell what {text} points at (a membrane potential, a RANGE variable of a "
                         "density mechanism or ion, or a point process's variable)")


def _location(seg) -> Location:
    return Location(0, NODES, int(seg.node_index()))


def _segments(h):
    """(NEURON segment, Location) of every node: a root section's x = 0 end, then each section's
    centres and x = 1 end (a child's x = 0 is its parent's node)."""
    for sec in h.allsec():
        nodes = list(sec.allseg())
        for seg in nodes if sec.parentseg() is None else nodes[1:]:
            yield seg, _location(seg)


def _source(nc, gid_sources, resolver: RowResolver):
    """The modlc source of a NEURON NetCon."""
    gid = int(nc.srcgid())
    if gid >= 0:
        return gid_sources.get(gid)
    if nc.preseg() is not None:
        return _location(nc.preseg())
    pre = nc.pre()
    return None if pre is None else resolver.point(pre)
