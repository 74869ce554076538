"""P4: how long `modlc compile` takes per mechanism and backend: hh.mod, the KINETIC channel of the
library, and (with --corpus DIR) every .mod file of a corpus, reporting the slowest.

    python examples/benchmarks/p4_compile_time.py [--corpus ~/modcorpus] [--backends jax tf onnx]

Each file is compiled in a fresh worker process with a time limit, so the figure is the compiler's
own time (parse, symbols, SymPy solve, code generation) without interpreter start-up, and a slow
file cannot stall the run. Files that do not compile (unsupported constructs) are counted apart.
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
from pathlib import Path

LIBRARY = Path(__file__).resolve().parent.parent.parent / "mechanisms"
LIMIT = 120.0  # s per file


def _compile(args) -> tuple[str, str, float | None, str]:
    path, backend = args
    from modlc.compiler import compile_file
    from modlc.diagnostics import ModlcError

    started = time.perf_counter()
    try:
        compile_file(Path(path), backend)
    except ModlcError as e:
        return path, backend, None, str(e).splitlines()[0][:100]
    return path, backend, time.perf_counter() - started, ""


def timings(files: list[Path], backends: list[str]) -> list[tuple[str, str, float | None, str]]:
    """(file, backend, seconds or None, why not) for every pair; a fresh worker after a timeout."""
    jobs = [(str(f), b) for f in files for b in backends]
    out: list = []
    while len(out) < len(jobs):
        with multiprocessing.get_context("spawn").Pool(1) as pool:  # leaving the block kills it
            pool.apply(_compile, ((str(LIBRARY / "pas.mod"), backends[0]),))  # imports, SymPy warm-up
            for job in jobs[len(out):]:
                try:
                    out.append(pool.apply_async(_compile, (job,)).get(timeout=LIMIT))
                except multiprocessing.TimeoutError:
                    out.append((job[0], job[1], None, f"over {LIMIT:g} s"))
                    break
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", type=Path, help="a folder of .mod files (searched recursively)")
    p.add_argument("--backends", nargs="+", default=["jax", "tf", "onnx"])
    args = p.parse_args(argv)
    for path, backend, seconds, _ in timings([LIBRARY / "hh.mod", LIBRARY / "kchan.mod"], args.backends):
        print(f"{Path(path).name:<12} {backend:<5} {seconds:.3f} s")
    if args.corpus:
        files = sorted(args.corpus.rglob("*.mod"))
        rows = timings(files, args.backends[:1])
        done = sorted((r for r in rows if r[2] is not None), key=lambda r: -r[2])
        slow = sum(1 for r in rows if r[3].startswith("over"))
        print(f"corpus: {len(files)} files, {len(done)} compiled for {args.backends[0]}, "
              f"{len(rows) - len(done) - slow} refused with a diagnostic, {slow} over {LIMIT:g} s")
        for path, _, seconds, _ in done[:5]:
            print(f"  slowest: {seconds:.2f} s  {path}")


if __name__ == "__main__":
    main()
