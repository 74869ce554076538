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


def on_backend(ops, schedule: Levels) -> list[tuple]:
    """The schedule as backend constants (made once, outside the time loop). Consecutive nodes or
    parents become Spans (slices), as they are in assembly.layout's order."""
    return [(index(ops, n), index(ops, p), ops.const(a), ops.const(b))
            for n, p, a, b in zip(schedule.nodes, schedule.parents, schedule.a, schedule.b)]


def solve(ops, const: list[tuple], d, rhs):
    """x with M x = rhs, for the tree matrix of a schedule (`on_backend`) with diagonal d."""
    for nodes, parents, a, b in reversed(const):
        factor = a / ops.take(d, nodes)
        d = ops.scatter_add(d, parents, -factor * b)
        rhs = ops.scatter_add(rhs, parents, -factor * ops.take(rhs, nodes))
    x = rhs / d  # final for the roots; every other node is overwritten below, parents first
    for nodes, parents, a, b in const:
        x = ops.scatter_set(x, nodes, (ops.take(rhs, nodes) - b * ops.take(x, parents)) / ops.take(d, nodes))
    return x


def dense_matrix(parent: np.ndarray, a: np.ndarray, b: np.ndarray, d: np.ndarray) -> np.ndarray:
    """The same matrix as a dense array (for tests)."""
    m = np.diag(np.asarray(d, dtype=float))
    for i, p in enumerate(parent):
        if p >= 0:
            m[i, p] = b[i]
            m[p, i] = a[i]
    return m
