"""The README's runtime snippet and the examples run as written."""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "examples"))

# Each example briefly (small network, short run), on each compiled backend and in both precisions
# (float64 on JAX and ONNX, float32 on TensorFlow and ONNX): it must finish, print its summary and
# write its figure. Their science is tested in test_<model>.py.
BRIEF = {
    "hh_cell": ["--cells", "3", "--tstop", "30"],
    "hh_axon": ["--cells", "1", "--tstop", "5"],
    "inferior_olive": ["--cells", "64", "--tstop", "20"],
    "ping": ["--cells", "20", "--tstop", "20"],
    "antennal_lobe": ["--cells", "8", "--tstop", "20"],
}
RUNS = [("jax", "float64"), ("tf", "float32"), ("onnx", "float32"), ("onnx", "float64")]


@pytest.mark.parametrize("backend,dtype", RUNS)
@pytest.mark.parametrize("name", sorted(BRIEF))
def test_example_runs_briefly(name, backend, dtype, tmp_path, capsys):
    example = importlib.import_module(name)
    example.main(BRIEF[name] + ["--backend", backend, "--dtype", dtype, "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert f"{backend} {dtype}," in out and "compile included" in out
    figure = tmp_path / f"{name}.png"
    assert figure.stat().st_size > 20_000  # a real figure, not an empty canvas


def test_readme_runtime_snippet_runs(monkeypatch):
    text = (ROOT / "README.md").read_text()
    blocks = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "modlc.runtime" in b]
    assert blocks, "the README lost its runtime example"
    monkeypatch.chdir(ROOT)
    namespace: dict = {}
    exec(compile(blocks[0].replace('backend="jax"', 'backend="numpy"'), "README.md", "exec"), namespace)
    result = namespace["result"]
    assert result["v_post"].shape == result.t.shape and result["v_post"].max() > 0  # the second cell fires


def test_two_cells_example_prints_spikes():
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "two_cells.py"), "--backend", "onnx", "--tstop", "20"],
                         capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    spikes = {line.split(" spikes")[0]: [float(x) for x in line.split(":", 1)[1].split()]
              for line in out.stdout.splitlines() if " spikes (ms):" in line}
    pre, post = spikes["presynaptic"], spikes["postsynaptic"]
    assert pre and post and len(post) <= len(pre)
    assert post[0] > pre[0] + 3.0  # the NetCon's delay (the same model is checked against NEURON elsewhere)


@pytest.mark.vs_neuron
@pytest.mark.skipif(importlib.util.find_spec("neuron") is None, reason="needs the neuron package")
def test_neuron_model_example_matches_neuron(tmp_path):
    """NEURON builds its model once per process, so the example runs in its own; the same model in
    NEURON and in modlc (JAX, float64) must agree to rounding (measured ~3e-11 mV)."""
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    env.pop("DISPLAY", None)
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "neuron_model.py"), "--backend", "jax",
                          "--dtype", "float64", "--tstop", "30", "--out", str(tmp_path)],
                         capture_output=True, text=True, env=env, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "jax float64," in out.stdout and "compile included" in out.stdout
    compartments = int(re.search(r"(\d+) compartments", out.stdout).group(1))
    assert compartments >= 200
    max_dv = float(re.search(r"max \|dV\|: (\S+) mV", out.stdout).group(1))
    assert max_dv <= 1e-6
    neuron_spikes, modlc_spikes = map(int, re.search(r"somatic spikes: NEURON (\d+), modlc (\d+)", out.stdout).groups())
    assert neuron_spikes == modlc_spikes > 0
    assert (tmp_path / "neuron_model.png").stat().st_size > 20_000
