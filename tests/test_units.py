"""Tests for modlc.units: constants, conversions, NEURON's syntax rules, aliases,
and oracles that ask NEURON itself (nocmodl / nrnivmodl) for the same numbers."""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neuron_oracle import compile_mechanisms, neuron_tool, run_neuron
from parity import EPS

from modlc.units import (
    BUILTIN_TABLE,
    DIM_NAMES,
    NEURON_NAMES,
    Quantity,
    UnitError,
    UnitTable,
    conversion_factor,
    define_alias,
    is_known_unit,
    parse_unit,
)

# The 2019 SI values NEURON 9 compiles in.
FARADAY = 96485.33212331001
FARADAY_KC = 96.48533212331001
GAS_R = 8.31446261815324  # J/(mol K); NEURON's (k-mole) (joule/degC), see test below
E_CHARGE = 1.602176634e-19
AVOGADRO = 6.02214076e23
BOLTZMANN = 1.380649e-23


def rel(a: float, b: float) -> float:
    return abs(a - b) / abs(b)


# How far two evaluations of one unit text may part. A factor here is a product or quotient of at
# most ~10 rounded numbers (table entries such as liter = 1e3 cm³, prefixes, the power in um5),
# each within u = EPS/2 of its decimal value, with one rounding (u) per operation: <= 20u a side.
# Against a decimal literal (itself within u), or against NEURON's own evaluation (another <= 20u),
# at most 40u = 20 EPS = 4.4e-15 (measured: <= 1.2 EPS, and bit for bit against NEURON).
ROUNDING = 20 * EPS
# The SI-defined constants are within one or two roundings of one product (faraday = e mole,
# k-mole = k mole, /10000): <= 3.5 EPS with the literal's own rounding, asserted as 1e-15 (4.5 EPS).


# --------------------------------------------------------------------------
# constants and conversions
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("faraday", "coulomb", FARADAY),
        ("faraday", "coulombs", FARADAY),
        ("faraday", "kilocoulombs", FARADAY_KC),
        ("faraday", "10000 coulomb", FARADAY / 10000),
        # "k" is Boltzmann's constant and "mole" Avogadro's number, so k-mole is
        # the gas constant in J/K: 8.314..., which is what NEURON compiles.
        ("k-mole", "joule/degC", GAS_R),
        ("e", "coulomb", E_CHARGE),
        ("pi", "1", math.pi),
        ("mole", "1", AVOGADRO),
        ("k", "joule/degC", BOLTZMANN),
    ],
)
@pytest.mark.vs_published
def test_exact_constants(source: str, target: str, expected: float) -> None:
    assert rel(conversion_factor(source, target), expected) <= 1e-15


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("mA/cm2", "A/m2", 10.0),
        ("mV", "V", 1e-3),
        ("um", "cm", 1e-4),
        ("nA", "mA", 1e-6),
        ("uS", "S", 1e-6),
        ("uS", "siemens", 1e-6),
        ("umho", "S", 1e-6),
        ("mho", "S", 1.0),
        ("mho/cm2", "S/cm2", 1.0),
        ("S/cm2", "mS/cm2", 1e3),
        ("pS/um2", "S/cm2", 1e-4),
        ("mM", "mol/m3", 1.0),  # M is mol/liter and mol counts moles: mM == mmol/liter
        ("mM", "milli/liter", 1.0),  # NEURON's own spelling of mM
        ("uM", "mM", 1e-3),
        ("molar", "1/liter", 1.0),
        ("/ms", "/s", 1000.0),
        ("1/ms", "/s", 1000.0),
        ("degC", "K", 1.0),
        ("degC", "kelvin", 1.0),
        ("ms", "s", 1e-3),
        ("ohm cm", "ohm m", 1e-2),
        ("megohm", "ohm", 1e6),
        ("MOhm", "ohm", 1e6),
        ("micro-S", "S", 1e-6),
        ("ms mV", "s V", 1e-6),
        ("uF/cm2", "F/m2", 1e-2),
        ("um2", "cm2", 1e-8),
        ("liter", "cm3", 1e3),
        ("nanoamp", "milliamp", 1e-6),
        ("picosiemens", "S", 1e-12),
        ("1", "", 1.0),
        ("", "1", 1.0),
    ],
)
@pytest.mark.vs_closed_form
def test_conversions(source: str, target: str, expected: float) -> None:
    assert rel(conversion_factor(source, target), expected) <= ROUNDING


def test_quantities_and_dims() -> None:
    assert DIM_NAMES == ("m", "kg", "s", "A", "K", "mol", "cd")
    assert parse_unit("") == Quantity(1.0, (0,) * 7)
    assert parse_unit("1") == Quantity(1.0, (0,) * 7)
    assert parse_unit("mV").dims == (2, 1, -3, -1, 0, 0, 0)
    assert parse_unit("mA/cm2").dims == (-2, 0, 0, 1, 0, 0, 0)
    assert parse_unit("degC").dims == (0, 0, 0, 0, 1, 0, 0)
    # moles are counts (NEURON's convention): no built-in unit carries mol
    for text in ("mole", "mol", "mM", "faraday", "k-mole", "mol/cm2"):
        assert parse_unit(text).dims[DIM_NAMES.index("mol")] == 0
    assert parse_unit("faraday").dims == parse_unit("coulomb").dims
    assert (parse_unit("mA") / parse_unit("cm2")).factor == pytest.approx(parse_unit("mA/cm2").factor, rel=1e-15)
    assert parse_unit("cm") ** 2 == Quantity(parse_unit("cm").factor ** 2, parse_unit("cm2").dims)
    assert parse_unit("100").dimensionless and parse_unit("100").factor == 100.0


# --------------------------------------------------------------------------
# NEURON's units syntax (each rule checked against nocmodl, see the oracle)
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("cm2", "cm cm", 1.0),  # trailing digit is a power
        ("/ms mM", "/ms/mM", 1.0),  # everything after '/' divides
        ("/mM-ms", "/mM ms", 1.0),  # '-' multiplies
        ("milli-cm2/liter-milliamp-ms", "cm2/liter mA ms", 1e-3),
        ("cm-2", "cm", 1.0),  # no negative powers: "-2" is a separator and a bare digit
        ("mM-1 ms-1", "mM ms", 1.0),
        ("1+8 um5/ms", "um5/ms", 1e8),  # leading number, exponent without 'e'
        ("1-10 um2/ms", "um2/ms", 1e-10),
        (".001 coul/cm3", "coulomb/liter", 1.0),
        ("1|3 sec", "sec", 1 / 3),
        ("3 1", "1", 3.0),
        ("milli", "1", 1e-3),  # a bare prefix is a number
        ("milli/liter", "mM", 1.0),
        ("kilocoulombs", "coulomb", 1e3),  # prefix, then plural
        ("megaohms", "ohm", 1e6),
        ("decinanometer", "angstrom", 1.0),  # prefixes stack
        ("hours", "sec", 3600.0),
        ("cms", "cm", 1.0),
        ("mins", "s", 60.0),  # plural of min, not milli-inch
    ],
)
def test_neuron_syntax(source: str, target: str, expected: float) -> None:
    assert rel(conversion_factor(source, target), expected) <= ROUNDING


def test_neuron_quirks() -> None:
    # only the leading number is a number: here "e" is the elementary charge
    assert rel(conversion_factor("liter/1e15", "liter/coulomb"), 1 / E_CHARGE) <= 1e-15
    assert parse_unit("1e-3").factor == E_CHARGE
    assert rel(conversion_factor("g", "m/s2"), 9.80665) <= 1e-15  # gravity, not gram
    assert conversion_factor("da", "hour") == 24.0  # a day, not deka
    assert conversion_factor("mhz", "Hz") == 1e6
    assert rel(conversion_factor("degree", "1"), 1 / 360) <= 1e-15
    assert rel(conversion_factor("degF", "degC"), 5 / 9) <= 1e-15
    assert rel(conversion_factor("kilomole", "mole"), 1e3) <= 1e-15


def test_extensions_where_neuron_fails() -> None:
    # NEURON has no one-letter prefixes, no "S", "M", "A", "mol"
    for text in ("mV", "mA", "uS", "mM", "S", "um", "mol"):
        assert is_known_unit(text)
        assert not is_known_unit(text, strict=True), text
    for text in ("millivolt", "milliamp", "microsiemens", "micron", "milli/liter", "k-mole", "mho/cm2"):
        assert is_known_unit(text, strict=True), text
    assert conversion_factor("mA/cm^2", "mA/cm2") == 1.0
    assert conversion_factor("cm^-2", "/cm2") == 1.0
    assert conversion_factor("cm**2", "cm2") == 1.0
    assert rel(conversion_factor("mM*cm2/mA", "mM cm2/mA"), 1.0) <= 1e-15
    assert conversion_factor("umho umho /ms", "uS2/ms") == pytest.approx(1.0, rel=1e-15)
    assert conversion_factor("\u00b5m", "um") == 1.0
    # unambiguous case slips
    assert conversion_factor("DegC", "degC") == 1.0
    assert conversion_factor("mv", "mV") == 1.0
    assert conversion_factor("deg", "K") == 1.0
    # but k/K, s/S, c/C stay distinct
    assert parse_unit("k").dims != parse_unit("K").dims
    assert parse_unit("s").dims != parse_unit("S").dims
    with pytest.raises(UnitError):
        conversion_factor("mV", "mV", strict=True)


def test_caching_returns_same_object() -> None:
    assert parse_unit("mA/cm2") is parse_unit("mA/cm2")


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------


def test_dimension_mismatch_names_both_units() -> None:
    with pytest.raises(UnitError) as err:
        conversion_factor("mA/cm2", "mV")
    assert "mA/cm2" in str(err.value) and "mV" in str(err.value)
    with pytest.raises(UnitError):
        conversion_factor("degC", "1")


@pytest.mark.parametrize(("text", "bad"), [("furlong", "furlong"), ("furlong/s", "furlong"), ("mA/foo2", "foo")])
def test_unknown_unit_is_named(text: str, bad: str) -> None:
    with pytest.raises(UnitError, match=f"unknown unit '{bad}'"):
        parse_unit(text)
    assert not is_known_unit(text)


def test_unit_error_is_value_error() -> None:
    assert issubclass(UnitError, ValueError)
    for text in ("1|0 m", "cm^", "^2", "cm^999", "**"):
        with pytest.raises(UnitError):
            parse_unit(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="mcuVASKk/-*^ 0123456789.|+eMsliter", max_size=12))
def test_any_text_parses_or_raises_unit_error(text: str) -> None:
    try:
        q = parse_unit(text)
    except UnitError:
        return
    assert isinstance(q.factor, float) and len(q.dims) == len(DIM_NAMES)


# --------------------------------------------------------------------------
# per-file aliases
# --------------------------------------------------------------------------


def test_alias_does_not_leak_into_builtin_table() -> None:
    table = UnitTable()
    table.define("mA", "milliamp")
    table.define("msM", "ms mM")
    define_alias(table, "mollar", "1/liter")
    assert conversion_factor("msM", "ms mM", table) == 1.0
    assert conversion_factor("millimollar", "mM", table) == pytest.approx(1.0, rel=1e-15)
    assert is_known_unit("msM", table)
    assert not is_known_unit("msM")
    assert not is_known_unit("mollar")
    assert not BUILTIN_TABLE.defines("msM")
    other = UnitTable()
    assert not is_known_unit("msM", other)


def test_alias_can_shadow_extension_names_only() -> None:
    table = UnitTable()
    table.define("mol", "1")
    table.define("S", "siemens")
    table.define("M", "1/liter")
    table.define("um", "micron")
    assert conversion_factor("mol/cm2", "1/cm2", table) == 1.0
    with pytest.raises(UnitError, match="redefinition"):
        table.define("um", "micron")
    # names from NEURON's own table cannot be redefined (NEURON stops too)
    with pytest.raises(UnitError, match="redefinition"):
        table.define("ms", "milliseconds")
    with pytest.raises(UnitError):
        BUILTIN_TABLE.define("furlong", "201.168 m")
    assert not is_known_unit("furlong")


def test_alias_is_evaluated_when_defined() -> None:
    table = UnitTable()
    with pytest.raises(UnitError, match="millamp"):
        table.define("mA", "millamp")
    table.define("celsius", "degC")
    assert conversion_factor("celsius", "K", table) == 1.0
    # a name with a digit can be defined but, as in NEURON, never looked up:
    # "um3" always reads as um cubed
    table.define("um3", "liter/1e15")
    assert rel(conversion_factor("um3", "m3", table), 1e-18) <= ROUNDING


def test_import_is_light() -> None:
    # Importing the units table must not pull in a heavy library (sympy, numpy, lark...): only the
    # standard library and modlc itself. (This used to time the import against 50 ms, which a
    # loaded machine misses: 65 ms measured on a shared two-core box.)
    code = (
        "import sys; before = set(sys.modules); import modlc.units; "
        "print(' '.join(sorted(m for m in set(sys.modules) - before "
        "if m.split('.')[0] not in sys.stdlib_module_names)))"
    )
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env, cwd=root)
    assert proc.stdout.split() == ["modlc", "modlc.units"]


# --------------------------------------------------------------------------
# oracles: NEURON itself
# --------------------------------------------------------------------------


def _units_block_constants(cpp: str) -> dict[str, float]:
    """UNITS-block constants as nocmodl writes them: ``static double X = <hex>;``."""
    pattern = re.compile(r"static double (\w+) = (0x[0-9a-fp.+-]+);")
    return {m.group(1): float.fromhex(m.group(2)) for m in pattern.finditer(cpp)}


# Pairs only NEURON's own rules can evaluate (nocmodl rejects mV, S, ...).
ORACLE_PAIRS = [
    ("faraday", "coulomb"),
    ("faraday", "kilocoulombs"),
    ("faraday", "10000 coulomb"),
    ("k-mole", "joule/degC"),
    ("e", "coulomb"),
    ("pi", "1"),
    ("kilocoulombs", "coulomb"),
    ("/millisec/millivolt", "/sec-volt"),
    ("mho/cm2", "siemens/m2"),
    ("micron2", "cm2"),
    ("1+8 micron5/millisec", "micron5/sec"),
    ("1-10 micron2/ms", "1"),
    (".001 coul/cm3", "coulomb/liter"),
    ("hours", "sec"),
    ("1/megohm", "mho"),
    ("1|3 sec", "sec"),
    ("3 1", "1"),
    ("cm cm", "cm2"),
    ("milli-cm2/liter-milliamp-ms", "1"),
    ("1e-3", "1"),
    ("decinanometer", "m"),
    ("cms", "cm"),
    ("cm-2", "cm"),
    ("liter/1e15", "liter"),
    ("megaohms", "ohm"),
    ("milli/liter", "1"),
    ("micro/liter", "1"),
    ("joule/kelvin/mole", "1"),
    ("coul/mole", "1"),
    ("nanoamp/cm2", "milliamp/cm2"),
    ("degF", "degC"),
    ("planck", "joule-sec"),
    ("hbar", "joule-sec"),
]


@pytest.mark.vs_neuron
def test_oracle_nocmodl_every_native_name_and_rule(tmp_path: Path) -> None:
    """nocmodl evaluates a UNITS block; every name shared with NEURON's table
    and every syntax rule must give NEURON's number (to the bit, as it happens; asserted to the
    rounding two evaluation orders allow)."""
    pairs = [(n, "1") for n in sorted(NEURON_NAMES)] + ORACLE_PAIRS
    body = "\n".join(f"  X{i} = ({a}) ({b})" for i, (a, b) in enumerate(pairs))
    (tmp_path / "units_oracle.mod").write_text(f"NEURON {{ SUFFIX units_oracle }}\nUNITS {{\n{body}\n}}\n")
    proc = subprocess.run(
        [neuron_tool("nocmodl"), "units_oracle.mod"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    got = _units_block_constants((tmp_path / "units_oracle.cpp").read_text())
    assert len(got) == len(pairs)
    for i, (a, b) in enumerate(pairs):
        neuron = got[f"X{i}"]
        mine = parse_unit(a, strict=True).factor / parse_unit(b, strict=True).factor
        assert rel(mine, neuron) <= ROUNDING, (a, b, mine, neuron)


ORACLE_MOD = """\
NEURON {
    SUFFIX units_oracle2
}
UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (mM) = (milli/liter)
    (um) = (micron)
    FARADAY = (faraday) (coulomb)
    FK = (faraday) (kilocoulombs)
    F4 = (faraday) (10000 coulomb)
    R = (k-mole) (joule/degC)
    E = (e) (coulomb)
    PI = (pi) (1)
    KB = (k) (joule/degC)
    VSCALE = (mV) (volt)
    CSCALE = (mA/cm2) (ampere/m2)
    ISCALE = (mA) (nanoamp)
    DSCALE = (um) (cm)
}
FUNCTION get_FARADAY() { get_FARADAY = FARADAY }
FUNCTION get_FK() { get_FK = FK }
FUNCTION get_F4() { get_F4 = F4 }
FUNCTION get_R() { get_R = R }
FUNCTION get_E() { get_E = E }
FUNCTION get_PI() { get_PI = PI }
FUNCTION get_KB() { get_KB = KB }
FUNCTION get_VSCALE() { get_VSCALE = VSCALE }
FUNCTION get_CSCALE() { get_CSCALE = CSCALE }
FUNCTION get_ISCALE() { get_ISCALE = ISCALE }
FUNCTION get_DSCALE() { get_DSCALE = DSCALE }
"""

ORACLE_CONSTANTS = {
    "FARADAY": ("faraday", "coulomb"),
    "FK": ("faraday", "kilocoulombs"),
    "F4": ("faraday", "10000 coulomb"),
    "R": ("k-mole", "joule/degC"),
    "E": ("e", "coulomb"),
    "PI": ("pi", "1"),
    "KB": ("k", "joule/degC"),
    "VSCALE": ("mV", "volt"),
    "CSCALE": ("mA/cm2", "ampere/m2"),
    "ISCALE": ("mA", "nanoamp"),
    "DSCALE": ("um", "cm"),
}

READ_CONSTANTS = """
sec = h.Section(name="s")
sec.insert(NAMES["units_oracle2"])
emit({n: getattr(h, "get_" + n + "_units_oracle2")() for n in %r})
"""


@pytest.mark.vs_neuron
def test_oracle_nrnivmodl_compiled_constants(tmp_path: Path) -> None:
    """Compile a mechanism with NEURON and read the UNITS constants back at run time."""
    source = tmp_path / "units_oracle2.mod"
    source.write_text(ORACLE_MOD)
    compiled = compile_mechanisms([source], tmp_path / "build", rename=False)
    values = run_neuron(READ_CONSTANTS % list(ORACLE_CONSTANTS), compiled)
    table = UnitTable()  # the same aliases, registered the way the analyser will
    for name, text in [("mA", "milliamp"), ("mV", "millivolt"), ("mM", "milli/liter"), ("um", "micron")]:
        table.define(name, text)
    for name, (a, b) in ORACLE_CONSTANTS.items():
        assert rel(conversion_factor(a, b, table), values[name]) <= ROUNDING, (name, values[name])
        assert rel(conversion_factor(a, b), values[name]) <= ROUNDING, (name, values[name])  # built-ins agree
    assert rel(values["R"], GAS_R) <= 1e-15
    assert rel(values["FARADAY"], FARADAY) <= 1e-15
