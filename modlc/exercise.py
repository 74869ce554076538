"""Running a generated module's kernels once, on sample inputs, and comparing backends.

Used by `modlc corpus --backends` (does every kernel run and give finite numbers?) and by the
test suite (does every backend agree with the NumPy reference?). The inputs are what a cell would
present: v uniform in [-100, 50] mV, parameters at their defaults, ions at NEURON's default
concentrations and reversal potentials, states as the mechanism's own INITIAL leaves them.
Every kernel of every backend is called with the reference's inputs for that call, so an error
in one kernel cannot hide or compound in the next.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Callable

import numpy as np

from .codegen.layout import CONVERGED_KEY, PER_INSTANCE_ENVIRONMENT
from .compiler import write_files
from .loader import import_module_file

# NEURON's defaults (nrn/src/nrnoc/eion.cpp, celsius 6.3 degC): concentrations in mM, e in mV.
ION_DEFAULTS = {
    "na": {"i": 10.0, "o": 140.0, "e": 50.0},
    "k": {"i": 54.4, "o": 2.5, "e": -77.0},
    "ca": {"i": 5e-5, "o": 2.0, "e": 132.4579341637009},
}
ENVIRONMENT = {"celsius": 6.3, "area": 100.0, "diam": 1.0, "dt": 0.025}
T, DT = 1.0, 0.025
V_RANGE = (-100.0, 50.0)
TOLERANCE = {"float64": 1e-12, "float32": 1e-5}


def _ion_value(name: str, ion: str, rng, n: int):
    defaults = ION_DEFAULTS.get(ion, {"i": 1.0, "o": 1.0, "e": 0.0})
    if name == f"e{ion}":
        return np.full(n, defaults["e"])
    if name == f"{ion}i":
        return np.full(n, defaults["i"])
    if name == f"{ion}o":
        return np.full(n, defaults["o"])
    return rng.uniform(-0.01, 0.01, n)  # a current (i<ion>) or a derivative of one


def sample_inputs(meta: dict, n: int, seed: int = 0) -> dict:
    """Inputs for every kernel of a mechanism, as float64 NumPy arrays."""
    rng = np.random.default_rng(seed)
    p = {k: np.full(n, value) if k in PER_INSTANCE_ENVIRONMENT else value for k, value in ENVIRONMENT.items()}
    s: dict = {}
    ion: dict = {}
    for var in meta["variables"]:
        default = var["default"] if var["default"] is not None else 0.0
        if var["read_from"] == "p":
            p[var["name"]] = np.full(n, default) if var["scope"] == "range" else np.float64(default)
        elif var["read_from"] == "ion":
            ion[var["name"]] = (_ion_value(var["name"], var["ion"], rng, n) if var["ion"] is not None
                                else rng.uniform(-70.0, -60.0, n))  # a POINTER: a voltage, most often
        if var["read_from"] == "s" or var["written"]:
            s[var["name"]] = np.full(n, default)
    for kernel in meta["kernels"].values():
        for r in kernel["random"]:
            draw = {"normal": rng.standard_normal, "exponential": rng.standard_exponential,
                    "uniform": rng.random}[r["distribution"]]
            ion[r["key"]] = draw(n)
    args = {name: rng.uniform(0.0, 1.0, n) for name in meta["net_receive_args"]}
    args["flag"] = rng.integers(0, 2, n).astype(np.float64)
    return {"p": p, "s": s, "ion": ion, "args": args,
            "v": rng.uniform(*V_RANGE, n), "v2": rng.uniform(*V_RANGE, n),
            "mask": rng.random(n) < 0.5}


def cast(tree, dtype):
    """Every float array (and float scalar) in a nested structure converted to dtype."""
    if isinstance(tree, dict):
        return {k: cast(v, dtype) for k, v in tree.items()}
    if isinstance(tree, (tuple, list)):
        return type(tree)(cast(v, dtype) for v in tree)
    if isinstance(tree, (np.ndarray, np.floating, float)) and np.asarray(tree).dtype.kind == "f":
        return np.asarray(tree, dtype)
    return tree


def calls(meta: dict, inputs: dict, reference: ModuleType) -> list[tuple[str, tuple]]:
    """The sequence of kernel calls a simulation makes (init, current, state, events), each with
    its arguments, the states threaded through by the reference module."""
    p, ion, args, mask = inputs["p"], inputs["ion"], inputs["args"], inputs["mask"]
    v, v2 = inputs["v"], inputs["v2"]
    s0 = inputs["s"]
    out = [("init", (p, s0, v, ion, T))]
    s1, _ = reference.init(*out[-1][1])
    s1 = _plain(s1)
    out.append(("current", (p, s1, v2, ion, T)))
    s2 = _plain(reference.current(*out[-1][1])[0])
    out.append(("state", (p, s2, v2, ion, T, DT)))
    s3 = _plain(reference.state(*out[-1][1]))
    for name in meta["kernels"]:
        if name.startswith(("before_", "after_")):
            out.append((name, (p, s3, v2, ion, T, DT)))
    if "net_receive" in meta["kernels"]:
        out.append(("net_receive", (p, s3, args, mask, T, v2, ion)))
        out.append(("net_init", (p, s3, {k: a for k, a in args.items() if k != "flag"}, T, v2, ion)))
    for name in meta["kernels"]:
        if name == "watch":
            out.append((name, (p, s3, v2, ion, T)))
        elif name.startswith("for_netcons_"):
            out.append((name, (p, s3, args, T, v2, ion)))
    return out


def _plain(s: dict) -> dict:
    return {k: np.asarray(v) for k, v in s.items() if k != "__converged__"}


def flatten(result, prefix: str = "") -> dict[str, np.ndarray]:
    """A kernel's result as {path: array}: s.m, i, ion_i.na, events.0.1 …"""
    if isinstance(result, dict):
        out = {}
        for k, v in result.items():
            out.update(flatten(v, f"{prefix}{k}."))
        return out
    if isinstance(result, (tuple, list)):
        out = {}
        for i, v in enumerate(result):
            out.update(flatten(v, f"{prefix}{i}."))
        return out
    return {prefix.rstrip("."): np.asarray(result)}


def deviation(reference: np.ndarray, other: np.ndarray) -> float:
    """max |other − reference| relative to the reference's largest magnitude (booleans: 0 or 1).
    NaN in the same places counts as agreement; NaN in only one is a deviation of inf."""
    reference = np.asarray(reference)
    other = np.asarray(other)
    if reference.dtype == bool or other.dtype == bool:
        return float(np.any(reference.astype(bool) != other.astype(bool)))
    reference = reference.astype(np.float64)
    other = other.astype(np.float64)
    ref_nan, other_nan = np.isnan(reference), np.isnan(other)
    if np.any(ref_nan != other_nan):
        return float("inf")
    same = ~ref_nan & (reference == other)  # equal infinities count as agreement
    if np.all(ref_nan | same):
        return 0.0
    keep = ~ref_nan & ~same
    scale = np.max(np.abs(reference[np.isfinite(reference)]), initial=0.0)
    error = np.max(np.abs(other[keep] - reference[keep]))
    return float(error / scale) if scale > 0 else float(error)


def run_calls(module: ModuleType, call_list, wrap: Callable = lambda f: f, dtype: str = "float64") -> dict:
    """{kernel: {path: array}} for each call, arguments cast to dtype, results as NumPy arrays."""
    results = {}
    with np.errstate(all="ignore"):  # a mechanism may divide by zero at these inputs; NaN is reported
        for name, arguments in call_list:
            kernel = wrap(getattr(module, name))
            result = kernel(*cast(arguments, dtype))
            results[name] = {k: np.asarray(v) for k, v in flatten(result).items()}
    return results


def deviations(reference: dict, other: dict) -> dict[str, float]:
    """The deviation of every kernel output, keyed "kernel: path" (inf where one is missing)."""
    out = {}
    for kernel, outputs in reference.items():
        for path, ref in outputs.items():
            theirs = other.get(kernel, {}).get(path)
            out[f"{kernel}: {path}"] = float("inf") if theirs is None else deviation(ref, theirs)
    return out


def perturbed(call_list, dtype: str, seed: int = 1):
    """The same calls with every float input moved by a few ulps (4·eps·N(0,1), relative)."""
    rng = np.random.default_rng(seed)
    eps = float(np.finfo(dtype).eps)

    def nudge(tree):
        if isinstance(tree, dict):
            return {k: nudge(v) for k, v in tree.items()}
        if isinstance(tree, (tuple, list)):
            return type(tree)(nudge(v) for v in tree)
        value = np.asarray(tree)
        if value.dtype.kind == "f":
            return (value * (1 + 4 * eps * rng.standard_normal(value.shape))).astype(value.dtype)
        return tree

    return [(name, nudge(arguments)) for name, arguments in call_list]


def conditioning(reference: ModuleType, call_list, expected: dict, dtype: str) -> dict[str, float]:
    """How far each reference output itself moves when its inputs move by a few ulps: the
    output's own rounding noise. An output computed by cancellation (a steady-state net flux)
    has a noise floor far above eps, and no two correct implementations agree below it."""
    return deviations(expected, run_calls(reference, perturbed(call_list, dtype), dtype=dtype))


def agreement(found: dict[str, float], noise: dict[str, float], tolerance: float) -> float:
    """The worst ratio of deviation to what is allowed: the tolerance, or ten times the output's
    noise floor where that is larger. At most 1 means the backend agrees."""
    worst = 0.0
    for key, d in found.items():
        allowed = max(tolerance, 10 * noise.get(key, 0.0))
        worst = max(worst, d / allowed if d == d else float("inf"))
    return worst


def all_finite(results: dict) -> bool:
    return all(np.all(np.isfinite(a)) for outputs in results.values() for a in outputs.values()
               if a.dtype.kind == "f")




def exercise_backends(mechanism, backends: list[str], dtype: str = "float64", instances: int = 8,
                      seed: int = 0) -> dict[str, dict]:
    """Generate, import and run every kernel of a mechanism IR on each backend and on the NumPy
    reference; per backend: {"stage": "ir"|"compile"|"run", "finite", "deviation" (worst,
    relative), "worst_at", "agreement" (≤ 1: within tolerance, or within ten times the output's
    own noise floor), "error"}. Raises only if the reference fails (the caller reports it)."""
    from . import backends as backend_support
    from .codegen import generate

    reference_files = generate(mechanism, "numpy", dtype)
    report: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="modlc-exercise-") as tmp:
        folder = Path(tmp)
        generated: dict[str, dict[str, bytes]] = {"numpy": reference_files}
        for backend in backends:
            try:
                generated[backend] = generate(mechanism, backend, dtype)
                report[backend] = {"stage": "compile", "finite": False, "deviation": None, "error": None}
            except Exception as e:  # noqa: BLE001 - recorded per backend; ModlcError or a bug
                report[backend] = {"stage": "ir", "finite": False, "deviation": None, "error": _describe(e)}
        modules = {}
        for backend, files in generated.items():
            try:
                backend_support.prepare(backend, dtype)
                modules[backend] = _import_generated(files, folder / backend, f"modlc_exercise_{backend}")
            except Exception as e:  # noqa: BLE001
                if backend == "numpy":
                    raise
                report[backend].update(stage="compile", error=_describe(e))
        try:
            reference = modules["numpy"]
            call_list = calls(reference.META, cast(sample_inputs(reference.META, instances, seed), dtype), reference)
            expected = run_calls(reference, call_list, dtype=dtype)
            noise = conditioning(reference, call_list, expected, dtype)
            for backend in backends:
                if backend not in modules:
                    continue
                try:
                    results = run_calls(modules[backend], call_list, backend_support.compiled(backend), dtype)
                except Exception as e:  # noqa: BLE001
                    report[backend]["error"] = _describe(e)
                    continue
                found = deviations(expected, results)
                where = max(found, key=lambda k: found[k], default="")
                report[backend].update(stage="run", finite=all_finite(results),
                                       deviation=found.get(where, 0.0), worst_at=where,
                                       agreement=agreement(found, noise, TOLERANCE[dtype]))
        finally:
            for module in modules.values():
                sys.modules.pop(module.__name__, None)
            if "jax" in sys.modules:  # compiled executables would otherwise pile up across a corpus
                sys.modules["jax"].clear_caches()
    return report


def _import_generated(files: dict[str, bytes], folder: Path, label: str) -> ModuleType:
    """Write a mechanism's generated files into folder and import its module."""
    write_files(files, folder)
    return import_module_file(folder / next(n for n in files if n.endswith(".py")), label)


def _describe(e: BaseException) -> str:
    from .diagnostics import ModlcError

    if isinstance(e, ModlcError):
        return e.diagnostics[0].message
    lines = [line.strip() for line in str(e).splitlines() if line.strip()]
    # TensorFlow's "in user code:" messages put the cause on their last line
    return f"{type(e).__name__}: {lines[-1] if lines else ''}"[:300]


def float32_fidelity(mechanism, instances: int = 8, seed: int = 0) -> float:
    """How far the float32 NumPy reference is from the float64 one on the same inputs: a
    mechanism whose scales span more than float32 can hold (1e10 next to 1e-14) is not computable
    in float32 by any backend, and comparing backends there compares noise."""
    from .codegen import generate

    with tempfile.TemporaryDirectory(prefix="modlc-fidelity-") as tmp:
        modules = {dtype: _import_generated(generate(mechanism, "numpy", dtype), Path(tmp) / dtype,
                                            f"modlc_fidelity_{dtype}")
                   for dtype in ("float64", "float32")}
        try:
            wide = modules["float64"]
            call_list = calls(wide.META, sample_inputs(wide.META, instances, seed), wide)
            narrow_calls = [(name, cast(cast(arguments, "float32"), "float64")) for name, arguments in call_list]
            found = deviations(run_calls(wide, narrow_calls), run_calls(modules["float32"], call_list, dtype="float32"))
            # Newton's convergence flag is judged against each dtype's own tolerance: not a value
            return max((d for key, d in found.items() if not key.endswith(CONVERGED_KEY)), default=0.0)
        finally:
            for module in modules.values():
                sys.modules.pop(module.__name__, None)
