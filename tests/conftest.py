"""Shared test helpers: run the CLI in-process and capture what a user would see."""

from __future__ import annotations

import json
import os
import textwrap

import pytest

from modlc.cli import main


@pytest.fixture
def run_cli(capsys):
    """Run `modlc ARGS...` in-process; returns (exit status, stdout, stderr)."""

    def run(*args: str):
        try:
            status = main(list(args))
        except SystemExit as e:  # argparse: --help, --version, usage errors
            status = e.code
        out, err = capsys.readouterr()
        return status, out, err

    return run


@pytest.fixture
def write_mod(tmp_path):
    """Write a dedented .mod snippet into tmp_path and return its path."""

    def write(text: str, name: str = "t.mod"):
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        return path

    return write


# ----- what each test compares against (README, "Tests") -------------------------------------------
REFERENCES = {
    "vs_neuron": "compares modlc's results with NEURON 9 running the same .mod files and model",
    "neuron_only": "runs NEURON alone: our .mod files against NEURON's built-in mechanisms (no modlc)",
    "vs_closed_form": "compares with a closed form, exact (rational) arithmetic or a hand-derived recursion",
    "vs_published": "compares with a model's published reference numbers or properties",
    "vs_simulator": "compares with another simulator of the same model (Jaxley, the hand-written IO kernel)",
    "vs_backends": "compares modlc with itself on another backend, precision, thread count or chunking",
}
CENSUS = pytest.StashKey[dict]()


def pytest_configure(config):
    for name, text in REFERENCES.items():
        config.addinivalue_line("markers", f"{name}: {text}")


def census(items) -> dict:
    """How many collected tests compare against each kind of reference, and from which files."""
    counts = {name: sum(1 for item in items if item.get_closest_marker(name)) for name in REFERENCES}
    return {"total": len(items), "files": sorted({item.path.name for item in items}), **counts}


CENSUS_OUTPUT = "MODLC_TEST_CENSUS"  # set: `pytest --collect-only` prints the census as JSON


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(session, config, items):
    """The census of everything collected, taken before -k or -m deselect anything."""
    config.stash[CENSUS] = census(items)
    if os.environ.get(CENSUS_OUTPUT):
        print(CENSUS_OUTPUT + json.dumps(config.stash[CENSUS]))
