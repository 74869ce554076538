"""Lowering of NET_RECEIVE's WATCH and FOR_NETCONS statements, with NEURON 9's semantics.

WATCH (a > b) flag  (or `a < b`): nocmodl turns the condition into a function of the instance,
`(a) - (b)` (or `(b) - (a)`), that reads only the instance's variables, v and t. Executing a WATCH
in NET_RECEIVE activates it; the first one executed in a call first deactivates every watch of
the instance (`_nrn_watch_activate` with `_watch_rm == 0`), so a call that executes none leaves
the active set as it was. Activation records whether the condition already holds
(`value >= -hoc_epsilon`); at the start of every step NEURON checks each active watch
(`NetCvode::check_thresh`) and, when the value goes above 0 from below, sends a self-event with
the flag at the current t.

So each WATCH item is a *slot*. The `net_receive` kernel ends with one `watch` event per slot,
in slot order: mask = where it executed, arguments (condition value, flag) as of its (last)
execution. A separate `watch` kernel (init's signature) returns one `watch` event per slot whose
only argument is the condition's current value; the runtime calls it every step.

FOR_NETCONS(a1, a2, ...) { body }: the body runs once for every NetCon that targets the instance,
the formals naming that NetCon's NET_RECEIVE arguments (weights), which it may read and write.
Each FOR_NETCONS becomes a kernel `for_netcons_<k>` with NET_RECEIVE INITIAL's signature, run by
the runtime over all NetCons of the mechanism (p and s gathered from each NetCon's target) and
kept where the target executed the loop (the `for_netcons` event). The body may not assign
mechanism variables (the NetCons would then depend on one another's order), and the mechanism
variables it reads must not change in NET_RECEIVE after the loop (the runtime runs the loop on
the state NET_RECEIVE leaves).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import sympy as sp

from . import ast_nodes as A
from . import ir
from .diagnostics import ModlcError
from .symbolic import as_number, select, sym

WATCH_RELATIONS = (">", "<")


@dataclass
class ReceiveLowering:
    """What lowering NET_RECEIVE collects beyond its statements."""

    args: list[str]
    conditions: list[tuple[A.Expr, A.Loc]]  # each WATCH slot's condition, in source order
    slot_of: dict[tuple[int, int], int]  # (id of the Watch statement, item) -> slot
    watches: list[tuple[int, sp.Basic, sp.Expr, sp.Expr]] = field(default_factory=list)  # (slot, path, value, flag)
    loops: list[tuple[ir.Kernel, A.Loc, dict]] = field(default_factory=list)  # (kernel, loc, values it reads)

    @property
    def slots(self) -> int:
        return len(self.conditions)


def receive_lowering(args: list[str], statements) -> ReceiveLowering:
    """Number the WATCH items of NET_RECEIVE's body (its INITIAL block excluded) in source order."""
    conditions, slot_of = [], {}
    for stmt in statements:
        for node in A.walk(stmt):
            if isinstance(node, A.Watch):
                for j, (condition, _) in enumerate(node.conditions):
                    slot_of[(id(node), j)] = len(conditions)
                    conditions.append((condition, node.loc))
    return ReceiveLowering(list(args), conditions, slot_of)


class EventLowering:
    """Lowerer methods for NET_RECEIVE's event statements (mixed into `lower.Lowerer`)."""

    receive: ReceiveLowering | None = None

    def receive_kernel(self, body, args: list[str]) -> ir.Kernel:
        locals_ = args + ["flag"]
        frame = self.start("net_receive", locals_)
        self.execute_statements(body, frame, tail=True)
        for slot in range(self.receive.slots):
            mask, value, flag = sp.false, sp.Integer(0), sp.Integer(0)
            for _, path, v, f in (w for w in self.receive.watches if w[0] == slot):
                mask, value, flag = sp.Or(mask, path), select(path, v, value), select(path, f, flag)
            self.emit(ir.Event("watch", (self.bind("watch_value", value), self.bind("watch_flag", flag)), mask))
        env = self.builder.env
        for kernel, loc, seen in self.receive.loops:
            for key, value in seen.items():
                if env.get(key, sym(key)) != value:
                    raise ModlcError.at(loc, f"unsupported: FOR_NETCONS reads '{key}', which NET_RECEIVE "
                                             f"changes after the loop")
        return self.finish(frame, locals_)

    def watch_kernel(self) -> ir.Kernel:
        """Every WATCH condition's value, one `watch` event per slot (the per-step check)."""
        frame = self.start("watch")
        for condition, loc in self.receive.conditions:
            value = self.watch_value(condition, loc, frame)
            self.emit(ir.Event("watch", (self.bind("watch_value", value),), sp.true))
        return self.finish(frame)

    def watch_value(self, condition, loc, frame) -> sp.Expr:
        """nocmodl's `(a) - (b)` for `a > b`, `(b) - (a)` for `a < b`, over the instance's
        variables only (the condition is a C function of the instance, blind to LOCALs)."""
        if not (isinstance(condition, A.Binary) and condition.op in WATCH_RELATIONS):
            raise ModlcError.at(loc, "a WATCH condition must be `a > b` or `a < b`")
        bare = dataclasses.replace(frame, scopes=[{}], function=None, result=sp.Integer(0))
        a = as_number(self.expr(condition.left, bare))
        b = as_number(self.expr(condition.right, bare))
        return a - b if condition.op == ">" else b - a

    def watch(self, stmt: A.Watch, frame) -> None:
        receive = self.receive
        if self.builder.name != "net_receive" or receive is None or (id(stmt), 0) not in receive.slot_of:
            raise ModlcError.at(stmt.loc, "WATCH is only allowed in NET_RECEIVE (outside its INITIAL block)")
        for j, (condition, flag) in enumerate(stmt.conditions):
            value = self.bind("watch_value", self.watch_value(condition, stmt.loc, frame))
            flag_value = as_number(self.expr(flag, frame))
            receive.watches.append((receive.slot_of[(id(stmt), j)], self.builder.path, value, flag_value))

    def for_netcons(self, stmt: A.ForNetcons, frame) -> None:
        receive = self.receive
        if self.builder.name != "net_receive" or receive is None:
            raise ModlcError.at(stmt.loc, "FOR_NETCONS is only allowed in NET_RECEIVE")
        formals = [p.name for p in stmt.params]
        if len(formals) != len(receive.args):
            raise ModlcError.at(stmt.loc, f"FOR_NETCONS takes as many arguments as NET_RECEIVE ({len(receive.args)}), "
                                          f"not {len(formals)}")
        outer, unrolled, path = self.builder, self.unrolled, self.builder.path
        name = f"for_netcons_{len(receive.loops) + 1}"
        inner = self.start(name)
        inner.scopes[0] = {f: sym(a) for f, a in zip(formals, receive.args)}
        try:
            self.execute_block(stmt.body, inner)
            assigned = [k for k, value in self.builder.env.items() if value != sym(k)]
            if assigned:
                raise ModlcError.at(stmt.loc, f"unsupported: FOR_NETCONS body that assigns '{assigned[0]}' "
                                              f"(only the loop's arguments may change)")
            updates = {a: inner.scopes[0][f] for f, a in zip(formals, receive.args) if inner.scopes[0][f] != sym(a)}
            kernel = ir.Kernel(name, self.builder.statements, updates)
        finally:
            self.builder, self.unrolled = outer, unrolled
        seen = {key: outer.env.get(key, sym(key)) for key in kernel.inputs()
                if key not in receive.args and key not in ("t", "v", "flag")}
        receive.loops.append((kernel, stmt.loc, seen))
        self.emit(ir.Event("for_netcons", (), path))
