"""The model a running NEURON holds, read into a modlc Network: NEURON builds it, modlc simulates it.

Two routes. A model CoreNEURON could run (gids, one thread) is read in bulk from the data NEURON
writes for CoreNEURON (runtime.neuron_bulk): a quarter of NEURON's own build time. Any other model is
walked here, section by section and object by object through `h` (NEURON's node areas and axial
resistances, each segment's RANGE values, the NetCon list, by name), which costs about as much as
NEURON's build. What the objects do not expose — what a `Vector.record` records, a VecStim's or
PatternStim's vector, a `source_var`/`target_var` pair — the drop-in switch (modlc/neuron.py)
captures as the script makes those calls and hands over as `Captured`.

Geometry is NEURON's, segment by segment (`seg.area()`, `seg.ri()`, `seg.cm`, `seg.diam`), so 3-D
points, tapering and per-segment cm are exact. Density mechanisms, point processes and artificial
cells are mapped by name onto the model's own .mod files (the folders given) or modlc's library;
anything that cannot be simulated is collected and reported at once, with where it is used.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from .model import Location, Mechanism, NetCon, Network, PointProcess, SpikeTrain
from .morphology import Cell, ModelError, Section, SegmentGeometry

SPIKE_TRAINS = ("VecStim",)  # vector-playing sources: read with element(), simulated as SpikeTrain
PATTERN = "PatternStim"


@dataclass
class Captured:
    """What the running script told NEURON that NEURON's objects do not reveal afterwards."""

    records: list = field(default_factory=list)  # (Vector, pointer, Dt or None)
    spike_records: list = field(default_factory=list)  # (gid or gid Vector or -1, time Vector, id Vector)
    netcon_records: list = field(default_factory=list)  # (NetCon, time Vector, id Vector or None, id)
    plays: list = field(default_factory=list)  # (Vector, pointer, Dt or time Vector, continuous)
    patterns: dict = field(default_factory=dict)  # PatternStim hname -> (times, gids)
    vecstims: dict = field(default_factory=dict)  # VecStim hname -> times
    source_vars: dict = field(default_factory=dict)  # sgid -> pointer to a v
    target_vars: list = field(default_factory=list)  # (point process, pointer to its POINTER, sgid)


@dataclass
class Transfer:
    """A NEURON model as a modlc Network, and how NEURON's objects map onto it."""

    network: Network
    dt: float
    gid_sources: dict[int, Any]  # gid -> its modlc source (Location, PointProcess or SpikeTrain)
    resolver: Any  # .resolve(NEURON pointer) -> ("v" | "range" | "point" | "t", target, variable)
    segments: Callable[[], Iterator]  # () -> (NEURON segment, Location) of every node modlc simulates
    location: Callable[[Any], Location]  # NEURON segment -> its Location
    source: Callable[[Any], Any]  # NEURON NetCon -> its modlc source (None if it has none)
    cells: int  # NEURON's cells (a bulk read gives modlc one cell holding them all)
    route: str  # "bulk" (NEURON's CoreNEURON data) or "walk" (section by section)


def node_locations(sections):
    """(NEURON segment, Location) of every node of `sections` ((cell, name, NEURON nodes) each)."""
    for cell, name, nodes in sections:
        for seg in nodes:
            yield seg, Location(cell, name, seg.x)


class Problems:
    """Everything in the model modlc cannot simulate: reported together, never skipped."""

    def __init__(self):
        self.items: dict[str, list[str]] = {}

    def add(self, what: str, where: str) -> None:
        self.items.setdefault(what, []).append(where)

    def raise_if_any(self) -> None:
        if not self.items:
            return
        lines = []
        for what, where in self.items.items():
            shown = ", ".join(where[:6]) + (f" and {len(where) - 6} more" if len(where) > 6 else "")
            lines.append(f"  - {what}: {shown}")
        raise ModelError("this NEURON model uses what modlc cannot simulate:\n" + "\n".join(lines))


def type_names(h, kind: int) -> list[str]:
    """Names of NEURON's mechanism types: 0 density, 1 point processes and artificial cells."""
    mt = h.MechanismType(kind)
    names = []
    for i in range(int(mt.count())):
        mt.select(i)
        name = h.ref("")
        mt.selected(name)
        names.append(name[0])
    return names


class MechanismIndex:
    """NEURON mechanism name -> the .mod file modlc compiles for it: the model's own folders first
    (what was given to nrnivmodl), then modlc's library of NEURON's built-ins. A file with a TABLE
    is compiled to interpolate in it when NEURON does (its usetable_<name>, 1 by default), and
    every file with NEURON's numeric dI/dv, so that the two compute the same numbers."""

    def __init__(self, h, mod_dirs):
        from ..library import declared, declared_names

        self.h = h
        self.files: dict[str, Path] = {}
        for folder in mod_dirs:
            for path in sorted(Path(folder).glob("*.mod")):
                for name in declared_names(path):
                    self.files.setdefault(name, path)
        for name, path in declared().items():
            self.files.setdefault(name, path)
        self.meta: dict[str, dict | str] = {}  # name -> META, or why it cannot be compiled

    def load(self, name: str, problems: Problems, where: str) -> tuple[Mechanism, dict] | None:
        """The mechanism and its META (compiled once, cached on disk), or None with a problem noted
        (again on every call: each reading of the model reports it)."""
        if name not in self.meta:
            self.meta[name] = self._compile(name)
        meta = self.meta[name]
        if isinstance(meta, str):
            problems.add(meta, where)
            return None
        return self.mechanism(name), meta

    def compiled(self, name: str) -> dict:
        """META of a mechanism loaded before ({} if it was not, or failed)."""
        meta = self.meta.get(name)
        return meta if isinstance(meta, dict) else {}

    def ions(self) -> set[str]:
        """The ions the mechanisms loaded so far use."""
        return {ion["name"] for meta in self.meta.values() if isinstance(meta, dict) for ion in meta["ions"]}

    def _compile(self, name: str) -> dict | str:
        """META, or what is wrong."""
        from .. import loader

        path = self.files.get(name)
        if path is None:
            return (f"{name}: no .mod file declares it (pass the model's mod folder) and modlc's library "
                    "has no such built-in")
        try:
            return loader.load(path, backend="numpy").META
        except Exception as exc:  # a compile error of the model's own file: reported with the rest
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return f"{name}: {path} does not compile ({first})"

    def mechanism(self, name: str) -> Mechanism:
        try:
            usetable = float(getattr(self.h, f"usetable_{name}")) != 0
        except (AttributeError, LookupError, TypeError):
            usetable = False  # no TABLE in NEURON's version of it
        return Mechanism(self.files[name], "numeric", usetable=usetable)  # NEURON's dI/dv: (I(v + 0.001) - I(v))/0.001


def parameters(meta: dict, scope: str) -> list[str]:
    """A mechanism's PARAMETERs of one scope (including those a block also writes, such as
    NetStim's noise, which INITIAL clips)."""
    return [v["name"] for v in meta["variables"]
            if v["role"] == "parameter" and v["read_from"] in ("p", "s") and v["scope"] == scope]


class PointerResolver:
    """What a NEURON pointer (`seg._ref_v`, `pp._ref_amp`, `seg._ref_m_hh`) points at, by
    comparing it with the candidates' own pointers (NEURON's pointers compare equal by target)."""

    _CONTAINER = re.compile(r"cont=(\S+) (\S+) row")

    def __init__(self, h, segments, points: dict[str, PointProcess], hoc_points: dict[str, Any]):
        self.h, self.segments, self.points, self.hoc_points = h, segments, points, hoc_points  # segments(): the nodes
        self._tables: dict[str, dict] = {}

    def _table(self, key: str, build) -> dict:
        if key not in self._tables:
            self._tables[key] = build()
        return self._tables[key]

    def resolve(self, pointer) -> tuple[str, Any, str]:
        """("v" | "range" | "point" | "t", Location or PointProcess or None, variable name)."""
        text = repr(pointer)
        if pointer == self.h._ref_t:
            return "t", None, "t"
        if "Node::field::Voltage" in text:
            table = self._table("v", lambda: {seg._ref_v: loc for seg, loc in self.segments()})
            if pointer in table:
                return "v", table[pointer], "v"
        match = self._CONTAINER.search(text)
        if match:
            container, name = match.groups()
            if container in self.hoc_points or any(h.startswith(container + "[") for h in self.hoc_points):
                table = self._table(f"{container}.{name}", lambda: {getattr(obj, "_ref_" + name): self.points[hname]
                                                        for hname, obj in self.hoc_points.items()
                                                        if hname.startswith(container + "[")})
                if pointer in table:
                    return "point", table[pointer], name
            full = name if container.endswith("_ion") else f"{name}_{container}"
            table = self._table(full, lambda: self._range_table(full))
            if pointer in table:
                return "range", table[pointer], full
        raise ModelError(f"modlc cannot tell what {text} points at (a membrane potential, a RANGE variable of a "
                         "density mechanism or ion, or a point process's variable)")

    def _range_table(self, full: str) -> dict:
        table = {}
        for seg, loc in self.segments():
            if loc.x in (0.0, 1.0):  # a section's ends have no mechanisms (NEURON hands back the nearest segment's)
                continue
            try:
                table[getattr(seg, "_ref_" + full)] = loc
            except (AttributeError, NameError, TypeError):
                continue
        return table


def read(h, mod_dirs=(), captured: Captured | None = None) -> Transfer:
    """Read the model instantiated in this NEURON process: in bulk from the data NEURON writes for
    CoreNEURON where the model allows (runtime.neuron_bulk), else by walking its sections."""
    from . import neuron_bulk

    captured = captured or Captured()
    index = MechanismIndex(h, mod_dirs)
    transfer = neuron_bulk.read(h, mod_dirs, captured, index, _integration_problems(h))
    return transfer if transfer is not None else walk(h, index, captured, _integration_problems(h))


def _integration_problems(h) -> Problems:
    """What of NEURON's integration settings modlc cannot follow (reported with the model's own)."""
    problems = Problems()
    if h.cvode.active():
        problems.add("CVode is active (variable time step)", "h.cvode.active(1): modlc integrates NEURON's fixed step")
    if int(h.secondorder) != 0:
        problems.add(f"secondorder = {int(h.secondorder)}", "modlc integrates NEURON's default first-order scheme")
    hosts = int(h.ParallelContext().nhost())
    if hosts > 1:
        problems.add(f"{hosts} MPI ranks", "modlc reads the model of one process (each rank would see part of it)")
    return problems


def walk(h, index: MechanismIndex, captured: Captured, problems: Problems) -> Transfer:
    """The model, section by section and object by object (any model NEURON's fixed step runs)."""
    net = Network(celsius=float(h.celsius))
    locations, sections, start_v = _read_cells(h, net, problems)
    density_names = set(type_names(h, 0))
    _read_density(h, net, index, locations, density_names, problems)
    points, hoc_points, trains = _read_points(h, net, index, locations, captured, problems)
    resolver = PointerResolver(h, lambda: node_locations(sections), points, hoc_points)
    _read_pointers(h, net, points, hoc_points, index, captured, resolver, problems)
    gid_sources, netcon_sources = _read_netcons(h, net, locations, points, trains, captured, problems)
    read_plays(net, captured, resolver, problems)
    used = index.ions()
    reversals = {ion: {getattr(seg, f"e{ion}") for sec in h.allsec() if sec.has_membrane(f"{ion}_ion") for seg in sec}
                 for ion in used}
    read_ions(h, net, index, reversals, problems)
    _read_v(h, net, start_v, problems)
    problems.raise_if_any()

    def location(seg) -> Location:
        cell, section = locations[seg.sec.name()]
        return Location(cell, section, seg.x)

    return Transfer(net, float(h.dt), gid_sources, resolver, lambda: node_locations(sections), location,
                    lambda nc: netcon_sources.get(nc.hname()), len(net.cells), "walk")


def _read_cells(h, net: Network, problems: Problems):
    """Every tree of sections as a Cell with NEURON's own per-segment geometry; also each
    section's NEURON nodes and their v."""
    locations: dict[str, tuple[int, str]] = {}
    sections, start_v = [], {}
    for root in h.allsec():
        if root.parentseg() is not None:
            continue
        cell = Cell(root.name())
        order, stack = [], [root]
        while stack:  # parents before children, children in NEURON's order
            sec = stack.pop()
            order.append(sec)
            stack.extend(reversed(sec.children()))
        k = len(net.cells)
        made = []
        for sec in order:
            name = sec.name()
            if sec.orientation() != 0:
                problems.add("a section attached by its x = 1 end", name)
            if sec.has_membrane("extracellular"):
                problems.add("extracellular", name)
            nodes = list(sec.allseg())
            segs = nodes[1:-1]
            geometry = SegmentGeometry(tuple([s.area() for s in segs]), tuple([s.ri() for s in nodes[1:]]),
                                       tuple([s.cm for s in segs]), tuple([s.diam for s in segs]))
            parent = sec.parentseg()
            made.append(Section(name, sec.L, geometry.diam[0], sec.nseg, sec.Ra, geometry.cm[0],
                                None if parent is None else parent.sec.name(), 1.0 if parent is None else parent.x,
                                geometry))
            locations[name] = (k, name)
            simulated = nodes if parent is None else nodes[1:]  # a child's x = 0 is its parent's node
            sections.append((k, name, simulated))
            start_v[(k, name)] = {s.v for s in simulated}
        cell.extend(made)
        net.add_cell(cell)
    return locations, sections, start_v


def _read_density(h, net: Network, index: MechanismIndex, locations, density_names: set[str],
                  problems: Problems) -> None:
    """One insertion per (cell, mechanism), with each segment's RANGE parameters."""
    per_cell: dict[tuple[int, str], list] = {}
    for sec in h.allsec():
        cell = locations[sec.name()][0]
        for mech in sec(0.5):
            suffix = mech.name()
            if suffix in density_names and suffix != "extracellular" and not suffix.endswith("_ion"):
                per_cell.setdefault((cell, suffix), []).append(sec)
    done = set()
    for (cell, suffix), sections in per_cell.items():
        found = index.load(suffix, problems, sections[0].name())
        if found is None:
            continue
        mech, meta = found
        names = parameters(meta, "range")
        attributes = [f"{p}_{suffix}" for p in names]
        rows = [[getattr(seg, a) for a in attributes] for sec in sections for seg in sec]
        columns = zip(*rows) if rows else [[] for _ in names]
        net.insert(mech, cell, [sec.name() for sec in sections], **dict(zip(names, columns)))
        if suffix not in done:
            read_globals(h, net, mech, meta, suffix)
            done.add(suffix)


def read_globals(h, net: Network, mech: Mechanism, meta: dict, suffix: str) -> None:
    """GLOBAL parameters whose NEURON value differs from the file's default."""
    for v in meta["variables"]:
        if v["role"] != "parameter" or v["scope"] != "global" or v["read_from"] != "p":
            continue
        try:
            value = float(getattr(h, f"{v['name']}_{suffix}"))
        except (AttributeError, LookupError, TypeError):
            continue
        if value != (v["default"] or 0.0):
            net.set_global(mech, v["name"], value)


def _read_points(h, net: Network, index: MechanismIndex, locations, captured: Captured, problems: Problems):
    """Point processes at their segments and artificial cells; VecStims become spike trains."""
    points: dict[str, PointProcess] = {}
    hoc_points: dict[str, Any] = {}
    trains: dict[str, SpikeTrain] = {}
    for name in type_names(h, 1):
        instances = list(h.List(name))
        if not instances:
            continue
        if name in SPIKE_TRAINS:
            for obj in instances:
                times = captured.vecstims.get(obj.hname())
                if times is None:
                    times = _vecstim_times(obj)
                if times is None:
                    problems.add("a VecStim whose play() modlc did not see (called from hoc, or before modlc was "
                                 "enabled) and whose file does not make index and etime RANGE", obj.hname())
                    continue
                trains[obj.hname()] = net.spike_train(times)
            continue
        if name == PATTERN:
            for obj in instances:
                if obj.hname() not in captured.patterns:
                    problems.add("a PatternStim whose play() was called before modlc was enabled", obj.hname())
            continue
        if name == "LinearMechanism":
            problems.add("LinearMechanism", ", ".join(o.hname() for o in instances))
            continue
        found = index.load(name, problems, instances[0].hname())
        if found is None:
            continue
        mech, meta = found
        read_globals(h, net, mech, meta, name)
        names = parameters(meta, "range")
        for obj in instances:
            params = {p: float(getattr(obj, p)) for p in names}
            seg = obj.get_segment() if meta["kind"] != "artificial" else None
            if meta["kind"] != "artificial" and seg is None:
                problems.add(f"a {name} not placed in any section", obj.hname())
                continue
            if seg is None:
                pp = net.artificial(mech, **params)
            else:
                cell, section = locations[seg.sec.name()]
                pp = net.place(mech, (cell, section, float(seg.x)), **params)
            if name == "NetStim" and params.get("noise", 0.0) > 0:
                problems.add("a NetStim with noise > 0 (modlc's random numbers are not NEURON's Random123 "
                             "streams, so its spikes would differ)", obj.hname())
            points[obj.hname()] = pp
            hoc_points[obj.hname()] = obj
    return points, hoc_points, trains


def _vecstim_times(obj) -> list[float] | None:
    """A VecStim's vector, read through its own element() (each call loads the next time into
    etime and advances index, which turns -1 past the end); its state is restored afterwards.
    None where the file keeps index and etime private."""
    try:
        saved = (obj.index, obj.etime)
    except (AttributeError, LookupError):
        return None
    times = []
    obj.index = 0
    while True:
        obj.element()
        if obj.index <= 0:
            break
        times.append(float(obj.etime))
    obj.index, obj.etime = saved
    return times


def _read_pointers(h, net, points, hoc_points, index, captured: Captured, resolver: PointerResolver,
                   problems: Problems) -> None:
    """POINTERs: set by setpointer (read back from the POINTER itself) or by target_var/source_var."""
    by_target = {}
    for obj, pointer, sgid in captured.target_vars:
        if sgid not in captured.source_vars:
            problems.add(f"a target_var with no source_var for sgid {sgid}", obj.hname())
            continue
        kind, loc, _ = resolver.resolve(captured.source_vars[sgid])
        if kind != "v":
            problems.add("a source_var that is not a membrane potential", f"sgid {sgid}")
            continue
        variable = next((v["name"] for v in _variables(index, obj) if v["scope"] != "global"
                         and _same_pointer(obj, v["name"], pointer)), None)
        if variable is None:
            problems.add("a target_var into a variable modlc cannot find", obj.hname())
            continue
        by_target[(obj.hname(), variable)] = loc
    for (hname, variable), loc in by_target.items():
        if hname in points:
            net.link(points[hname], variable, loc)
    for hname, obj in hoc_points.items():
        meta = index.compiled(hname.split("[")[0])
        read = {key for k in meta.get("kernels", {}).values() for key in k["reads"].get("ion", ())}
        for v in _variables(index, obj):
            if v["role"] != "pointer" or v["name"] not in read or (hname, v["name"]) in by_target:
                continue  # (a POINTER no kernel reads is a handle only VERBATIM C used)
            try:
                kind, loc, _ = resolver.resolve(getattr(obj, "_ref_" + v["name"]))
            except (ModelError, ValueError, TypeError, RuntimeError, AttributeError):
                kind = None
            if kind != "v":
                problems.add(f"POINTER {v['name']} not linked to a membrane potential", hname)
                continue
            net.link(points[hname], v["name"], loc)


def _variables(index: MechanismIndex, obj) -> list[dict]:
    meta = index.compiled(obj.hname().split("[")[0])
    return list(meta.get("variables", ()))


def _same_pointer(obj, name: str, pointer) -> bool:
    try:
        return getattr(obj, "_ref_" + name) == pointer
    except (AttributeError, LookupError, TypeError, RuntimeError):
        return False


def _read_netcons(h, net: Network, locations, points, trains, captured: Captured, problems: Problems):
    """NetCons with their sources (a segment's v, a point process, a spike train or a gid)."""
    pattern_times: dict[int, list[float]] = {}
    for times, gids in captured.patterns.values():
        for t, gid in zip(times, gids):
            pattern_times.setdefault(int(gid), []).append(float(t))
    gid_trains = {gid: net.spike_train(times) for gid, times in sorted(pattern_times.items())}
    trains.update({f"gid {gid}": train for gid, train in gid_trains.items()})
    gid_sources: dict[int, Any] = {}
    netcon_sources: dict[str, Any] = {}
    for nc in h.List("NetCon"):
        pre, preseg, syn, gid = nc.pre(), nc.preseg(), nc.syn(), int(nc.srcgid())
        if syn is not None and not nc.active():  # (active() is false for a NetCon without target)
            continue
        if pre is not None:
            source = trains.get(pre.hname()) or points.get(pre.hname())
            if source is None:
                continue  # its source could not be read: already reported
        elif preseg is not None:
            cell, section = locations[preseg.sec.name()]
            source = Location(cell, section, float(preseg.x))
        elif gid in gid_trains:
            source = gid_trains[gid]
        else:
            continue  # no source in this process: it never fires
        target = None
        if syn is not None:
            target = points.get(syn.hname())
            if target is None:
                continue  # a target modlc cannot simulate: already reported
        if gid >= 0 and gid not in gid_trains:
            gid_sources[gid] = source
        weights = [float(nc.weight[i]) for i in range(int(nc.wcnt()))]
        made = net.connect(source, target, weights or 0.0, delay=float(nc.delay), threshold=float(nc.threshold))
        netcon_sources[nc.hname()] = made.source
    return gid_sources, netcon_sources


def read_plays(net: Network, captured: Captured, resolver: PointerResolver, problems: Problems) -> None:
    for vec, pointer, when, continuous in captured.plays:
        kind, target, name = resolver.resolve(pointer)
        values = list(vec)
        timing = {"dt": float(when)} if isinstance(when, (int, float)) else {"times": list(when)}
        if kind == "point":
            net.play(name, values, point=target, continuous=continuous, **timing)
        elif kind == "range" and not name.startswith(("e", "i")) and "_" in name:
            net.play(name, values, at=target, continuous=continuous, **timing)
        else:
            problems.add(f"Vector.play into {name} (modlc plays into parameters of point processes and "
                         "density mechanisms)", vec.hname())


def read_ions(h, net: Network, index: MechanismIndex, reversals: dict[str, set], problems: Problems) -> None:
    """Initial concentrations (NEURON's <ion>i0_<ion>_ion globals) and fixed reversal potentials
    (`reversals`: each ion's values over the segments that have it)."""
    for ion in sorted(index.ions()):
        values = {}
        for key, hname in ((f"{ion}i", f"{ion}i0_{ion}_ion"), (f"{ion}o", f"{ion}o0_{ion}_ion")):
            try:
                values[key] = float(getattr(h, hname))
            except (AttributeError, LookupError):
                continue
        reversal = reversals.get(ion, set())
        if len(reversal) == 1:
            values[f"e{ion}"] = next(iter(reversal))
        elif len(reversal) > 1:
            problems.add(f"e{ion} differing between segments (modlc has one initial reversal per ion)",
                         ", ".join(f"{v:g}" for v in sorted(reversal)[:4]) + " mV")
        if values:
            net.set_ion(ion, **values)


def _read_v(h, net: Network, by_section: dict, problems: Problems) -> None:
    """The initial v of every section (after finitialize, v is what the run starts from)."""
    common = Counter(v for values in by_section.values() for v in values).most_common(1)
    net.v_init = common[0][0] if common else float(h.v_init)
    for (cell, section), values in by_section.items():
        if len(values) > 1:
            problems.add("v differing between the segments of one section at the start", section)
        elif values != {net.v_init}:
            net.set_v_init(cell, values.pop(), section)
