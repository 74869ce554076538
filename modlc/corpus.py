"""`modlc corpus DIR`: run every .mod file under a folder through the stages that exist and
report, per stage, how many passed, failed with a located error (grouped by reason) or crashed.
This is how the front end is measured on real-world files; a crash is always a modlc bug."""

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
from .semantics import check

STAGE_ORDER = ("parse", "check", "ir")
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

    def to_json(self) -> dict:
        return {"path": self.path, "stage": self.stage, "error": self.error, "crash": self.crash,
                "verbatim": self.verbatim, "seconds": round(self.seconds, 4),
                "ir_seconds": None if self.ir_seconds is None else round(self.ir_seconds, 4)}


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


def run_file(path: Path) -> FileResult:
    """One file through every stage; never raises."""
    start = time.perf_counter()
    stage = "none"
    error = None
    crash = False
    verbatim = False
    ir_seconds = None
    try:
        with _TimeLimit(FILE_TIME_LIMIT_S):
            mod = parse_file(path)
            stage = "parse"
            verbatim = any(isinstance(n, A.Verbatim) for n in A.walk(mod))
            table = check(mod)
            stage = "check"
            ir_start = time.perf_counter()
            build_ir(solve(lower(mod, table)))
            ir_seconds = time.perf_counter() - ir_start
            stage = "ir"
    except ModlcError as e:
        first = e.diagnostics[0]
        error = first.format() if first.loc is None else f"{first.loc}: {first.message}"
    except RecursionError:
        error, crash = "RecursionError: nesting too deep", True
    except Exception as e:  # noqa: BLE001 - the report exists to catch exactly these
        crash = True
        error = "".join(traceback.format_exception_only(type(e), e)).strip()
    return FileResult(str(path), stage, error, crash, time.perf_counter() - start, verbatim, ir_seconds)


def run_corpus(folder: Path) -> list[FileResult]:
    files = sorted(p for p in folder.rglob("*") if p.suffix.lower() == ".mod" and p.is_file())
    return [run_file(p) for p in files]


def _reason(error: str) -> str:
    """Group errors by message with the specific names and numbers blanked out."""
    message = error.split(": ", 1)[-1] if re.match(r".*?:\d+:\d+: ", error) else error
    message = re.sub(r"'[^'\s]+'", "'…'", message)
    return re.sub(r"\b\d+(\.\d+)?\b", "N", message)


def summarise(results: list[FileResult]) -> dict:
    total = len(results)
    per_stage = {}
    for i, stage in enumerate(STAGE_ORDER):
        passed = [r for r in results if r.stage != "none" and STAGE_ORDER.index(r.stage) >= i]
        failed_here = [r for r in results if _failed_at(r) == stage]
        reasons: dict[str, list[str]] = defaultdict(list)
        for r in failed_here:
            if not r.crash:
                reasons[_reason(r.error)].append(r.path)
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
    plain = [r for r in results if not r.verbatim and r.stage in ("check", "ir")]
    ir_times = sorted((r.ir_seconds, r.path) for r in results if r.ir_seconds is not None)
    ir_timing = None
    if ir_times:
        ir_timing = {"median_ms": round(statistics.median(t for t, _ in ir_times) * 1e3, 3),
                     "max_ms": round(ir_times[-1][0] * 1e3, 3), "slowest": ir_times[-1][1]}
    return {
        "total": total,
        "stages": per_stage,
        "ir_time": ir_timing,
        "without_verbatim": {"files": len(plain), "reached_ir": sum(1 for r in plain if r.stage == "ir")},
        "median_ms": round(statistics.median(times) * 1e3, 3),
        "max_ms": round(max(times) * 1e3, 3),
        "slowest": slowest.path if slowest else None,
        "total_s": round(sum(times), 3),
    }


def _failed_at(result: FileResult) -> Optional[str]:
    if result.error is None:
        return None
    index = -1 if result.stage == "none" else STAGE_ORDER.index(result.stage)
    return STAGE_ORDER[index + 1]


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
    return "\n".join(lines)
