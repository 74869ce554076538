"""A hand-written JAX kernel of the inferior-olive network, integrated with synchronous forward Euler.

This is the baseline of benchmark P3 ("the kernel modlc generates from the .mod files takes at most
1.2x the time of a hand-written JAX kernel") and an independent cross-check of modlc: it computes
the network that `examples/inferior_olive.py` builds, run with `Simulation(net, backend="jax",
scheme="explicit")`, but written directly from the published equations rather than from the .mod
files. The cell is the three-compartment model of De Gruijl et al. (2012), PLoS Comput Biol
8:e1002814, as restated in the benchmark of Landsmeer et al. (2024), Neurocomputing 598:127953:

    soma      CaL (k, l), Na (instantaneous m, h), Kdr (n), fast K (x), leak
    axon      Na (ha), fast K (xa), leak
    dendrite  CaH (r), KCa (s) driven by the calcium pool Ca, H (q), leak, Cx36 gap junctions

in mS/cm2, uA/cm2, mV and ms, with C_m = 1 uF/cm2 and the compartments coupled by the published
densities g_int/p1 and g_int/(1 - p2) (seen from the soma), g_int/(1 - p1) (from the dendrite) and
g_int/p2 (from the axon). A gap junction between dendrites i and j carries the density
g_gj * dV * (0.2 + 0.8 exp(-dV^2/100)), dV = Vd_i - Vd_j (Schweighofer et al. 2004).

Every step evaluates all currents and all derivatives from the state at t, then advances every
state by dt times its derivative at once: the calcium seen by the KCa gate is the step's old
calcium, as in modlc's explicit scheme (io_kca runs before io_capool there).

The state is a structure of arrays (one array of `cells` values per state variable); one
`lax.scan` holds the whole run. The junction current is computed once per junction (it is odd in
dV) and scattered into both dendrites, +I into a and -I into b; on CPU that was about 25% faster
than a sorted segment_sum over the two directed copies of each pair.

    python examples/benchmarks/io_kernel.py [--cells 1000] [--tstop 100] [--dtype float64]

times the kernel (first call and warm call) and prints ns per cell-step.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import inferior_olive  # noqa: E402  (only for the benchmark's junction sampler)

STATE_NAMES = ("Vs", "k", "l", "h", "n", "x", "Va", "ha", "xa", "Vd", "Ca", "r", "s", "q")

# The published parameters (mS/cm2, mV, ms)
G_INT, P1, P2 = 0.13, 0.25, 0.15  # compartment coupling, soma/dendrite and axon/soma surface ratios
G_GJ = 0.05  # Cx36 junction conductance density on the dendrite
CM = 1.0  # uF/cm2
V_NA, V_K, V_CA, V_H, V_L = 55.0, -75.0, 120.0, -43.0, 10.0
G_CAL, G_NA_S, G_KDR, G_K_S, G_LS = 1.1, 150.0, 9.0, 5.0, 0.016
G_NA_A, G_K_A, G_LA = 240.0, 240.0, 0.016
G_CAH, G_KCA, G_H, G_LD = 4.5, 35.0, 0.12, 0.01532

# The benchmark's initial gates and calcium (what the .mod files' INITIAL blocks assign)
INITIAL_GATES = dict(k=0.7423159, l=0.0321349, h=0.3596066, n=0.2369847, x=0.1, ha=0.9, xa=0.2369847,
                     Ca=3.715, r=0.0113, s=0.0049291, q=0.0337836)
V_MEAN, V_SD = -60.0, 3.0  # initial potentials: Normal(-60, 3) mV per compartment


def _sampled_potentials(cells: int, rng: np.random.RandomState) -> dict[str, np.ndarray]:
    """Draw the initial potentials as inferior_olive.build does: all somas, then axons, then dendrites."""
    return {name: rng.normal(V_MEAN, V_SD, cells) for name in ("Vs", "Va", "Vd")}


def initial_state(cells: int, seed: int = 42) -> dict[str, np.ndarray]:
    """The 14 state variables of every cell at t = 0 (float64 NumPy arrays of length `cells`)."""
    state = _sampled_potentials(cells, np.random.RandomState(seed))
    state.update({name: np.full(cells, value) for name, value in INITIAL_GATES.items()})
    return {name: state[name] for name in STATE_NAMES}


def junctions(cells: int, seed: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """The undirected junctions (a, b) of the network, sampled by the benchmark's lattice sampler
    from the RandomState that has already drawn the initial potentials (as build() does)."""
    rng = np.random.RandomState(seed)
    _sampled_potentials(cells, rng)
    if cells < 2:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return inferior_olive.lattice_junctions(cells, rng)


def make_run(cells: int, seed: int = 42, dt: float = 0.025, dtype: str = "float64",
             record_every: int = 40, unroll: int = 4) -> Callable:
    """A jitted `run(state, steps)` -> (final state, soma potentials) for the network of `cells`
    cells: `steps` (static, a multiple of `record_every`) forward-Euler steps of dt ms. The soma
    potentials have shape (steps // record_every + 1, cells): Vs at every `record_every`-th step,
    t = 0 included, like the example's recordings."""
    from modlc import backends

    backends.prepare("jax", dtype)
    import jax
    import jax.numpy as jnp

    a, b = junctions(cells, seed)
    ja, jb = jnp.asarray(a, dtype=jnp.int32), jnp.asarray(b, dtype=jnp.int32)
    coupled = len(a) > 0

    g_sd, g_sa = G_INT / P1, G_INT / (1 - P2)  # soma <- dendrite, soma <- axon
    g_ds, g_as = G_INT / (1 - P1), G_INT / P2  # dendrite <- soma, axon <- soma
    dt_cm = dt / CM

    def step(y: tuple) -> tuple:
        Vs, k, l, h, n, x, Va, ha, xa, Vd, Ca, r, s, q = y

        # soma
        m_s = 1.0 / (1.0 + jnp.exp(-(Vs + 30.0) / 5.5))
        alpha_x = jnp.where(jnp.abs(Vs + 25.0) < 1e-6, 1.3, 0.13 * (Vs + 25.0) / (1.0 - jnp.exp(-(Vs + 25.0) / 10.0)))
        beta_x = 1.69 * jnp.exp(-(Vs + 35.0) / 80.0)
        i_soma = (G_CAL * k * k * k * l * (Vs - V_CA) + G_NA_S * m_s * m_s * m_s * h * (Vs - V_NA)
                  + G_KDR * n * n * n * n * (Vs - V_K) + G_K_S * x * x * x * x * (Vs - V_K) + G_LS * (Vs - V_L)
                  + g_sd * (Vs - Vd) + g_sa * (Vs - Va))
        dk = 1.0 / (1.0 + jnp.exp(-(Vs + 61.0) / 4.2)) - k  # tau_k = 1 ms
        dl = (1.0 / (1.0 + jnp.exp((Vs + 85.0) / 8.5)) - l) / (
            20.0 * jnp.exp((Vs + 160.0) / 30.0) / (1.0 + jnp.exp((Vs + 84.0) / 7.3)) + 35.0)
        dh = (1.0 / (1.0 + jnp.exp((Vs + 70.0) / 5.8)) - h) / (3.0 * jnp.exp(-(Vs + 40.0) / 33.0))
        dn = (1.0 / (1.0 + jnp.exp(-(Vs + 3.0) / 10.0)) - n) / (5.0 + 47.0 * jnp.exp((Vs + 50.0) / 900.0))
        dx = alpha_x - (alpha_x + beta_x) * x

        # axon hillock
        m_a = 1.0 / (1.0 + jnp.exp(-(Va + 30.0) / 5.5))
        alpha_xa = jnp.where(jnp.abs(Va + 25.0) < 1e-6, 1.3, 0.13 * (Va + 25.0) / (1.0 - jnp.exp(-(Va + 25.0) / 10.0)))
        beta_xa = 1.69 * jnp.exp(-(Va + 35.0) / 80.0)
        i_axon = (G_NA_A * m_a * m_a * m_a * ha * (Va - V_NA) + G_K_A * xa * xa * xa * xa * (Va - V_K)
                  + G_LA * (Va - V_L) + g_as * (Va - Vs))
        dha = (1.0 / (1.0 + jnp.exp((Va + 60.0) / 5.8)) - ha) / (1.5 * jnp.exp(-(Va + 40.0) / 33.0))
        dxa = alpha_xa - (alpha_xa + beta_xa) * xa

        # dendrite
        i_cah = G_CAH * r * r * (Vd - V_CA)
        i_dend = (i_cah + G_KCA * s * (Vd - V_K) + G_H * q * (Vd - V_H) + G_LD * (Vd - V_L)
                  + g_ds * (Vd - Vs))
        if coupled:
            dv = Vd[ja] - Vd[jb]  # one current per junction: it leaves a's dendrite and enters b's
            i_gap = G_GJ * dv * (0.2 + 0.8 * jnp.exp(-dv * dv / 100.0))
            i_dend = i_dend + jnp.zeros_like(Vd).at[ja].add(i_gap).at[jb].add(-i_gap)
        alpha_r = 1.7 / (1.0 + jnp.exp(-(Vd - 5.0) / 13.9))
        beta_r = jnp.where(jnp.abs(Vd + 8.5) < 1e-6, 0.1, 0.02 * (Vd + 8.5) / (jnp.exp((Vd + 8.5) / 5.0) - 1.0))
        dr = (alpha_r - (alpha_r + beta_r) * r) / 5.0
        alpha_s = jnp.minimum(2e-5 * Ca, 0.01)  # the step's old calcium
        ds = alpha_s - (alpha_s + 0.015) * s
        dCa = -3.0 * i_cah - 0.075 * Ca
        dq = (1.0 / (1.0 + jnp.exp((Vd + 80.0) / 4.0)) - q) * (jnp.exp(-0.086 * Vd - 14.6) + jnp.exp(0.070 * Vd - 1.87))

        return (Vs - dt_cm * i_soma, k + dt * dk, l + dt * dl, h + dt * dh, n + dt * dn, x + dt * dx,
                Va - dt_cm * i_axon, ha + dt * dha, xa + dt * dxa,
                Vd - dt_cm * i_dend, Ca + dt * dCa, r + dt * dr, s + dt * ds, q + dt * dq)

    def block(y: tuple, _) -> tuple:
        y = jax.lax.fori_loop(0, record_every, lambda _, yy: step(yy), y, unroll=unroll)
        return y, y[0]

    def run(state: dict, steps: int):
        if steps % record_every:
            raise ValueError(f"steps must be a multiple of record_every = {record_every}, not {steps}")
        y = tuple(jnp.asarray(state[name], dtype=dtype) for name in STATE_NAMES)
        y_end, vs = jax.lax.scan(block, y, None, length=steps // record_every)
        return dict(zip(STATE_NAMES, y_end)), jnp.concatenate([y[0][None], vs])

    return jax.jit(run, static_argnames="steps")


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cells", type=int, default=1000)
    p.add_argument("--tstop", type=float, default=100.0)
    p.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    args = p.parse_args(argv)
    dt = 0.025
    steps = int(round(args.tstop / dt))
    run = make_run(args.cells, dtype=args.dtype)
    state = initial_state(args.cells)
    walls = []
    for _ in range(2):
        started = time.perf_counter()
        final, vs = run(state, steps)
        vs.block_until_ready()
        walls.append(time.perf_counter() - started)
    print(f"hand-written JAX IO kernel, {args.cells} cells, {args.tstop:g} ms, {args.dtype}: first call {walls[0]:.3f} s, "
          f"warm {walls[1]:.3f} s = {walls[1] / (args.cells * steps) * 1e9:.1f} ns per cell-step")


if __name__ == "__main__":
    main()
