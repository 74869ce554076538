"""The committed generated code in tests/golden/ is exactly what modlc generates today, for every
mechanism in mechanisms/ and every backend. Any drift fails here; after an intended change,
regenerate with `make golden` and review the diff like any other code change."""

from __future__ import annotations

import shutil

import pytest

from codegen_cases import MECHANISMS, ROOT
from modlc.compiler import compile_file

GOLDEN = ROOT / "tests" / "golden"
BACKENDS = ["numpy", "jax", "tf", "onnx"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_golden_files_match_generated_code(backend, run_cli):
    folder = GOLDEN / backend
    status, out, err = run_cli("compile", *map(str, MECHANISMS), "--backend", backend, "-o", str(folder), "--check")
    assert status == 0, out + err + "\n(regenerate with `make golden` if the change is intended)"
    expected = {name for path in MECHANISMS for name in compile_file(path, backend)}
    assert {p.name for p in folder.iterdir()} == expected  # nothing stale left behind


def test_check_reports_drift_as_a_unified_diff(tmp_path, run_cli):
    folder = tmp_path / "golden"
    shutil.copytree(GOLDEN / "jax", folder)
    hh = folder / "hh.py"
    hh.write_text(hh.read_text().replace("q10_1 = 3**", "q10_1 = 2**"))
    (folder / "pas.py").unlink()
    status, out, _ = run_cli("compile", *map(str, MECHANISMS), "--backend", "jax", "-o", str(folder), "--check")
    assert status == 1
    assert f"--- {hh}" in out and f"+++ {hh} (regenerated)" in out
    assert "-    q10_1 = 2**" in out and "+    q10_1 = 3**" in out
    assert f"missing: {folder / 'pas.py'}" in out
    assert hh.read_text().count("q10_1 = 2**") == 2  # --check writes nothing
