"""The small primitive set each backend implements; the runtime core is written once against it.

Arithmetic and comparisons use the arrays' own operators. Everything else the core needs
(gather, scatter, compaction, loops, random variates, compilation) is a method here. NumPy is the
reference; it and the ONNX backend run the time loop in Python (the ONNX kernels run in
onnxruntime, the glue in NumPy), JAX runs it under `lax.fori_loop`, TensorFlow under a
`tf.while_loop` compiled with XLA.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Span:
    """Indices made of a few consecutive runs, `runs` being (start, stop) pairs in order.

    Most gathers and scatters of a step go through such indices: a density mechanism inserted in
    every cell (one run per depth of the tree, in assembly.layout's node order), one node per cell,
    a level of the tree solve. Through a Span they are slices and concatenations, which XLA fuses
    into the arithmetic around them; through an index array each is a loop of its own, and NumPy's
    `ufunc.at` is slower still."""

    runs: tuple[tuple[int, int], ...]

    def pieces(self):
        """(start, stop, offset into the gathered values) of each run."""
        offset = 0
        for start, stop in self.runs:
            yield start, stop, offset
            offset += stop - start

    @cached_property
    def layers(self) -> list[list[tuple[int, int, int]]]:
        """The pieces in layers of runs that do not overlap, each layer sorted by position. A run
        lies in a later layer than every earlier run it overlaps, so scattering layer by layer adds
        (or sets) each entry's values in the order of the runs. Worked out once per Span: the
        NumPy and ONNX backends scatter eagerly on every step."""
        layers: list[list[tuple[int, int, int]]] = []
        for piece in self.pieces():
            start, stop, _ = piece
            above = [k for k, layer in enumerate(layers) if any(a < stop and start < b for a, b, _ in layer)]
            k = max(above, default=-1) + 1
            if k == len(layers):
                layers.append([])
            layers[k].append(piece)
        return [sorted(layer) for layer in layers]


MAX_RUNS = 16  # beyond this many runs a gather through an index array is the cheaper form


def index(ops, positions: np.ndarray):
    """`positions` as a Span when they form at most MAX_RUNS consecutive runs, else as an int32
    backend constant: the form every gather and scatter of the runtime takes."""
    positions = np.asarray(positions, dtype=np.int64)
    if len(positions):
        breaks = np.flatnonzero(np.diff(positions) != 1) + 1
        if len(breaks) < MAX_RUNS:
            starts = np.concatenate([[0], breaks])
            stops = np.concatenate([breaks, [len(positions)]])
            runs = tuple((int(positions[a]), int(positions[b - 1]) + 1) for a, b in zip(starts, stops))
            return Span(runs)
    return ops.const(positions, "int32")


class NumpyOps:
    """Reference primitives; also the glue of the ONNX backend."""

    name = "numpy"

    def __init__(self, dtype: str):
        self.dtype = dtype

    def const(self, array, dtype: str | None = None):
        return np.asarray(array, dtype=self.dtype if dtype is None else dtype)

    # Gathers and scatters: through a Span here, once for every backend; through an index array in
    # the _indexed_* methods each backend overrides.
    def take(self, x, idx):
        if isinstance(idx, Span):
            return self._gathered(x, idx)
        return self._indexed_take(x, idx)

    def scatter_add(self, x, idx, values):
        if isinstance(idx, Span):
            return self._span_update(x, idx, values, add=True)
        return self._indexed_add(x, idx, values)

    def scatter_set(self, x, idx, values):
        """x with x[idx] = values; through a Span, `values` must have the span's length."""
        if isinstance(idx, Span):
            return self._span_update(x, idx, values, add=False)
        return self._indexed_set(x, idx, values)

    def _indexed_take(self, x, idx):
        return x[idx]

    def _gathered(self, x, span: Span):
        parts = [x[start:stop] for start, stop in span.runs]
        return parts[0] if len(parts) == 1 else self.concat(parts)

    def _span_update(self, x, span: Span, values, add: bool):
        """Each layer rebuilds x as one concatenation of the stretches it leaves alone and the new
        values of its runs, which XLA fuses into one loop with the arithmetic producing them. (A
        chain of in-place dynamic_update_slices, one per run, ran ~50 times slower on XLA:CPU.)"""
        size = x.shape[0]
        for layer in span.layers:
            pieces, done = [], 0
            for start, stop, offset in layer:
                if start > done:
                    pieces.append(x[done:start])
                part = values if len(span.runs) == 1 else values[offset:offset + stop - start]
                pieces.append(x[start:stop] + part if add else part)
                done = stop
            if done < size:
                pieces.append(x[done:])
            x = pieces[0] if len(pieces) == 1 else self.concat(pieces)
        return x

    @staticmethod
    def _scatter(ufunc, x, idx, values):
        out = np.array(x, copy=True)
        ufunc.at(out, idx, values)
        return out

    def _indexed_add(self, x, idx, values):
        return self._scatter(np.add, x, idx, values)

    def _indexed_set(self, x, idx, values):
        out = np.array(x, copy=True)
        out[idx] = values
        return out

    def scatter_min(self, x, idx, values):
        return self._scatter(np.minimum, x, idx, values)

    def scatter_max(self, x, idx, values):
        return self._scatter(np.maximum, x, idx, values)

    def where(self, cond, a, b):
        return np.where(cond, a, b)

    def cumsum(self, x):
        return np.cumsum(x)

    def any(self, x):
        return bool(np.any(x))

    def sum(self, x):
        return np.sum(x)

    def cast(self, x, dtype: str):
        return np.asarray(x).astype(self.dtype if dtype == "float" else dtype)

    def exp(self, x):
        return np.exp(x)

    def log(self, x):
        return np.log(x)

    def ceil(self, x):
        return np.ceil(x)

    def minimum(self, a, b):
        return np.minimum(a, b)

    def stack(self, xs):
        return np.stack(xs)

    def concat(self, xs):
        return np.concatenate(xs)

    def chunk(self, step: Callable, row: Callable, carry, rows: int, every: int):
        """Run `step(carry) -> carry` rows × every times, recording the dictionary `row(carry)`
        after every `every`-th step; the rows stacked on a new first axis."""
        kept = []
        for i in range(rows * every):
            carry = step(carry)
            if (i + 1) % every == 0:
                kept.append(row(carry))
        return carry, {k: np.stack([r[k] for r in kept]) for k in kept[0]} if kept else {}

    def while_loop(self, cond: Callable, body: Callable, carry):
        while cond(carry):
            carry = body(carry)
        return carry

    def variates(self, kind: str, n: int, key: tuple, streams=None):
        """n standard variates, a pure function of `key` (the seed, then what tells draws apart);
        with `streams` (one integer per instance), instance i's variate is a function of
        (key[0], streams[i], key[1:]) alone, so it does not depend on the other instances."""
        if streams is None:
            return self._draw(kind, np.random.default_rng([int(part) for part in key]), n)
        rest = [int(part) for part in key[1:]]
        return np.concatenate([self._draw(kind, np.random.default_rng([int(key[0]), int(s), *rest]), 1)
                               for s in streams]) if len(streams) else np.zeros(0, self.dtype)

    def _draw(self, kind: str, rng, n: int):
        draw = {"normal": rng.standard_normal, "exponential": rng.standard_exponential, "uniform": rng.random}[kind]
        return draw(n).astype(self.dtype)

    def compile(self, fn: Callable) -> Callable:
        return fn

    def numpy(self, x):
        return np.asarray(x)


class JaxOps(NumpyOps):
    name = "jax"

    def __init__(self, dtype: str):
        super().__init__(dtype)
        from .. import backends

        backends.prepare("jax", dtype)  # float64 needs jax_enable_x64
        import jax
        import jax.numpy as jnp

        self.jax, self.jnp = jax, jnp

    def const(self, array, dtype: str | None = None):
        return self.jnp.asarray(np.asarray(array), dtype=self.dtype if dtype is None else dtype)

    def _indexed_add(self, x, idx, values):
        return x.at[idx].add(values)

    def _indexed_set(self, x, idx, values):
        return x.at[idx].set(values)

    def scatter_min(self, x, idx, values):
        return x.at[idx].min(values)

    def scatter_max(self, x, idx, values):
        return x.at[idx].max(values)

    def where(self, cond, a, b):
        return self.jnp.where(cond, a, b)

    def cumsum(self, x):
        return self.jnp.cumsum(x)

    def any(self, x):
        return self.jnp.any(x)

    def sum(self, x):
        return self.jnp.sum(x)

    def cast(self, x, dtype: str):
        return self.jnp.asarray(x).astype(self.dtype if dtype == "float" else dtype)

    def exp(self, x):
        return self.jnp.exp(x)

    def log(self, x):
        return self.jnp.log(x)

    def ceil(self, x):
        return self.jnp.ceil(x)

    def minimum(self, a, b):
        return self.jnp.minimum(a, b)

    def stack(self, xs):
        return self.jnp.stack(xs)

    def concat(self, xs):
        return self.jnp.concatenate(xs)

    def chunk(self, step, row, carry, rows, every):
        # One flat loop whose step writes its row into place when due: XLA:CPU runs a loop nested
        # in another one (an inner loop of `every` steps) about 1.5 times slower.
        lax = self.jax.lax
        shapes = self.jax.eval_shape(row, carry)
        kept = {k: self.jnp.zeros((rows, *v.shape), v.dtype) for k, v in shapes.items()}

        def write(i, c, kept):
            r = row(c)
            return {k: lax.dynamic_update_index_in_dim(kept[k], r[k], i // every, 0) for k in kept}

        def body(i, state):
            c, kept = state
            c = step(c)
            if every == 1:
                return c, write(i, c, kept)
            return c, lax.cond((i + 1) % every == 0, lambda k: write(i, c, k), lambda k: k, kept)

        return lax.fori_loop(0, rows * every, body, (carry, kept))

    def while_loop(self, cond, body, carry):
        return self.jax.lax.while_loop(cond, body, carry)

    def variates(self, kind, n, key, streams=None):
        random = self.jax.random
        draw = {"normal": random.normal, "exponential": random.exponential, "uniform": random.uniform}[kind]

        def fold(folded, parts):
            for part in parts:
                folded = random.fold_in(folded, part)
            return folded

        if streams is None:
            return draw(fold(random.key(key[0]), key[1:]), (n,), dtype=self.dtype)
        one = lambda s: draw(fold(random.fold_in(random.key(key[0]), s), key[1:]), (), dtype=self.dtype)
        return self.jax.vmap(one)(self.jnp.asarray(streams, dtype="uint32"))

    def compile(self, fn):
        return self.jax.jit(fn)


class TensorflowOps(NumpyOps):
    name = "tf"

    def __init__(self, dtype: str):
        super().__init__(dtype)
        from .. import backends

        backends.prepare("tf", dtype)
        import tensorflow as tf

        self.tf = tf
        tf.get_logger().setLevel("ERROR")  # each Simulation traces its own loop; TF's retracing notice is noise

    def const(self, array, dtype: str | None = None):
        return self.tf.constant(np.asarray(array, dtype=self.dtype if dtype is None else dtype))

    def _indexed_take(self, x, idx):
        return self.tf.gather(x, idx)

    def _index(self, idx):
        return self.tf.reshape(self.tf.convert_to_tensor(idx), (-1, 1))

    def _indexed_add(self, x, idx, values):
        return self.tf.tensor_scatter_nd_add(x, self._index(idx), self.tf.broadcast_to(values, self.tf.shape(idx)))

    def _indexed_set(self, x, idx, values):
        return self.tf.tensor_scatter_nd_update(x, self._index(idx), self.tf.broadcast_to(values, self.tf.shape(idx)))

    def scatter_min(self, x, idx, values):
        return self.tf.tensor_scatter_nd_min(x, self._index(idx), self.tf.broadcast_to(values, self.tf.shape(idx)))

    def scatter_max(self, x, idx, values):
        return self.tf.tensor_scatter_nd_max(x, self._index(idx), self.tf.broadcast_to(values, self.tf.shape(idx)))

    def where(self, cond, a, b):
        tf = self.tf
        if tf.is_tensor(a):  # a Python number takes the other side's dtype (never float64 -> float32)
            b = tf.convert_to_tensor(b, dtype_hint=a.dtype)
        elif tf.is_tensor(b):
            a = tf.convert_to_tensor(a, dtype_hint=b.dtype)
        a, b = tf.convert_to_tensor(a), tf.convert_to_tensor(b)
        shape = tf.broadcast_dynamic_shape(tf.broadcast_dynamic_shape(tf.shape(cond), tf.shape(a)), tf.shape(b))
        return tf.where(tf.broadcast_to(cond, shape), tf.broadcast_to(a, shape), tf.broadcast_to(b, shape))

    def cumsum(self, x):
        return self.tf.cumsum(x)

    def any(self, x):
        return self.tf.reduce_any(x)

    def sum(self, x):
        return self.tf.reduce_sum(x)

    def cast(self, x, dtype: str):
        return self.tf.cast(x, self.dtype if dtype == "float" else dtype)

    def exp(self, x):
        return self.tf.exp(x)

    def log(self, x):
        return self.tf.math.log(x)

    def ceil(self, x):
        return self.tf.math.ceil(x)

    def minimum(self, a, b):
        return self.tf.minimum(a, b)

    def stack(self, xs):
        return self.tf.stack(xs)

    def concat(self, xs):
        return self.tf.concat(xs, 0)

    def chunk(self, step, row, carry, rows, every):
        tf = self.tf
        shapes = row(carry)  # traced once for the row structure (XLA drops it)
        kept = {k: tf.zeros((rows, *v.shape), v.dtype) for k, v in shapes.items()}

        def write(i, c, kept):
            r = row(c)
            return {k: tf.tensor_scatter_nd_update(kept[k], [[i // every]], r[k][None]) for k in kept}

        def body(i, c, kept):
            c = step(c)
            if every == 1:
                return i + 1, c, write(i, c, kept)
            return i + 1, c, tf.cond((i + 1) % every == 0, lambda: write(i, c, kept), lambda: kept)

        _, carry, kept = tf.while_loop(lambda i, c, k: i < rows * every, body, (tf.constant(0), carry, kept),
                                       maximum_iterations=rows * every)
        return carry, kept

    def while_loop(self, cond, body, carry):
        return self.tf.while_loop(lambda c: cond(c), lambda c: [body(c)], [carry])[0]

    def variates(self, kind, n, key, streams=None):
        tf = self.tf

        def draw(shape, parts):
            s = tf.constant([key[0], 0], "int64")
            for part in parts:
                s = tf.random.experimental.stateless_fold_in(s, tf.cast(part, "int32"))
            if kind == "normal":
                return tf.random.stateless_normal(shape, s, dtype=self.dtype)
            u = tf.random.stateless_uniform(shape, s, dtype=self.dtype)
            return -tf.math.log1p(-u) if kind == "exponential" else u

        if streams is None:
            return draw((n,), key[1:])
        return self._instance_variates(kind, streams, key)

    def _instance_variates(self, kind, streams, key):
        """Per-instance variates without a per-instance loop: TF's stateless ops take one seed, so
        each instance's uniforms come from a SplitMix64 hash of (seed, stream, key...), a vector
        op (Box-Muller for the normal, -log(u) for the exponential)."""
        tf = self.tf
        u64 = lambda x: tf.cast(x, tf.uint64)

        def mix(z):  # SplitMix64's finaliser
            shift = lambda x, k: tf.bitwise.right_shift(x, u64(k))
            z = z + u64(0x9E3779B97F4A7C15)
            z = tf.bitwise.bitwise_xor(z, shift(z, 30)) * u64(0xBF58476D1CE4E5B9)
            z = tf.bitwise.bitwise_xor(z, shift(z, 27)) * u64(0x94D049BB133111EB)
            return tf.bitwise.bitwise_xor(z, shift(z, 31))

        h = mix(tf.bitwise.bitwise_xor(u64(np.asarray(streams, dtype=np.uint64)), mix(u64(key[0]))))
        for part in key[1:]:
            h = mix(tf.bitwise.bitwise_xor(h, u64(part)))

        def uniform(h, open_=True):  # 53 random bits; (0, 1) where a logarithm follows, else [0, 1)
            bits = tf.cast(tf.bitwise.right_shift(h, u64(11)), tf.float64)
            return (bits + (0.5 if open_ else 0.0)) * 2.0**-53

        if kind == "uniform":
            out = uniform(h, open_=False)
        elif kind == "exponential":
            out = -tf.math.log(uniform(h))
        else:
            out = tf.sqrt(-2.0 * tf.math.log(uniform(h))) * tf.cos(2 * np.pi * uniform(mix(h)))
        return tf.cast(out, self.dtype)

    def compile(self, fn):
        return self.tf.function(fn, jit_compile=True, reduce_retracing=True)

    def numpy(self, x):
        return x.numpy() if hasattr(x, "numpy") else np.asarray(x)


def primitives(backend: str, dtype: str):
    """The primitive set for a backend (the ONNX backend's glue is NumPy's)."""
    if backend in ("numpy", "onnx"):
        return NumpyOps(dtype)
    if backend == "jax":
        return JaxOps(dtype)
    if backend == "tf":
        return TensorflowOps(dtype)
    raise ValueError(f"unknown backend {backend!r}")
