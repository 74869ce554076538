"""The model data NEURON writes for CoreNEURON (`ParallelContext.nrnbbcore_write`), read into arrays.

NEURON writes, in C and in a few milliseconds, every node (parent index, the tree matrix's a and
b, area, v), every mechanism instance (its node and its variables, as NEURON stores them), every
spike source and every NetCon of a thread: what modlc would otherwise read one Python attribute at
a time. Format version 1.8 (NEURON 9: src/nrniv/nrncore_write/io/nrncore_io.cpp writes it,
src/coreneuron/io/phase2.cpp reads it): text lines for sizes, and before each binary array a line
`chkpnt N`. Only what modlc needs is decoded; the tail of a thread's file (BBCOREPOINTER data,
VecPlay) is not read.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

VERSION = "1.8"


class FormatError(ValueError):
    """The files are not what this reader understands (another NEURON version)."""


@dataclass
class MechanismData:
    """Every instance of one mechanism type in a thread, in NEURON's storage order."""

    name: str
    type: int
    point: bool  # a POINT_PROCESS or ARTIFICIAL_CELL
    artificial: bool
    ion: bool
    dims: tuple[int, ...]  # array size of each variable, in NEURON's order
    nodes: np.ndarray | None  # node of each instance; None for artificial cells
    data: np.ndarray  # (instances, sum(dims)), NEURON's variables per instance

    def column(self, variable: int) -> int:
        """The first column of NEURON's variable number `variable`."""
        return int(sum(self.dims[:variable]))


@dataclass
class ThreadData:
    """One NEURON thread's nodes, mechanisms, spike sources and NetCons."""

    parent: np.ndarray  # parent node (-1 for a cell's root); parents come first
    a: np.ndarray
    b: np.ndarray
    area: np.ndarray  # µm²
    v: np.ndarray  # mV
    diam: np.ndarray | None  # µm; written only when some mechanism reads diam
    n_cells: int
    mechanisms: dict[str, MechanismData]
    output_gid: np.ndarray  # per spike source: its gid, or -(type + 1000 * instance) without one
    output_node: np.ndarray  # per spike source: node of a threshold source, -(type + 1000 * instance) otherwise
    output_threshold: np.ndarray  # per threshold source (the first ones)
    netcon_source: np.ndarray  # per NetCon: source gid, -(type + 1000 * instance), or -1 (none known)
    netcon_type: np.ndarray  # target mechanism type (0: no target)
    netcon_instance: np.ndarray  # target instance
    weights: np.ndarray  # every NetCon's weights, one after the other
    delay: np.ndarray


class _Reader:
    """Sequential reading of one file: text lines and `chkpnt`-prefixed binary arrays."""

    def __init__(self, path: Path):
        self.path, self.raw, self.at = path, path.read_bytes(), 0

    def line(self) -> str:
        end = self.raw.index(b"\n", self.at)
        text = self.raw[self.at:end].decode()
        self.at = end + 1
        return text

    def number(self) -> int:
        return int(self.line().split()[0])

    def array(self, dtype, count: int) -> np.ndarray:
        if not self.line().startswith("chkpnt"):
            raise FormatError(f"{self.path}: expected an array at byte {self.at}")
        size = np.dtype(dtype).itemsize * count
        out = np.frombuffer(self.raw, dtype=dtype, count=count, offset=self.at)
        self.at += size
        return out


def mechanism_table(folder: Path) -> dict[int, tuple]:
    """type -> (name, point, artificial, ion, pointer slots, variable dims), from bbcore_mech.dat."""
    lines = (folder / "bbcore_mech.dat").read_text().splitlines()
    if lines[0] != VERSION:
        raise FormatError(f"CoreNEURON data version {lines[0]}, modlc reads {VERSION}")
    table, k = {}, 2
    while k < len(lines):
        fields = lines[k].split()
        name, kind, point, artificial, ion = fields[0], int(fields[1]), int(fields[2]), int(fields[3]), int(fields[4])
        n_vars = int(fields[7])
        table[kind] = (name, point > 0, artificial > 0, ion > 0, int(fields[6]), tuple(int(d) for d in fields[8:8 + n_vars]))
        k += 2 if ion else 1  # an ion's line is followed by its charge
    return table


def read_thread(folder: Path, group: int, table: dict[int, tuple]) -> ThreadData:
    """The files `<group>_1.dat` and `<group>_2.dat` of a nrnbbcore_write folder."""
    first = _Reader(folder / f"{group}_1.dat")
    _version(first)
    n_presyn, n_netcon = first.number(), first.number()
    output_gid = first.array(np.int32, n_presyn)
    netcon_source = first.array(np.int32, n_netcon)

    f = _Reader(folder / f"{group}_2.dat")
    _version(f)
    n_cells, _, n_real_output, n_node, n_diam, n_mech = (f.number() for _ in range(6))
    listed = [(f.number(), f.number()) for _ in range(n_mech)]
    f.number()  # nidata (always 0)
    f.number()  # nvdata
    n_weight = f.number()
    parent = f.array(np.int32, n_node)
    a, b, area, v = (f.array(np.float64, n_node) for _ in range(4))
    diam = f.array(np.float64, n_node) if n_diam else None
    mechanisms = {}
    for kind, count in listed:
        name, point, artificial, ion, dparams, dims = table[kind]
        nodes = None if artificial else f.array(np.int32, count)
        data = f.array(np.float64, count * sum(dims)).reshape(count, sum(dims))
        if dparams:  # pdata (NEURON's pointers, as indices), then its pointer types and random streams
            f.array(np.int32, count * dparams)
            n_pointer = f.number()
            if n_pointer:
                f.array(np.int32, n_pointer)
            n_random = f.number()
            if n_random:
                f.array(np.uint32, n_random)
        mechanisms[name] = MechanismData(name, kind, point, artificial, ion, dims, nodes, data)
    output_node = f.array(np.int32, n_presyn)
    output_threshold = f.array(np.float64, n_real_output)
    netcon_type = f.array(np.int32, n_netcon)
    netcon_instance = f.array(np.int32, n_netcon)
    weights = f.array(np.float64, n_weight)
    delay = f.array(np.float64, n_netcon)
    return ThreadData(parent, a, b, area, v, diam, n_cells, mechanisms, output_gid, output_node, output_threshold,
                      netcon_source, netcon_type, netcon_instance, weights, delay)


def _version(f: _Reader) -> None:
    found = f.line()
    if found != VERSION:
        raise FormatError(f"{f.path}: CoreNEURON data version {found}, modlc reads {VERSION}")


def groups(folder: Path) -> list[int]:
    """The thread files' numbers listed in files.dat."""
    lines = (folder / "files.dat").read_text().split()
    if lines[0] != VERSION:
        raise FormatError(f"CoreNEURON data version {lines[0]}, modlc reads {VERSION}")
    rest = [int(x) for x in lines[1:]]
    if rest and rest[0] == -1:  # the model has gap junctions (written by NEURON's transfer)
        rest = rest[1:]
    return rest[1:1 + rest[0]]
