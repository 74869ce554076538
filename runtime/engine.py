"""One time step and the initialisation, written once against the backend primitives.

NEURON's fixed step (src/nrnoc/fadvance.cpp, secondorder = 0), with v at t and states at t + dt/2:

1. threshold detection on v(t), then deliver events due by t + dt/2;
2. at t + dt/2: BEFORE BREAKPOINT blocks; ion reversals that follow Nernst; every mechanism's
   current and dI/dv, scattered into the right-hand side and diagonal; capacitance cm/dt; the
   axial terms;
3. the Hines solve for dv, v += dv;
4. at t + dt: every mechanism's states with the new v, concentrations written back to the ions;
   AFTER SOLVE blocks, then BEFORE STEP blocks (NEURON runs them as it records).

The carry (everything that changes) is a nested dict of backend arrays, so the same functions
run eagerly (NumPy, ONNX glue), under `lax.fori_loop` (JAX) and under an XLA `tf.while_loop`.

`scheme="explicit"` is the synchronous forward Euler of hand-written accelerator models (the
inferior-olive benchmark): currents, axial terms and states all from the state at t, then
v += dt/cm · (net current). Nodes without capacitance (section ends) stay algebraic, solved with
the same tree matrix whose capacitive rows are made diagonal. It is only stable for small dt.
"""

from __future__ import annotations

import numpy as np

from . import hines
from .assembly import Group, Plan
from .events import EventConfig, Events
from .primitives import index

HOC_EPSILON = 1e-11  # NEURON's hoc_epsilon: a WATCH activated within it of its threshold counts as above


class Engine:
    def __init__(self, ops, plan: Plan, dt: float, config: EventConfig, seed: int = 0, t0: float = 0.0,
                 scheme: str = "implicit", recorded: frozenset[str] = frozenset()):
        """`recorded`: the carry entries probes read ("ion:na:i", "s3:m"; see Simulation._readers),
        which stay in the carry even when no kernel reads them."""
        self.ops, self.plan, self.dt, self.seed, self.t0 = ops, plan, dt, seed, t0
        self.explicit = scheme == "explicit"
        c = ops.const
        # dt as the kernels receive it: a number of the run's dtype (TF makes a bare Python float
        # float32 in exp(-dt), where a file's time constant folds to a number)
        self.dt_value = c(np.asarray(dt))
        self.events = Events(ops, plan, dt, config)
        n = plan.n_nodes
        parent_safe = np.where(plan.parent >= 0, plan.parent, np.arange(n))
        axial_diag = -plan.b.copy()
        np.add.at(axial_diag, parent_safe, -plan.a)
        self.zeros = c(np.zeros(n))
        capacitive = plan.cm > 0
        if self.explicit:
            self.diag_fixed = c(np.where(capacitive, plan.cm * 1e-3 / dt, axial_diag))
            self.algebraic = c(np.where(capacitive, 0.0, 1.0))  # rows that keep dI/dv
            levels = hines.levels(plan.parent, np.where(capacitive[parent_safe], 0.0, plan.a),
                                  np.where(capacitive, 0.0, plan.b))
        else:
            self.diag_fixed = c(axial_diag + plan.cm * 1e-3 / dt)
            levels = plan.levels
        self.levels = hines.on_backend(ops, levels)
        # the axial currents' coefficients (the explicit scheme's solve drops them from capacitive rows)
        self.axial = hines.on_backend(ops, plan.levels) if self.explicit else self.levels
        self.p = []
        self.nodes = []
        self.scale = []
        self.pointers = []
        self.transfers = []  # per group: ({parameter: nodes}, {state variable: nodes}) given a peer's v
        self.no_v = {g.index: c(np.zeros(g.size)) for g in plan.groups if g.nodes is None}  # artificial cells
        # NET_RECEIVE blocks that assign v set their node's potential (nocmodl's NODEV(_pnt->node) = v):
        # each instance's node, or one past the last node where no event arrived
        self.v_targets = {g.index: (c(g.nodes, "int32"), c(np.full(g.size, plan.n_nodes), "int32"))
                          for g in plan.groups if g.nodes is not None and "net_receive" in g.meta["kernels"]
                          and "v" in g.meta["kernels"]["net_receive"]["writes"]}
        self.v_pad = c(np.zeros(1))
        for g in plan.groups:
            # GLOBALs and the environment become backend scalars too: arithmetic on plain Python
            # floats raises on 0/0 and turns (-8)**(1/3) complex, where NEURON's C gives NaN.
            self.p.append({k: c(v) for k, v in g.params.items()})
            self.nodes.append(None if g.nodes is None else index(ops, g.nodes))
            self.scale.append(c(g.scale))
            self.pointers.append({k: index(ops, v) for k, v in g.pointers.items()})
            linked = {k: index(ops, v) for k, v in g.transfers.items()}
            self.transfers.append(({k: n for k, n in linked.items() if k in g.params},
                                   {k: n for k, n in linked.items() if k not in g.params}))
        self.played = {g.index: {name: (c(inst, "int32"), c(table.reshape(-1)), c(len(table) - 1, "int32"),
                                        c(np.arange(len(inst)), "int32"), c(step))
                                 for name, (inst, table, step) in g.played.items()} for g in plan.groups if g.played}
        self.live = [live_variables(g, recorded) for g in plan.groups]
        self.changing = changing_ion_fields(plan, recorded)
        self.fixed_ions = self._fixed_ions()
        self.queue_groups = [g for g in plan.groups if g.delivery == "queue"]
        self.ring_groups = [g for g in plan.groups if g.delivery == "ring"]
        self.watch_groups = [g for g in plan.groups if g.kernel("watch") is not None]
        self.netcon_instance = {g.index: c(g.netcon_instance, "int32") for g in plan.groups if len(g.netcons)}

    # ----- kernel plumbing ---------------------------------------------------------------------
    def _params(self, g: Group, c: dict) -> dict:
        """g's parameters, with the played ones at the current row (Network.play) and the ones
        linked to another node's v (target_var) at its potential now."""
        played, transfers = self.played.get(g.index, {}), self.transfers[g.index][0]
        if not played and not transfers:
            return self.p[g.index]
        ops, p = self.ops, dict(self.p[g.index])
        for name, targets in transfers.items():
            p[name] = ops.take(c["v"], targets)
        for name, (inst, table, last, columns, step) in played.items():
            row = ops.minimum(c["row"], last)
            beyond = ops.cast(c["row"] - row, "float")
            p[name] = ops.scatter_set(p[name], inst, ops.take(table, row * len(inst) + columns) + beyond * step)
        return p

    def _inputs(self, g: Group, c: dict, kernel: str, passes=0):
        """v, s (ion mirrors refreshed) and the `ion` dictionary for one kernel call of g.

        Random variates are a function of (seed, step, kernel, group, draw, delivery pass), so no
        two calls share a stream and every backend's run is reproducible; where point processes
        were given their own `stream`, of (seed, stream, step, kernel, draw, delivery pass)."""
        ops, k = self.ops, g.index
        nodes = self.nodes[k]
        s = dict(c["s"][k])
        if nodes is None:
            v = self.no_v[k]
            ion = {}
        else:
            v = ops.take(c["v"], nodes)
            ion = {var: ops.take(self.ion_value(c, x, f), nodes) for var, x, f in g.ion_inputs}
            for var, x, f in g.ion_mirrors:
                s[var] = ops.take(self.ion_value(c, x, f), nodes)
            for var, targets in self.pointers[k].items():
                ion[var] = ops.take(c["v"], targets)
            for var, targets in self.transfers[k][1].items():
                if var in s:  # (a variable no kernel keeps is not carried)
                    s[var] = ops.take(c["v"], targets)
        draws = g.meta["kernels"][kernel]["random"]
        if draws:
            kernel_id = list(g.meta["kernels"]).index(kernel)
            for j, r in enumerate(draws):
                if g.streams is None:
                    key = (self.seed, c["n"], kernel_id, k, j, passes)
                    ion[r["key"]] = ops.variates(r["distribution"], g.size, key)
                else:  # per-instance streams: no dependence on the group's number or members
                    key = (self.seed, c["n"], kernel_id, j, passes)
                    ion[r["key"]] = ops.variates(r["distribution"], g.size, key, g.streams)
        return v, s, ion

    def _store(self, g: Group, c: dict, s: dict, kernel: str) -> dict:
        """Keep g's new s (its live variables); write back to the ions the concentrations and
        reversals `kernel` assigned (the others' s entries may be stale: a pool that READs and
        WRITEs cai but sets it only in its SOLVE block must not reset cai at INITIAL)."""
        ops = self.ops
        written = [w for w in g.ion_writes if w[0] in g.meta["kernels"][kernel]["writes"]]
        if written and self.nodes[g.index] is not None:
            ions = {x: dict(v) for x, v in c["ion"].items()}
            for var, x, f in written:
                ions[x][f] = ops.scatter_set(ions[x][f], self.nodes[g.index], s[var])
            c = {**c, "ion": ions}
        if "__converged__" in s:
            c = {**c, "newton_failed": c["newton_failed"] | ops.any(~s["__converged__"])}
        live = self.live[g.index]
        kept = {k: v for k, v in s.items() if k in live}
        return {**c, "s": [kept if j == g.index else x for j, x in enumerate(c["s"])]}

    def ion_value(self, c: dict, ion: str, field: str):
        """One of an ion's per-node arrays: from the carry if it changes during a run, else the
        constant (see changing_ion_fields)."""
        return c["ion"][ion][field] if field in self.changing[ion] else self.fixed_ions[ion][field]

    def _fixed_ions(self) -> dict[str, dict]:
        """Every ion array at initialisation: the constants of the fields that never change."""
        ops, n = self.ops, self.plan.n_nodes
        out = {}
        for x, sp in self.plan.ions.items():
            ci, co = ops.const(np.full(n, sp.ci0)), ops.const(np.full(n, sp.co0))
            e = self.nernst(sp, ci, co) if sp.e_init else ops.const(np.full(n, sp.e0))
            out[x] = {"e": e, "ci": ci, "co": co, "i": self.zeros}
        return out

    def _emit(self, c: dict, g: Group, kernel: str, emitted, t, nc, flag=None) -> dict:
        """Act on a kernel's events in source order: net_send, net_event, net_move, FOR_NETCONS
        loops; then the WATCH slots it executed (NET_RECEIVE's last events)."""
        watches, loops = [], 0
        for kind, event in zip(g.meta["kernels"][kernel]["events"], emitted):
            mask, ev = event[0], c["ev"]
            if kind == "send":
                c = {**c, "ev": self.events.send(ev, g, mask, t + event[1], nc, event[2])}
            elif kind == "event":
                c = {**c, "ev": self.events.emitted(ev, g, mask, event[1], self.t0)}
            elif kind == "move":
                c = {**c, "ev": self.events.move(ev, g, mask, event[1], t)}
            elif kind == "for_netcons":
                loops += 1
                c = self._for_netcons(c, g, loops, mask, t, flag)
            elif kind == "watch":
                watches.append(event)
        return self._activate_watches(c, g, watches) if watches else c

    def _activate_watches(self, c: dict, g: Group, watches) -> dict:
        """NEURON's _nrn_watch_activate: an instance that executed any WATCH keeps exactly those
        active (its pending WATCH events dropped); each records whether its condition already
        holds (value >= -hoc_epsilon), so that only a later rise fires it."""
        ops, key = self.ops, f"g{g.index}"
        executed = watches[0][0]
        for event in watches[1:]:
            executed = executed | event[0]
        w = c["watch"][key]
        active = [ops.where(executed, m, a) for (m, _, _), a in zip(watches, w["active"])]
        above = [ops.where(m, value >= -HOC_EPSILON, a) for (m, value, _), a in zip(watches, w["above"])]
        flags = [ops.where(m, flag, f) for (m, _, flag), f in zip(watches, w["flag"])]
        ev = self.events.drop_watch_events(c["ev"], g, executed)
        return {**c, "ev": ev, "watch": {**c["watch"], key: {"active": active, "above": above, "flag": flags}}}

    def check_watches(self, c: dict, t) -> dict:
        """NEURON's WatchCondition::check at the start of a step: an active watch whose value
        goes above 0 sends its flag to the instance at t."""
        ops = self.ops
        for g in self.watch_groups:
            key = f"g{g.index}"
            v, s, ion = self._inputs(g, c, "watch")
            _, values = g.module.watch(self._params(g, c), s, v, ion, t)
            w, ev = c["watch"][key], c["ev"]
            above = []
            for k, event in enumerate(values):
                now = event[1] > 0
                ev = self.events.watch_fired(ev, g, w["active"][k] & now & ~w["above"][k], t, w["flag"][k])
                above.append(ops.where(w["active"][k], now, w["above"][k]))  # only active ones are checked
            c = {**c, "ev": ev, "watch": {**c["watch"], key: {**w, "above": above}}}
        return c

    def _for_netcons(self, c: dict, g: Group, k: int, mask, t, flag) -> dict:
        """FOR_NETCONS number k: its body over every NetCon into g, kept where the target ran it."""
        if not len(g.netcons):
            return c
        ops = self.ops
        inst, p, s, args, v = self._per_netcon(c, g)

        def per_nc(x):
            return ops.take(x, inst)

        out = getattr(g.module, f"for_netcons_{k}")(p, s, {**args, "flag": per_nc(flag)}, per_nc(t), v, {})
        ran = per_nc(mask)
        written = g.meta["kernels"][f"for_netcons_{k}"]["writes_args"]
        return self._write_args(c, g, {a: ops.where(ran, out[a], args[a]) for a in written})

    # ----- the phases of a step ----------------------------------------------------------------
    def currents(self, c: dict, t):
        """Ion reversals, then every mechanism's current: the carry, rhs and diagonal."""
        ops, plan = self.ops, self.plan
        ions = {}
        for x, sp in plan.ions.items():
            ion = dict(c["ion"][x])
            if "e" in ion and sp.e_advance:
                ion["e"] = self.nernst(sp, self.ion_value(c, x, "ci"), self.ion_value(c, x, "co"))
            if "i" in ion:
                ion["i"] = self.zeros
            ions[x] = ion
        c = {**c, "ion": ions}
        rhs, d = self.zeros, self.zeros
        for g in plan.groups:
            if g.nodes is None or g.kernel("current") is None:
                continue
            nodes, scale = self.nodes[g.index], self.scale[g.index]
            v, s, ion = self._inputs(g, c, "current")
            s, i, gm, ion_i, _ = g.module.current(self._params(g, c), s, v, ion, t)
            rhs = ops.scatter_add(rhs, nodes, -i * scale)
            d = ops.scatter_add(d, nodes, gm * scale)
            summed = [x for x in ion_i if "i" in self.changing[x]]
            if summed:
                ions = {x: dict(val) for x, val in c["ion"].items()}
                for x in summed:
                    ions[x]["i"] = ops.scatter_add(ions[x]["i"], nodes, ion_i[x] * scale)
                c = {**c, "ion": ions}
            c = self._store(g, c, s, "current")
        return c, rhs, d

    def nernst(self, sp, ci, co):
        ops = self.ops
        if sp.valence == 0:  # NEURON's nrn_nernst: 0 mV for an uncharged species (a messenger)
            return self.zeros
        factor = sp.nernst_factor(self.plan.celsius)
        safe_ci = ops.where(ci > 0, ci, 1.0)
        safe_co = ops.where(co > 0, co, 1.0)
        e = factor * ops.log(safe_co / safe_ci)
        return ops.where(ci > 0, ops.where(co > 0, e, -1e6), 1e6)

    def voltage_change(self, c: dict, rhs, d):
        """dv of this step: the Hines solve of the cable equation with the step's currents."""
        ops, v = self.ops, c["v"]
        rhs = hines.with_axial(ops, self.axial, v, rhs)
        if self.explicit:
            d = d * self.algebraic
        return hines.solve(ops, self.levels, d + self.diag_fixed, rhs)

    def states(self, c: dict, t, kernel: str = "state") -> dict:
        """Every mechanism's `kernel` (state, or a BEFORE/AFTER block: the same signature)."""
        for g in self.plan.groups:
            if g.nodes is None or g.kernel(kernel) is None:
                continue
            v, s, ion = self._inputs(g, c, kernel)
            c = self._store(g, c, getattr(g.module, kernel)(self._params(g, c), s, v, ion, t, self.dt_value), kernel)
        return c

    def deliver(self, c: dict, til, step, rings: bool = True) -> dict:
        """Deliver every event due by `til`: queues event by event, then the step's ring slots."""
        ops = self.ops
        if self.queue_groups:
            limit = self.events.config.max_passes

            def more(state):
                cc, passes = state
                return self.events.due(cc["ev"], til) & (passes < limit)

            def one_pass(state):
                cc, passes = state
                for g in self.queue_groups:
                    cc = self._receive_queued(cc, g, til, passes)
                return cc, passes + 1

            c, passes = ops.while_loop(more, one_pass, (c, ops.const(0, "int32")))
            stuck = self.events.due(c["ev"], til)
            ev = c["ev"]
            c = {**c, "ev": {**ev, "errors": {**ev["errors"], "passes": ev["errors"]["passes"] | stuck}}}
        if rings:
            for g in self.ring_groups:
                ev, mask, args = self.events.ring_take(c["ev"], g, step)
                c = {**c, "ev": ev}
                args = {**args, "flag": 0.0 * args[g.meta["net_receive_args"][0]]}
                c, _, _ = self._net_receive(c, g, args, mask, til, 0)
        return c

    def _net_receive(self, c: dict, g: Group, args: dict, mask, t, passes) -> tuple:
        """g's NET_RECEIVE for the instances in `mask`: the new carry, the written arguments and
        the emitted events. A block that assigns v sets its node's potential, as NEURON's does."""
        v, s, ion = self._inputs(g, c, "net_receive", passes)
        targets = self.v_targets.get(g.index)
        if targets is not None:
            s = {**s, "v": v}
        s, args_out, emitted = g.module.net_receive(self._params(g, c), s, args, mask, t, v, ion)
        if targets is not None:
            s = dict(s)
            new_v, ops = s.pop("v"), self.ops
            padded = ops.scatter_set(ops.concat([c["v"], self.v_pad]), ops.where(mask, *targets), new_v)
            c = {**c, "v": padded[: self.plan.n_nodes]}
        return self._store(g, c, s, "net_receive"), args_out, emitted

    def _receive_queued(self, c: dict, g: Group, til, passes) -> dict:
        ops = self.ops
        ev, mask, t_event, flag, nc = self.events.pick(c["ev"], g, til)
        c = {**c, "ev": ev}
        table = c["args"][g.index]
        n_nc = len(g.netcons)
        has_nc = nc >= 0
        at = ops.where(has_nc, nc, n_nc)
        args = {a: ops.where(has_nc, ops.take(table[a], at), 0.0) for a in g.meta["net_receive_args"]}
        args["flag"] = flag
        c, args_out, emitted = self._net_receive(c, g, args, mask, t_event, passes + 1)
        written = g.meta["kernels"]["net_receive"]["writes_args"]
        if written:
            target = ops.where(mask & has_nc, nc, n_nc)
            table = {a: (ops.scatter_set(col, target, args_out[a]) if a in written else col) for a, col in table.items()}
            c = {**c, "args": [table if j == g.index else x for j, x in enumerate(c["args"])]}
        return self._emit(c, g, "net_receive", emitted, t_event, nc, flag)

    # ----- whole steps -------------------------------------------------------------------------
    def step(self, c: dict) -> dict:
        ops, dt = self.ops, self.dt
        t = self.t0 + ops.cast(c["n"], "float") * dt
        c = {**c, "ev": self.events.threshold(c["ev"], c["v"], t, self.t0)}
        c = {**c, "ev": self.events.scheduled(c["ev"], t + 0.5 * dt, self.t0)}
        if self.played:
            c = {**c, "row": c["n"] + 1}
        if self.watch_groups:  # NEURON delivers the events due by t at the end of the last step, then checks
            c = self.deliver(c, t, c["n"], rings=False)
            c = self.check_watches(c, t)
        c = self.deliver(c, t + 0.5 * dt, c["n"])
        t_currents = t if self.explicit else t + 0.5 * dt
        c = self.states(c, t_currents, "before_breakpoint")
        c, rhs, d = self.currents(c, t_currents)
        dv = self.voltage_change(c, rhs, d)
        if self.explicit:  # states from v(t), then v
            c = self.states(c, t)
            c = {**c, "v": c["v"] + dv}
        else:  # v first; states see v(t + dt)
            c = {**c, "v": c["v"] + dv}
            c = self.states(c, t + dt)
        c = self.states(c, t + dt, "after_solve")
        c = self.states(c, t + dt, "before_step")
        return {**c, "n": c["n"] + 1}

    def initial(self, v_init) -> dict:
        """NEURON's finitialize: ions, INITIAL blocks, NET_RECEIVE INITIAL, events due at t0, currents.
        Nodes given a start value with Network.set_v_init keep it; the others start at v_init (a
        number or a backend scalar, so that Simulation compiles this once for every v_init)."""
        ops, plan = self.ops, self.plan
        t0 = ops.const(self.t0)  # a scalar of the run's dtype, as t is in `step` (a bare float is float32 to TF)
        ions = {x: {f: a for f, a in fields.items() if f in self.changing[x]} for x, fields in self.fixed_ions.items()}
        v_start = ops.where(ops.const(np.isnan(plan.v_start), "bool"), v_init, ops.const(np.nan_to_num(plan.v_start)))
        c = {
            "n": ops.const(0, "int32"), "v": v_start, "ion": ions,
            "s": [{k: ops.const(v, None if v.dtype != bool else "bool") for k, v in g.state.items() if k in self.live[g.index]}
                  for g in plan.groups],
            "args": [{a: ops.const(np.append(col, 0.0)) for a, col in g.args.items()} for g in plan.groups],
            "ev": self.events.initial(), "newton_failed": ops.const(False, "bool"),
            "watch": {f"g{g.index}": self._no_watches(g) for g in self.watch_groups},
        }
        if self.played:
            c["row"] = ops.const(0, "int32")
        c = self.states(c, t0, "before_initial")
        for g in plan.groups:
            if g.kernel("init") is None:
                continue
            v, s, ion = self._inputs(g, c, "init")
            s, emitted = g.module.init(self._params(g, c), s, v, ion, t0)
            c = self._store(g, c, s, "init")
            c = self._emit(c, g, "init", emitted, t0, ops.const(np.full(g.size, -1), "int32"))
        for g in plan.groups:
            if len(g.netcons) and g.kernel("net_init") is not None and g.meta["kernels"]["net_init"]["writes_args"]:
                c = self._net_init(c, g)
        c = self.states(c, t0, "after_initial")
        c = {**c, "ev": self.events.scheduled(c["ev"], t0, t0)}
        c = self.deliver(c, t0, 0, rings=False)
        c = self.states(c, t0, "before_breakpoint")
        c, _, _ = self.currents(c, t0)
        return self.states(c, t0, "before_step")

    def _no_watches(self, g: Group) -> dict:
        """Every WATCH slot of g inactive (NEURON clears them all in finitialize)."""
        ops, slots = self.ops, len(g.meta["kernels"]["watch"]["events"])
        return {"active": [ops.const(np.zeros(g.size), "bool") for _ in range(slots)],
                "above": [ops.const(np.zeros(g.size), "bool") for _ in range(slots)],
                "flag": [ops.const(np.zeros(g.size)) for _ in range(slots)]}

    def _net_init(self, c: dict, g: Group) -> dict:
        """NET_RECEIVE INITIAL, once per NetCon, seeing its target instance."""
        inst, p, s, args, v = self._per_netcon(c, g)
        _, _, ion = self._inputs(g, c, "net_init")  # POINTERs and ion values, per instance
        ion = {k: self.ops.take(value, inst) for k, value in ion.items()}
        out = g.module.net_init(p, s, {**args, "flag": 0.0 * v}, self.t0, v, ion)
        return self._write_args(c, g, out)

    def _per_netcon(self, c: dict, g: Group):
        """Each NetCon into g's target instance, and p, s, the arguments and v as seen per NetCon."""
        ops = self.ops
        inst = self.netcon_instance[g.index]
        p = {k: ops.take(self.p[g.index][k], inst) if isinstance(v, np.ndarray) else self.p[g.index][k]
             for k, v in g.params.items()}
        s = {k: ops.take(v, inst) for k, v in c["s"][g.index].items()}
        args = {a: col[: len(g.netcons)] for a, col in c["args"][g.index].items()}
        v = ops.const(np.zeros(len(g.netcons))) if g.nodes is None else ops.take(c["v"], ops.const(g.nodes[g.netcon_instance], "int32"))
        return inst, p, s, args, v

    def _write_args(self, c: dict, g: Group, values: dict) -> dict:
        """New values of some NET_RECEIVE argument columns, one per NetCon into g."""
        ops = self.ops
        ids = ops.const(np.arange(len(g.netcons)), "int32")
        table = {a: ops.scatter_set(col, ids, values[a]) if a in values else col for a, col in c["args"][g.index].items()}
        return {**c, "args": [table if j == g.index else x for j, x in enumerate(c["args"])]}


def live_variables(g: Group, recorded: frozenset[str]) -> frozenset[str]:
    """The variables of g the carry keeps from step to step: those some kernel reads before writing
    (META's reads), those written back to an ion, the Newton flag, and the recorded ones. The rest
    (hh's minf, mtau, gna, ina...) are recomputed by every kernel that uses them; carrying them
    would cost a full array written per variable and step, and split XLA's fusions."""
    keep = {name for k in g.meta["kernels"].values() for name in k["reads"].get("s", [])}
    keep |= {var for var, _, _ in g.ion_writes}
    keep |= {key.split(":", 1)[1] for key in recorded if key.startswith(f"s{g.index}:")}
    keep.add("__converged__")
    return frozenset(keep & set(g.state))


def changing_ion_fields(plan: Plan, recorded: frozenset[str]) -> dict[str, set[str]]:
    """The ion arrays that change during a run and so ride in the carry: whatever a mechanism
    writes, and the total currents and Nernst reversals when a mechanism or a probe reads them.
    The others are constants that XLA hoists out of the loop (hh's fixed ena and ek, ina that
    nothing reads, the reversal of a calcium pool whose channels have a fixed one)."""
    read = {(x, f) for g in plan.groups for _, x, f in g.ion_inputs + g.ion_mirrors}
    read |= {tuple(key.split(":")[1:]) for key in recorded if key.startswith("ion:")}
    out = {x: {f for f in ("e", "i") if (x, f) in read and (f == "i" or sp.e_advance)} for x, sp in plan.ions.items()}
    for g in plan.groups:
        for _, x, f in g.ion_writes:
            out[x].add(f)
    return out
