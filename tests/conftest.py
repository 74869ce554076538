"""Shared test helpers: run the CLI in-process and capture what a user would see."""

from __future__ import annotations

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
