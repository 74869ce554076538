"""modlc's side of `modlc verify`: the protocol built with modlc.runtime, run in a worker process.

`run_request` runs in the worker (modlc/corpus_worker.py) and never raises: it reports the stage a
file reached and, on failure, its class. A Python exception raised by modlc's own code (rather than
a located error, a deliberate ModelError/SimulationError, or an error inside a backend or the
generated code) is an *internal error*, reported with its innermost modlc frame: a modlc bug.
"""

from __future__ import annotations

import time
import traceback
from pathlib import Path
from typing import Optional

import numpy as np

from .protocol import Outline, Protocol



def standard_mechanism(stem: str) -> Path:
    """One of the repository's mechanisms/ files (pas, iclamp, netstim: NEURON's built-ins, checked
    bit for bit by tests/test_mechanisms_neuron.py), from the source tree or the installed package."""
    from ..library import folder

    return folder() / f"{stem}.mod"


def _modlc_frame(error: BaseException) -> Optional[str]:
    """'file:line in function' of the innermost frame in modlc's own sources, if it raised there."""
    from .. import runtime

    own = (str(Path(__file__).resolve().parents[1]), str(Path(runtime.__file__).resolve().parent))
    frames = traceback.extract_tb(error.__traceback__)
    if not frames or not frames[-1].filename.startswith(own):
        return None
    f = frames[-1]
    return f"{Path(f.filename).parent.name}/{Path(f.filename).name}:{f.lineno} in {f.name}"


def _failure(stage: str, error: BaseException) -> dict:
    """The report of an exception at `stage` ("compile" or "run")."""
    from ..diagnostics import ModlcError
    from ..runtime import ModelError, SimulationError

    message = f"{type(error).__name__}: {error}".strip()[:400]
    frame = None if isinstance(error, (ModlcError, ModelError, SimulationError)) else _modlc_frame(error)
    if frame is not None:
        return {"stage": stage, "class": "internal error", "error": message, "frame": frame}
    return {"stage": stage, "class": f"{stage} failure", "error": message}


def _network(path: str, meta: dict, outline: Outline, protocol: Protocol, parameters: dict[str, float]):
    """The protocol as a modlc Network; the soma's location and the point process (or None)."""
    from ..runtime import Cell, Location, Mechanism, Network

    # NEURON's dI/dv and its TABLE interpolation (usetable_<name> = 1, its default): the same arithmetic
    mech = Mechanism(Path(path), "numeric", usetable=True)
    states = [v["name"] for v in meta["variables"] if v["role"] == "state" and "[" not in v["name"]]
    net = Network(celsius=protocol.celsius, v_init=protocol.v_init)
    cell = Cell("soma")
    cell.section("soma", L=protocol.L, diam=protocol.diam, nseg=1, cm=protocol.cm, Ra=protocol.Ra)
    k = net.add_cell(cell)
    soma = Location(k, "soma", 0.5)
    net.insert(standard_mechanism("pas"), k)

    def clamps():
        for delay, dur, amp in protocol.clamps:
            net.place(standard_mechanism("iclamp"), at=soma, **{"del": delay, "dur": dur, "amp": amp})

    def netstim(target, weight):
        stim = net.artificial(standard_mechanism("netstim"), start=protocol.stim_start,
                              interval=protocol.stim_interval, number=protocol.stim_number, noise=0)
        net.connect(stim, target, weight=weight, delay=protocol.netcon_delay)

    point = None
    if outline.kind == "density":
        net.insert(mech, k, **parameters)
        for s in states:
            net.record("state:" + s, f"{s}_{meta['name']}", at=soma)
        clamps()
    else:
        point = net.place(mech, at=soma, **parameters) if outline.kind == "point" else net.artificial(mech, **parameters)
        for p in outline.pointers:
            net.link(point, p, soma)
        for s in states:
            net.record("state:" + s, s, point=point)
        if outline.kind == "point":
            if outline.net_receive:
                netstim(point, protocol.syn_weight)
            clamps()
        else:
            if outline.net_receive:
                netstim(point, protocol.cell_weight)
            net.connect(point, None)
    net.record("v", "v", at=soma)
    net.connect(soma, None, threshold=protocol.threshold)
    return net, soma, point


def run_request(request: dict) -> dict:
    """Compile and run one file under the protocol; never raises (the worker's task).

    request: path, outline, protocol (as JSON), backend, dtype, ir_only (stop after the IR) and
    parameters (overrides of the mechanism's PARAMETERs on modlc's side)."""
    from ..diagnostics import ModlcError
    from ..pipeline import compile_ir

    start = time.perf_counter()
    path = request["path"]
    protocol, outline = Protocol.from_json(request["protocol"]), Outline.from_json(request["outline"])

    def done(report: dict) -> dict:
        return {**report, "seconds": time.perf_counter() - start}

    try:
        compile_ir(path)
    except ModlcError as e:
        first = e.diagnostics[0]
        where = f"{first.loc}: " if first.loc is not None else ""
        return done({"stage": "check", "class": "modlc rejects", "error": f"{where}{first.message}"})
    except RecursionError:
        return done({"stage": "check", "class": "internal error", "error": "RecursionError: nesting too deep",
                     "frame": None})
    except Exception as e:  # noqa: BLE001 - the front end raising anything else is a modlc bug
        return done({"stage": "check", "class": "internal error", "error": f"{type(e).__name__}: {e}"[:400],
                     "frame": _modlc_frame(e)})
    if request.get("ir_only"):
        return done({"stage": "ir", "class": None})
    from .. import load

    try:
        meta = load(path, backend=request["backend"], dtype=request["dtype"], conductance="numeric", usetable=True).META
    except Exception as e:  # noqa: BLE001
        return done(_failure("compile", e))
    try:
        from ..runtime import Simulation

        net, soma, point = _network(path, meta, outline, protocol, request.get("parameters", {}))
        steps = int(round(protocol.tstop / protocol.dt))
        sim = Simulation(net, backend=request["backend"], dt=protocol.dt, dtype=request["dtype"], chunk=steps,
                         progress=False)
        result = sim.run(protocol.tstop)
    except Exception as e:  # noqa: BLE001
        return done(_failure("run", e))
    traces = {name: np.asarray(result[name], dtype=np.float64) for name in result.traces}
    report = {"stage": "run", "class": None, "v": traces.pop("v"),
              "states": {name[len("state:"):]: trace for name, trace in traces.items()},
              "spikes": result.spikes(soma).tolist(),
              "cell_spikes": result.spikes(point).tolist() if outline.kind == "artificial" else None}
    if not np.all(np.isfinite(report["v"])):
        first = int(np.flatnonzero(~np.isfinite(report["v"]))[0])
        report.update({"class": "NaN", "error": f"v is not finite from t = {first * protocol.dt:g} ms"})
    return done(report)
