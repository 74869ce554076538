"""Which part (device, host) each cell of a network goes to: contiguous, random, METIS, or given.

A network spread over k parts exchanges two things between them: spikes, whose events are due no
sooner than the smallest NetCon delay between parts (NEURON's ParallelContext rule: the parts
synchronise once per such interval), and, for a gap junction or POINTER whose two ends lie in
different parts, a voltage on every step. The cut — what crosses between parts — sets that
traffic, the balance — the largest part's share of the work — sets the time per step. How cells
are placed matters once connectivity is dense: on PING-Assembly networks CoreNEURON ran 26 %
faster with a minimum k-cut (METIS) than with random placement.

The elements placed are the network's cells and its artificial cells (NetStim, IntFire...); a
point process goes with its cell and a spike train (VecStim, PatternStim) feeds every part.
Strategies:

- "contiguous": elements in network order, cut into k runs of similar work (by assembly, when the
  network was built assembly by assembly);
- "random": a seeded shuffle, then cut into k runs of similar work;
- "metis": a minimum k-cut of the cell graph (pymetis): vertices weighted by compartments (an
  artificial cell counts one), edges by the NetCons between two elements (`edge_weight="count"`)
  or by their summed |weight| ("weight"); a gap junction or POINTER link weighs COUPLING NetCons,
  since it costs an exchange on every step rather than once per interval;
- a sequence: the part of each element, given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import Location, Network, SpikeTrain
from .morphology import ModelError

STRATEGIES = ("contiguous", "random", "metis")
COUPLING = 100  # METIS weight of a gap junction or POINTER link, in NetCons


@dataclass
class Graph:
    """The network's elements (cells, then artificial cells) and what connects them."""

    elements: list[tuple[str, int]]  # ("cell", cell index) or ("artificial", point index)
    work: np.ndarray  # compartments of each element
    netcons: np.ndarray  # (k, 2) element pairs of NetCons between two elements (self-loops dropped)
    netcon_weight: np.ndarray  # |first weight| of each
    netcon_delay: np.ndarray
    couplings: np.ndarray  # (k, 2) element pairs of gap junction / POINTER links


@dataclass
class Assignment:
    """Each element's part, and what the placement costs."""

    parts: int
    part: np.ndarray  # part of each element of `graph.elements`
    graph: Graph
    strategy: str

    @property
    def work(self) -> np.ndarray:
        """Compartments per part."""
        return np.bincount(self.part, weights=self.graph.work, minlength=self.parts)

    @property
    def balance(self) -> float:
        """The largest part's work over the mean (1 is perfect)."""
        work = self.work
        return float(work.max() / work.mean()) if work.sum() else 1.0

    def _crossing(self, pairs: np.ndarray) -> np.ndarray:
        return self.part[pairs[:, 0]] != self.part[pairs[:, 1]] if len(pairs) else np.zeros(0, dtype=bool)

    @property
    def cut(self) -> int:
        """NetCons between parts."""
        return int(self._crossing(self.graph.netcons).sum())

    @property
    def cut_couplings(self) -> int:
        """Gap junctions and POINTER links between parts (each costs an exchange on every step)."""
        return int(self._crossing(self.graph.couplings).sum())

    @property
    def min_delay(self) -> float:
        """The smallest delay of a NetCon between parts (ms; infinite if none): how long the parts
        may run before they must exchange spikes."""
        crossing = self._crossing(self.graph.netcons)
        return float(self.graph.netcon_delay[crossing].min()) if crossing.any() else float("inf")

    def cell_parts(self) -> np.ndarray:
        """The part of each cell, in Network.cells order."""
        return np.array([p for (kind, _), p in zip(self.graph.elements, self.part) if kind == "cell"], dtype=np.int64)

    def report(self) -> str:
        """One line: strategy, cut, balance, the exchange interval."""
        total = len(self.graph.netcons)
        share = f" ({100 * self.cut / total:.1f} %)" if total else ""
        work = self.work
        return (f"{self.parts} parts ({self.strategy}): {self.cut} of {total} NetCons cut{share}, "
                f"{self.cut_couplings} of {len(self.graph.couplings)} couplings cut; compartments per part "
                f"{int(work.min())}-{int(work.max())} (balance {self.balance:.3f}); "
                f"spike exchange every {self.min_delay:g} ms")


def graph(net: Network) -> Graph:
    """The elements of `net` and the NetCons and couplings between them."""
    elements = [("cell", k) for k in range(len(net.cells))]
    elements += [("artificial", pp.index) for pp in net.points if pp.location is None]
    number = {e: i for i, e in enumerate(elements)}
    work = np.array([net.cells[k].compartments() if kind == "cell" else 1 for kind, k in elements], dtype=float)

    def element(thing) -> int:
        if isinstance(thing, Location):
            return number[("cell", thing.cell)]
        if thing.location is None:
            return number[("artificial", thing.index)]
        return number[("cell", thing.location.cell)]

    pairs, weights, delays = [], [], []
    for nc in net.netcons:
        if nc.target is None or isinstance(nc.source, SpikeTrain):
            continue  # a spike train feeds every part; a NetCon without target carries nothing
        a, b = element(nc.source), element(nc.target)
        if a != b:
            pairs.append((a, b))
            weights.append(abs(nc.weights[0]))
            delays.append(nc.delay)
    couplings = [(element(pp), element(loc)) for pp in net.points for loc in pp.pointers.values()]
    couplings = [(a, b) for a, b in couplings if a != b]
    return Graph(elements, work, np.array(pairs, dtype=np.int64).reshape(-1, 2), np.array(weights, dtype=float),
                 np.array(delays, dtype=float), np.array(couplings, dtype=np.int64).reshape(-1, 2))


def assign(net: Network, parts: int, strategy="contiguous", seed: int = 0, edge_weight: str = "count") -> Assignment:
    """Place the network's cells and artificial cells into `parts` parts (see the module doc);
    `strategy` is a name of STRATEGIES or the part of every element (cells, then artificial cells
    in Network.points order). Raises ModelError for a placement that cannot run: more parts than
    elements, a wrong assignment, or a NetCon of zero delay between parts."""
    g = graph(net)
    n = len(g.elements)
    if not (isinstance(parts, (int, np.integer)) and parts >= 1):
        raise ModelError(f"the number of parts must be a whole number >= 1, not {parts!r}")
    if parts > n:
        raise ModelError(f"{parts} parts for a network of {n} cells and artificial cells: at most {n}")
    if edge_weight not in ("count", "weight"):
        raise ModelError(f"edge_weight must be 'count' or 'weight', not {edge_weight!r}")
    if isinstance(strategy, str):
        if strategy not in STRATEGIES:
            raise ModelError(f"unknown partition strategy {strategy!r} (choose from {', '.join(STRATEGIES)}, "
                             "or give each cell's part)")
        part = {"contiguous": lambda: runs(g.work, parts),
                "random": lambda: _random(g.work, parts, seed),
                "metis": lambda: _metis(g, parts, seed, edge_weight)}[strategy]()
        name = strategy
    else:
        part, name = _given(strategy, n, parts), "given"
    empty = np.flatnonzero(np.bincount(part, minlength=parts) == 0)
    if len(empty):
        raise ModelError(f"part {int(empty[0])} of {parts} would hold no cell or artificial cell ({name} placement): "
                         "every part needs work")
    done = Assignment(parts, part, g, name)
    if done.min_delay <= 0:
        raise ModelError(f"a NetCon of delay {done.min_delay:g} ms joins two parts: parts can only run apart for "
                         "the smallest delay between them (give it a delay > 0, or place both ends in one part)")
    return done


def runs(work: np.ndarray, parts: int) -> np.ndarray:
    """Consecutive runs of similar total work: an element goes to the part its middle falls in;
    then no part is skipped or left empty (parts rise by at most one per element, from 0 to k-1)."""
    middle = np.cumsum(work) - work / 2
    part = (middle * parts // max(work.sum(), 1e-300)).astype(np.int64)
    i = np.arange(len(work))
    part = np.minimum(part, i)
    part = i + np.minimum.accumulate(part - i)
    return np.maximum(part, i - (len(work) - parts))


def _random(work: np.ndarray, parts: int, seed: int) -> np.ndarray:
    order = np.random.default_rng(seed).permutation(len(work))
    part = np.empty(len(work), dtype=np.int64)
    part[order] = runs(work[order], parts)
    return part


def _metis(g: Graph, parts: int, seed: int, edge_weight: str) -> np.ndarray:
    if parts == 1:
        return np.zeros(len(g.elements), dtype=np.int64)
    try:
        import pymetis
    except ImportError:
        raise ModelError("the 'metis' strategy needs pymetis: pip install 'modlc[metis]'") from None
    n = len(g.elements)
    weights = (np.ones(len(g.netcons)) if edge_weight == "count"
               else g.netcon_weight / max(g.netcon_weight.max(initial=0.0), 1e-300) * 1000)
    a = np.concatenate([g.netcons[:, 0], g.couplings[:, 0]])
    b = np.concatenate([g.netcons[:, 1], g.couplings[:, 1]])
    w = np.concatenate([weights, np.full(len(g.couplings), COUPLING * max(weights.max(initial=1.0), 1.0))])
    # an undirected graph without parallel edges, as METIS wants it: both directions, summed
    key = np.concatenate([a * n + b, b * n + a])
    unique, inverse = np.unique(key, return_inverse=True)
    summed = np.maximum(np.rint(np.bincount(inverse, weights=np.concatenate([w, w]))), 1).astype(np.int64)
    rows, cols = unique // n, unique % n
    xadj = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n))])
    vweights = np.maximum(np.rint(g.work), 1).astype(np.int64)
    result = pymetis.part_graph(parts, pymetis.CSRAdjacency(xadj.tolist(), cols.tolist()), vweights=vweights.tolist(),
                                eweights=summed.tolist(), options=pymetis.Options(seed=seed))
    return np.asarray(result[1], dtype=np.int64)


def _given(assignment, n: int, parts: int) -> np.ndarray:
    try:
        part = np.asarray(assignment)
    except (TypeError, ValueError):
        part = np.zeros(0)
    if part.shape != (n,):
        raise ModelError(f"an assignment gives the part of each of the {n} cells and artificial cells "
                         f"(cells first, then artificial cells in Network.points order); got {np.shape(part)}")
    if not np.issubdtype(part.dtype, np.integer) or part.min() < 0 or part.max() >= parts:
        raise ModelError(f"an assignment's parts are whole numbers in [0, {parts})")
    return part.astype(np.int64)
