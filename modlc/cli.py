"""The `modlc` command line: check, show, compile, corpus and verify.

Exit status: 0 clean (warnings allowed), 2 errors in the input or bad usage, 3 an internal error
(a modlc bug; set MODLC_DEBUG=1 for the traceback). No input may produce a Python traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from pathlib import Path
from typing import Optional, Sequence

from . import __version__
from .diagnostics import Diagnostic, ModlcError
from .parser import parse_file
from .semantics import analyse
from .source import read_source


class _SourceLines:
    """Source lines by path, read lazily, for printing the line under a diagnostic."""

    def __init__(self):
        self._cache: dict[str, Optional[list[str]]] = {}

    def __call__(self, path: str) -> Optional[list[str]]:
        if path not in self._cache:
            try:
                self._cache[path] = read_source(path).lines
            except OSError:
                self._cache[path] = None
        return self._cache[path]


def _print_diagnostics(diagnostics: Sequence[Diagnostic], lines: _SourceLines) -> None:
    for d in diagnostics:
        print(d.format(lines(d.loc.file) if d.loc else None), file=sys.stderr)


def cmd_check(args) -> int:
    lines = _SourceLines()
    status = 0
    for path in args.files:
        try:
            table = analyse(parse_file(path, tuple(args.include_path)))
        except ModlcError as e:
            _print_diagnostics(e.diagnostics, lines)
            status = 2
            continue
        shown = table.diagnostics if not args.quiet else table.errors
        _print_diagnostics(shown, lines)
        if table.errors:
            status = 2
    return status


def cmd_show(args) -> int:
    from . import dump

    lines = _SourceLines()
    try:
        mod = parse_file(args.file, tuple(args.include_path))
        if args.stage == "ast":
            output = json.dumps(dump.ast_to_json(mod), indent=1) if args.json else dump.ast_to_text(mod)
        elif args.stage in ("lowered", "solved", "ir"):
            output = _pipeline_stage(mod, args)
        else:
            table = analyse(mod)
            _print_diagnostics(table.diagnostics, lines)
            if table.errors:
                return 2
            output = json.dumps(dump.symbols_to_json(table), indent=1) if args.json else dump.symbols_to_text(table)
    except ModlcError as e:
        _print_diagnostics(e.diagnostics, lines)
        return 2
    print(output)
    return 0


def _pipeline_stage(mod, args) -> str:
    from . import ir_text, pipeline

    lowered = pipeline.lower_module(mod, args.conductance)
    table = lowered.table
    if args.stage == "lowered":
        if args.json:
            raise ModlcError.at(None, "--json is available for --stage ast, symbols and ir")
        return ir_text.stage_text(table.mechanism, table.kind, lowered.kernels, lowered.notes)
    solved = pipeline.solve(lowered)
    if args.stage == "solved":
        if args.json:
            raise ModlcError.at(None, "--json is available for --stage ast, symbols and ir")
        return ir_text.stage_text(table.mechanism, table.kind, solved.kernels, solved.notes)
    mech = pipeline.build_ir(solved)
    return json.dumps(ir_text.mechanism_json(mech), indent=1) if args.json else ir_text.mechanism_text(mech)


def cmd_compile(args) -> int:
    from .codegen import module_name
    from .compiler import differences, generate, write_files
    from .pipeline import compile_ir

    lines = _SourceLines()
    status = 0
    outputs: dict[str, dict[str, bytes]] = {}
    owners: dict[str, str] = {}
    for path in args.files:
        try:
            mechanism = compile_ir(path, tuple(args.include_path), args.conductance, usetable=args.usetable)
            files = generate(mechanism, args.backend, args.dtype)
        except ModlcError as e:
            _print_diagnostics(e.diagnostics, lines)
            status = 2
            continue
        stem = module_name(mechanism)
        if stem in owners:
            print(f"{path}: error: mechanism '{mechanism.name}' is also defined by {owners[stem]}; "
                  f"both would write {stem}.py", file=sys.stderr)
            status = 2
            continue
        owners[stem] = path
        outputs[path] = files
    directory = Path(args.output)
    if args.check:
        diffs = [d for files in outputs.values() for d in differences(files, directory)]
        sys.stdout.write("".join(diffs))
        return status or (1 if diffs else 0)
    for files in outputs.values():
        for target in write_files(files, directory):
            if args.verbose:
                print(target)
    return status


def cmd_corpus(args) -> int:
    from . import corpus

    folder = Path(args.dir)
    if not folder.is_dir():
        print(f"modlc corpus: error: {folder} is not a directory", file=sys.stderr)
        return 2
    backends = tuple(b for b in args.backends.split(",") if b) if args.backends else ()
    unknown = [b for b in backends if b not in ("tf", "jax", "onnx", "numpy")]
    if unknown:
        print(f"modlc corpus: error: unknown backend {unknown[0]!r} (choose from tf, jax, onnx, numpy)", file=sys.stderr)
        return 2
    results = corpus.run_corpus(folder, backends, args.dtype)
    summary = corpus.summarise(results, backends, args.dtype)
    if args.json:
        print(json.dumps({"files": [r.to_json() for r in results], "summary": summary}, indent=1))
    else:
        print(corpus.format_summary(summary))
    return 0


def cmd_verify(args) -> int:
    import time

    from . import verify

    if bool(args.files) == bool(args.corpus):
        print("modlc verify: error: give .mod files or --corpus DIR (not both)", file=sys.stderr)
        return 2
    if args.corpus and not Path(args.corpus).is_dir():
        print(f"modlc verify: error: {args.corpus} is not a directory", file=sys.stderr)
        return 2
    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        print(f"modlc verify: error: {missing[0]}: no such file", file=sys.stderr)
        return 2
    why = verify.missing_requirement()
    if why:
        print(f"modlc verify: error: NEURON cannot compile .mod files here: {why}", file=sys.stderr)
        return 2
    paths = verify.corpus_files(Path(args.corpus), args.sample) if args.corpus else [Path(f) for f in args.files]

    def progress(done: int, total: int, record: dict) -> None:
        if args.corpus:
            print(f"[{done}/{total}] {record['class']}: {record['path']}", file=sys.stderr, flush=True)

    options = verify.Options(backend=args.backend, dtype=args.dtype, jobs=args.jobs,
                             protocol=verify.Protocol(tstop=args.tstop), progress=progress, cache=not args.no_cache)
    start = time.perf_counter()
    records = verify.verify(paths, options)
    summary = verify.summarise(records, options, time.perf_counter() - start)
    if args.json:
        print(json.dumps({"summary": summary, "files": records}, indent=1))
    else:
        if not args.corpus:
            print("\n".join(verify.format_record(r) for r in records))
        print(verify.format_summary(summary))
    return 0 if all(r["class"] == "agrees" for r in records) else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="modlc",
        description="Compile NEURON NMODL (.mod) mechanisms into vectorised TensorFlow, JAX and ONNX kernels.",
    )
    parser.add_argument("--version", action="version", version=f"modlc {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    include = argparse.ArgumentParser(add_help=False)
    include.add_argument("-I", "--include-path", action="append", default=[], metavar="DIR",
                         help="also look for INCLUDEd files in DIR (repeatable; $MODL_INCLUDE is searched too)")

    check = sub.add_parser("check", parents=[include], help="parse and analyse .mod files, report problems",
                           description="Parse and analyse .mod files. Prints `file:line:col: error: message` "
                                       "for each problem (warnings likewise); exit 0 when no errors, 2 otherwise.")
    check.add_argument("files", nargs="+", metavar="FILE")
    check.add_argument("-q", "--quiet", action="store_true", help="print errors only, not warnings")
    check.set_defaults(run=cmd_check)

    show = sub.add_parser("show", parents=[include], help="print one stage of the compiler for a file",
                          description="Print a stage of the pipeline: ast, symbols, lowered, solved or ir.")
    show.add_argument("file", metavar="FILE")
    show.add_argument("--stage", choices=("ast", "symbols", "lowered", "solved", "ir"), default="ast",
                      help="which stage (default: ast): the typed AST, the symbol table, kernels after lowering "
                           "(SOLVE blocks unsolved), after the SOLVE methods, or the final IR")
    show.add_argument("--conductance", choices=("symbolic", "numeric"), default="symbolic",
                      help="dI/dv: exact derivative (default) or NEURON's (I(v+0.001)-I(v))/0.001")
    show.add_argument("--json", action="store_true", help="machine-readable JSON instead of text")
    show.set_defaults(run=cmd_show)

    compile_ = sub.add_parser(
        "compile", parents=[include], help="generate backend kernels from .mod files",
        description="Compile .mod files into kernel modules for a backend: <mechanism>.py (plus, for onnx, "
                    "<mechanism>.<kernel>.onnx and its text form .onnxtxt). Output is byte-identical across "
                    "runs and machines, so it can be committed and diffed.")
    compile_.add_argument("files", nargs="+", metavar="FILE")
    compile_.add_argument("--backend", required=True, choices=("tf", "jax", "onnx", "numpy"),
                          help="tf (TensorFlow/XLA), jax, onnx (ONNX Runtime) or numpy (the reference)")
    compile_.add_argument("-o", "--output", default=".", metavar="DIR",
                          help="write the generated files into DIR (default: the current directory)")
    compile_.add_argument("--dtype", choices=("float64", "float32"), default="float64",
                          help="floating-point type of the kernels (default: float64, as NEURON)")
    compile_.add_argument("--conductance", choices=("symbolic", "numeric"), default="symbolic",
                          help="dI/dv: exact derivative (default) or NEURON's (I(v+0.001)-I(v))/0.001")
    compile_.add_argument("--usetable", action="store_true",
                          help="interpolate in the file's TABLEs as NEURON does by default (default: compute the "
                               "tabulated functions exactly, as NEURON does with usetable_<name> = 0)")
    compile_.add_argument("--check", action="store_true",
                          help="write nothing; exit 1 and print a unified diff if the files in DIR differ "
                               "from what would be generated")
    compile_.add_argument("-v", "--verbose", action="store_true", help="print each file written")
    compile_.set_defaults(run=cmd_compile)

    corpus = sub.add_parser("corpus", help="measure the stages on every .mod file under a folder",
                            description="Run every .mod file under DIR through each stage and report, per stage, "
                                        "passes, located errors (grouped by reason) and crashes.")
    corpus.add_argument("dir", metavar="DIR")
    corpus.add_argument("--json", action="store_true",
                        help='print {"files": [{path, stage, error, crash, backends_run...}], "summary": {...}}')
    corpus.add_argument("--backends", metavar="LIST", default="",
                        help="comma-separated backends (tf,jax,onnx) to compile and run each file on, "
                             "comparing each with the NumPy reference")
    corpus.add_argument("--dtype", choices=("float64", "float32"), default="float64",
                        help="dtype of the generated kernels for --backends (default float64)")
    corpus.set_defaults(run=cmd_corpus)

    verify = sub.add_parser(
        "verify", help="run .mod files in NEURON and in modlc under one protocol and compare",
        description="Compile each file with NEURON's nrnivmodl and with modlc, run both under one standard "
                    "protocol (a 20 um soma with pas, the mechanism, current steps, a NetStim for NET_RECEIVE) and "
                    "compare: max |dv|, every STATE, spikes. A file agrees when max |dv| <= 0.1 mV and the spikes "
                    "are the same, each within one dt. Exit 0 when every file agrees, 1 otherwise, 2 when NEURON "
                    "or a C++ compiler is missing.")
    verify.add_argument("files", nargs="*", metavar="FILE")
    verify.add_argument("--corpus", metavar="DIR", help="every .mod file under DIR (a summary instead of one line per file)")
    verify.add_argument("--sample", type=int, metavar="N", help="with --corpus: every k-th file by path, N in all")
    verify.add_argument("--backend", choices=("jax", "tf", "onnx", "numpy"), default="jax", help="modlc's backend (default jax)")
    verify.add_argument("--dtype", choices=("float64", "float32"), default="float64", help="modlc's dtype (default float64)")
    verify.add_argument("--tstop", type=float, default=100.0, metavar="MS", help="length of the run (default 100 ms)")
    verify.add_argument("--jobs", type=int, default=os.cpu_count() or 1, metavar="N",
                        help="files verified at once (default: the CPU count)")
    verify.add_argument("--no-cache", action="store_true",
                        help="run NEURON again even where an earlier run's answer is remembered "
                             "($MODLC_VERIFY_CACHE, else ~/.cache/modlc/verify)")
    verify.add_argument("--json", action="store_true", help='print {"summary": {...}, "files": [per-file records]}')
    verify.set_defaults(run=cmd_verify)

    neuron = sub.add_parser(
        "neuron", help="run an unmodified NEURON script with modlc simulating its model",
        description="Run a NEURON script (.py or .hoc) as NEURON would, but with modlc integrating the model it "
                    "builds: pc.psolve, run() and continuerun() are simulated by modlc, and the vectors the script "
                    "records (Vector.record, pc.spike_record, NetCon.record from Python) are filled with modlc's "
                    "results. Exit 1 with the list of what modlc cannot simulate, if anything.")
    from .neuron import add_arguments, run_script

    add_arguments(neuron)
    neuron.set_defaults(run=run_script)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as e:  # noqa: BLE001 - a bug must still not show users a traceback
        if os.environ.get("MODLC_DEBUG"):
            traceback.print_exc()
        print(f"modlc: internal error: {type(e).__name__}: {e} (a modlc bug; MODLC_DEBUG=1 shows the traceback)",
              file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
