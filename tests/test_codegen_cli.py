"""`modlc compile`, `modlc.compile` and `modlc.load` as users meet them: output files, errors,
determinism across processes and paths, and the on-disk cache."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import modlc
from codegen_cases import CASES, MECHANISMS, ROOT

SAMPLE = MECHANISMS + [p for p in CASES if p.name in ("kinetic3.mod", "events.mod", "functions.mod", "noisy.mod")]


def test_compile_writes_modules_into_the_output_folder(tmp_path, run_cli):
    status, out, err = run_cli("compile", str(ROOT / "mechanisms" / "hh.mod"), "--backend", "tf", "-o", str(tmp_path), "-v")
    assert status == 0, err
    assert (tmp_path / "hh.py").is_file()
    assert str(tmp_path / "hh.py") in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["hh.py"]  # no temporary files left


def test_compile_reports_a_located_error_and_still_compiles_the_rest(tmp_path, write_mod, run_cli):
    bad = write_mod("""
        NEURON { SUFFIX bad }
        BREAKPOINT { x = undefined_thing + 1 }
    """, "bad.mod")
    status, _, err = run_cli("compile", str(bad), str(ROOT / "mechanisms" / "pas.mod"), "--backend", "jax",
                             "-o", str(tmp_path))
    assert status == 2
    assert f"{bad}:2:" in err and "error:" in err and "Traceback" not in err
    assert (tmp_path / "pas.py").is_file()


def test_compile_refuses_two_files_defining_one_mechanism(tmp_path, write_mod, run_cli):
    twin = write_mod("NEURON { SUFFIX pas }\nPARAMETER { g = 1 }\n", "twin.mod")
    status, _, err = run_cli("compile", str(ROOT / "mechanisms" / "pas.mod"), str(twin), "--backend", "numpy",
                             "-o", str(tmp_path))
    assert status == 2 and "also defined by" in err


def test_compile_rejects_unknown_backend_and_dtype(run_cli):
    hh = str(ROOT / "mechanisms" / "hh.mod")
    for args in (["--backend", "torch"], ["--backend", "jax", "--dtype", "float16"]):
        status, _, err = run_cli("compile", hh, *args)
        assert status == 2 and "invalid choice" in err


def test_float64_onnx_refuses_functions_onnxruntime_lacks(tmp_path, write_mod, run_cli):
    path = write_mod("""
        NEURON { SUFFIX angle RANGE a }
        ASSIGNED { v (mV) a }
        BREAKPOINT { a = atan(v/10) }
    """, "angle.mod")
    status, _, err = run_cli("compile", str(path), "--backend", "onnx", "-o", str(tmp_path))
    assert status == 2 and "unsupported: atan in float64 ONNX" in err
    status, _, err = run_cli("compile", str(path), "--backend", "onnx", "--dtype", "float32", "-o", str(tmp_path))
    assert status == 0, err


@pytest.mark.parametrize("backend", ["numpy", "jax", "tf", "onnx"])
def test_output_is_byte_identical_across_hash_seeds_and_paths(tmp_path, backend):
    outputs = []
    for seed, folder in (("1", tmp_path / "a"), ("987654", tmp_path / "deep" / "b")):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-m", "modlc.cli", "compile", *map(str, SAMPLE), "--backend", backend,
                        "-o", str(folder)], check=True, env=env, cwd=tmp_path)
        outputs.append({p.name: p.read_bytes() for p in folder.iterdir()})
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) >= len(SAMPLE)


def test_api_compile_returns_files_or_writes_them(tmp_path):
    files = modlc.compile(ROOT / "mechanisms" / "pas.mod", backend="numpy")
    assert list(files) == ["pas.py"] and files["pas.py"].startswith(b'"""Kernels of the NMODL mechanism `pas`')
    written = modlc.compile(ROOT / "mechanisms" / "pas.mod", backend="numpy", output=tmp_path)
    assert [p.name for p in written] == ["pas.py"]


def test_load_caches_by_content(tmp_path, monkeypatch, write_mod):
    monkeypatch.setenv("MODLC_CACHE_DIR", str(tmp_path / "cache"))
    path = write_mod("""
        NEURON { SUFFIX leak NONSPECIFIC_CURRENT i RANGE g, e }
        PARAMETER { g = 0.001 (S/cm2) e = -70 (mV) }
        ASSIGNED { v (mV) i (mA/cm2) }
        BREAKPOINT { i = g*(v - e) }
    """, "leak.mod")
    first = modlc.load(path, backend="numpy")
    assert modlc.load(path, backend="numpy") is first
    entries = list((tmp_path / "cache").rglob("leak.py"))
    assert len(entries) == 1
    path.write_text(path.read_text().replace("e = -70", "e = -65"))
    second = modlc.load(path, backend="numpy")
    assert second is not first
    assert {v["name"]: v["default"] for v in second.META["variables"]}["e"] == -65.0
    assert {v["name"]: v["default"] for v in first.META["variables"]}["e"] == -70.0
    assert len(list((tmp_path / "cache").rglob("leak.py"))) == 2


def test_cache_key_follows_included_files_through_edits(tmp_path, write_mod, monkeypatch):
    """source_files is remembered per file, but re-read when any file it listed changes: an edited
    header changes the key, and a header that gains an INCLUDE of its own adds that file."""
    import os

    from modlc.loader import cache_key, source_files

    monkeypatch.delenv("MODL_INCLUDE", raising=False)
    write_mod("PARAMETER { k = 1 }\n", "consts.inc")
    path = write_mod("""
        NEURON { SUFFIX inc }
        INCLUDE "consts.inc"
    """, "inc.mod")
    plain = write_mod("NEURON { SUFFIX plain }\n", "plain.mod")
    assert [p.name for p in source_files(path)] == ["inc.mod", "consts.inc"]
    assert [p.name for p in source_files(plain)] == ["plain.mod"]
    before = cache_key(path, "numpy", "float64", "symbolic")
    write_mod("PARAMETER { k = 2 }\n", "consts.inc")
    assert cache_key(path, "numpy", "float64", "symbolic") != before
    write_mod("PARAMETER { k = 2 }\n", "more.inc")
    header = write_mod('INCLUDE "more.inc"\nPARAMETER { k = 2 }\n', "consts.inc")
    os.utime(header, ns=(1, 1))  # a different stamp even on a coarse clock
    assert [p.name for p in source_files(path)] == ["inc.mod", "consts.inc", "more.inc"]


def test_corpus_compiles_and_runs_each_file_on_the_backends(tmp_path, run_cli):
    import json
    import shutil

    for path in (ROOT / "mechanisms" / "pas.mod", next(p for p in CASES if p.name == "events.mod")):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "broken.mod").write_text("NEURON { SUFFIX broken }\nBREAKPOINT { SOLVE nothing }\n")
    status, out, _ = run_cli("corpus", str(tmp_path), "--backends", "jax,onnx", "--json")
    assert status == 0
    data = json.loads(out)
    by_name = {f["path"].rsplit("/", 1)[1]: f for f in data["files"]}
    assert by_name["pas.mod"]["backends_run"] == ["jax", "onnx"]
    assert by_name["events.mod"]["stage"] == "run"
    assert by_name["broken.mod"]["backends_run"] == []
    backends = data["summary"]["backends"]
    assert backends["ir_files"] == 2 and backends["ran_all"] == 2 and backends["agree_all"] == 2
    assert data["summary"]["stages"]["run"]["passed"] == 2


def test_a_mechanism_named_like_a_library_does_not_shadow_it(tmp_path, write_mod, run_cli):
    path = write_mod("NEURON { SUFFIX numpy }\nPARAMETER { g = 1 }\n", "numpy.mod")
    status, _, err = run_cli("compile", str(path), "--backend", "numpy", "-o", str(tmp_path / "out"))
    assert status == 0, err
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["numpy_mechanism.py"]
