"""The symbol table: roles, units, declaration sites, NEURON-block resolution and UNITS values."""

from __future__ import annotations

import textwrap

import pytest

from modlc.parser import parse_text
from modlc.semantics import analyse


def table_of(text: str):
    return analyse(parse_text(textwrap.dedent(text), "t.mod"))


CHANNEL = """
NEURON {
    SUFFIX kca
    USEION k READ ek WRITE ik
    USEION ca READ cai VALENCE 2
    RANGE gbar, g
    GLOBAL tau
}
UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    FARADAY = (faraday) (coulomb)
    R = (k-mole) (joule/degC)
}
PARAMETER { gbar = 0.01 (S/cm2) <0,1e9>  tau = 2 (ms) }
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) cai (mM) g (S/cm2) }
STATE { w }
BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar * w
    ik = g * (v - ek)
}
INITIAL { w = 0 }
DERIVATIVE states { w' = (cai / (cai + 1e-3) - w) / tau }
"""


def test_roles_units_and_sites():
    table = table_of(CHANNEL)
    assert not table.errors, table.errors
    assert (table.mechanism, table.kind) == ("kca", "density")
    gbar = table.symbols["gbar"]
    assert (gbar.role, gbar.units, gbar.value, gbar.loc.line) == ("parameter", "S/cm2", 0.01, 15)
    assert "range" in gbar.flags and "global" in table.symbols["tau"].flags
    assert table.symbols["w"].role == "state"
    assert table.symbols["states"].role == "derivative_block"
    assert {"read:k"} <= table.symbols["ek"].flags and {"write:k"} <= table.symbols["ik"].flags
    assert [(i.name, i.valence) for i in table.ions] == [("k", None), ("ca", 2.0)]


def test_units_block_constants_are_neuron9_values():
    table = table_of(CHANNEL)
    # e·N_A and k·N_A of the 2019 SI's exact constants, correctly rounded by hand: the table's
    # rounded e (or k) and N_A and their product, 3u, against the literal's u: 2 EPS of 4.5 allowed
    assert table.symbols["FARADAY"].value == pytest.approx(96485.33212331001, rel=1e-15)
    assert table.symbols["R"].value == pytest.approx(8.31446261815324, rel=1e-15)


@pytest.mark.parametrize(
    "kind,expected", [("SUFFIX", "density"), ("POINT_PROCESS", "point"), ("ARTIFICIAL_CELL", "artificial")]
)
def test_mechanism_kind(kind, expected):
    assert table_of(f"NEURON {{ {kind} m }}").kind == expected


def test_no_neuron_block_takes_the_file_name():
    table = analyse(parse_text("PARAMETER { a = 1 }", "dir/leak.mod"))
    assert (table.mechanism, table.kind) == ("leak", "density")


def test_locals_parameters_loops_and_net_receive_scope():
    table = table_of("""
        NEURON { POINT_PROCESS syn RANGE g }
        ASSIGNED { g }
        FUNCTION f(x (mV)) (1) { LOCAL y  y = x * 2  f = y }
        PROCEDURE p() { LOCAL i  FROM i = 0 TO 3 { g = g + f(i) } }
        NET_RECEIVE(w (uS)) {
            INITIAL { g = 0 }
            if (flag == 1) { g = g + w } else { net_send(1, 1) }
        }
    """)
    assert not table.errors, table.errors
    assert table.symbols["f"].role == "function" and table.symbols["f"].units == "1"
    # locals, formals, the loop index and NET_RECEIVE's arguments stay in their blocks...
    assert not {"x", "y", "i", "w", "flag"} & set(table.symbols)
    # ... and are unknown outside them: the clean result above is scoping, not leniency
    outside = table_of("""
        NEURON { SUFFIX s }
        ASSIGNED { g }
        FUNCTION f(x) { LOCAL y  y = x  f = y }
        INITIAL { g = y + x }
    """)
    assert [d.message for d in outside.errors] == ["undefined name 'y'", "undefined name 'x'"]


def test_kinetic_species_count_as_solved_states():
    table = table_of("""
        NEURON { SUFFIX k }
        STATE { c o }
        KINETIC kin { ~ c <-> o (1, 2)  CONSERVE c + o = 1 }
        BREAKPOINT { SOLVE kin METHOD sparse }
    """)
    assert table.diagnostics == []


def test_builtins_need_no_declaration():
    table = table_of("NEURON { SUFFIX b }\nASSIGNED { x }\nBREAKPOINT { x = v + t + dt + celsius + area + diam + PI }")
    assert table.diagnostics == []
