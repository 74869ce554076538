"""The Hines solve of a tree matrix, level-scheduled so that many cells are solved at once.

The matrix of a tree in parent-index form (parent[i] < i, parent[root] = -1) has the diagonal d,
M[i, parent[i]] = b[i] and M[parent[i], i] = a[i]. Eliminating the children of every node before
the node itself needs no fill-in (Hines 1984). Nodes at the same depth do not depend on each other,
so one vectorised gather/scatter per depth eliminates them together, across every cell of a
network: the sequential length is the depth of the deepest tree, not the number of nodes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .primitives import index


@dataclass
class Levels:
    """Non-root nodes grouped by depth (depth 1 first), with their parents and coefficients."""

    nodes: list[np.ndarray]
    parents: list[np.ndarray]
    a: list[np.ndarray]
    b: list[np.ndarray]


def depths(parent: np.ndarray) -> np.ndarray:
    """Depth of every node; parent[i] < i is required (NEURON's node order guarantees it)."""
    depth = np.zeros(len(parent), dtype=np.int64)
    for i, p in enumerate(parent):
        if p >= 0:
            if p >= i:
                raise ValueError(f"node {i} has parent {p}; parents must come first")
            depth[i] = depth[p] + 1
    return depth


def levels(parent: np.ndarray, a: np.ndarray, b: np.ndarray) -> Levels:
    """The level schedule of a forest of trees."""
    depth = depths(parent)
    groups = [np.flatnonzero(depth == k) for k in range(1, int(depth.max(initial=0)) + 1)]
    return Levels(groups, [parent[g] for g in groups], [a[g] for g in groups], [b[g] for g in groups])


@dataclass
class Blocks:
    """A schedule whose depths are consecutive blocks of nodes (assembly.layout's order): depth k
    is nodes bounds[k][0]:bounds[k][1], and each level's parents are indexed within the block above."""

    bounds: list[tuple[int, int]]
    parents: list  # per level (depth 1 first): Span or index into the parent depth's block
    a: list
    b: list


def on_backend(ops, schedule: Levels):
    """The schedule as backend constants (made once, outside the time loop): `Blocks` when every
    depth is one consecutive block, as in assembly.layout's order, else per-level indices."""
    bounds = _depth_blocks(schedule)
    if bounds:
        return Blocks(bounds, [index(ops, p - lo) for p, (lo, _) in zip(schedule.parents, bounds)],
                      [ops.const(a) for a in schedule.a], [ops.const(b) for b in schedule.b])
    return [(index(ops, n), index(ops, p), ops.const(a), ops.const(b))
            for n, p, a, b in zip(schedule.nodes, schedule.parents, schedule.a, schedule.b)]


def _depth_blocks(schedule: Levels) -> list[tuple[int, int]] | None:
    """(start, stop) of every depth, roots first, when the levels' nodes follow the roots without
    a gap and each level's parents lie in the block above; else None."""
    if not schedule.nodes:
        return None
    first = int(schedule.nodes[0][0])
    cuts = np.cumsum([first] + [len(nodes) for nodes in schedule.nodes]).tolist()
    bounds = [(0, first)] + list(zip(cuts[:-1], cuts[1:]))
    if not np.array_equal(np.concatenate(schedule.nodes), np.arange(first, cuts[-1])):
        return None
    if not all(np.all((p >= lo) & (p < hi)) for p, (lo, hi) in zip(schedule.parents, bounds)):
        return None
    return bounds


def solve(ops, const, d, rhs):
    """x with M x = rhs, for the tree matrix of a schedule (`on_backend`) with diagonal d. With
    `Blocks`, rhs may also be the list of its depth blocks (see `with_axial`)."""
    if isinstance(const, Blocks):
        return _solve_blocks(ops, const, d, rhs if isinstance(rhs, list) else _split(rhs, const.bounds))
    for nodes, parents, a, b in reversed(const):
        factor = a / ops.take(d, nodes)
        d = ops.scatter_add(d, parents, -factor * b)
        rhs = ops.scatter_add(rhs, parents, -factor * ops.take(rhs, nodes))
    x = rhs / d  # final for the roots; every other node is overwritten below, parents first
    for nodes, parents, a, b in const:
        x = ops.scatter_set(x, nodes, (ops.take(rhs, nodes) - b * ops.take(x, parents)) / ops.take(d, nodes))
    return x


def with_axial(ops, schedule, v, rhs):
    """rhs plus the axial currents of v along every edge of the tree: rhs[i] -= b[i]·(v[p] - v[i])
    and rhs[p] += a[i]·(v[p] - v[i]) for each node i with parent p, in that order. With `Blocks`
    the result is the list of depth blocks that `solve` takes: a level only touches the block above
    it (through the whole node array, a parent's two or more children cost one rebuild of the
    array per layer of overlapping runs). Each entry receives the same additions in the same order
    in both forms."""
    if not isinstance(schedule, Blocks):
        flows = [ops.take(v, parents) - ops.take(v, nodes) for nodes, parents, _, _ in schedule]
        for (nodes, _, _, b), flow in zip(schedule, flows):
            rhs = ops.scatter_add(rhs, nodes, -b * flow)
        for (_, parents, a, _), flow in zip(schedule, flows):
            rhs = ops.scatter_add(rhs, parents, a * flow)
        return rhs
    vs, rs = _split(v, schedule.bounds), _split(rhs, schedule.bounds)
    flows = [ops.take(vs[k - 1], schedule.parents[k - 1]) - vs[k] for k in range(1, len(schedule.bounds))]
    for k, flow in enumerate(flows, 1):
        rs[k] = rs[k] - schedule.b[k - 1] * flow
    for k, flow in enumerate(flows, 1):
        rs[k - 1] = ops.scatter_add(rs[k - 1], schedule.parents[k - 1], schedule.a[k - 1] * flow)
    return rs


def _split(x, bounds: list[tuple[int, int]]) -> list:
    """x as its depth blocks, then the nodes after the deepest block (roots the layout put last)."""
    parts = [x[lo:hi] for lo, hi in bounds]
    end = bounds[-1][1]
    return parts + [x[end:]] if end < x.shape[0] else parts


def _solve_blocks(ops, blocks: Blocks, d, rs: list):
    """The same elimination on one array per depth: a level's updates touch only the block above
    it, never the whole node array (XLA:CPU rebuilds an array it scatters into, so scattering into
    the whole array per level cost a pass over every node per level)."""
    ds, rs = _split(d, blocks.bounds), list(rs)
    depth = len(blocks.bounds)
    for k in range(depth - 1, 0, -1):
        parents, a, b = blocks.parents[k - 1], blocks.a[k - 1], blocks.b[k - 1]
        factor = a / ds[k]
        ds[k - 1] = ops.scatter_add(ds[k - 1], parents, -factor * b)
        rs[k - 1] = ops.scatter_add(rs[k - 1], parents, -factor * rs[k])
    xs = [rs[0] / ds[0]]
    for k in range(1, depth):
        parents, b = blocks.parents[k - 1], blocks.b[k - 1]
        xs.append((rs[k] - b * ops.take(xs[k - 1], parents)) / ds[k])
    xs += [r / dd for r, dd in zip(rs[depth:], ds[depth:])]  # roots after the deepest block
    return xs[0] if len(xs) == 1 else ops.concat(xs)


def dense_matrix(parent: np.ndarray, a: np.ndarray, b: np.ndarray, d: np.ndarray) -> np.ndarray:
    """The same matrix as a dense array (for tests)."""
    m = np.diag(np.asarray(d, dtype=float))
    for i, p in enumerate(parent):
        if p >= 0:
            m[i, p] = b[i]
            m[p, i] = a[i]
    return m
