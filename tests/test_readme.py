"""The README's account of the suite is the suite: how many tests compare against each reference."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import CENSUS, CENSUS_OUTPUT, REFERENCES

TESTS = Path(__file__).resolve().parent
README = TESTS.parent / "README.md"


def full_census(config) -> dict:
    """The census this session took, if it collected every test file; else a fresh collection."""
    taken = config.stash.get(CENSUS, None)
    if taken is not None and taken["files"] == sorted(p.name for p in TESTS.glob("test_*.py")):
        return taken
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", str(TESTS)],
                          capture_output=True, text=True, env={**os.environ, CENSUS_OUTPUT: "1"}, cwd=TESTS.parent)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith(CENSUS_OUTPUT)), None)
    assert line is not None, proc.stdout[-3000:] + proc.stderr[-3000:]
    return json.loads(line[len(CENSUS_OUTPUT):])


def test_readme_counts_what_each_test_compares_against(request):
    """Every row `| ... (`marker`) | N |` of the README's table of references, and its total."""
    stated = {m.group(1): int(m.group(2)) for m in re.finditer(r"\(`(\w+)`\) \| (\d+) \|", README.read_text())}
    census = full_census(request.config)
    assert stated == {name: census[name] for name in [*REFERENCES, "total"]}, census
