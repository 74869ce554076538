"""Simulation: compile a Network's mechanisms for a backend, initialise, and run K steps per call.

`Simulation(net, backend="jax").run(tstop)` returns a `Result` of NumPy arrays. The loop over
steps runs inside the backend (`lax.fori_loop` under `jax.jit`; a `tf.while_loop` compiled by XLA);
the host only sees each chunk's recordings and error flags. With `threads=k`, groups of cells
that nothing connects run as separate simulations on k threads (see partition.py).
"""

from __future__ import annotations

import math
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from .assembly import Plan, assemble, ring_depth
from .engine import Engine
from .events import EventConfig
from .model import Location, Mechanism, Network
from .morphology import ModelError
from .partition import Part, split
from .primitives import primitives

BACKENDS = ("jax", "tf", "onnx", "numpy")


class SimulationError(RuntimeError):
    """The run cannot go on without losing or falsifying something; the message says what to change."""


@dataclass
class Result:
    """Recordings on their time axes (ms), and spikes as (time ms, source) pairs."""

    t: np.ndarray
    traces: dict[str, np.ndarray]
    spike_times: np.ndarray
    spike_sources: np.ndarray
    sources: dict = field(default_factory=dict)  # description of each source id

    def __getitem__(self, name: str) -> np.ndarray:
        return self.traces[name]

    def spikes(self, source) -> np.ndarray:
        """Spike times (ms) of one source: a source id, or the PointProcess / Location it stands for."""
        ids = [k for k, v in self.sources.items() if v == source] if not isinstance(source, (int, np.integer)) else [int(source)]
        if not ids:
            raise KeyError(f"{source!r} is not a spike source of this network")
        return self.spike_times[np.isin(self.spike_sources, ids)]


def merged(pieces, probes) -> Result:
    """One Result from the Results of a network's parts, given as (Result, the part's objects ->
    the network's, its number of sources, source ids to leave out): traces by probe name, spikes
    with source ids numbered part after part and named by the network's objects."""
    traces = {name: trace for r, _, _, _ in pieces for name, trace in r.traces.items()}
    times, ids, names, offset = [np.zeros(0)], [np.zeros(0, dtype=np.int64)], {}, 0
    for r, original, n_sources, skip in pieces:
        own = ~np.isin(r.spike_sources, list(skip))
        times.append(r.spike_times[own])
        ids.append(r.spike_sources[own] + offset)
        names.update({k + offset: original.get(obj, obj) for k, obj in r.sources.items() if k not in skip})
        offset += n_sources
    spike_t, spike_s = np.concatenate(times), np.concatenate(ids)
    order = np.lexsort((spike_s, spike_t))
    return Result(pieces[0][0].t, {p.name: traces[p.name] for p in probes if p.name in traces}, spike_t[order],
                  spike_s[order], names)


class Run:
    """A simulation in progress (Simulation.start): the backend state, and what it recorded."""

    def __init__(self, sim: "Simulation", carry: dict, record_every: int):
        self.sim, self.carry, self.record_every = sim, carry, record_every
        self.steps = 0
        self.rows: list[dict] = []
        self.spikes: list[tuple[np.ndarray, np.ndarray]] = []

    def result(self) -> Result:
        """Everything recorded from t = 0 to now."""
        sim = self.sim
        stacked = {k: np.concatenate([r[k] for r in self.rows]) for k in self.rows[0]}
        traces = {name: stacked[key][:, col] for name, (key, col) in sim.readers.items()}
        t = (np.arange(self.steps + 1) * sim.dt)[::self.record_every]
        spike_t = np.concatenate([times for times, _ in self.spikes])
        spike_s = np.concatenate([sources for _, sources in self.spikes])
        order = np.lexsort((spike_s, spike_t))
        return Result(t, traces, spike_t[order], spike_s[order], sim._source_names())

    def v(self) -> np.ndarray:
        """Every node's membrane potential now, in the plan's node order."""
        return self.sim.ops.numpy(self.carry["v"])


class Simulation:
    """A network compiled for one backend and dtype (float64 by default, like NEURON).

    `threads=k` runs up to k groups of cells at once, like NEURON's ParallelContext.nthread: cells
    connected by NetCons, gap junctions or POINTERs stay in one group, so a fully connected network
    still runs on one thread. Results do not depend on k, except that spike source ids (labels;
    `Result.sources` says what each stands for) are numbered part by part, and that random variates
    are drawn per part (a run is reproducible for the same seed and k, as NEURON's are for the same
    seed and nthread).

    `devices=k` (or a list of JAX devices) spreads one network, connected or not, over k devices:
    cells placed by `partition` ("metis", "contiguous", "random" or an assignment; see
    partitioning.py), each part on its device, spikes exchanged every min-delay interval
    (distributed.py); spikes and voltages equal the one-device run's. Source ids and random
    variates are per part, as with threads."""

    def __init__(self, net: Network, backend: str = "jax", dt: float = 0.025, dtype: str = "float64",
                 conductance: str | None = None, chunk: int = 2000, queue_capacity: int | None = None,
                 spike_capacity: int | None = None, seed: int = 0, progress: bool | None = None,
                 scheme: str = "implicit", threads: int = 1, devices=1, partition="metis"):
        if backend not in BACKENDS:
            raise ModelError(f"unknown backend {backend!r} (choose from {', '.join(BACKENDS)})")
        if dtype not in ("float64", "float32"):
            raise ModelError(f"dtype must be float64 or float32, not {dtype!r}")
        if not (dt > 0 and math.isfinite(dt)):
            raise ModelError(f"dt must be a positive number of ms, got {dt!r}")
        if scheme not in ("implicit", "explicit"):
            raise ModelError(f"scheme must be 'implicit' (NEURON's) or 'explicit' (forward Euler), not {scheme!r}")
        if conductance not in (None, "symbolic", "numeric"):
            raise ModelError(f"conductance must be 'symbolic' or 'numeric', not {conductance!r}")
        if not (isinstance(threads, int) and threads >= 1):
            raise ModelError(f"threads must be a whole number >= 1, got {threads!r}")
        self.net, self.backend, self.dt, self.dtype = net, backend, float(dt), dtype
        self.chunk, self.progress = int(chunk), progress
        self.distributed = None
        if not (isinstance(devices, int) and devices == 1):
            if threads != 1:
                raise ModelError("give threads or devices, not both (the parts of a distributed run are its threads)")
            from .distributed import DistributedSimulation

            self.distributed = DistributedSimulation(net, devices, partition, backend, dt, seed, dtype=dtype,
                                                     conductance=conductance, chunk=chunk, queue_capacity=queue_capacity,
                                                     spike_capacity=spike_capacity, scheme=scheme)
            return
        parts = split(net, threads)
        self.parts: list[tuple[Part, Simulation]] = []
        if len(parts) > 1:  # the first part shows the progress bar for all
            self.parts = [(part, Simulation(part.net, backend, dt, dtype, conductance, chunk, queue_capacity=queue_capacity,
                                            spike_capacity=spike_capacity, seed=seed,
                                            progress=progress if k == 0 else False, scheme=scheme))
                          for k, part in enumerate(parts)]
            return
        from .. import loader

        def load(mech: Mechanism):
            mode = conductance or mech.conductance
            return loader.load(mech.path, backend=backend, dtype=dtype, conductance=mode, include_path=mech.include_path,
                               tables=dict(mech.tables), usetable=mech.usetable)

        self.plan: Plan = assemble(net, load, self.dt)
        self.ops = primitives(backend, dtype)
        n_src = self.plan.n_sources
        per_source = math.ceil(self.chunk * self.dt / 2.0) + 1  # room for 500 Hz from every source
        config = EventConfig(queue_capacity=None if queue_capacity is None else int(queue_capacity),
                             spike_capacity=int(spike_capacity or max(1024, per_source * n_src)),
                             ring_depth=ring_depth(self.plan, self.dt), max_passes=0)
        self.readers = self._readers()
        self.engine = Engine(self.ops, self.plan, self.dt, config, seed, scheme=scheme, recorded=frozenset(self._columns))
        config.max_passes = max(self.engine.events.capacity.values(), default=0) + 16
        self._compiled: dict[int, object] = {}
        self._inject = self._set_v = None  # compiled on first use (inject, set_v)
        self._initial = self.ops.compile(self.engine.initial)  # finitialize in one call, not op by op

    # ----- recordings --------------------------------------------------------------------------
    def _readers(self) -> dict[str, tuple[str, int]]:
        """probe name -> (row key, column); rows gather every probe of one array at once."""
        net, plan = self.net, self.plan
        columns: dict[str, list] = {}
        where: dict[str, tuple[str, int]] = {}

        def add(key, index):
            columns.setdefault(key, []).append(index)
            return key, len(columns[key]) - 1

        for probe in net.probes:
            if probe.point is not None:
                g = next((g for g in plan.groups if probe.point.index in g.points), None)
                if g is None or probe.variable not in g.state:
                    raise ModelError(f"recording {probe.name!r}: the point process has no variable {probe.variable!r}")
                where[probe.name] = add(f"s{g.index}:{probe.variable}", g.points[probe.point.index])
                continue
            node = plan.node(net, probe.location)
            if probe.variable == "v":
                where[probe.name] = add("v", node)
                continue
            ion = next(((x, f) for x, sp in plan.ions.items() for f, name in sp.variables.items()
                        if name == probe.variable), None)
            if ion is not None:
                where[probe.name] = add(f"ion:{ion[0]}:{ion[1]}", node)
                continue
            g = next((g for g in plan.groups if g.meta["kind"] == "density" and probe.variable.endswith("_" + g.name)
                      and probe.variable[: -len(g.name) - 1] in g.state), None)  # suffixes may contain "_"
            if g is None:
                raise ModelError(f"recording {probe.name!r}: no variable {probe.variable!r} (use v, an ion variable such as "
                                 f"cai, or a density mechanism's variable as name_suffix, e.g. m_hh)")
            hits = np.flatnonzero(g.nodes == node)
            if not len(hits):
                raise ModelError(f"recording {probe.name!r}: {g.name} is not inserted at {probe.location}")
            where[probe.name] = add(f"s{g.index}:{probe.variable[: -len(g.name) - 1]}", int(hits[0]))
        self._columns = {k: self.ops.const(np.array(v), "int32") for k, v in columns.items()}
        return where

    def _row(self, c: dict) -> dict:
        ops, row = self.ops, {}
        for key, idx in self._columns.items():
            if key == "v":
                row[key] = ops.take(c["v"], idx)
            elif key.startswith("ion:"):
                _, x, f = key.split(":")
                row[key] = ops.take(self.engine.ion_value(c, x, f), idx)
            else:
                g, var = key[1:].split(":", 1)
                row[key] = ops.take(c["s"][int(g)][var], idx)
        return row

    # ----- running -----------------------------------------------------------------------------
    def _chunk_fn(self, rows: int, every: int):
        """The compiled loop of `rows` × `every` steps that records after every `every`-th step
        (the steps in between only test whether a row is due, so sparse sampling costs nothing)."""
        key = (rows, every)
        if key not in self._compiled:
            engine, ops = self.engine, self.ops

            def run(c):
                c = {**c, "ev": {**c["ev"], "spikes": engine.events.empty_spikes()}}
                return ops.chunk(engine.step, self._row, c, rows, every)

            self._compiled[key] = ops.compile(run)
        return self._compiled[key]

    def run(self, tstop: float, v_init: float | None = None, record_every: int = 1) -> Result:
        """Initialise like finitialize(v_init) and integrate to tstop (ms)."""
        if self.distributed is not None:
            return self.distributed.run(tstop, v_init, record_every)
        if self.parts:
            return self._run_parts(tstop, v_init, record_every)
        if not (tstop >= 0 and math.isfinite(tstop)):
            raise ModelError(f"tstop must be a non-negative number of ms, got {tstop!r}")
        run = self.start(v_init, record_every)
        self.advance(run, tstop)
        return run.result()

    def start(self, v_init: float | None = None, record_every: int = 1) -> "Run":
        """finitialize(v_init): a run at t = 0 that `advance` continues, chunk by chunk, like
        NEURON's continuerun (the state stays in the backend between calls)."""
        if self.distributed is not None or self.parts:
            raise ModelError("a Simulation split over threads or devices runs only with run(), not start()/advance()")
        if record_every < 1:
            raise ModelError("record_every must be >= 1")
        v0 = self.net.v_init if v_init is None else float(v_init)
        carry = self._initial(self.ops.const(v0))
        self._check(carry, 0.0)
        run = Run(self, carry, record_every)
        run.rows.append({k: self.ops.numpy(v)[None] for k, v in self._row(carry).items()})
        run.spikes.append(self._spikes(carry))  # INITIAL may emit at t0 (a NetStim with start = 0)
        return run

    def advance(self, run: "Run", tstop: float) -> None:
        """Integrate `run` on to tstop (ms); rows are kept every record_every steps from t = 0."""
        if not (math.isfinite(tstop) and tstop >= run.steps * self.dt - 1e-9 * self.dt):
            raise ModelError(f"cannot run to t = {tstop!r} ms: the run is at {run.steps * self.dt:g} ms")
        total = int(round(tstop / self.dt))
        record_every, carry = run.record_every, run.carry
        started, shown = time.monotonic(), False
        per_chunk = max(1, self.chunk // record_every)  # recorded rows per compiled call
        while run.steps < total:
            left = total - run.steps
            phase = run.steps % record_every  # steps since the last recorded row
            if phase:  # finish the interval a previous call left open, keeping its row if it completes
                count, every = 1, min(record_every - phase, left)
            elif left >= record_every:
                count, every = min(per_chunk, left // record_every), record_every
            else:  # the tail after the last recorded step: run it, keep no row
                count, every = 1, left
            carry, chunk_rows = self._chunk_fn(count, every)(carry)
            run.steps += count * every
            self._check(carry, run.steps * self.dt)
            if run.steps % record_every == 0:
                run.rows.append({k: self.ops.numpy(v) for k, v in chunk_rows.items()})
            run.spikes.append(self._spikes(carry))
            shown = self._report(started, run.steps, total, shown)
        run.carry = carry
        if shown:
            sys.stderr.write("\n")

    def inject(self, run: "Run", sources, times) -> None:
        """Spikes of `sources` (source ids, each at most once) at `times` (ms) enter their NetCons
        as if the sources had fired then: a distributed run's spikes from other parts, injected
        before the step their earliest event can be due in (see distributed.py). A full queue or
        spike buffer sets the carry's error flags, which the next chunk's check raises."""
        n = self.plan.n_sources
        fired, when = np.zeros(n, dtype=bool), np.zeros(n)
        fired[sources], when[sources] = True, times
        if self._inject is None:
            events, t0 = self.engine.events, self.engine.t0
            self._inject = self.ops.compile(lambda c, f, t: {**c, "ev": events.fan_out(c["ev"], f, t, t0)})
        run.carry = self._inject(run.carry, self.ops.const(fired, "bool"), self.ops.const(when))

    def set_v(self, run: "Run", nodes, values) -> None:
        """Overwrite v at `nodes` (the plan's node indices): a distributed run's mirrors of
        another part's nodes, set before every step (see distributed.py)."""
        if self._set_v is None:
            ops = self.ops
            self._set_v = ops.compile(lambda c, i, x: {**c, "v": ops.scatter_set(c["v"], i, x)})
        run.carry = self._set_v(run.carry, self.ops.const(np.asarray(nodes), "int32"), self.ops.const(np.asarray(values)))

    def _spikes(self, carry: dict) -> tuple[np.ndarray, np.ndarray]:
        """Times and source ids of the spikes in the carry's buffer (emptied by every chunk)."""
        buffer = carry["ev"]["spikes"]
        count = int(self.ops.numpy(buffer["count"]))
        return self.ops.numpy(buffer["time"])[:count], self.ops.numpy(buffer["source"])[:count]

    # ----- parts on threads ---------------------------------------------------------------------
    def _run_parts(self, tstop: float, v_init: float | None, record_every: int) -> Result:
        """Every part on its own thread (the backends release the GIL while they compute), merged."""
        with ThreadPoolExecutor(len(self.parts)) as pool:
            results = list(pool.map(lambda part: part[1].run(tstop, v_init, record_every), self.parts))
        return merged([(r, part.original, sim.plan.n_sources, set()) for (part, sim), r in zip(self.parts, results)],
                      self.net.probes)

    def _source_names(self) -> dict:
        names = {}
        for nc in self.net.netcons:
            if isinstance(nc.source, Location):
                names[int(np.flatnonzero((self.plan.source_node == self.plan.node(self.net, nc.source)) &
                                         (self.plan.source_threshold == nc.threshold))[0])] = nc.source
        for pp in self.net.points:
            if pp.index in self.plan.point_sources:
                names[self.plan.point_sources[pp.index]] = pp
        for train in self.net.trains:
            names[self.plan.train_sources[train.index]] = train
        return names

    def _check(self, carry: dict, t: float) -> None:
        errors = {k: bool(self.ops.numpy(v)) for k, v in carry["ev"]["errors"].items()}
        cfg = self.engine.events.config
        if errors["queue"]:
            sizes = ", ".join(f"{self.plan.groups[k].name} {n}" for k, n in self.engine.events.capacity.items())
            raise SimulationError(f"by t = {t:g} ms an event queue overflowed its capacity (pending events per "
                                  f"mechanism: {sizes}); pass a larger queue_capacity to Simulation")
        if errors["spikes"]:
            raise SimulationError(f"by t = {t:g} ms more than {cfg.spike_capacity} spikes fell in one chunk of "
                                  f"{self.chunk} steps; pass a larger spike_capacity or a smaller chunk to Simulation")
        if errors["passes"]:
            raise SimulationError(f"by t = {t:g} ms event delivery did not finish within one step after {cfg.max_passes} "
                                  f"passes (a zero-delay net_send loop?)")
        if errors["move"]:
            raise SimulationError(f"by t = {t:g} ms a net_move found no pending net_send(…, 1) event of its instance, "
                                  f"or asked for a time before t (NEURON stops there too)")
        if bool(self.ops.numpy(carry["newton_failed"])):
            raise SimulationError(f"by t = {t:g} ms a Newton solve (derivimplicit/sparse/NONLINEAR) did not converge")

    def _report(self, started: float, done: int, total: int, shown: bool) -> bool:
        """A one-line progress bar on stderr once a run has taken more than two seconds."""
        if self.progress is False or (self.progress is None and (time.monotonic() - started < 2 or not sys.stderr.isatty())):
            return shown
        width = 30
        filled = int(width * done / total)
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done * self.dt:.1f}/{total * self.dt:.1f} ms")
        sys.stderr.flush()
        return True
