"""How much the batched linear solve in a Newton step costs on each backend.

ONNX has no batched linear solve, so modlc emits a Gaussian elimination with partial pivoting
as tensor ops; JAX and TensorFlow call their own batched LU solve; NumPy calls LAPACK. This script
times the `state` kernel of an n-state KINETIC chain (generated here, `sparse` method: one Newton
iteration of an n×n system per step) for each backend and prints the time per call and per
instance, and the ratio to JAX.

    python examples/benchmarks/newton_solve.py [--instances 10000] [--states 3 6 12] [--repeats 20]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from modlc import backends, exercise
from modlc.compiler import compile_file, write_files
from modlc.loader import import_module_file

BACKENDS = ["numpy", "jax", "tf", "onnx"]


def chain_mod(states: int) -> str:
    """An n-state linear chain c0 <-> c1 <-> ... with voltage-dependent rates, conserving 1."""
    names = [f"c{i}" for i in range(states)]
    reactions = "\n".join(f"  ~ {a} <-> {b} ({0.5 + 0.1 * i}*exp(v/{20 + i}), {0.2 + 0.05 * i}*exp(-v/{30 + i}))"
                          for i, (a, b) in enumerate(zip(names, names[1:])))
    return f"""NEURON {{ SUFFIX chain{states} }}
STATE {{ {' '.join(names)} }}
BREAKPOINT {{ SOLVE scheme METHOD sparse }}
INITIAL {{ {names[0]} = 1 }}
KINETIC scheme {{
{reactions}
  CONSERVE {' + '.join(names)} = 1
}}
"""


def time_state_kernel(module, backend: str, instances: int, repeats: int) -> float:
    inputs = exercise.sample_inputs(module.META, instances, seed=0)
    p, s, ion, v = inputs["p"], inputs["s"], inputs["ion"], inputs["v"]
    s, _ = module.init(p, s, v, ion, 0.0)
    s = {k: np.asarray(a) for k, a in s.items()}
    kernel = backends.compiled(backend)(module.state)
    result = kernel(p, s, v, ion, 0.0, 0.025)  # compile / warm up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = kernel(p, s, v, ion, 0.0, 0.025)
        for value in result.values():  # wait for asynchronous backends
            np.asarray(value)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=10000)
    parser.add_argument("--states", type=int, nargs="+", default=[3, 6, 12])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    for backend in BACKENDS:
        backends.prepare(backend, "float64")
    print(f"state kernel of an n-state KINETIC chain (sparse), {args.instances} instances, float64, best of "
          f"{args.repeats}")
    print(f"{'n':>3} " + " ".join(f"{b:>16}" for b in BACKENDS) + "   onnx/jax")
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.states:
            mod = Path(tmp) / f"chain{n}.mod"
            mod.write_text(chain_mod(n))
            seconds = {}
            for backend in BACKENDS:
                folder = Path(tmp) / f"{backend}{n}"
                write_files(compile_file(mod, backend), folder)
                module = import_module_file(folder / f"chain{n}.py", f"bench_{backend}")
                seconds[backend] = time_state_kernel(module, backend, args.instances, args.repeats)
            cells = " ".join(f"{1e3 * seconds[b]:9.3f} ms/call" for b in BACKENDS)
            print(f"{n:>3} {cells}   {seconds['onnx'] / seconds['jax']:6.2f}x")


if __name__ == "__main__":
    main()
