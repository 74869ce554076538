"""A model as plain data: cells, mechanism placements, connections and recordings.

Nothing here touches a backend. Mechanisms are named by their `.mod` path (or a `Mechanism`
spec carrying the conductance mode); the simulation compiles them for its backend and dtype.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Mapping, Union

from .morphology import Cell, ModelError, PointTemplate


@dataclass(frozen=True)
class Mechanism:
    """A .mod file and how to compile it: `conductance` is "symbolic" or NEURON's "numeric";
    `tables` gives the values of its FUNCTION_TABLEs, {name: modlc.function_table.FunctionTable}
    (NEURON's hoc `table_name(...)`), kept as sorted pairs so a Mechanism stays hashable."""

    path: Path
    conductance: str = "symbolic"
    include_path: tuple[str, ...] = ()
    tables: Any = ()
    usetable: bool = False  # interpolate the file's TABLEs as NEURON does (default: exact functions)

    def __post_init__(self):
        pairs = self.tables.items() if isinstance(self.tables, Mapping) else self.tables
        object.__setattr__(self, "tables", tuple(sorted(pairs)))

    @property
    def key(self) -> tuple:
        return (str(self.path.resolve()), self.conductance, self.include_path, self.tables, self.usetable)


MechanismLike = Union[str, Path, Mechanism, ModuleType]


STREAM_LIMIT = 2**31  # user streams lie below; instances without one are numbered from here


def check_stream(stream: int | None) -> int | None:
    if stream is not None and not (isinstance(stream, int) and 0 <= stream < STREAM_LIMIT):
        raise ModelError(f"stream must be an integer in [0, 2**31), not {stream!r}")
    return stream


def as_mechanism(mech: MechanismLike) -> Mechanism:
    """Accept a path, or a module from modlc.load, wherever a mechanism is expected."""
    if isinstance(mech, Mechanism):
        return mech
    source = getattr(mech, "__modlc_source__", None)
    if source is not None:  # the simulation compiles the same file for its own backend and dtype
        return Mechanism(Path(source[0]), source[1], tuple(source[2]), source[3], source[4])
    if isinstance(mech, (str, Path)):
        from ..library import resolve  # a path, or a library name: "hh", "ExpSyn"

        path = resolve(mech)
        if not path.is_file():
            raise ModelError(f"{path}: no such .mod file (nor a mechanism of modlc's library)")
        return Mechanism(path)
    raise ModelError(f"a mechanism is a .mod path, a module from modlc.load or modlc.runtime.Mechanism, "
                     f"not {type(mech).__name__}")


@dataclass(frozen=True)
class Location:
    """Position x of a section of the network's cell number `cell`."""

    cell: int
    section: str
    x: float = 0.5


@dataclass
class DensityInsertion:
    mechanism: Mechanism
    cell: int
    sections: list[str]
    params: dict[str, float]
    nodes: Any = None  # node indices instead of sections, on a cell given node by node


@dataclass(eq=False)
class PointProcess:
    """A point process at a location, or an artificial cell (location None). Use it as a NetCon
    source or target, a gap-junction end, or a recording point."""

    mechanism: Mechanism
    location: Location | None
    params: dict[str, float]
    pointers: dict[str, Any] = field(default_factory=dict)
    index: int = -1  # position in Network.points
    stream: int | None = None  # its own random stream (see Network.place)


@dataclass(eq=False)
class SpikeTrain:
    """Spikes at given times (ms), as NEURON's VecStim and PatternStim send them: a NetCon source
    whose events reach their targets at time + delay, with no cell behind it."""

    times: tuple[float, ...]
    index: int = -1  # position in Network.trains


@dataclass
class Play:
    """Values played into a parameter, as NEURON's `Vector.play`: `values[i]` takes effect from
    `times[i]` (stepwise), or the parameter follows the piecewise-linear curve through the
    points (`continuous`)."""

    point: PointProcess | None  # a point process's parameter ...
    location: Location | None  # ... or a density mechanism's at a location (variable name_suffix)
    variable: str
    values: tuple[float, ...]
    times: tuple[float, ...]
    continuous: bool


@dataclass
class NetCon:
    source: Any  # Location (threshold on v), PointProcess (net_event) or SpikeTrain
    target: PointProcess | None
    weights: tuple[float, ...]
    delay: float
    threshold: float


@dataclass
class Probe:
    name: str
    variable: str
    location: Location | None
    point: PointProcess | None


@dataclass
class Network:
    """Cells and everything attached to them; build it, then hand it to a Simulation."""

    cells: list[Cell] = field(default_factory=list)
    density: list[DensityInsertion] = field(default_factory=list)
    points: list[PointProcess] = field(default_factory=list)
    netcons: list[NetCon] = field(default_factory=list)
    probes: list[Probe] = field(default_factory=list)
    trains: list[SpikeTrain] = field(default_factory=list)
    plays: list[Play] = field(default_factory=list)
    ions: dict[str, dict[str, float]] = field(default_factory=dict)
    globals: dict[tuple, float] = field(default_factory=dict)
    celsius: float = 6.3
    v_init: float = -65.0
    v_start: dict[tuple[int, str], float] = field(default_factory=dict)  # (cell, section) -> initial v
    instances: dict[tuple[int, int], PointProcess] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        given, self.cells = list(self.cells), []
        for cell in given:
            self.add_cell(cell)

    def add_cell(self, cell: Cell) -> int:
        """Add a cell and return its index, which locations refer to. The cell's own insertions
        and point processes are instantiated for this copy. The morphology is shared, not copied:
        the same Cell may be added many times."""
        if not isinstance(cell, Cell):
            raise ModelError(f"add_cell expects a Cell, got {type(cell).__name__}")
        self.cells.append(cell)
        k = len(self.cells) - 1
        for mechanism, where, params in cell.insertions:
            self.insert(mechanism, k, where, **params)
        for template in cell.points:
            self.instances[(k, id(template))] = self.place(template.mechanism, (k, template.section, template.x),
                                                           **template.params)
        return k

    def point(self, cell: int, template: PointTemplate) -> PointProcess:
        """The instance of a cell template's point process in the network's cell number `cell`."""
        found = self.instances.get((cell, id(template)))
        if found is None:
            raise ModelError(f"cell {cell} has no instance of that point process (was it placed on this cell's template?)")
        return found

    def _point(self, handle) -> PointProcess:
        """Accept a PointProcess or (cell index, PointTemplate)."""
        if isinstance(handle, PointProcess):
            return handle
        if isinstance(handle, tuple) and len(handle) == 2 and isinstance(handle[1], PointTemplate):
            return self.point(*handle)
        raise ModelError("expected a point process of this network, or (cell index, template from Cell.place)")

    def location(self, at) -> Location:
        """Accept `Location` or a tuple (cell, section[, x])."""
        loc = at if isinstance(at, Location) else Location(*at)
        if not 0 <= loc.cell < len(self.cells):
            raise ModelError(f"location {at!r}: there is no cell {loc.cell} (the network has {len(self.cells)})")
        self.cells[loc.cell].check_position(loc.section, loc.x)  # the node itself is found at assembly
        return loc

    def insert(self, mechanism: MechanismLike, cell: int, where="all", **params) -> None:
        """Insert a density mechanism into the sections `where` selects, overriding parameters.
        A parameter may be one number, or a sequence with one value per segment of the selected
        sections, in their order (densities that vary along a dendrite). On a cell given node by
        node (Cell.from_nodes), `where` is the node indices."""
        if not 0 <= cell < len(self.cells):
            raise ModelError(f"insert: there is no cell {cell}")
        nodes = None
        if self.cells[cell].given is not None:
            nodes = self.cells[cell].membrane_nodes(where)
            sections, segments = [], len(nodes)
        else:
            sections = self.cells[cell].regions(where)
            segments = sum(self.cells[cell].sections[name].nseg for name in sections)
        for name, value in params.items():
            if not isinstance(value, (int, float)) and len(value) != segments:
                raise ModelError(f"insert: {name} has {len(value)} values, but the sections selected have {segments} segments")
        self.density.append(DensityInsertion(as_mechanism(mechanism), cell, sections, params, nodes))

    def place(self, mechanism: MechanismLike, at, *, stream: int | None = None, **params: float) -> PointProcess:
        """Put a point process at a location (cell, section, x). `stream` (0 <= stream < 2**31)
        gives it its own random stream: its draws are then a function of the Simulation's seed,
        this number and the step alone, whatever else the network holds (two instances with the
        same stream draw the same numbers). Without one, draws depend on the instance's place in
        its mechanism's group."""
        pp = PointProcess(as_mechanism(mechanism), self.location(at), params, index=len(self.points),
                          stream=check_stream(stream))
        self.points.append(pp)
        return pp

    def artificial(self, mechanism: MechanismLike, *, stream: int | None = None, **params: float) -> PointProcess:
        """An artificial cell (NetStim, IntFire1...): no location, events only. `stream`: as for place."""
        pp = PointProcess(as_mechanism(mechanism), None, params, index=len(self.points), stream=check_stream(stream))
        self.points.append(pp)
        return pp

    def spike_train(self, times) -> SpikeTrain:
        """A source that spikes at the given times (ms, >= 0): connect it like any other source."""
        values = tuple(sorted(float(t) for t in times))
        if values and not (values[0] >= 0 and all(math.isfinite(t) for t in values)):
            raise ModelError("spike train times must be finite and >= 0 ms")
        train = SpikeTrain(values, len(self.trains))
        self.trains.append(train)
        return train

    def play(self, variable: str, values, *, point=None, at=None, times=None, dt: float | None = None,
             continuous: bool = False) -> None:
        """NEURON's `Vector.play`: drive a point process's parameter (`point=`) or a density
        mechanism's (`at=` a location, `variable` as name_suffix) with `values`, either at `times`
        or every `dt` ms from 0. Stepwise by default (each value holds from its time on, applied
        from the step whose midpoint it precedes); `continuous` interpolates linearly."""
        values = tuple(float(v) for v in values)
        if (times is None) == (dt is None):
            raise ModelError(f"play {variable}: give exactly one of times= or dt=")
        times = tuple(float(t) for t in times) if times is not None else tuple(i * float(dt) for i in range(len(values)))
        if len(times) != len(values) or not values:
            raise ModelError(f"play {variable}: {len(values)} values but {len(times)} times")
        if any(b < a for a, b in zip(times, times[1:])):
            raise ModelError(f"play {variable}: the times must not decrease")
        if (at is None) == (point is None):
            raise ModelError(f"play {variable}: give exactly one of point= or at=")
        self.plays.append(Play(None if point is None else self._point(point), None if at is None else self.location(at),
                               variable, values, times, bool(continuous)))

    def link(self, point, pointer: str, at) -> None:
        """Point `point`'s POINTER `pointer` at the membrane potential of a location; or, for a
        RANGE variable the mechanism only reads, give it that potential before every step
        (NEURON's ParallelContext.source_var / target_var)."""
        self._point(point).pointers[pointer] = self.location(at)

    def gap_junction(self, mechanism: MechanismLike, a, b, pointer: str = "vgap", **params: float) -> tuple[PointProcess, PointProcess]:
        """A gap junction as NEURON builds one: a point process at each end whose POINTER reads
        the other end's v (a linear junction or a voltage-dependent one such as Cx36)."""
        pa, pb = self.place(mechanism, a, **params), self.place(mechanism, b, **params)
        self.link(pa, pointer, b)
        self.link(pb, pointer, a)
        return pa, pb

    def connect(self, source, target, weight=0.0, delay: float = 1.0,
                threshold: float = 10.0) -> NetCon:
        """A NetCon: from a location's v crossing `threshold` upwards, or from a point process's
        net_event, to a target point process after `delay` ms. `weight` may be a sequence
        (NET_RECEIVE's arguments, the first being the weight). A point process may also be given
        as (cell index, template) for one placed with Cell.place."""
        if isinstance(source, SpikeTrain):
            src: Any = source
        elif isinstance(source, PointProcess) or (isinstance(source, tuple) and len(source) == 2
                                                  and isinstance(source[1], PointTemplate)):
            src = self._point(source)
        else:
            src = self.location(source)
        if target is not None:
            target = self._point(target)
        if not delay >= 0:
            raise ModelError(f"a NetCon delay must be >= 0 ms, got {delay!r}")
        weights = tuple(float(w) for w in weight) if isinstance(weight, (list, tuple)) else (float(weight),)
        nc = NetCon(src, target, weights, float(delay), float(threshold))
        self.netcons.append(nc)
        return nc

    def record(self, name: str, variable: str = "v", at=None, point=None) -> None:
        """Record `variable` on every step: v or an ion variable (ena, cai, ica...) at a location,
        a density mechanism's variable as `name_suffix` (m_hh) at a location, or a point
        process's variable (`point=`)."""
        if any(p.name == name for p in self.probes):
            raise ModelError(f"a recording called {name!r} already exists")
        if (at is None) == (point is None):
            raise ModelError(f"recording {name!r}: give exactly one of at= (a location) or point=")
        self.probes.append(Probe(name, variable, None if at is None else self.location(at),
                                 None if point is None else self._point(point)))

    def set_v_init(self, cell: int, value: float, where="all") -> None:
        """Start the sections `where` selects of one cell at `value` mV instead of the run's v_init
        (NEURON: set seg.v, then finitialize() without an argument)."""
        if not 0 <= cell < len(self.cells):
            raise ModelError(f"set_v_init: there is no cell {cell}")
        for sec in self.cells[cell].regions(where):
            self.v_start[(cell, sec)] = float(value)

    def set_ion(self, ion: str, **values: float) -> None:
        """Override an ion's initial concentrations or reversal potential, e.g. set_ion("ca", cao=2)."""
        self.ions.setdefault(ion, {}).update(values)

    def set_global(self, mechanism: MechanismLike, name: str, value: float) -> None:
        """Set a mechanism's GLOBAL parameter (one value for every instance)."""
        self.globals[(as_mechanism(mechanism).key, name)] = float(value)
