"""NEURON builds, modlc simulates: unmodified NEURON scripts through the drop-in switch.

Each script in tests/data/neuron_models runs twice in its own process: plainly in NEURON (9, fixed
step, float64) and as `python -m modlc.neuron SCRIPT -- OUT` (JAX, float64), and what it recorded
is compared. Both integrate the same equations with the same step, so they differ only by
rounding: 1e-6 mV and 1e-6 ms are bounds some five orders above what is measured (~3e-11 mV).
TF and ONNX run the same arithmetic as JAX in another order, so they agree with it to 1e-9 mV.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from modlc.verify.neuron_side import neuron_env, neuron_tool

HERE = Path(__file__).parent / "data" / "neuron_models"
MECHANISMS = Path(__file__).parents[1] / "mechanisms"
VOLTAGE_TOLERANCE = 1e-6  # mV, the bound; measured ~3e-11
SPIKE_TOLERANCE = 1e-6  # ms
BACKEND_TOLERANCE = 1e-9  # mV between modlc's backends


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> Path:
    """The scripts beside their mechanisms, compiled for NEURON with nrnivmodl once."""
    folder = tmp_path_factory.mktemp("neuron_models")
    for path in HERE.iterdir():
        shutil.copy(path, folder / path.name)
    shutil.copy(MECHANISMS / "gap.mod", folder / "gap.mod")
    build = subprocess.run([neuron_tool("nrnivmodl"), "."], cwd=folder, env=neuron_env(), capture_output=True,
                           text=True, timeout=600)
    assert build.returncode == 0, build.stdout + build.stderr
    return folder


def run(folder: Path, script: str, *args: str, modlc: str | None = None, verbose: bool = False) -> subprocess.CompletedProcess:
    """The script in NEURON (modlc=None) or through the switch with that backend."""
    command = [sys.executable, script, *args] if modlc is None else \
        [sys.executable, "-m", "modlc.neuron", "--backend", modlc, *(["-v"] if verbose else []), script, "--", *args]
    return subprocess.run(command, cwd=folder, env=neuron_env(), capture_output=True, text=True, timeout=900)


def recorded(folder: Path, script: str, *args: str, modlc: str | None = None) -> dict:
    out = f"{Path(script).stem}-{modlc or 'neuron'}.npz"
    done = run(folder, script, out, *args, modlc=modlc)
    assert done.returncode == 0, done.stdout + done.stderr
    with np.load(folder / out) as data:
        return {k: data[k] for k in data.files}


@pytest.mark.vs_neuron
def test_3d_morphology_cell_matches_neuron(models):
    """A 3-D reconstruction with tapering sections and distance-dependent hh, ≥ 200 compartments,
    100 ms of spiking: every recorded site, the spike times and the final v written back."""
    neuron, modlc = recorded(models, "pyramid.py"), recorded(models, "pyramid.py", modlc="jax")
    assert int(neuron["compartments"]) >= 200
    assert len(neuron["spikes"]) >= 5  # it spikes
    assert neuron["v"].shape == modlc["v"].shape and np.array_equal(neuron["t"], modlc["t"])  # NEURON's clock, bit for bit
    assert np.abs(neuron["v"] - modlc["v"]).max() <= VOLTAGE_TOLERANCE
    assert len(neuron["spikes"]) == len(modlc["spikes"])
    assert np.abs(neuron["spikes"] - modlc["spikes"]).max() <= SPIKE_TOLERANCE
    assert abs(float(neuron["final_v"]) - float(modlc["final_v"])) <= VOLTAGE_TOLERANCE


@pytest.fixture(scope="module")
def pyramid_jax_25ms(models) -> dict:
    return recorded(models, "pyramid.py", "25", modlc="jax")


@pytest.mark.parametrize("backend", ["tf", "onnx"])
@pytest.mark.vs_backends
def test_3d_morphology_cell_backends_agree(models, pyramid_jax_25ms, backend):
    """25 ms (three spikes' worth of synaptic input and a soma spike) on TF and ONNX against JAX."""
    other = recorded(models, "pyramid.py", "25", modlc=backend)
    assert np.abs(pyramid_jax_25ms["v"] - other["v"]).max() <= BACKEND_TOLERANCE


@pytest.mark.vs_neuron
def test_parallel_context_network_spikes_match_neuron(models):
    """120 branched cells, gid connections with delays, PatternStim and VecStim inputs, two psolve
    calls: the same spikes from pc.spike_record."""
    neuron, modlc = recorded(models, "network.py"), recorded(models, "network.py", modlc="jax")
    assert len(neuron["t"]) > 100 and len(set(neuron["gid"].astype(int))) > 50
    assert len(neuron["t"]) == len(modlc["t"])
    assert np.array_equal(neuron["gid"], modlc["gid"])
    assert np.abs(neuron["t"] - modlc["t"]).max() <= SPIKE_TOLERANCE
    for trace in ("v0", "v1"):
        assert np.abs(neuron[trace] - modlc[trace]).max() <= VOLTAGE_TOLERANCE


def by_gid(spikes: dict) -> tuple[np.ndarray, np.ndarray]:
    """Spikes ordered by (gid, time): two sources firing within rounding of the same instant may
    be recorded in either order."""
    order = np.lexsort((spikes["spike_t"], spikes["spike_gid"]))
    return spikes["spike_gid"][order], spikes["spike_t"][order]


@pytest.mark.vs_neuron
def test_gid_network_read_in_bulk_matches_neuron(models):
    """A network CoreNEURON could run, read from NEURON's CoreNEURON data (no section walk): 3-D
    tapering dendrites with varying densities, ExpSyn/Exp2Syn, NetStims with and without a gid, an
    IClamp, two psolve calls; spikes, v at a root, a centre and an end node, ExpSyn g, m_hh, ina,
    and the final v of every segment."""
    neuron = recorded(models, "gidnet.py")
    done = run(models, "gidnet.py", "gidnet-jax.npz", modlc="jax", verbose=True)
    assert done.returncode == 0, done.stderr
    assert "60 cells" in done.stderr and "(read bulk)" in done.stderr, done.stderr
    with np.load(models / "gidnet-jax.npz") as data:
        modlc = {k: data[k] for k in data.files}
    assert len(neuron["spike_t"]) > 300 and len(set(neuron["spike_gid"].astype(int))) == 61  # every cell and the gid NetStim
    (gid_n, t_n), (gid_m, t_m) = by_gid(neuron), by_gid(modlc)
    assert np.array_equal(gid_n, gid_m)
    assert np.abs(t_n - t_m).max() <= SPIKE_TOLERANCE
    assert np.array_equal(neuron["t"], modlc["t"])
    assert np.abs(neuron["traces"] - modlc["traces"]).max() <= VOLTAGE_TOLERANCE
    assert np.abs(neuron["final_v"] - modlc["final_v"]).max() <= VOLTAGE_TOLERANCE


def test_bulk_read_and_section_walk_give_the_same_network(models):
    """The same model read both ways simulates the same (v ≤ 1e-9 mV, the same spikes)."""
    done = run(models, "routes.py", "routes.npz")
    assert done.returncode == 0, done.stderr
    with np.load(models / "routes.npz") as r:
        assert int(r["bulk_cells"]) == int(r["walk_cells"]) == 60
        assert len(r["bulk_spikes"]) > 50 and r["bulk_spikes"].shape == r["walk_spikes"].shape
        assert np.array_equal(r["bulk_spikes"][:, 0], r["walk_spikes"][:, 0])
        assert np.abs(r["bulk_spikes"] - r["walk_spikes"]).max() <= 1e-9
        assert np.abs(r["bulk_v"] - r["walk_v"]).max() <= 1e-9
        assert str(r["inactive_route"]) == "walk"


@pytest.mark.vs_neuron
def test_gap_junctions_match_neuron(models):
    """source_var/target_var junctions between dendrites and a setpointer pair."""
    neuron, modlc = recorded(models, "gaps.py"), recorded(models, "gaps.py", modlc="jax")
    assert np.ptp(neuron["v"][-3]) > 1.0  # the far cells feel the junctions
    assert np.abs(neuron["v"] - modlc["v"]).max() <= VOLTAGE_TOLERANCE


@pytest.mark.vs_neuron
def test_vector_play_and_seclamp_match_neuron(models):
    neuron, modlc = recorded(models, "play.py"), recorded(models, "play.py", modlc="jax")
    for key in neuron:
        assert neuron[key].shape == modlc[key].shape, key
        assert np.abs(neuron[key] - modlc[key]).max() <= VOLTAGE_TOLERANCE, key


@pytest.mark.vs_neuron
def test_hoc_script_run_is_simulated_by_modlc(models):
    """stdrun's run() from hoc: the final state modlc writes back is what the script prints."""
    hoc = [sys.executable, "-c", "from neuron import h; h.load_file('model.hoc')"]
    neuron = subprocess.run(hoc, cwd=models, env=neuron_env(), capture_output=True, text=True, timeout=300)
    modlc = run(models, "model.hoc", modlc="jax")
    assert neuron.returncode == 0 and modlc.returncode == 0, neuron.stderr + modlc.stderr
    expected = [float(x) for x in neuron.stdout.split("final")[1].split()]
    got = [float(x) for x in modlc.stdout.split("final")[1].split()]
    assert abs(expected[0] - got[0]) < 1e-9
    assert np.abs(np.array(expected[1:]) - np.array(got[1:])).max() <= VOLTAGE_TOLERANCE
    assert abs(expected[1] - (-65.0)) > 1.0  # the run moved v: modlc's values, not finitialize's


def test_unsupported_model_is_refused_with_everything_listed(models):
    done = run(models, "unsupported.py", modlc="jax")
    assert done.returncode == 1
    assert "NEURON ran it" not in done.stdout
    assert "Traceback" not in done.stderr and "nrnbbcore_write" not in done.stderr + done.stdout
    for what in ("extracellular", "fastpas", "CVode", "NetStim with noise"):
        assert what in done.stderr, done.stderr
