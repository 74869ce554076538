"""P1: N single-compartment Hodgkin-Huxley cells, each with a current step, 100 ms at dt 0.025 ms,
in NEURON (1 and 2 threads), CoreNEURON (2 threads), Jaxley (when installed) and modlc (JAX,
TensorFlow, ONNX Runtime; float64 and float32), side by side in one run.

    python examples/benchmarks/p1_hh_population.py [--cells 100 1000 10000 100000] [--tstop 100]
                                                   [--skip jaxley tf onnx ...] [--out DIR]

Prints cell-steps per second, the warm wall time, the first call (set-up and compilation) and the
ratio to CoreNEURON; writes p1_scaling.png. The model: a 20 µm soma with NEURON's built-in hh (modlc
compiles mechanisms/hh.mod, checked against it to 3e-11 mV with its rate tables off; the benchmark
runs NEURON with its default tables) and an IClamp of 0.1 nA from 1 ms.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import common  # noqa: E402
import harness  # noqa: E402

NEURON_BUILD = r'''
N = {cells}
cells = []
for i in range(N):
    s = h.Section(name="s%d" % i)
    s.L = s.diam = 20
    s.insert("hh")
    c = h.IClamp(s(0.5))
    c.delay, c.dur, c.amp = 1.0, 1e9, 0.1
    cells.append((s, c))
'''


def network(cells: int):
    from modlc.runtime import Cell, Network

    soma = Cell("soma")
    soma.section("soma", L=20.0, diam=20.0)
    soma.insert(common.MECHANISMS / "hh.mod")
    soma.place(common.MECHANISMS / "iclamp.mod", ("soma", 0.5), **{"del": 1.0, "dur": 1e9, "amp": 0.1})
    return Network(cells=[soma] * cells)


def main(argv: list[str] | None = None) -> None:
    p = harness.parser(__doc__, [100, 1000, 10000])
    args = p.parse_args(argv)
    rows = []
    for n in args.cells:
        rows += harness.compare(NEURON_BUILD.replace("{cells}", str(n)), lambda: network(n), n, args.tstop, harness.MODLC,
                                args.skip, chunk=4000, jaxley="p1")
        print(harness.table([r for r in rows if r.cells == n]), flush=True)
    harness.finish(rows, args.out / "p1_scaling.png", "P1: single-compartment HH cells")


if __name__ == "__main__":
    main()
