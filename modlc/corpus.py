"""`modlc corpus DIR`: run every .mod file under a folder through the stages that exist and
report, per stage, how many passed, failed with a located error (grouped by reason) or crashed.
This is how the compiler is measured on real-world files; a crash is always a modlc bug.

With `--backends`, two stages follow the IR: *compile* (code generated for every backend named)
and *run* (each backend's kernels execute once on a few instances and give finite numbers). Each
backend is also compared with the NumPy reference on the same inputs."""

from __future__ import annotations

import re
import statistics
import time
import traceback
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from . import ast_nodes as A
from .diagnostics import ModlcError
from .parser import parse_file
from .pipeline import build_ir, lower, solve
from .corpus_worker import BackendWorker
from .exercise import TOLERANCE, exercise_backends
from .semantics import check

STAGE_ORDER = ("parse", "check", "ir")
BACKEND_STAGES = ("compile", "run")
FILE_TIME_LIMIT_S = 120  # a file still compiling after this is reported as a crash (a modlc bug)


@dataclass
class FileResult:
    path: str
    stage: str  # the last stage passed: "none", "parse", "check", "ir"
    error: Optional[str]
    crash: bool
    seconds: float
    verbatim: bool = False  # the file holds VERBATIM C code
    ir_seconds: Optional[float] = None  # lowering + solving + IR, when the file got that far
    backends: Optional[dict] = None  # per backend: stage reached, finite, deviation from NumPy, error

    @property
    def backends_run(self) -> list[str]:
        """The backends on which the file compiled, ran and gave finite numbers."""
        return [b for b, r in (self.backends or {}).items() if r["stage"] == "run" and r["finite"]]

    def to_json(self) -> dict:
        out = {"path": self.path, "stage": self.stage, "error": self.error, "crash": self.crash,
               "verbatim": self.verbatim, "seconds": round(self.seconds, 4),
               "ir_seconds": None if self.ir_seconds is None else round(self.ir_seconds, 4)}
        if self.backends is not None:
            out["backends_run"] = self.backends_run
            out["backends"] = self.backends
        return out


class _TimeLimit:
    """SIGALRM-based limit on one file (where the platform has it)."""

    def __init__(self, seconds: float):
        self.seconds = seconds

    def __enter__(self):
        import signal
        self.enabled = hasattr(signal, "setitimer")
        if self.enabled:
            def expire(signum, frame):
                raise TimeoutError(f"took longer than {self.seconds:g} s")
            self.previous = signal.signal(signal.SIGALRM, expire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(self, *exc):
        if self.enabled:
            import signal
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
        return False


def run_file(path: Path, backends: tuple[str, ...] = (), dtype: str = "float64",
             worker: Optional[BackendWorker] = None) -> FileResult:
    """One file through every stage; never raises. With a worker, the backend stage runs in its
    child process (a native crash there becomes this file's crash, not the run's)."""
    start = time.perf_counter()
    stage = "none"
    error = None
    crash = False
    verbatim = False
    ir_seconds = None
    report: Optional[dict] = None
    try:
        with _TimeLimit(FILE_TIME_LIMIT_S):
            mod = parse_file(path)
            stage = "parse"
            verbatim = any(isinstance(n, A.Verbatim) for n in A.walk(mod))
            table = check(mod)
            stage = "check"
            ir_start = time.perf_counter()
            mechanism = build_ir(solve(lower(mod, table)))
            ir_seconds = time.perf_counter() - ir_start
            stage = "ir"
        if backends:
            if worker is None:
                report = exercise_backends(mechanism, list(backends), dtype)
            else:
                report, failure = worker.run(path)
                if report is None:
                    raise RuntimeError(failure)
            stage, error = _backend_outcome(report)
    except ModlcError as e:
        first = e.diagnostics[0]
        error = first.format() if first.loc is None else f"{first.loc}: {first.message}"
    except RecursionError:
        error, crash = "RecursionError: nesting too deep", True
    except Exception as e:  # noqa: BLE001 - the report exists to catch exactly these
        crash = True
        error = "".join(traceback.format_exception_only(type(e), e)).strip()
    result = FileResult(str(path), stage, error, crash, time.perf_counter() - start, verbatim, ir_seconds)
    if backends:
        result.backends = report or {}
    return result


def _backend_outcome(report: dict) -> tuple[str, Optional[str]]:
    """The stage a file reached on the backends (all of them), and the first failure."""
    failures = [f"{b}: {r['error'] or 'non-finite results'}" for b, r in report.items()
                if r["stage"] != "run" or not r["finite"]]
    stage = "compile" if all(r["stage"] in BACKEND_STAGES for r in report.values()) else "ir"
    return ("run" if not failures else stage), (failures[0] if failures else None)


def run_corpus(folder: Path, backends: tuple[str, ...] = (), dtype: str = "float64") -> list[FileResult]:
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() == ".mod" and p.is_file())
    if not backends:
        return [run_file(p) for p in files]
    worker = BackendWorker(backends, dtype, FILE_TIME_LIMIT_S)
    try:
        return [run_file(p, backends, dtype, worker) for p in files]
    finally:
        worker.close()


def error_group(error: str) -> str:
    """Group errors by message with the specific names and numbers blanked out."""
    message = error.split(": ", 1)[-1] if re.match(r".*?:\d+:\d+: ", error) else error
    message = re.sub(r"'[^'\s]+'", "'…'", message)
    return re.sub(r"\b\d+(\.\d+)?\b", "N", message)


def summarise(results: list[FileResult], backends: tuple[str, ...] = (), dtype: str = "float64") -> dict:
    total = len(results)
    order = STAGE_ORDER + (BACKEND_STAGES if backends else ())
    per_stage = {}
    for i, stage in enumerate(order):
        passed = [r for r in results if r.stage != "none" and order.index(r.stage) >= i]
        failed_here = [r for r in results if _failed_at(r, order) == stage]
        reasons: dict[str, list[str]] = defaultdict(list)
        for r in failed_here:
            if not r.crash:
                reasons[error_group(r.error)].append(r.path)
        per_stage[stage] = {
            "passed": len(passed),
            "failed": sum(1 for r in failed_here if not r.crash),
            "crashed": sum(1 for r in failed_here if r.crash),
            "reasons": [
                {"reason": reason, "count": len(paths), "examples": paths[:3]}
                for reason, paths in sorted(reasons.items(), key=lambda kv: (-len(kv[1]), kv[0]))
            ],
            "crash_examples": [{"path": r.path, "error": r.error} for r in failed_here if r.crash][:10],
        }
    times = [r.seconds for r in results] or [0.0]
    slowest = max(results, key=lambda r: r.seconds, default=None)
    # The IR's yardstick: valid NEURON NMODL (passes check) without VERBATIM C code.
    plain = [r for r in results if not r.verbatim and r.stage in ("check", "ir") + BACKEND_STAGES]
    ir_times = sorted((r.ir_seconds, r.path) for r in results if r.ir_seconds is not None)
    ir_timing = None
    if ir_times:
        ir_timing = {"median_ms": round(statistics.median(t for t, _ in ir_times) * 1e3, 3),
                     "max_ms": round(ir_times[-1][0] * 1e3, 3), "slowest": ir_times[-1][1]}
    summary = {
        "total": total,
        "stages": per_stage,
        "ir_time": ir_timing,
        "without_verbatim": {"files": len(plain), "reached_ir": sum(1 for r in plain if r.stage in ("ir",) + BACKEND_STAGES)},
        "median_ms": round(statistics.median(times) * 1e3, 3),
        "max_ms": round(max(times) * 1e3, 3),
        "slowest": slowest.path if slowest else None,
        "total_s": round(sum(times), 3),
    }
    if backends:
        summary["backends"] = _backend_summary(results, backends, dtype)
    return summary


def _backend_summary(results: list[FileResult], backends: tuple[str, ...], dtype: str) -> dict:
    """Per backend and for all together, among files that reach the IR: how many compile, run
    with finite results, and agree with the NumPy reference within the dtype's tolerance."""
    tolerance = TOLERANCE[dtype]
    at_ir = [r for r in results if r.backends is not None and r.stage in ("ir",) + BACKEND_STAGES]

    def agrees(report: dict) -> bool:
        return report["stage"] == "run" and report["finite"] and report["agreement"] <= 1

    def agrees_strictly(report: dict) -> bool:
        return agrees(report) and report["deviation"] <= tolerance

    per_backend = {}
    for b in backends:
        reports = [r.backends[b] for r in at_ir if b in r.backends]
        worst = sorted(((r.backends[b]["deviation"], r.path, r.backends[b].get("worst_at")) for r in at_ir
                        if b in r.backends and r.backends[b]["deviation"] is not None
                        and r.backends[b]["deviation"] > tolerance), reverse=True)[:5]
        errors: dict[str, int] = defaultdict(int)
        for rep in reports:
            if rep["error"]:
                errors[error_group(rep["error"])] += 1
        per_backend[b] = {
            "compiled": sum(1 for rep in reports if rep["stage"] in BACKEND_STAGES),
            "ran_finite": sum(1 for rep in reports if rep["stage"] == "run" and rep["finite"]),
            "agree": sum(1 for rep in reports if agrees(rep)),
            "agree_strictly": sum(1 for rep in reports if agrees_strictly(rep)),
            "worst": [{"deviation": d, "path": p, "at": w} for d, p, w in worst],
            "errors": [{"reason": k, "count": n} for k, n in sorted(errors.items(), key=lambda kv: (-kv[1], kv[0]))],
        }
    return {
        "dtype": dtype, "tolerance": tolerance, "ir_files": len(at_ir),
        "compiled_all": sum(1 for r in at_ir if all(r.backends.get(b, {}).get("stage") in BACKEND_STAGES
                                                    for b in backends)),
        "ran_all": sum(1 for r in at_ir if set(r.backends_run) == set(backends)),
        "agree_all": sum(1 for r in at_ir if all(b in r.backends and agrees(r.backends[b]) for b in backends)),
        "agree_all_strictly": sum(1 for r in at_ir if all(b in r.backends and agrees_strictly(r.backends[b])
                                                          for b in backends)),
        "per_backend": per_backend,
    }


def _failed_at(result: FileResult, order: tuple[str, ...] = STAGE_ORDER) -> Optional[str]:
    if result.error is None:
        return None
    index = -1 if result.stage == "none" else order.index(result.stage)
    return order[index + 1] if index + 1 < len(order) else None


def format_summary(summary: dict) -> str:
    total = summary["total"]
    lines = [f"{total} .mod files"]
    for stage, data in summary["stages"].items():
        share = 100.0 * data["passed"] / total if total else 0.0
        lines.append(f"{stage}: {data['passed']} passed ({share:.1f}%), {data['failed']} failed, {data['crashed']} crashed")
        for reason in data["reasons"]:
            lines.append(f"    {reason['count']:5d}  {reason['reason']}")
            for example in reason["examples"]:
                lines.append(f"             e.g. {example}")
        for crash in data["crash_examples"]:
            lines.append(f"    CRASH {crash['path']}: {crash['error']}")
    plain = summary["without_verbatim"]
    if plain["files"]:
        share = 100.0 * plain["reached_ir"] / plain["files"]
        lines.append(f"files that pass check and have no VERBATIM: {plain['reached_ir']} of {plain['files']} "
                     f"reach the IR ({share:.1f}%)")
    if summary.get("ir_time"):
        t = summary["ir_time"]
        lines.append(f"lower + solve + IR: median {t['median_ms']:.2f} ms per file, max {t['max_ms']:.1f} ms ({t['slowest']})")
    lines.append(f"time: median {summary['median_ms']:.2f} ms per file, max {summary['max_ms']:.1f} ms "
                 f"({summary['slowest']}), total {summary['total_s']:.2f} s")
    if summary.get("backends"):
        lines.extend(_format_backends(summary["backends"]))
    return "\n".join(lines)


def _format_backends(data: dict) -> list[str]:
    n = data["ir_files"]

    def share(k: int) -> str:
        return f"{k} of {n} ({100.0 * k / n:.1f}%)" if n else "0"

    lines = [f"backends ({data['dtype']}; agreeing with NumPy means within {data['tolerance']:g} relative, or within "
             f"10x the output's own noise floor; 'strictly': within {data['tolerance']:g} everywhere), "
             f"of the files that reach the IR:",
             f"    compile on all: {share(data['compiled_all'])}; run on all: {share(data['ran_all'])}; "
             f"agree on all: {share(data['agree_all'])}; strictly: {share(data['agree_all_strictly'])}"]
    for b, d in data["per_backend"].items():
        lines.append(f"    {b}: compiled {d['compiled']}, ran finite {d['ran_finite']}, agree {d['agree']} "
                     f"(strictly {d['agree_strictly']})")
        for e in d["errors"][:8]:
            lines.append(f"        {e['count']:5d}  {e['reason']}")
        for w in d["worst"]:
            lines.append(f"        deviation {w['deviation']:.3g} at {w['at']} in {w['path']}")
    return lines
