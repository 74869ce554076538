"""Exact error messages: the format `file:line:col: error: message`, the source line, the caret,
and exit status 2 -- for syntax errors and for every semantic check."""

from __future__ import annotations

import pytest


def _check(run_cli, path):
    status, out, err = run_cli("check", str(path))
    return status, err.replace(str(path), "t.mod")


SYNTAX_CASES = [
    (
        "NEURON { SUFFIX x }\nBREAKPOINT {\n\tb = 1 +\n}\n",
        "t.mod:4:1: error: unexpected '}'; expected '!', '(', '+', '-', a derivative such as x', a name, a number, a string\n}\n^\n",
    ),
    (
        "NEURON { SUFFIX x\n",
        "t.mod:2:1: error: unexpected end of file (a block is not closed?); expected '}', "
        "RANGE/GLOBAL/…, REPRESENTS, SUFFIX/POINT_PROCESS, THREADSAFE, UNITSOFF, UNITSON, USEION, VERBATIM\n\n^\n",
    ),
    (
        "NEURON { SUFFIX x }\nVERBATIM\nint x;\n",
        "t.mod:2:1: error: VERBATIM block is not closed by ENDVERBATIM\nVERBATIM\n^\n",
    ),
    (
        "COMMENT\nnever closed\n",
        "t.mod:1:1: error: COMMENT block is not closed by ENDCOMMENT\nCOMMENT\n^\n",
    ),
    (
        "NEURON { SUFFIX x }\nWHITE_NOISE { w }\n",
        "t.mod:2:1: error: 'WHITE_NOISE' belongs to Arbor's NMODL dialect, which NEURON (and modlc) do not support\n"
        "WHITE_NOISE { w }\n^\n",
    ),
    (
        "NEURON { VOLTAGE_PROCESS vc }\n",
        "t.mod:1:10: error: 'VOLTAGE_PROCESS' belongs to Arbor's NMODL dialect, which NEURON (and modlc) do not support\n"
        "NEURON { VOLTAGE_PROCESS vc }\n         ^\n",
    ),
    (
        "PARAMETER { a = 1 (mV }\n",
        "t.mod:1:19: error: units are not closed by ')' on the same line\nPARAMETER { a = 1 (mV }\n                  ^\n",
    ),
    (
        "INITIAL { printf(\"oops) }\n",
        "t.mod:1:18: error: string is not closed by '\"' on the same line\nINITIAL { printf(\"oops) }\n                 ^\n",
    ),
    (
        "FOO { }\n",
        "t.mod:1:1: error: unexpected name 'FOO'; expected a top-level block (NEURON, PARAMETER, STATE, ASSIGNED, BREAKPOINT, …)\n"
        "FOO { }\n^\n",
    ),
    (
        "INITIAL {\n\tx = 1 $ 2\n}\n",
        "t.mod:2:8: error: unexpected character '$'; expected a statement, '&&', '*' or '/', '+' or '-', "
        "'^', '||', '}', a comparison, units such as (mV)\n\tx = 1 $ 2\n\t      ^\n",
    ),
]


@pytest.mark.parametrize("text,expected", SYNTAX_CASES)
def test_syntax_error_messages(run_cli, tmp_path, text, expected):
    path = tmp_path / "t.mod"
    path.write_text(text)
    status, err = _check(run_cli, path)
    assert status == 2
    assert err == expected


HEADER = """NEURON { SUFFIX x RANGE g }
PARAMETER { g = 1 }
"""

SEMANTIC_CASES = [
    ("BREAKPOINT { g = g * undefined_name }", "undefined name 'undefined_name'"),
    ("BREAKPOINT { g = nofunc(1) }", "call of undefined function 'nofunc'"),
    ("ASSIGNED { g }", "'g' is declared twice (first as parameter at t.mod:2:13)"),
    ("STATE { a b }\nDERIVATIVE d { ~ a <-> b (1, 1) }\nBREAKPOINT { SOLVE d METHOD sparse }",
     "a reaction (~ ... <-> ...) is allowed only in a KINETIC block, not in DERIVATIVE d"),
    ("BREAKPOINT { SOLVE nothing METHOD cnexp }", "SOLVE nothing: no DERIVATIVE, KINETIC, LINEAR, NONLINEAR or PROCEDURE block of that name"),
    ("STATE { m }\nDERIVATIVE d { m' = -m }\nBREAKPOINT { SOLVE d METHOD magic }", "unknown METHOD 'magic'"),
    ("DERIVATIVE d { g' = -g }", "derivative g' of 'g', which is a parameter, not a STATE"),
    ("CONSTANT { c = 2 }\nINITIAL { c = 3 }", "assignment to constant 'c'"),
    ("INITIAL { g = exprelr(1) }", "'exprelr' is a function of Arbor's NMODL dialect; NEURON has no such function"),
    ("FUNCTION_TABLE tab() (ms)", "FUNCTION_TABLE tab must have at least one argument"),
    ("UNITS { K = (faraday) (volt) }", "cannot convert (faraday) to (volt)"),
]


@pytest.mark.parametrize("body,message", SEMANTIC_CASES)
def test_semantic_error_messages(run_cli, write_mod, body, message):
    path = write_mod(HEADER + body + "\n")
    status, err = _check(run_cli, path)
    assert status == 2
    first = err.splitlines()[0]
    assert first.startswith("t.mod:")
    assert ": error: " + message in first


def test_wrong_ion_variable(run_cli, write_mod):
    path = write_mod("NEURON {\n  SUFFIX x\n  USEION na READ ek\n}\n")
    status, err = _check(run_cli, path)
    assert status == 2
    assert err.splitlines()[0] == "t.mod:3:18: error: 'ek' is not a variable of ion 'na' (expected one of ena, ina, nai, nao)"


def test_second_suffix(run_cli, write_mod):
    path = write_mod("NEURON {\n  SUFFIX a\n  SUFFIX b\n}\n")
    status, err = _check(run_cli, path)
    assert status == 2
    assert err.splitlines()[0] == "t.mod:3:3: error: a second SUFFIX (the mechanism is already named 'a')"


def test_verbatim_makes_undefined_names_warnings(run_cli, write_mod):
    path = write_mod(HEADER + "VERBATIM\nstatic double helper(double x) { return x; }\nENDVERBATIM\n"
                     "BREAKPOINT { g = helper(2) }\n")
    status, err = _check(run_cli, path)
    assert status == 0
    assert ": warning: call of undefined function 'helper' (perhaps defined in VERBATIM C code" in err


def test_state_without_equation_is_a_warning(run_cli, write_mod):
    path = write_mod(HEADER + "STATE { s }\n")
    status, err = _check(run_cli, path)
    assert status == 0
    assert err.splitlines()[0] == "t.mod:3:9: warning: STATE 's' has no equation (no s' = …, reaction or assignment)"


def test_missing_file(run_cli, tmp_path):
    status, out, err = run_cli("check", str(tmp_path / "absent.mod"))
    assert status == 2 and out == ""
    assert err.strip() == f"error: {tmp_path / 'absent.mod'}: cannot read: No such file or directory"


def test_missing_include(run_cli, write_mod):
    path = write_mod('INCLUDE "nowhere.inc"\n')
    status, err = _check(run_cli, path)
    assert status == 2
    assert err.startswith('t.mod:1:1: error: INCLUDE "nowhere.inc": file not found')


def test_include_cycle(run_cli, write_mod):
    write_mod('INCLUDE "a.inc"\n', name="b.inc")
    write_mod('INCLUDE "b.inc"\n', name="a.inc")
    path = write_mod('INCLUDE "a.inc"\n')
    status, err = _check(run_cli, path)
    assert status == 2
    assert 'includes itself (a cycle)' in err


def test_errors_in_included_file_point_into_it(run_cli, write_mod, tmp_path):
    write_mod("PROCEDURE p() {\n  x = \n}\n", name="sub.inc")
    path = write_mod('NEURON { SUFFIX x }\nINCLUDE "sub.inc"\n')
    status, out, err = run_cli("check", str(path))
    assert status == 2 and out == ""
    assert err.startswith(f"{tmp_path / 'sub.inc'}:3:1: error: unexpected '}}'")
