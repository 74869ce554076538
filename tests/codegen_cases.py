"""The .mod files the code-generation tests run on every backend: the project's mechanisms,
the hand-written cases in tests/data/codegen (each exercising one feature of the generated code),
and every file shipped in the installed `neuron` wheel that reaches the IR (read in place)."""

from __future__ import annotations

from pathlib import Path

import neuron

from modlc.diagnostics import ModlcError
from modlc.pipeline import compile_ir

ROOT = Path(__file__).resolve().parent.parent
MECHANISMS = sorted((ROOT / "mechanisms").glob("*.mod"))
CASES = sorted(p for p in (ROOT / "tests" / "data" / "codegen").glob("*.mod") if p.name != "hostile.mod")
NEURON_ROOT = Path(neuron.__file__).parent


def neuron_files_reaching_ir() -> list[Path]:
    out = []
    for path in sorted(NEURON_ROOT.rglob("*.mod")):
        try:
            compile_ir(path)
        except ModlcError:
            continue  # pattern.mod (VERBATIM C that modlc cannot read): refused with a located error
        out.append(path)
    return out


def case_id(path: Path) -> str:
    return str(path.relative_to(NEURON_ROOT)) if NEURON_ROOT in path.parents else path.name
