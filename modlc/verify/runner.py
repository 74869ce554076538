"""Running files through both sides: NEURON builds in batches, each file's two runs, the verdict.

Files are built in batches of at most BATCH_SIZE (one nrnivmodl each, as it costs seconds per
file and more per call); `jobs` threads take batches in turn, each with its own modlc worker process.
Every expensive or fragile step is a subprocess with a time limit, so a file that crashes or hangs
NEURON or modlc is reported as such and the run goes on.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from ..corpus_worker import Worker
from . import neuron_cache, neuron_side
from .compare import compare
from .modlc_side import run_request
from .protocol import Protocol, outline

BATCH_SIZE = 40
RECYCLE_AFTER = 50  # files per modlc worker process before a fresh one (bounds memory)

AGREES, DISAGREES, NAN = "agrees", "disagrees", "NaN"
REJECTS, COMPILE, RUN, INTERNAL, CRASH = "modlc rejects", "compile failure", "run failure", "internal error", "modlc crash"
NEURON_FAILS, UNRUNNABLE = "NEURON fails", "not runnable under the protocol"


@dataclass
class Options:
    backend: str = "jax"
    dtype: str = "float64"
    protocol: Protocol = field(default_factory=Protocol)
    jobs: int = 1
    modlc_timeout: float = 300.0  # s per file, compilation included
    neuron_timeout: float = 120.0  # s per NEURON run
    progress: Optional[Callable[[int, int, dict], None]] = None
    # modlc's side only: {mechanism name: {PARAMETER: value}}, to see how far a change moves a run
    modlc_parameters: dict[str, dict[str, float]] = field(default_factory=dict)
    cache: bool = True  # reuse NEURON's answers from earlier runs (neuron_cache)


def corpus_files(folder: Path, sample: Optional[int] = None) -> list[Path]:
    """Every .mod file under `folder`, sorted by path; with `sample`, every k-th of them (at most sample)."""
    found = sorted(p for p in folder.rglob("*") if p.suffix.lower() == ".mod" and p.is_file())
    if sample is not None and 0 < sample < len(found):
        found = found[:: len(found) // sample][:sample]
    return found


def _base(path: Path) -> dict:
    return {"path": str(path), "mechanism": None, "kind": None, "class": None, "reason": None, "max_dv": None,
            "states": {}, "spikes": None, "missing_states": None, "neuron_seconds": None, "nrnivmodl_seconds": None,
            "modlc_seconds": None, "modlc": None}


class _Run:
    """One verify run: shared state of the threads (workers to close, progress count)."""

    def __init__(self, options: Options, total: int, scratch: Path):
        self.options, self.total, self.scratch = options, total, scratch
        self.local, self.lock = threading.local(), threading.Lock()
        self.workers: list[Worker] = []
        self.done = 0

    def worker(self) -> Worker:
        if not hasattr(self.local, "worker"):
            self.local.worker = Worker(run_request, self.options.modlc_timeout, RECYCLE_AFTER)
            with self.lock:
                self.workers.append(self.local.worker)
        return self.local.worker

    def modlc(self, record: dict, entry_outline, ir_only: bool) -> Optional[dict]:
        """modlc's report of the file (stored in the record), or None when its worker crashed or timed out."""
        o = self.options
        request = {"path": record["path"], "outline": entry_outline.to_json(), "protocol": o.protocol.to_json(),
                   "backend": o.backend, "dtype": o.dtype, "ir_only": ir_only,
                   "parameters": o.modlc_parameters.get(entry_outline.name, {})}
        start = time.perf_counter()
        report, failure = self.worker().run(request)
        record["modlc_seconds"] = round(time.perf_counter() - start, 3)
        if report is None:
            record["modlc"] = {"stage": "none", "class": CRASH, "error": failure}
            return None
        record["modlc"] = {k: report.get(k) for k in ("stage", "class", "error", "frame") if report.get(k) is not None}
        return report

    def finish(self, record: dict) -> dict:
        with self.lock:
            self.done += 1
            if self.options.progress:
                self.options.progress(self.done, self.total, record)
        return record

    def batch(self, entries: list[neuron_side.Entry]) -> list[dict]:
        digests = {e.index: neuron_cache.key(e.path, neuron_side.includes(e.path), self.options.protocol, e.outline)
                   for e in entries}
        known = {e.index: neuron_cache.load(digests[e.index]) for e in entries} if self.options.cache else {}
        folder = self.scratch / entries[0].stem
        unknown = [e for e in entries if known.get(e.index) is None]
        if unknown:
            neuron_side.build(unknown, folder)
        try:
            return [self.finish(self.entry(e, digests[e.index], known.get(e.index))) for e in entries]
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def entry(self, e: neuron_side.Entry, digest: str, known: Optional[dict]) -> dict:
        record = {**_base(e.path), "mechanism": e.outline.name, "kind": e.outline.kind}
        start = time.perf_counter()
        neuron_result = None
        if known is not None:  # a remembered build or run failure is the file's error either way
            e.error, neuron_result = known["error"], known["result"]
        elif e.error is None:
            neuron_result = neuron_side.run(e, self.options.protocol, self.options.neuron_timeout)
        record["neuron_seconds"] = round(e.build_seconds + time.perf_counter() - start, 3)
        record["nrnivmodl_seconds"] = round(e.build_seconds, 3)
        why = e.error or (neuron_result or {}).get("error")
        if known is None:
            neuron_cache.store(digest, why, None if why else neuron_result)
        if why is None and any(x is None for x in neuron_result["v"]):
            why = "NEURON's v is not finite"
        report = self.modlc(record, e.outline, ir_only=why is not None)
        if why is not None:
            record.update({"class": NEURON_FAILS, "reason": why})
            return record
        if report is None:
            record.update({"class": CRASH, "reason": record["modlc"]["error"]})
        elif report["class"] is not None:
            record.update({"class": report["class"], "reason": report["error"]})
        else:
            figures = compare(neuron_result, report, self.options.protocol)
            record.update({k: figures[k] for k in ("max_dv", "states", "spikes", "missing_states")})
            record["class"] = AGREES if figures["agrees"] else DISAGREES
            if not figures["agrees"]:
                record["reason"] = _disagreement(figures, self.options.protocol)
        return record

    def unrunnable(self, path: Path, why: str, entry_outline) -> dict:
        """A file the protocol cannot run (a POINTER of a density mechanism), or that NEURON cannot
        read (no single mechanism declaration); modlc's front end still looks for internal errors."""
        record = {**_base(path), "class": UNRUNNABLE if entry_outline is not None else NEURON_FAILS, "reason": why}
        if entry_outline is not None:
            record.update({"mechanism": entry_outline.name, "kind": entry_outline.kind})
            self.modlc(record, entry_outline, ir_only=True)
        return self.finish(record)


def _disagreement(figures: dict, protocol: Protocol) -> str:
    parts = []
    if figures["max_dv"] is None:
        parts.append("the traces have different lengths")
    elif not figures["max_dv"] <= protocol.tolerance_mv:
        parts.append(f"max |Δv| {figures['max_dv']:.3g} mV")
    for where, s in figures["spikes"].items():
        if not s["same"]:
            parts.append(f"{where} spikes: NEURON {s['neuron']}, modlc {s['modlc']}"
                         + (f", max Δt {s['max_dt']:.3g} ms" if s["max_dt"] is not None else ""))
    return "; ".join(parts)


def verify(paths: list[Path], options: Options) -> list[dict]:
    """One record per file (in the order given): its class, the reason, and the figures."""
    entries, records, outlines = [], {}, {}
    with tempfile.TemporaryDirectory(prefix="modlc-verify-") as scratch:
        run = _Run(options, len(paths), Path(scratch))
        pending = []
        for index, path in enumerate(paths):
            try:
                outlines[index] = outline(str(path))
            except (OSError, ValueError) as e:  # NEURON's NMODL names exactly one mechanism
                pending.append((index, path, f"not NEURON's NMODL: {e}", None))
                continue
            if outlines[index].unrunnable:
                pending.append((index, path, outlines[index].unrunnable, outlines[index]))
            else:
                entries.append(neuron_side.Entry(index, Path(path), outlines[index]))
        batches = neuron_side.batches(entries, BATCH_SIZE)
        try:
            with ThreadPoolExecutor(max(1, options.jobs)) as pool:
                odd = [pool.submit(run.unrunnable, path, why, o) for _, path, why, o in pending]
                done = list(pool.map(run.batch, batches))
                for (index, *_), future in zip(pending, odd):
                    records[index] = future.result()
            for batch, results in zip(batches, done):
                for e, record in zip(batch, results):
                    records[e.index] = record
        finally:
            for worker in run.workers:
                worker.close()
    return [records[i] for i in range(len(paths))]
