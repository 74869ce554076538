"""Spikes and NetCon events inside the compiled loop, with NEURON's timing.

- Threshold detection at the start of a step: a source fires when v - threshold > 0 and it had
  not fired since v last fell below; the spike time is t + 1e-10 (NEURON's `check_thresh`).
- A spike at time ts reaches each NetCon's target at ts + delay; events with time <= t + dt/2
  are delivered at the start of the step at t.
- Targets whose NET_RECEIVE only adds a linear function of the weight (ExpSyn, Exp2Syn) get a
  ring buffer indexed by delivery step: the weights of one step are summed and delivered once.
- Every other target has an event queue of fixed capacity. Each pass delivers, to every instance
  with a due event, its earliest one (ties in order of sending), exactly as one-by-one delivery
  would; passes repeat until nothing is due, so net_send(0) and zero-delay chains are delivered
  in the same step. A full queue, a full spike buffer or a delivery loop that does not end sets an
  error flag that the simulation raises after the chunk: events are never dropped silently.
- WATCH (NEURON's WatchCondition): checked at the start of a step with the threshold sources; a
  condition that goes above 0 sends a self-event with the watch's flag at t (queue entries with
  NetCon index WATCH_NC). Activating a new set of watches removes the instance's pending ones.
- net_move(t'): moves the instance's pending self-event sent last with flag 1 (NEURON keeps only
  that one movable) to t'.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .assembly import Group, Plan

SPIKE_DELAY = 1e-10  # NEURON sends a threshold spike at t + 1e-10
BIG = 2**30
WATCH_NC = -2  # the NetCon index of a WATCH event in a queue (-1: net_send, >= 0: a NetCon)


@dataclass
class EventConfig:
    queue_capacity: int | None  # per mechanism; None: 4 × (instances + NetCons into it) + 64
    spike_capacity: int
    ring_depth: int
    max_passes: int


class Events:
    """Event state and its updates for one plan, against one primitive set."""

    def __init__(self, ops, plan: Plan, dt: float, config: EventConfig):
        self.ops, self.plan, self.dt, self.config = ops, plan, dt, config
        c = ops.const
        self.source_node = c(plan.source_node, "int32")
        self.source_threshold = c(plan.source_threshold)
        self.n_threshold = len(plan.source_node)
        self.netcon_source = c(plan.netcon_source, "int32")
        self.netcon_delay = c(plan.netcon_delay)
        self.targets = {}  # group index -> (netcon ids, local netcon index, instance)
        for g in plan.groups:
            if len(g.netcons):
                self.targets[g.index] = (c(g.netcons, "int32"), c(np.arange(len(g.netcons)), "int32"),
                                         c(g.netcon_instance, "int32"))
        self.weights = {g.index: {a: c(w) for a, w in g.args.items()} for g in plan.groups if g.delivery == "ring"}
        self.capacity = {g.index: config.queue_capacity or 4 * (g.size + len(g.netcons)) + 64
                         for g in plan.groups if g.delivery == "queue"}
        # Constants the loop uses, made once here (not on every step; TF also needs them eager).
        n_src = plan.n_sources
        self.instances = {g.index: c(np.arange(g.size), "int32") for g in plan.groups}
        self.per_instance = {g.index: (c(np.full(g.size + 1, np.inf)), c(np.full(g.size + 1, BIG), "int32"),
                                       c(np.full(g.size + 1, -1), "int32")) for g in plan.groups}
        self.positions = {k: c(np.arange(cap + 1), "int32") for k, cap in self.capacity.items()}
        self.trash = {k: c([cap], "int32") for k, cap in self.capacity.items()}
        self.slot_index = {k: c(np.arange(cap), "int32") for k, cap in self.capacity.items()}
        self.no_slot = {k: c(np.full(cap + 1, cap), "int32") for k, cap in self.capacity.items()}
        self.watch_constants = {g.index: (c(np.zeros(g.size)), c(np.full(g.size, WATCH_NC), "int32"))
                                for g in plan.groups if "watch" in g.meta["kernels"]}
        self.false1 = c([False], "bool")
        self.source_ids = c(np.arange(n_src), "int32")
        self.threshold_ids = c(np.arange(self.n_threshold), "int32")
        self.no_source = (c(np.zeros(n_src + 1), "bool"), c(np.zeros(n_src + 1)))
        self.schedule = (c(plan.schedule_time), c(plan.schedule_source, "int32"),
                         c(np.arange(len(plan.schedule_time)), "int32")) if len(plan.schedule_time) else None
        self.source_of = {g.index: c(np.where(g.sources >= 0, g.sources, n_src), "int32")
                          for g in plan.groups if g.sources is not None}

    # ----- state -------------------------------------------------------------------------------
    def initial(self) -> dict:
        ops, cfg = self.ops, self.config
        queues, rings = {}, {}
        for g in self.plan.groups:
            if g.delivery == "queue":
                q_size = self.capacity[g.index] + 1  # the last slot takes writes that must go nowhere
                queues[f"g{g.index}"] = {
                    "time": ops.const(np.full(q_size, np.inf)), "inst": ops.const(np.zeros(q_size), "int32"),
                    "nc": ops.const(np.full(q_size, -1), "int32"), "flag": ops.const(np.zeros(q_size)),
                    "seq": ops.const(np.zeros(q_size), "int32"), "valid": ops.const(np.zeros(q_size), "bool")}
            elif g.delivery == "ring":
                size = cfg.ring_depth * g.size
                rings[f"g{g.index}"] = {"count": ops.const(np.zeros(size), "int32"),
                                        **{a: ops.const(np.zeros(size)) for a in g.meta["net_receive_args"]}}
        movable = {f"g{g.index}": ops.const(np.full(g.size, -1), "int32") for g in self.plan.groups
                   if g.delivery == "queue"}  # seq of each instance's last net_send(…, 1)
        return {
            "queues": queues, "rings": rings, "seq": ops.const(0, "int32"), "movable": movable,
            "armed": ops.const(np.zeros(self.n_threshold), "bool"),
            "scheduled": ops.const(0, "int32"),  # spike-train spikes sent so far
            "spikes": self.empty_spikes(),
            "errors": {k: ops.const(False, "bool") for k in ("queue", "spikes", "passes", "move")},
        }

    def empty_spikes(self) -> dict:
        ops, size = self.ops, self.config.spike_capacity + 1
        return {"time": ops.const(np.zeros(size)), "source": ops.const(np.zeros(size), "int32"),
                "count": ops.const(0, "int32")}

    # ----- helpers -----------------------------------------------------------------------------
    def _slots(self, taken, mask, k: int):
        """Free slot of group k's queue for each masked entry (capacity index where none is left),
        the entries' ranks, and overflow. The r-th free slot is found by scattering every free slot
        to its rank among the free ones: linear in the capacity, where a sort was not."""
        ops = self.ops
        capacity = self.capacity[k]
        free = ~taken[:capacity]
        free_rank = ops.cast(ops.cumsum(ops.cast(free, "int32")), "int32") - 1
        order = ops.scatter_set(self.no_slot[k], ops.where(free, free_rank, capacity), self.slot_index[k])
        rank = ops.cast(ops.cumsum(ops.cast(mask, "int32")), "int32") - 1
        n_free = ops.cast(ops.sum(ops.cast(free, "int32")), "int32")
        fits = mask & (rank < n_free)
        slot = ops.where(fits, ops.take(order, ops.minimum(ops.where(rank < 0, 0, rank), capacity - 1)), capacity)
        return ops.cast(slot, "int32"), rank, ops.any(mask & ~fits)

    def _queue_insert(self, ev, g: Group, mask, time, inst, nc, flag):
        ops = self.ops
        key = f"g{g.index}"
        q = ev["queues"][key]
        slot, rank, overflow = self._slots(q["valid"], mask, g.index)
        seq = ev["seq"] + rank
        q = {"time": ops.scatter_set(q["time"], slot, time), "inst": ops.scatter_set(q["inst"], slot, inst),
             "nc": ops.scatter_set(q["nc"], slot, nc), "flag": ops.scatter_set(q["flag"], slot, flag),
             "seq": ops.scatter_set(q["seq"], slot, seq),
             "valid": ops.scatter_set(ops.scatter_set(q["valid"], slot, mask),
                                      self.trash[g.index], self.false1)}
        n_new = ops.cast(ops.sum(ops.cast(mask, "int32")), "int32")
        return {**ev, "queues": {**ev["queues"], key: q}, "seq": ev["seq"] + n_new,
                "errors": {**ev["errors"], "queue": ev["errors"]["queue"] | overflow}}

    def send(self, ev, g: Group, mask, time, nc, flag):
        """net_send from instances of g: self-events carrying the delivering NetCon's arguments.
        One with flag 1 becomes the instance's movable event (NEURON's `*v = q`)."""
        ops, key = self.ops, f"g{g.index}"
        if key in ev["movable"]:
            seq = ev["seq"] + ops.cast(ops.cumsum(ops.cast(mask, "int32")), "int32") - 1  # as _queue_insert numbers them
            movable = ops.where(mask & (flag == 1.0), seq, ev["movable"][key])
            ev = {**ev, "movable": {**ev["movable"], key: movable}}
        return self._queue_insert(ev, g, mask, time, self.instances[g.index], nc, flag)

    def move(self, ev, g: Group, mask, time, t):
        """net_move(time) from the instances in `mask` at event time t. Moving nothing (no flag-1
        event pending) or into the past is an error in NEURON too."""
        ops, key, n = self.ops, f"g{g.index}", g.size
        q = ev["queues"][key]
        time = ops.where(mask, time, t)
        hit = q["valid"] & (q["seq"] == ops.take(ev["movable"][key], q["inst"])) & ops.take(mask, q["inst"])
        q = {**q, "time": ops.where(hit, ops.take(time, q["inst"]), q["time"])}
        _, _, none = self.per_instance[g.index]
        found = ops.scatter_max(none, ops.where(hit, q["inst"], n), ops.where(hit, self.positions[g.index], -1))[:n] >= 0
        bad = ops.any(mask & (~found | (time < t)))
        return {**ev, "queues": {**ev["queues"], key: q}, "errors": {**ev["errors"], "move": ev["errors"]["move"] | bad}}

    def watch_fired(self, ev, g: Group, fired, t, flag):
        """Self-events at t from the instances whose watch condition just went above 0."""
        ops = self.ops
        zeros, watch_nc = self.watch_constants[g.index]
        return self._queue_insert(ev, g, fired, zeros + t, self.instances[g.index], watch_nc, flag)

    def drop_watch_events(self, ev, g: Group, instances):
        """Remove the pending WATCH events of `instances` (a new set of watches was activated)."""
        ops, key = self.ops, f"g{g.index}"
        q = ev["queues"][key]
        stale = (q["nc"] == WATCH_NC) & ops.take(instances, q["inst"])
        return {**ev, "queues": {**ev["queues"], key: {**q, "valid": q["valid"] & ~stale}}}

    def record_spikes(self, ev, fired, time):
        ops = self.ops
        sp = ev["spikes"]
        capacity = self.config.spike_capacity
        # the buffer fills in order, so the free slots are count, count + 1, ...: no search needed
        slot = sp["count"] + ops.cast(ops.cumsum(ops.cast(fired, "int32")), "int32") - 1
        fits = fired & (slot < capacity)
        slot = ops.where(fits, slot, capacity)
        overflow = ops.any(fired & ~fits)
        n_new = ops.cast(ops.sum(ops.cast(fired, "int32")), "int32")
        sp = {"time": ops.scatter_set(sp["time"], slot, time), "source": ops.scatter_set(sp["source"], slot, self.source_ids),
              "count": ops.minimum(sp["count"] + n_new, self.config.spike_capacity)}
        return {**ev, "spikes": sp, "errors": {**ev["errors"], "spikes": ev["errors"]["spikes"] | overflow}}

    def fan_out(self, ev, fired, time, t0):
        """Spikes of sources (`fired`, `time` per source id) become events at their targets."""
        ops = self.ops
        ev = self.record_spikes(ev, fired, time)
        for g in self.plan.groups:
            if g.index not in self.targets:
                continue
            ids, local, inst = self.targets[g.index]
            src = ops.take(self.netcon_source, ids)
            hit = ops.take(fired, src)
            when = ops.take(time, src) + ops.take(self.netcon_delay, ids)
            if g.delivery == "ring":
                ev = self._ring_add(ev, g, hit, when, inst, local, t0)
            else:
                ev = self._queue_insert(ev, g, hit, when, inst, local, 0.0 * when)
        return ev

    def _ring_add(self, ev, g: Group, hit, when, inst, local, t0):
        ops, depth = self.ops, self.config.ring_depth
        step = ops.cast(ops.ceil((when - t0) / self.dt - 0.5), "int32")
        index = (step % depth) * g.size + inst
        key = f"g{g.index}"
        ring = dict(ev["rings"][key])
        ring["count"] = ops.scatter_add(ring["count"], index, ops.cast(hit, "int32"))
        for a in g.meta["net_receive_args"]:
            ring[a] = ops.scatter_add(ring[a], index, ops.where(hit, ops.take(self.weights[g.index][a], local), 0.0))
        return {**ev, "rings": {**ev["rings"], key: ring}}

    def threshold(self, ev, v, t, t0):
        """NEURON's threshold check at the start of a step."""
        ops = self.ops
        if self.n_threshold == 0:
            return ev
        above = ops.take(v, self.source_node) - self.source_threshold > 0
        fired = above & ~ev["armed"]
        ev = {**ev, "armed": above}
        n_extra = self.plan.n_sources - self.n_threshold
        if n_extra:  # net_event sources have ids after the threshold ones
            fired = ops.scatter_set(self.no_source[0][:-1], self.threshold_ids, fired)
        time = self.no_source[1][:-1] + (t + SPIKE_DELAY)
        return self.fan_out(ev, fired, time, t0)

    def scheduled(self, ev, til, t0):
        """Spike-train spikes due by `til` that were not sent yet (at most one per source: assembly
        refuses trains with two spikes in one step)."""
        if self.schedule is None:
            return ev
        ops, n = self.ops, self.plan.n_sources
        times, sources, rank = self.schedule
        due = (rank >= ev["scheduled"]) & (times <= til)
        ids = ops.where(due, sources, n)
        fired = ops.scatter_set(self.no_source[0], ids, due)[:n]
        time = ops.scatter_set(self.no_source[1], ids, times)[:n]
        ev = {**ev, "scheduled": ev["scheduled"] + ops.cast(ops.sum(ops.cast(due, "int32")), "int32")}
        return self.fan_out(ev, fired, time, t0)

    def emitted(self, ev, g: Group, mask, time, t0):
        """net_event from instances of g."""
        ops = self.ops
        n = self.plan.n_sources
        ids = ops.where(mask, self.source_of[g.index], n)
        fired = ops.scatter_set(self.no_source[0], ids, mask)[:n]
        time = ops.scatter_set(self.no_source[1], ids, time)[:n]
        return self.fan_out(ev, fired, time, t0)

    # ----- delivery ----------------------------------------------------------------------------
    def due(self, ev, til):
        """Whether any queue holds an event due by `til`."""
        ops = self.ops
        flags = [ops.any(q["valid"] & (q["time"] <= til)) for q in ev["queues"].values()]
        out = flags[0]  # only called when there are queues
        for f in flags[1:]:
            out = out | f
        return out

    def pick(self, ev, g: Group, til):
        """For each instance of g, its earliest due event (ties: first sent), removed from the queue.

        Returns the event state and per instance: mask, time, flag, NetCon index (-1: none)."""
        ops = self.ops
        key = f"g{g.index}"
        q = ev["queues"][key]
        n = g.size
        due = q["valid"] & (q["time"] <= til)
        inst = ops.where(due, q["inst"], n)
        inf, big, none = self.per_instance[g.index]
        earliest = ops.scatter_min(inf, inst, ops.where(due, q["time"], np.inf))
        candidate = due & (q["time"] == ops.take(earliest, inst))
        inst = ops.where(candidate, q["inst"], n)
        first = ops.scatter_min(big, inst, ops.where(candidate, q["seq"], BIG))
        chosen = candidate & (q["seq"] == ops.take(first, inst))
        slot = ops.scatter_max(none, ops.where(chosen, q["inst"], n), ops.where(chosen, self.positions[g.index], -1))[:n]
        mask = slot >= 0
        at = ops.where(mask, slot, 0)
        q = {**q, "valid": q["valid"] & ~chosen}
        nc = ops.where(mask, ops.take(q["nc"], at), -1)
        ev = {**ev, "queues": {**ev["queues"], key: q}}
        return ev, mask, ops.take(q["time"], at), ops.take(q["flag"], at), nc

    def ring_take(self, ev, g: Group, step):
        """The summed arguments arriving at g in this step (slot cleared), and which instances got any."""
        ops, key = self.ops, f"g{g.index}"
        ring = ev["rings"][key]
        index = (step % self.config.ring_depth) * g.size + self.instances[g.index]
        mask = ops.take(ring["count"], index) > 0
        args = {a: ops.take(ring[a], index) for a in g.meta["net_receive_args"]}
        cleared = {k: ops.scatter_set(arr, index, 0 * ops.take(arr, index)) for k, arr in ring.items()}
        return {**ev, "rings": {**ev["rings"], key: cleared}}, mask, args
