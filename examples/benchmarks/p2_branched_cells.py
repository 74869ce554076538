"""P2: N branched cells of 113 compartments (hh everywhere, pas in the dendrites), each driven at
the soma, 100 ms at dt 0.025 ms, in NEURON (1 and 2 threads), CoreNEURON (2 threads), Jaxley (when
installed) and modlc (JAX, TensorFlow, ONNX Runtime; float64 and float32), side by side in one run.

    python examples/benchmarks/p2_branched_cells.py [--cells 10 100 1000] [--tstop 100]
                                                   [--skip jaxley tf onnx ...] [--out DIR]

The cell: a 20 µm soma and four dendritic trees attached at its 1 end, each a 100 µm primary
branch (2 µm) that splits twice (Rall's 3/2 rule: 1.26 µm, then 0.79 µm), 28 dendritic sections of
4 segments: 113 compartments, 15 levels of the tree solve. A 1 nA step into the soma from 1 ms
makes it fire repetitively (7 spikes in 100 ms), so the run covers spikes, not rest. Prints
cell-steps per second, warm and first-call wall times and the ratio to CoreNEURON; writes
p2_scaling.png.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import common  # noqa: E402
import harness  # noqa: E402

TREES, DEPTH, NSEG, LENGTH, RA = 4, 3, 4, 100.0, 100.0
DIAMS = (2.0, 2.0 * 2 ** (-2 / 3), 2.0 * 2 ** (-4 / 3))  # Rall: each daughter d^(3/2) is half the parent's
G_PAS, E_PAS, STIM_NA = 1e-4, -65.0, 1.0


def dendrites() -> list[tuple[str, str, float]]:
    """(name, parent, diameter) of every dendritic section, parents first."""
    out = []
    for tree in range(TREES):
        level = [(f"d{tree}", "soma")]
        for depth in range(DEPTH):
            nxt = []
            for name, parent in level:
                out.append((name, parent, DIAMS[depth]))
                nxt += [(name + "a", name), (name + "b", name)]
            level = nxt
    return out


NEURON_BUILD = r'''
N, SPEC = {cells}, {spec}
cells = []
for i in range(N):
    soma = h.Section(name="soma%d" % i)
    soma.L = soma.diam = 20
    soma.Ra, soma.cm = {ra}, 1.0
    soma.insert("hh")
    secs = {"soma": soma}
    for name, parent, diam in SPEC:
        s = h.Section(name="%s_%d" % (name, i))
        s.L, s.diam, s.nseg, s.Ra, s.cm = {length}, diam, {nseg}, {ra}, 1.0
        s.connect(secs[parent](1.0), 0)
        s.insert("hh")
        s.insert("pas")
        for seg in s:
            seg.g_pas, seg.e_pas = {g_pas}, {e_pas}
        secs[name] = s
    c = h.IClamp(soma(0.5))
    c.delay, c.dur, c.amp = 1.0, 1e9, {stim}
    cells.append((secs, c))
'''


def neuron_build(cells: int) -> str:
    values = dict(cells=cells, spec=repr(dendrites()), ra=RA, length=LENGTH, nseg=NSEG, g_pas=G_PAS, e_pas=E_PAS,
                  stim=STIM_NA)
    code = NEURON_BUILD
    for key, value in values.items():
        code = code.replace("{" + key + "}", str(value))
    return code


def cell():
    from modlc.runtime import Cell

    c = Cell("branched")
    c.section("soma", L=20.0, diam=20.0, Ra=RA)
    for name, parent, diam in dendrites():
        c.section(name, L=LENGTH, diam=diam, nseg=NSEG, Ra=RA, parent=parent, parent_x=1.0)
    c.insert(common.MECHANISMS / "hh.mod")
    c.insert(common.MECHANISMS / "pas.mod", [name for name, _, _ in dendrites()], g=G_PAS, e=E_PAS)
    c.place(common.MECHANISMS / "iclamp.mod", ("soma", 0.5), **{"del": 1.0, "dur": 1e9, "amp": STIM_NA})
    return c


def network(cells: int):
    from modlc.runtime import Network

    return Network(cells=[cell()] * cells)


def main(argv: list[str] | None = None) -> None:
    p = harness.parser(__doc__, [10, 100, 1000])
    args = p.parse_args(argv)
    rows = []
    for n in args.cells:
        rows += harness.compare(neuron_build(n), lambda: network(n), n, args.tstop, harness.MODLC, args.skip,
                                chunk=4000, jaxley="p2")
        print(harness.table([r for r in rows if r.cells == n]), flush=True)
    harness.finish(rows, args.out / "p2_scaling.png", "P2: branched cells, 113 compartments each")


if __name__ == "__main__":
    main()
