"""The command line as a user meets it: help, version, exit codes, show, corpus."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import modlc

MECHANISMS = Path(__file__).parent.parent / "mechanisms"


def test_version(run_cli):
    status, out, _ = run_cli("--version")
    assert status == 0 and out.strip() == f"modlc {modlc.__version__}"


@pytest.mark.parametrize("command", [[], ["check"], ["show"], ["corpus"]])
def test_help_on_every_command(run_cli, command):
    status, out, _ = run_cli(*command, "--help")
    assert status == 0 and out.startswith("usage: modlc")


def test_wrong_option_is_a_usage_error(run_cli):
    status, _, err = run_cli("show", "x.mod", "--stage", "nonsense")
    assert status == 2 and "invalid choice: 'nonsense'" in err


def test_check_our_mechanisms_clean(run_cli):
    status, out, err = run_cli("check", *map(str, sorted(MECHANISMS.glob("*.mod"))))
    assert (status, out, err) == (0, "", "")


def test_show_ast_text_and_json(run_cli):
    status, out, _ = run_cli("show", str(MECHANISMS / "pas.mod"))
    assert status == 0
    assert "Suffix @" in out and "name=pas" in out
    status, out, _ = run_cli("show", str(MECHANISMS / "pas.mod"), "--json")
    assert status == 0
    data = json.loads(out)
    assert data["node"] == "ModFile"
    neuron = next(i for i in data["items"] if i["node"] == "NeuronBlock")
    assert neuron["statements"][0]["name"]["name"] == "pas"


def test_show_symbols_json(run_cli):
    status, out, _ = run_cli("show", str(MECHANISMS / "hh.mod"), "--stage", "symbols", "--json")
    assert status == 0
    data = json.loads(out)
    assert (data["mechanism"], data["kind"]) == ("hh", "density")
    roles = {s["name"]: s["role"] for s in data["symbols"]}
    assert roles["m"] == "state" and roles["gnabar"] == "parameter" and roles["rates"] == "procedure"
    ions = {i["name"]: i for i in data["ions"]}
    assert ions["na"]["read"] == ["ena"] and ions["na"]["write"] == ["ina"]


def test_show_reports_errors_not_output(run_cli, write_mod):
    path = write_mod("BREAKPOINT { x = 1 }\n")
    status, out, err = run_cli("show", str(path), "--stage", "symbols")
    assert status == 2 and out == "" and "undefined name 'x'" in err


def test_corpus_report(run_cli, tmp_path):
    (tmp_path / "good.mod").write_text((MECHANISMS / "pas.mod").read_text())
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "syntax.mod").write_text("NEURON { SUFFIX }\n")
    (tmp_path / "sub" / "undefined.mod").write_text("NEURON { SUFFIX u }\nBREAKPOINT { y = 1 }\n")
    (tmp_path / "binary.MOD").write_bytes(bytes(range(256)))
    status, out, _ = run_cli("corpus", str(tmp_path), "--json")
    assert status == 0
    report = json.loads(out)
    by_name = {Path(f["path"]).name: f for f in report["files"]}
    assert set(by_name) == {"good.mod", "syntax.mod", "undefined.mod", "binary.MOD"}
    good = by_name["good.mod"]
    assert {k: good[k] for k in ("path", "stage", "error", "crash", "verbatim")} == {
        "path": str(tmp_path / "good.mod"), "stage": "ir", "error": None, "crash": False, "verbatim": False}
    assert by_name["syntax.mod"]["stage"] == "none" and ":1:17: unexpected '}'" in by_name["syntax.mod"]["error"]
    assert by_name["undefined.mod"]["stage"] == "parse"
    assert "undefined name 'y'" in by_name["undefined.mod"]["error"]
    assert not any(f["crash"] for f in report["files"])
    summary = report["summary"]
    assert summary["total"] == 4
    assert summary["stages"]["parse"]["passed"] == 2 and summary["stages"]["check"]["passed"] == 1
    assert summary["stages"]["ir"]["passed"] == 1
    assert summary["without_verbatim"] == {"files": 1, "reached_ir": 1}
    status, out, _ = run_cli("corpus", str(tmp_path))
    assert status == 0 and "parse: 2 passed (50.0%), 2 failed, 0 crashed" in out


def test_corpus_not_a_directory(run_cli, tmp_path):
    status, _, err = run_cli("corpus", str(tmp_path / "missing"))
    assert status == 2 and "is not a directory" in err


def test_console_script_runs_without_traceback(write_mod):
    path = write_mod("NEURON { SUFFIX x\n")
    result = subprocess.run([sys.executable, "-m", "modlc.cli", "check", str(path)], capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and ": error: unexpected end of file" in result.stderr
