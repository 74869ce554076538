"""The summary of a verify run (text and JSON): classes, agreement, the |Δv| histogram, timing."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from typing import Optional

from ..corpus import error_group
from .runner import AGREES, DISAGREES, INTERNAL, NAN, NEURON_FAILS, UNRUNNABLE, Options

DECADES = tuple(10.0 ** -k for k in range(12, 0, -1)) + (0.1,)  # upper bounds: 1e-12 ... 1e-1


def _bin(dv: Optional[float]) -> str:
    if dv is None or math.isnan(dv):
        return "NaN"
    for bound in DECADES:
        if dv <= bound:
            return f"<={bound:.0e}"
    return ">1e-01"


def _groups(records: list[dict]) -> list[dict]:
    """Records grouped by reason with names and numbers blanked out, largest group first."""
    by: dict[str, list[str]] = defaultdict(list)
    for r in records:
        by[error_group(r["reason"] or "")].append(r["path"])
    return [{"reason": k, "count": len(v), "examples": v[:3]} for k, v in sorted(by.items(), key=lambda kv: (-len(kv[1]), kv[0]))]


def _mean(values: list) -> Optional[float]:
    values = [v for v in values if v is not None]
    return round(statistics.fmean(values), 3) if values else None


def summarise(records: list[dict], options: Options, wall_seconds: float) -> dict:
    """Counts: total, NEURON fails (by reason), not runnable; of the NEURON-runnable files, how many
    modlc runs and how many agree; the |Δv| histogram; failure classes with examples; timing."""
    neuron_fails = [r for r in records if r["class"] == NEURON_FAILS]
    unrunnable = [r for r in records if r["class"] == UNRUNNABLE]
    runnable = [r for r in records if r["class"] not in (NEURON_FAILS, UNRUNNABLE)]
    ran = [r for r in runnable if r["class"] in (AGREES, DISAGREES)]
    agree = [r for r in ran if r["class"] == AGREES]
    histogram = {label: 0 for label in [f"<={b:.0e}" for b in DECADES] + [">1e-01", "NaN"]}
    for r in ran + [r for r in runnable if r["class"] == NAN]:
        histogram[_bin(r["max_dv"])] += 1
    classes: dict[str, list[dict]] = defaultdict(list)
    for r in runnable:
        if r["class"] != AGREES:
            classes[r["class"]].append(r)

    def share(k: int) -> Optional[float]:
        return round(100.0 * k / len(runnable), 1) if runnable else None

    internal = [{"path": r["path"], "error": r["modlc"].get("error"), "frame": r["modlc"].get("frame")}
                for r in records if r["modlc"] and r["modlc"].get("class") == INTERNAL]
    return {
        "backend": options.backend, "dtype": options.dtype, "protocol": options.protocol.to_json(),
        "total": len(records),
        "neuron_fails": {"count": len(neuron_fails), "reasons": _groups(neuron_fails)},
        "not_runnable": {"count": len(unrunnable), "reasons": _groups(unrunnable)},
        "neuron_runnable": len(runnable),
        "modlc_runs": {"count": len(ran), "percent": share(len(ran))},
        "agrees": {"count": len(agree), "percent": share(len(agree))},
        "max_dv_histogram": histogram,
        "failure_classes": {c: {"count": len(rs), "examples": [r["path"] for r in rs[:3]], "reasons": _groups(rs)}
                            for c, rs in sorted(classes.items(), key=lambda kv: (-len(kv[1]), kv[0]))},
        "internal_errors": internal,
        "seconds_per_file": {"neuron": _mean([r["neuron_seconds"] for r in records]),
                             "nrnivmodl": _mean([r["nrnivmodl_seconds"] for r in records]),
                             "modlc": _mean([r["modlc_seconds"] for r in records])},
        "wall_seconds": round(wall_seconds, 1), "jobs": options.jobs,
    }


def format_record(r: dict) -> str:
    """One line per file: the verdict and its figures, or the class and reason."""
    if r["class"] not in (AGREES, DISAGREES):
        return f"{r['path']}: {r['class']}: {r['reason']}"
    spikes = "; ".join(f"{where} spikes {s['neuron']}/{s['modlc']}"
                       + (f" (max Δt {s['max_dt']:.2g} ms)" if s["max_dt"] else "") for where, s in r["spikes"].items())
    states = ", ".join(f"{k} {'NaN' if v is None or math.isnan(v) else f'{v:.2g}'}" for k, v in r["states"].items())
    verdict = "AGREES" if r["class"] == AGREES else f"DISAGREES ({r['reason']})"
    line = f"{r['path']}: {verdict}: max |Δv| {r['max_dv']:.2g} mV; {spikes}"
    return line + (f"; states: {states}" if states else "")


def format_summary(s: dict) -> str:
    p = s["protocol"]
    lines = [f"{s['total']} files on {s['backend']} {s['dtype']} (agree: max |Δv| <= {p['tolerance_mv']:g} mV and the same "
             f"spikes, each within one dt of {p['dt']:g} ms)"]
    for key, title in (("neuron_fails", "NEURON fails (excluded below)"), ("not_runnable", "not runnable under the protocol")):
        if s[key]["count"]:
            lines.append(f"{title}: {s[key]['count']}")
            lines += [f"    {g['count']:4d}  {g['reason'][:150]}" for g in s[key]["reasons"][:8]]
    n = s["neuron_runnable"]
    pct = lambda d: f"{d['count']} ({d['percent']:.1f}%)" if d["percent"] is not None else "0"
    lines.append(f"NEURON-runnable: {n}; modlc runs {pct(s['modlc_runs'])}; agrees {pct(s['agrees'])}")
    lines.append("max |Δv| (mV): " + ", ".join(f"{k} {v}" for k, v in s["max_dv_histogram"].items() if v))
    if s["failure_classes"]:
        lines.append("failure classes:")
    for c, d in s["failure_classes"].items():
        lines.append(f"    {d['count']:4d}  {c}")
        for g in d["reasons"][:5]:
            lines.append(f"          {g['count']:4d}  {g['reason'][:140]}  e.g. {g['examples'][0]}")
    if s["internal_errors"]:
        lines.append(f"internal errors (modlc bugs, any file): {len(s['internal_errors'])}")
        lines += [f"    {e['path']}: {e['error'][:120]} at {e['frame']}" for e in s["internal_errors"][:10]]
    t = s["seconds_per_file"]
    fmt = lambda x: "-" if x is None else f"{x:.2f} s"
    lines.append(f"time: NEURON {fmt(t['neuron'])} per file (nrnivmodl {fmt(t['nrnivmodl'])} of it), modlc {fmt(t['modlc'])} per file; "
                 f"{s['wall_seconds']:.0f} s wall with {s['jobs']} job(s)")
    return "\n".join(lines)
