"""The drop-in switch: an unmodified NEURON script, with modlc simulating what NEURON built.

    modlc neuron script.py --backend jax -- script args      (or: python -m modlc.neuron ...)

or, inside a script, before it builds anything (the counterpart of `coreneuron.enable = True`):

    import modlc.neuron
    modlc.neuron.enable(backend="jax")

What is intercepted:
- `pc.psolve(tstop)` through NEURON's own CoreNEURON hook (`neuron.coreneuron.nrncore_arg`, which
  NEURON calls from psolve when CoreNEURON is enabled), from Python and hoc alike;
- stdrun's `run()`/`continuerun(tstop)` (the hoc procedure is replaced), from Python and hoc;
- from Python code: `Vector.record` (every step, or every Dt), `Vector.play`, `pc.spike_record`,
  `NetCon.record`, `PatternStim.play`, `pc.source_var`/`pc.target_var` — recorded as the script
  calls them, and filled with modlc's results after each run.
`h.finitialize` runs in NEURON (modlc starts from the v it leaves and runs its own INITIAL blocks);
a model changed after that is read again at the next run. Not intercepted: `h.fadvance()` loops
(NEURON integrates those steps itself), and the calls above made from hoc code.
"""

from __future__ import annotations

import argparse
import runpy
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ENABLED: "Switch | None" = None


@dataclass
class Session:
    """One model as modlc runs it, from a finitialize until the next."""

    transfer: Any  # runtime.neuron_reader.Transfer
    sim: Any  # runtime.Simulation
    run: Any  # runtime.simulation.Run
    recordings: list  # (Vector, probe name or None for t, every how many steps)
    segments: tuple  # NEURON segment of every simulated node ...
    nodes: np.ndarray  # ... and its index in the run's v


class Switch:
    """Captures what the script asks NEURON for, and runs modlc when NEURON would integrate."""

    def __init__(self, backend: str = "jax", dtype: str = "float64", mod_dirs=(), chunk: int = 2000,
                 verbose: bool = False):
        from neuron import h

        from modlc.runtime.neuron_reader import Captured

        self.h, self.backend, self.dtype, self.chunk, self.verbose = h, backend, dtype, chunk, verbose
        self.mod_dirs = [Path(d) for d in mod_dirs]
        self.captured = Captured()
        self.session: Session | None = None
        self.stale = True
        self.timings: dict[str, float] = {}
        h.load_file("stdrun.hoc")
        h("proc continuerun() { modlc_tstop_ = $1  if (!nrnpython(\"import modlc.neuron; modlc.neuron.ENABLED.continuerun()\")) "
          "{ execerror(\"modlc could not run the model\", \"\") } }")
        self._on_init = h.FInitializeHandler(self._initialized)
        core = sys.modules["neuron.coreneuron"] if "neuron.coreneuron" in sys.modules else _import_coreneuron()
        core.nrncore_arg = self._psolve  # NEURON calls this from psolve; "" tells it to integrate nothing
        core.enable = True
        self._intercept()

    # ----- capturing ---------------------------------------------------------------------------
    def _intercept(self) -> None:
        h, captured = self.h, self.captured

        def record(vec, *args):
            if args and _is_pointer(args[0]):
                dt = float(args[1]) if len(args) > 1 and isinstance(args[1], (int, float)) else None
                captured.records.append((vec, args[0], "times" if len(args) > 1 and _is_vector(args[1]) else dt))

        def play(vec, *args):
            if args and _is_pointer(args[0]):
                timing = float(args[1]) if isinstance(args[1], (int, float)) else list(args[1])
                captured.plays.append((vec, args[0], timing, bool(args[2]) if len(args) > 2 else False))

        def spike_record(pc, *args):
            captured.spike_records.append(args)

        def netcon_record(nc, *args):
            captured.netcon_records.append((nc, *args))

        def source_var(pc, pointer, sgid, *rest):
            captured.source_vars[int(sgid)] = pointer

        def target_var(pc, *args):
            if len(args) == 3:
                captured.target_vars.append((args[0], args[1], int(args[2])))

        def pattern_play(ps, tvec, gidvec, *rest):
            captured.patterns[ps.hname()] = (list(tvec), [int(g) for g in gidvec])

        def vecstim_play(vs, *args):
            captured.vecstims[vs.hname()] = list(args[0]) if args else []

        _wrap_method(h.Vector, "record", record)
        _wrap_method(h.Vector, "play", play)
        _wrap_method(h.ParallelContext, "spike_record", spike_record)
        _wrap_method(h.ParallelContext, "source_var", source_var)
        _wrap_method(h.ParallelContext, "target_var", target_var)
        _wrap_method(h.NetCon, "record", netcon_record)
        _wrap_method(type(h), "play", pattern_play, lambda obj: obj.hname().startswith("PatternStim["))
        _wrap_method(type(h), "play", vecstim_play, lambda obj: obj.hname().startswith("VecStim["))

    def _initialized(self) -> None:
        self.stale = True

    # ----- running -----------------------------------------------------------------------------
    def continuerun(self) -> None:
        self._guarded(lambda: self.run_to(float(self.h.modlc_tstop_)))

    def _psolve(self, tstop: float) -> str:
        self._guarded(lambda: self.run_to(float(tstop)))
        return ""

    def _guarded(self, action) -> None:
        """Run `action`, called back from NEURON's C++: an error there would only be printed and the
        script would go on with empty results, so print it as modlc's and stop the process."""
        from modlc.runtime.morphology import ModelError
        from modlc.runtime.simulation import SimulationError

        try:
            action()
        except (ModelError, SimulationError) as exc:
            _fail(f"modlc neuron: error: {exc}")
        except Exception as exc:  # noqa: BLE001 - see above: never a silently unsimulated run
            import traceback

            traceback.print_exc()
            _fail(f"modlc neuron: internal error: {type(exc).__name__}: {exc}")

    def run_to(self, tstop: float) -> None:
        """Simulate from NEURON's current t to tstop with modlc; fill the script's vectors."""
        import time

        from modlc.runtime import Simulation

        h = self.h
        if self.stale or self.session is None:
            started = time.perf_counter()
            from modlc.runtime.neuron_reader import read

            transfer = read(h, self.mod_dirs or _default_mod_dirs(), self.captured)
            recordings = self._recordings(transfer)
            self.timings["transfer_s"] = time.perf_counter() - started
            started = time.perf_counter()
            sim = Simulation(transfer.network, backend=self.backend, dt=transfer.dt, dtype=self.dtype,
                             chunk=self.chunk, progress=False)
            run = sim.start()
            self.timings["setup_s"] = time.perf_counter() - started
            segments, locations = zip(*transfer.segments())
            nodes = np.array([sim.plan.node(transfer.network, loc) for loc in locations])
            self.session = Session(transfer, sim, run, recordings, segments, nodes)
            self.stale = False
        session = self.session
        started = time.perf_counter()
        session.sim.advance(session.run, tstop)
        self.timings["run_s"] = self.timings.get("run_s", 0.0) + time.perf_counter() - started
        self._write_back(session)
        h.t = float(neuron_clock(session.run.steps, session.sim.dt)[-1])
        if self.verbose:
            transfer = session.transfer
            compartments = sum(c.compartments() for c in transfer.network.cells)
            print(f"modlc neuron: {transfer.cells} cells, {compartments} compartments (read {transfer.route}); "
                  f"transfer {self.timings['transfer_s']:.3f} s, set-up {self.timings['setup_s']:.3f} s, "
                  f"runs {self.timings['run_s']:.3f} s ({self.backend} {self.dtype}, to t = {h.t:g} ms)", file=sys.stderr)

    def _recordings(self, transfer) -> list:
        """Probes for every captured Vector.record (added to the network before it is compiled)."""
        from modlc.runtime.morphology import ModelError

        net, out = transfer.network, []
        for k, (vec, pointer, dt) in enumerate(self.captured.records):
            if dt == "times":
                raise ModelError(f"{vec.hname()}: Vector.record at given times is not supported by modlc (record "
                                 "every step or every Dt)")
            every = 1 if dt is None else int(round(dt / transfer.dt))
            if dt is not None and (every < 1 or abs(every * transfer.dt - dt) > 1e-9 * dt):
                raise ModelError(f"{vec.hname()}: Vector.record every {dt:g} ms, which is not a multiple of dt = "
                                 f"{transfer.dt:g} ms")
            kind, target, name = transfer.resolver.resolve(pointer)
            probe = f"record {k}"
            if kind == "v" or kind == "range":
                net.record(probe, name, at=target)
            elif kind == "point":
                net.record(probe, name, point=target)
            else:
                probe = None  # t
            out.append((vec, probe, every))
        return out

    def _write_back(self, session: Session) -> None:
        transfer, run = session.transfer, session.run
        result = run.result()
        clock = neuron_clock(run.steps, session.sim.dt)
        for vec, probe, every in session.recordings:
            values = clock if probe is None else result[probe]
            vec.from_python(np.ascontiguousarray(values[::every]))
        spikes = _spikes_by_gid(result, transfer)
        for args in self.captured.spike_records:
            which, tvec, idvec = args[0], args[1], args[2]
            gids = None if (not _is_vector(which) and int(which) == -1) else (
                {int(g) for g in which} if _is_vector(which) else {int(which)})
            chosen = [(t, g) for t, g in spikes if gids is None or g in gids]
            tvec.from_python([t for t, _ in chosen])
            idvec.from_python([g for _, g in chosen])
        for nc, *args in self.captured.netcon_records:
            source = transfer.source(nc)
            try:
                times = [] if source is None else result.spikes(source).tolist()
            except KeyError:  # a source that never spiked
                times = []
            if args and _is_vector(args[0]):
                args[0].from_python(times)
                if len(args) > 1 and _is_vector(args[1]):
                    args[1].from_python([float(args[2]) if len(args) > 2 else 0.0] * len(times))
        for seg, value in zip(session.segments, run.v()[session.nodes].tolist()):  # NEURON's state follows the run
            seg.v = value


def neuron_clock(steps: int, dt: float) -> np.ndarray:
    """t after each of `steps` steps as NEURON's fixed step computes it (two half steps added to t
    per step, so that t drifts from n·dt by rounding exactly as NEURON's does)."""
    halves = np.add.accumulate(np.full(2 * steps, 0.5 * dt))
    return np.concatenate([[0.0], halves[1::2]])


def _spikes_by_gid(result, transfer) -> list[tuple[float, int]]:
    """(time, gid) of every spike of a source that has a gid, in time order (ties by gid)."""
    ids: dict = {}
    for k, source in result.sources.items():
        ids.setdefault(source, []).append(k)
    gid_of = {k: gid for gid, source in transfer.gid_sources.items() for k in ids.get(source, ())}
    pairs = [(float(t), gid_of[int(s)]) for t, s in zip(result.spike_times, result.spike_sources) if int(s) in gid_of]
    return sorted(pairs)


def _wrap_method(cls, name: str, before, applies=None) -> None:
    """Call `before(obj, *args)` whenever Python code calls `obj.name(...)` on an instance of the
    NEURON class `cls` for which `applies(obj)` holds (NEURON's hoc classes are Python types whose
    attribute lookup can be wrapped; point processes are plain HocObjects, told apart by `applies`)."""
    original = cls.__getattribute__
    if getattr(original, "_modlc_wrapped", None) is None:
        wrapped_names: dict = {}
        inner = original

        def lookup(self, attr):
            value = inner(self, attr)
            if attr not in wrapped_names:
                return value
            hook = next((h for h, test in wrapped_names[attr] if test is None or test(self)), None)
            if hook is None:
                return value

            def call(*args, **kwargs):
                hook(self, *args)
                return value(*args, **kwargs)

            return call

        lookup._modlc_wrapped = wrapped_names
        type.__setattr__(cls, "__getattribute__", lookup)
        original = lookup
    original._modlc_wrapped.setdefault(name, []).append((before, applies))


def _fail(message: str) -> None:
    import os

    print(message, file=sys.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(1)


def _is_vector(x) -> bool:
    return type(x).__name__ == "Vector"


def _is_pointer(x) -> bool:
    return "data_handle" in repr(x)


def _import_coreneuron():
    import neuron.coreneuron  # noqa: F401  (the module replaces itself in sys.modules)

    return sys.modules["neuron.coreneuron"]


def _default_mod_dirs() -> list[Path]:
    """Where a model's .mod files usually are: the working folder and its mod/, mods/, modfiles/."""
    here = Path.cwd()
    return [d for d in (here, here / "mod", here / "mods", here / "modfiles") if d.is_dir()]


def enable(backend: str = "jax", dtype: str = "float64", mod_dirs=(), chunk: int = 2000,
           verbose: bool = False) -> Switch:
    """Let modlc simulate this process's NEURON model from now on (call before building it);
    `verbose` prints the transfer, set-up and run times after each run."""
    global ENABLED
    if ENABLED is None:
        ENABLED = Switch(backend, dtype, mod_dirs, chunk, verbose)
    return ENABLED


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="modlc neuron", description="Run an unmodified NEURON script (Python or "
                                     "hoc) with modlc simulating the model it builds.")
    add_arguments(parser)
    return run_script(parser.parse_args(argv))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("script", help="the NEURON script (.py or .hoc)")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the script's own arguments (after --)")
    parser.add_argument("--backend", default="jax", choices=["jax", "tf", "onnx", "numpy"])
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    parser.add_argument("-v", "--verbose", action="store_true", help="print the transfer, set-up and run times")
    parser.add_argument("--mod-dir", action="append", default=[], metavar="DIR",
                        help="a folder of the model's .mod files (default: the script's folder and its mod/, "
                             "mods/, modfiles/)")


def run_script(args) -> int:
    from modlc.runtime.morphology import ModelError

    script = Path(args.script)
    if not script.is_file():
        print(f"modlc neuron: {script}: no such file", file=sys.stderr)
        return 2
    rest = args.args[1:] if args.args[:1] == ["--"] else args.args
    mod_dirs = args.mod_dir or [d for d in (script.parent, script.parent / "mod", script.parent / "mods",
                                            script.parent / "modfiles") if d.is_dir()]
    try:
        enable(args.backend, args.dtype, mod_dirs, verbose=args.verbose)
        sys.argv = [str(script), *rest]
        if script.suffix == ".hoc":
            from neuron import h

            try:
                loaded = h.load_file(str(script))
            except RuntimeError:  # hoc printed its error already
                loaded = False
            if not loaded:
                print(f"modlc neuron: error: {script}: hoc could not run it (see NEURON's message above)", file=sys.stderr)
                return 1
        else:
            sys.path.insert(0, str(script.parent.resolve()))
            runpy.run_path(str(script), run_name="__main__")
    except ModelError as exc:
        print(f"modlc neuron: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # python -m modlc.neuron: run the importable module's main, whose ENABLED hoc calls see
    from modlc.neuron import main as _main

    sys.exit(_main())
