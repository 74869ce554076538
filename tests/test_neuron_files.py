"""Every .mod file shipped inside the installed `neuron` package passes `modlc check`.

The files are read in place from the wheel (never copied into this repository)."""

from __future__ import annotations

from pathlib import Path

import neuron
import pytest

from modlc.parser import parse_file
from modlc.semantics import analyse

NEURON_ROOT = Path(neuron.__file__).parent
NEURON_MOD_FILES = sorted(NEURON_ROOT.rglob("*.mod"))


def test_the_wheel_ships_mod_files():
    # Guards the parametrised test below against silently running on nothing.
    assert len(NEURON_MOD_FILES) >= 15, NEURON_MOD_FILES


@pytest.mark.parametrize("path", NEURON_MOD_FILES, ids=lambda p: str(p.relative_to(NEURON_ROOT)))
def test_neuron_shipped_file_checks_clean(path, run_cli):
    status, out, err = run_cli("check", "--quiet", str(path))
    assert status == 0, err
    assert (out, err) == ("", "")


@pytest.mark.parametrize("name", ["hh.mod", "expsyn.mod", "netstim.mod"])
def test_neuron_files_symbols(name):
    path = next(p for p in NEURON_MOD_FILES if p.name == name and "modfile" in p.parts)
    table = analyse(parse_file(path))
    assert not table.errors
    if name == "hh.mod":
        assert (table.mechanism, table.kind) == ("hh", "density")
        assert {i.name for i in table.ions} == {"na", "k"}
        assert table.symbols["gnabar"].value == 0.12
        assert table.symbols["m"].role == "state"
    elif name == "expsyn.mod":
        assert (table.mechanism, table.kind) == ("ExpSyn", "point")
    else:
        assert (table.mechanism, table.kind) == ("NetStim", "artificial")
