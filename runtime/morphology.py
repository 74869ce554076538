"""Cells as NEURON builds them: sections of cylinders, cut into segments, joined into a tree of nodes.

The node layout and the axial coefficients follow NEURON's `nrn_area_ri` and `connection_coef`
(src/nrnoc/treeset.cpp) so that the same morphology gives the same matrix:

- every section has `nseg` nodes at its segment centres and one node at its x = 1 end;
- a child section's x = 0 end *is* the parent's node at the attach point (the segment centre
  containing x, the parent's 1-end node for x = 1, the parent's own parent node for x = 0);
- the root section adds one node at its x = 0 end;
- end nodes have no membrane: area 100 (NEURON's placeholder, so that point-process currents
  there are in nA), no capacitance, no density mechanisms;
- `b` (the node's coupling in its own row) and `a` (its coupling in its parent's row) are
  -100 / (R_axial · area), in S/cm² with R in MΩ and area in µm².
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

END_NODE_AREA = 100.0  # µm², NEURON's area for the zero-length node at a section end
NODES = "<nodes>"  # the section of every location on a cell given node by node (Cell.from_nodes)


class ModelError(ValueError):
    """A model that cannot be simulated, with a message naming the offending part."""


@dataclass(frozen=True)
class SegmentGeometry:
    """A section's per-segment values as NEURON computed them (from 3-D points, tapering diameters,
    per-segment cm): they replace the cylinder formulas, so any geometry NEURON can build is exact.
    `ri[j]` is the axial resistance (MΩ) from segment j's centre to the node before it (the
    parent's node for j = 0) and `ri[nseg]` from the last centre to the x = 1 end: NEURON's
    `seg.ri()` of each of `sec.allseg()` but the first."""

    area: tuple[float, ...]  # µm², seg.area()
    ri: tuple[float, ...]  # MΩ, nseg + 1 values
    cm: tuple[float, ...]  # µF/cm²
    diam: tuple[float, ...]  # µm

    def check(self, name: str, nseg: int) -> None:
        sizes = (len(self.area), len(self.ri) - 1, len(self.cm), len(self.diam))
        if sizes != (nseg,) * 4:
            raise ModelError(f"section {name!r}: its segment geometry has {sizes} values, not nseg = {nseg} "
                             "(and nseg + 1 resistances)")
        positive = self.area + self.ri + self.diam  # fsum is NaN or infinite if any value is
        if not (min(positive) > 0 and math.isfinite(math.fsum(positive)) and min(self.cm) >= 0):
            raise ModelError(f"section {name!r}: segment areas, resistances and diameters must be positive, cm >= 0")


@dataclass
class Section:
    """An unbranched cable; the parameters are NEURON's, with NEURON's defaults. `geometry`, when
    given, holds NEURON's own per-segment values, which then replace L, diam and cm."""

    name: str
    L: float = 100.0  # µm
    diam: float = 500.0  # µm
    nseg: int = 1
    Ra: float = 35.4  # Ω·cm
    cm: float = 1.0  # µF/cm²
    parent: str | None = None
    parent_x: float = 1.0
    geometry: SegmentGeometry | None = None

    def key(self) -> tuple:
        """Everything the tree is built from."""
        return self.L, self.diam, self.nseg, self.Ra, self.cm, self.parent, self.parent_x, id(self.geometry)

    def check(self) -> None:
        """Raise ModelError on an impossible value (checked again only after an edit)."""
        if getattr(self, "_checked", None) == self.key():
            return
        if not (isinstance(self.nseg, int) and self.nseg >= 1):
            raise ModelError(f"section {self.name!r}: nseg must be a positive integer, got {self.nseg!r}")
        for attr in ("L", "diam", "Ra"):
            value = getattr(self, attr)
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
                raise ModelError(f"section {self.name!r}: {attr} must be a positive number, got {value!r}")
        if not (isinstance(self.cm, (int, float)) and math.isfinite(self.cm) and self.cm >= 0):
            raise ModelError(f"section {self.name!r}: cm must be a non-negative number, got {self.cm!r}")
        if not 0.0 <= self.parent_x <= 1.0:
            raise ModelError(f"section {self.name!r}: parent_x must lie in [0, 1], got {self.parent_x!r}")
        if self.geometry is not None:
            self.geometry.check(self.name, self.nseg)
        self._checked = self.key()

    def segment(self, x: float) -> int:
        """Index of the segment holding position x (NEURON's rule: x = 1 is the last segment)."""
        if not 0.0 <= x <= 1.0:
            raise ModelError(f"section {self.name!r}: position x must lie in [0, 1], got {x!r}")
        return min(int(x * self.nseg), self.nseg - 1)


@dataclass
class Tree:
    """A cell's nodes in parent-before-child order (parent[0] = -1)."""

    parent: np.ndarray
    area: np.ndarray  # µm²
    cm: np.ndarray  # µF/cm², 0 on end nodes
    a: np.ndarray  # coupling of node i in its parent's row (S/cm²)
    b: np.ndarray  # coupling of the parent in node i's row (S/cm²)
    diam: np.ndarray  # µm, the section's diameter (end nodes: the section's too)
    centres: dict[str, np.ndarray]  # section name -> node index of each segment centre
    ends: dict[str, tuple[int, int]]  # section name -> (node at x = 0, node at x = 1)


@dataclass(eq=False)
class PointTemplate:
    """A point process placed on a cell used as a template: every copy of the cell in a network
    gets its own instance (`Network.point(cell_index, template)` finds it)."""

    mechanism: object
    section: str
    x: float
    params: dict


@dataclass(eq=False)
class Cell:
    """A neuron's morphology: named sections joined into a tree, and optionally the mechanisms
    every copy of it carries (`insert`, `place`), so that `Network(cells=[cell] * 100)` works."""

    name: str = "cell"
    sections: dict[str, Section] = field(default_factory=dict)
    insertions: list[tuple[object, object, dict]] = field(default_factory=list)
    points: list[PointTemplate] = field(default_factory=list)
    _tree: tuple | None = field(default=None, repr=False)  # (geometry key, Tree)
    given: Tree | None = field(default=None, repr=False)  # a tree given node by node (from_nodes)
    node_v: np.ndarray | None = field(default=None, repr=False)  # its initial v per node

    @classmethod
    def from_nodes(cls, name: str, parent, area, cm, a, b, diam, v=None) -> "Cell":
        """A cell (or a forest of cells) given as NEURON's nodes: parent index (-1 for a root,
        parents before children), area (µm²), cm (µF/cm², 0 where a node has no membrane), the
        tree matrix's a and b, diam, and optionally each node's initial v. It has no sections:
        locations on it are `Location(cell, NODES, node index)`, insertions name node indices.
        This is how a model NEURON built arrives in bulk (runtime.neuron_bulk)."""
        parent = np.asarray(parent, dtype=np.int64)
        n = len(parent)
        arrays = [np.asarray(x, dtype=float) for x in (area, cm, a, b, diam)]
        if any(len(x) != n for x in arrays) or (v is not None and len(v) != n):
            raise ModelError(f"cell {name!r}: every node array needs {n} values")
        if n == 0 or np.any(parent >= np.arange(n)) or np.any(parent < -1):
            raise ModelError(f"cell {name!r}: each node's parent must come before it (-1 for a root)")
        cell = cls(name)
        cell.given = Tree(parent, *arrays, {}, {})
        cell.node_v = None if v is None else np.asarray(v, dtype=float)
        return cell

    def compartments(self) -> int:
        """Nodes with membrane: the segments."""
        if self.given is not None:
            return int(np.count_nonzero(self.given.cm > 0))
        return sum(sec.nseg for sec in self.sections.values())

    def membrane_nodes(self, nodes) -> np.ndarray:
        """Check node indices of a cell given node by node (where a density mechanism goes)."""
        if self.given is None:
            raise ModelError(f"cell {self.name!r} is made of sections: insert into sections, not node indices")
        index = np.asarray(nodes, dtype=np.int64)
        if index.ndim != 1 or (len(index) and (index.min() < 0 or index.max() >= len(self.given.parent))):
            raise ModelError(f"cell {self.name!r}: node indices must lie in [0, {len(self.given.parent)})")
        return index

    def insert(self, mechanism, where="all", **params: float) -> "Cell":
        """Insert a density mechanism (a .mod path or Mechanism) into the sections `where` selects."""
        self.regions(where)
        self.insertions.append((mechanism, where, params))
        return self

    def place(self, mechanism, at: tuple[str, float], **params: float) -> PointTemplate:
        """Place a point process at (section, x) of every copy of this cell."""
        section, x = at
        self.node(section, x)
        template = PointTemplate(mechanism, section, float(x), params)
        self.points.append(template)
        return template

    def section(self, name: str, L: float = 100.0, diam: float = 500.0, nseg: int = 1, Ra: float = 35.4,
                cm: float = 1.0, parent: str | None = None, parent_x: float = 1.0,
                geometry: SegmentGeometry | None = None) -> Section:
        """Add a section; `parent` names an existing section, `parent_x` the attach point on it;
        `geometry` gives NEURON's per-segment areas and resistances instead of a cylinder's."""
        if name in self.sections:
            raise ModelError(f"cell {self.name!r}: section {name!r} already exists")
        if self.given is not None or name == NODES:
            raise ModelError(f"cell {self.name!r}: no section {name!r} can be added (a cell is made of sections "
                             "or given node by node, and {NODES!r} names no section)")
        if parent is None and self.sections:
            raise ModelError(f"cell {self.name!r}: section {name!r} needs a parent (only the first section is the root)")
        if parent is not None and parent not in self.sections:
            raise ModelError(f"cell {self.name!r}: section {name!r} has unknown parent {parent!r}")
        sec = Section(name, float(L), float(diam), nseg, float(Ra), float(cm), parent, float(parent_x), geometry)
        sec.check()
        self.sections[name] = sec
        self._tree = None
        return sec

    def extend(self, sections: list[Section]) -> None:
        """Add many sections at once, parents first (as NEURON's reader hands them over); their
        values are checked when the tree is built."""
        for sec in sections:
            if sec.name in self.sections:
                raise ModelError(f"cell {self.name!r}: section {sec.name!r} already exists")
            if (sec.parent is None) != (not self.sections) or (sec.parent is not None and sec.parent not in self.sections):
                raise ModelError(f"cell {self.name!r}: section {sec.name!r} has parent {sec.parent!r}, which is not "
                                 "a section added before it (only the first section is the root)")
            self.sections[sec.name] = sec
        self._tree = None

    @classmethod
    def from_swc(cls, path: str | Path, name: str | None = None, nseg_per_um: float | None = None,
                 Ra: float = 35.4, cm: float = 1.0) -> "Cell":
        """A cell from an SWC file: each unbranched run of points becomes one section.

        A section runs from its parent's last point through its own points (a change of SWC type,
        such as soma to dendrite, also starts a new section). Its length is that path's length and
        its diameter the length-weighted mean of its points' diameters (NEURON's import3d keeps the 3-D points and integrates area over them; a tapering
        branch therefore has slightly different areas here). The soma (type 1) is the root; a soma
        given as one point becomes a cylinder of length and diameter 2r. `nseg_per_um` sets nseg
        by length (odd, at least 1); without it every section has nseg = 1."""
        return swc_cell(Path(path), name or Path(path).stem, nseg_per_um, Ra, cm)

    def tree(self) -> Tree:
        """NEURON's nodes and axial coefficients for this cell (rebuilt, and the sections checked
        again, whenever a section's attributes were edited since)."""
        if self.given is not None:
            return self.given
        key = tuple(sec.key() for sec in self.sections.values())
        if self._tree is None or self._tree[0] != key:
            for sec in self.sections.values():
                sec.check()
            self._tree = (key, self._build_tree())
        return self._tree[1]

    def _build_tree(self) -> Tree:
        if not self.sections:
            raise ModelError(f"cell {self.name!r} has no sections")
        parent: list[int] = [-1]
        area: list[float] = [END_NODE_AREA]
        cm: list[float] = [0.0]
        rinv: list[float] = [0.0]
        root = next(iter(self.sections.values()))
        diam: list[float] = [root.geometry.diam[0] if root.geometry else root.diam]
        centres: dict[str, np.ndarray] = {}
        ends: dict[str, tuple[int, int]] = {}
        for sec in self.sections.values():
            if sec.parent is None:
                start = 0
            else:
                psec = self.sections[sec.parent]
                p0, p1 = ends[sec.parent]
                start = p0 if sec.parent_x == 0.0 else p1 if sec.parent_x == 1.0 else int(centres[psec.name][psec.segment(sec.parent_x)])
            geo = sec.geometry or cylinder(sec)
            previous = start
            idx = []
            for j in range(sec.nseg):
                idx.append(len(parent))
                parent.append(previous)
                area.append(geo.area[j])
                cm.append(geo.cm[j])
                rinv.append(1.0 / geo.ri[j])
                diam.append(geo.diam[j])
                previous = idx[-1]
            end = len(parent)
            parent.append(previous)
            area.append(END_NODE_AREA)
            cm.append(0.0)
            rinv.append(1.0 / geo.ri[sec.nseg])
            diam.append(geo.diam[-1])
            centres[sec.name] = np.array(idx)
            ends[sec.name] = (start, end)
        par = np.array(parent)
        ar = np.array(area)
        ri = np.array(rinv)
        a = np.zeros(len(par))
        b = np.zeros(len(par))
        a[1:] = -1e2 * ri[1:] / ar[par[1:]]
        b[1:] = -1e2 * ri[1:] / ar[1:]
        return Tree(par, ar, np.array(cm), a, b, np.array(diam), centres, ends)

    def check_position(self, section: str, x: float) -> None:
        """Raise ModelError unless `section` exists and 0 <= x <= 1 (without building the tree);
        on a cell given node by node, unless section is NODES and x a node index."""
        if self.given is not None:
            if section != NODES or not (float(x).is_integer() and 0 <= x < len(self.given.parent)):
                raise ModelError(f"cell {self.name!r} is given node by node: a location on it is (cell, NODES, "
                                 f"node index < {len(self.given.parent)}), not ({section!r}, {x!r})")
            return
        if section not in self.sections:
            raise ModelError(f"cell {self.name!r} has no section {section!r}")
        if not 0.0 <= x <= 1.0:
            raise ModelError(f"section {section!r}: position x must lie in [0, 1], got {x!r}")

    def node(self, section: str, x: float) -> int:
        """The node holding position x of a section (x = 0 and 1 are the end nodes)."""
        self.check_position(section, x)
        if self.given is not None:
            return int(x)
        tree = self.tree()
        if x == 0.0:
            return tree.ends[section][0]
        if x == 1.0:
            return tree.ends[section][1]
        return int(tree.centres[section][self.sections[section].segment(x)])

    def regions(self, where) -> list[str]:
        """Section names selected by `where`: "all", a name, a list of names, or a predicate on Section."""
        if self.given is not None:
            raise ModelError(f"cell {self.name!r} is given node by node and has no sections to select")
        if where == "all":
            return list(self.sections)
        if isinstance(where, str):
            names = [where]
        elif callable(where):
            return [n for n, s in self.sections.items() if where(s)]
        else:
            names = list(where)
        for n in names:
            if n not in self.sections:
                raise ModelError(f"cell {self.name!r} has no section {n!r}")
        return names


def cylinder(sec: Section) -> SegmentGeometry:
    """NEURON's segment values for a uniform cylinder (`nrn_area_ri` without 3-D points)."""
    dx = sec.L / sec.nseg
    r_half = 1e-2 * sec.Ra * (dx / 2) / (math.pi * sec.diam * sec.diam / 4)  # MΩ
    n = sec.nseg
    return SegmentGeometry((math.pi * sec.diam * dx,) * n, (r_half,) + (2 * r_half,) * (n - 1) + (r_half,),
                           (sec.cm,) * n, (sec.diam,) * n)


def swc_cell(path: Path, name: str, nseg_per_um: float | None, Ra: float, cm: float) -> Cell:
    """Sections from SWC points (see Cell.from_swc)."""
    try:
        lines = path.read_text().splitlines()
    except OSError as exc:
        raise ModelError(f"{path}: cannot read SWC file: {exc.strerror}") from None
    points: dict[int, tuple[int, np.ndarray, float, int]] = {}
    for number, line in enumerate(lines, 1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        fields = text.split()
        try:
            ident, kind = int(fields[0]), int(fields[1])
            xyz = np.array([float(f) for f in fields[2:5]])
            radius, parent = float(fields[5]), int(fields[6])
        except (ValueError, IndexError):
            raise ModelError(f"{path}:{number}:1: error: an SWC line needs 7 numbers: id type x y z radius parent") from None
        if parent != -1 and parent not in points:
            raise ModelError(f"{path}:{number}:1: error: point {ident} names parent {parent}, which is not defined before it")
        points[ident] = (kind, xyz, radius, parent)
    if not points:
        raise ModelError(f"{path}: the SWC file has no points")
    children: dict[int, list[int]] = {i: [] for i in points}
    roots = [i for i, p in points.items() if p[3] == -1]
    if len(roots) != 1:
        raise ModelError(f"{path}: an SWC cell needs exactly one root point, found {len(roots)}")
    for i, p in points.items():
        if p[3] != -1:
            children[p[3]].append(i)
    cell = Cell(name)

    def add(sec_name, chain, lead, parent_name):
        xyz = [points[i][1] for i in lead + chain]
        radii = [points[i][2] for i in chain[:1] * len(lead) + chain]  # the parent's point only fixes where it starts
        lengths = [float(np.linalg.norm(q - p)) for p, q in zip(xyz, xyz[1:])]
        length = sum(lengths)
        if length <= 0:
            length, diam = 2 * radii[0], 2 * radii[0]
        else:
            diam = sum(l * (r0 + r1) for l, r0, r1 in zip(lengths, radii, radii[1:])) / length
        nseg = 1 if nseg_per_um is None else max(1, 2 * int(length * nseg_per_um / 2) + 1)
        cell.section(sec_name, L=length, diam=diam, nseg=nseg, Ra=Ra, cm=cm, parent=parent_name, parent_x=1.0)

    counter = {"n": 0}

    def walk(start, parent_name, lead):
        chain = [start]
        node = start
        while len(children[node]) == 1 and points[children[node][0]][0] == points[start][0]:
            node = children[node][0]
            chain.append(node)
        counter["n"] += 1
        kind = {1: "soma", 2: "axon", 3: "dend", 4: "apic"}.get(points[start][0], "sec")
        sec_name = "soma" if parent_name is None else f"{kind}_{counter['n']}"
        add(sec_name, chain, lead, parent_name)
        for child in children[node]:
            walk(child, sec_name, [node])

    walk(roots[0], None, [])
    return cell
