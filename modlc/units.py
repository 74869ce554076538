"""Units of NMODL declarations: a units table and an evaluator that agree with NEURON.

NMODL annotates quantities with unit texts such as ``(mA/cm2)`` and defines
conversion constants in UNITS blocks (``FARADAY = (faraday) (coulomb)``).  The
numbers NEURON compiles into a mechanism come from its own units evaluator
(shared by ``nocmodl`` and ``modlunit``, descended from Unix ``units``), so this
module reproduces that evaluator's *rules* exactly and carries its own table of
physical facts.  The rules below were checked against NEURON 9.0.2's ``nocmodl``:

* A text may start with a number: digits and ``.``, an exponent written
  ``1+8``/``1-10`` (no ``e``), and ``a|b`` for a quotient.  Zero or no number
  means 1.  Only the *leading* number is a number: in ``liter/1e15`` the ``e``
  is the elementary charge, so NEURON reads it as liter per elementary charge.
* Unit names are separated by space, tab, ``-``, ``/`` or a digit ``1``-``9``.
  Juxtaposition multiplies; after the first ``/`` every later name divides
  (``/ms mM`` is 1/(ms mM), ``a/b/c`` is a/(b c)).
* A digit right after a name is a power (``cm2`` is cm^2, ``um5`` is um^5).
  There are no negative powers: ``cm-2`` is cm times nothing, i.e. just cm, and
  ``mM-1 ms-1`` is mM*ms.  ``0`` is an ordinary name character.
* A name is looked up as is; failing that, a spelled-out prefix (atto, femto,
  pico, nano, micro, milli, centi, deci, deka, hecta/hecto, kilo, mega/meg,
  giga, tera) is stripped and the rest looked up (a bare prefix such as
  ``milli`` is the number 1e-3); failing that, a trailing plural ``s`` is
  dropped (``kilocoulombs``).  NEURON itself knows no one-letter prefixes.

NEURON's table counts moles: ``mole`` is Avogadro's number, a pure count, so
``faraday`` (= e*mole) is a charge, ``k`` is Boltzmann's constant and ``k-mole``
is the gas constant in J/K (``R = (k-mole) (joule/degC)`` is 8.314..., not
8314...).  Concentrations follow the same convention with the count left out:
mod files write ``(mM) = (milli/liter)`` and ``(mol) = (1)``.  Here the mole
slot of :attr:`Quantity.dims` is therefore always 0 for built-in units, ``mol``
is the number 1 and ``M`` (molar) is ``1/liter`` -- so ``mM`` equals NEURON's
``milli/liter`` and ``mol/m3`` exactly -- while ``mole`` stays Avogadro's number
as in NEURON.  ``degC`` is kelvin with factor 1 (no offsets, as in NEURON).
NEURON's table uses the 2019 SI constants and keeps some oddities, which are
reproduced: ``g`` is standard gravity (not gram), ``da`` is a day, ``mhz`` is
a megahertz, ``radian`` is 1/(2 pi) so that ``degree`` is 1/360.  Its
currencies, computing and trivia units (``furlong``, ``hogshead``) are left
out.  NEURON does not compare dimensions when it computes a UNITS-block
constant; :func:`conversion_factor` does.

Beyond NEURON, so that texts real files use without declaring them resolve,
this table adds SI symbols (A, S, F, J, W, Pa, Ohm, L, l, M, molar, mol, degK,
and deg as a temperature step), one-letter SI prefixes (``mV``, ``uS``, ``nA``,
``MOhm``), a last-resort case-insensitive match where that is unambiguous
(``DegC``, ``mv``; never k/K or s/S), and ``*`` for multiplication and
``^``/``**`` for powers.  These extensions only apply where NEURON's own rules
find nothing, so every text NEURON evaluates evaluates identically here (down
to the last bit for the names checked against it); ``strict=True`` turns them
off.  A file may redefine an extension name (``(S) = (siemens)``,
``(mol) = (1)``) but, as in NEURON, not a name from NEURON's own table.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "DIM_NAMES",
    "NEURON_NAMES",
    "BUILTIN_TABLE",
    "Quantity",
    "UnitError",
    "UnitTable",
    "conversion_factor",
    "define_alias",
    "is_known_unit",
    "parse_unit",
]

DIM_NAMES: tuple[str, ...] = ("m", "kg", "s", "A", "K", "mol", "cd")
_NDIM = len(DIM_NAMES)


class UnitError(ValueError):
    """A unit text that cannot be evaluated, or two units that cannot be converted."""


@dataclass(frozen=True)
class Quantity:
    """A unit as its size in SI base units times a product of base dimensions.

    ``dims`` holds the exponents of (m, kg, s, A, K, mol, cd).  Amounts of
    substance are counts in NEURON's table, so the mol exponent of every
    built-in unit is 0 (see the module docstring).
    """

    factor: float
    dims: tuple[int, ...]

    @property
    def dimensionless(self) -> bool:
        """True when all exponents are zero (the factor may still differ from 1)."""
        return not any(self.dims)

    def __mul__(self, other: Quantity) -> Quantity:
        return Quantity(self.factor * other.factor, tuple(a + b for a, b in zip(self.dims, other.dims)))

    def __truediv__(self, other: Quantity) -> Quantity:
        return Quantity(self.factor / other.factor, tuple(a - b for a, b in zip(self.dims, other.dims)))

    def __pow__(self, n: int) -> Quantity:
        return Quantity(self.factor**n, tuple(a * n for a in self.dims))

    def dims_str(self) -> str:
        """The dimensions as text such as ``m-2 A``, for messages."""
        parts = [name if e == 1 else f"{name}{e}" for name, e in zip(DIM_NAMES, self.dims) if e]
        return " ".join(parts) or "1"

    def __str__(self) -> str:
        return f"{self.factor:.17g} {self.dims_str()}" if any(self.dims) else f"{self.factor:.17g}"


# --------------------------------------------------------------------------
# The built-in table (facts: SI definitions and CODATA 2018 exact constants).
# --------------------------------------------------------------------------


def _q(factor: float = 1.0, m: int = 0, kg: int = 0, s: int = 0, A: int = 0, K: int = 0, cd: int = 0) -> Quantity:
    return Quantity(float(factor), (m, kg, s, A, K, 0, cd))


_NATIVE: dict[str, Quantity] = {}  # names NEURON's own table also defines (same values)
_EXTRA: dict[str, Quantity] = {}  # names added here; a file may redefine these


def _native(q: Quantity, *names: str) -> Quantity:
    for n in names:
        _NATIVE[n] = q
    return q


def _extra(q: Quantity, *names: str) -> Quantity:
    for n in names:
        _EXTRA[n] = q
    return q


# Exact defining constants of the 2019 SI, which NEURON 9 uses.
_E_CHARGE = 1.602176634e-19  # C
_AVOGADRO = 6.02214076e23  # per mole (a count here)
_BOLTZMANN = 1.380649e-23  # J/K
_PLANCK = 6.62607015e-34  # J s
_LIGHT = 299792458.0  # m/s
_GRAVITY = 9.80665  # m/s2, standard acceleration of gravity

_ONE = _native(_q(), "")  # what a bare prefix ("milli") leaves behind
_native(_q(math.pi), "pi")
_MOLE = _native(_q(_AVOGADRO), "mole")
_RADIAN = _native(_q(0.5 / math.pi), "radian")  # NEURON: one turn is 1
_native(_q(math.pi / 180 * _RADIAN.factor), "degree")
_native(_RADIAN**2, "steradian", "sr")
_native(_q(0.01), "percent")

# length, area, volume.  Some factors are built up the way NEURON's table
# derives them (a litre is a thousand cm3), so that results agree to the bit.
_M = _native(_q(1.0, m=1), "m", "meter", "metre")
_CM = _native(_q(1e-2, m=1), "cm")
_native(_q(1e-3, m=1), "mm")
_native(_q(1e3, m=1), "km")
_native(_q(1e-9, m=1), "nm")
_native(_q(1e-6, m=1), "micron")
_native(_q(1.0 * 1e-1 * 1e-9, m=1), "angstrom")  # deci-nano-metre
_native(_q(1e-15, m=1), "fermi")
_INCH = _native(_q(2.54 * _CM.factor, m=1), "inch", "in")
_FOOT = _native(_q(12 * _INCH.factor, m=1), "foot", "feet", "ft")
_native(_q(3 * _FOOT.factor, m=1), "yard", "yd")
_native(_q(5280 * _FOOT.factor, m=1), "mile", "mi")
_CC = _native(_q(_CM.factor * _CM.factor * _CM.factor, m=3), "cc")
_LITER = _native(_q(_CC.factor * 1e3, m=3), "liter", "litre")
_native(_q(_LITER.factor * 1e-3, m=3), "ml")

# time, frequency
_SEC = _native(_q(1.0, s=1), "sec", "second", "s")
_native(_q(1e-3, s=1), "ms")
_native(_q(1e-6, s=1), "us")
_native(_q(1e-9, s=1), "ns")
_native(_q(60.0, s=1), "minute", "min")
_native(_q(3600.0, s=1), "hour", "hr")
_DAY = _native(_q(86400.0, s=1), "day", "da")  # NEURON: "da" is a day, not deka
_native(_q(7 * 86400.0, s=1), "week")
_native(_q(365.24219879 * 86400.0, s=1), "year", "yr")  # tropical year
_HERTZ = _native(_q(1.0, s=-1), "hertz", "Hz", "hz", "becquerel")
_native(_q(1e3, s=-1), "khz")
_native(_q(1e6, s=-1), "mhz")  # NEURON: lower-case "mhz" is a megahertz
_native(_q(3.7e10, s=-1), "curie")

# mass
_KG = _native(_q(1.0, kg=1), "kg")
_native(_q(1e-3, kg=1), "gram", "gramme", "gm")
_native(_q(1e-6, kg=1), "mg")
# NEURON keeps these older particle masses in its table.
_native(_q(1.66044e-27, kg=1), "amu", "dalton")
_native(_q(9.1095e-31, kg=1), "electronmass")
_native(_q(1.6726e-27, kg=1), "protonmass")

# mechanics, energy
_NEWTON = _native(_q(1.0, m=1, kg=1, s=-2), "newton", "nt", "N")
_native(_q(1e-5, m=1, kg=1, s=-2), "dyne")
_JOULE = _native(_q(1.0, m=2, kg=1, s=-2), "joule")
_native(_q(_CM.factor * _CM.factor * 1e-3, m=2, kg=1, s=-2), "erg")
_native(_q(4.1868, m=2, kg=1, s=-2), "cal", "calorie")  # International Table calorie
_native(_q(4186.8, m=2, kg=1, s=-2), "kcal", "kcalorie")
_WATT = _native(_q(1.0, m=2, kg=1, s=-3), "watt")
_PASCAL = _native(_q(1.0, m=-1, kg=1, s=-2), "pascal")
_native(_q(101325.0, m=-1, kg=1, s=-2), "atmosphere", "atm")
_native(_q(1e5, m=-1, kg=1, s=-2), "bar")
_native(_q(1.33322e5, m=-2, kg=1, s=-2), "mercury", "hg")  # pressure per metre of mercury
_native(_q(133.322, m=-1, kg=1, s=-2), "torr")  # one mm of mercury
_native(_q(_GRAVITY, m=1, s=-2), "g")  # NEURON: "g" is gravity, not gram

# electricity and magnetism
_COULOMB = _native(_q(1.0, s=1, A=1), "coulomb", "coul", "C")
_AMPERE = _native(_q(1.0, A=1), "ampere", "amp")
_VOLT = _native(_q(1.0, m=2, kg=1, s=-3, A=-1), "volt", "V")
_OHM = _native(_VOLT / _AMPERE, "ohm")
_native(_q(1e3) * _OHM, "kilohm")
_native(_q(1e6) * _OHM, "megohm")
_SIEMENS = _native(_AMPERE / _VOLT, "mho", "siemens")
_FARAD = _native(_COULOMB / _VOLT, "farad")
_native(_q(1e-12) * _FARAD, "pf")
_HENRY = _native(_OHM * _SEC, "henry")
_native(_q(1e-3) * _HENRY, "mh")
_WEBER = _native(_VOLT * _SEC, "weber")
_native(_WEBER / _M**2, "tesla")
_native(_q(1e-4) * _WEBER / _M**2, "gauss")

# temperature (no offsets: degC is a kelvin-sized step)
_KELVIN = _native(_q(1.0, K=1), "K", "kelvin", "degC")
_native(_q(5 / 9, K=1), "degF")

# light
_native(_q(1.0, cd=1), "candela", "cd")

# physical constants, written as NEURON combines them so the last bit agrees
_native(_q(_LIGHT, m=1, s=-1), "c")
_ECHG = _native(_q(_E_CHARGE, s=1, A=1), "e")
_native(_ECHG * _MOLE, "faraday")
_native(_ECHG * _VOLT, "eV", "ev", "electronvolt")
_KB = _native(_q(_BOLTZMANN, m=2, kg=1, s=-2, K=-1), "boltzmann", "k")
_native(_KB * _MOLE, "gasconstant", "R")
_H = _native(_q(_PLANCK, m=2, kg=1, s=-1), "planck")
_native(Quantity(_H.factor / 2.0 / math.pi, _H.dims), "hbar")

# SI symbols and chemistry names NEURON lacks (files may redefine these)
_extra(_AMPERE, "A")
_extra(_SIEMENS, "S")
_extra(_FARAD, "F")
_extra(_JOULE, "J")
_extra(_WATT, "W")
_extra(_PASCAL, "Pa")
_extra(_OHM, "Ohm")
_extra(_LITER, "L", "l")
_extra(_ONE, "mol")  # an amount counted in moles, as files write "(mol) = (1)"
_extra(_ONE / _LITER, "M", "molar")  # mol/liter with mol = 1, i.e. NEURON's "1/liter"
_extra(_KELVIN, "degK", "deg")  # mod files write "celsius (deg)"; NEURON's "degree" is an angle

for _n in _EXTRA:
    assert _n not in _NATIVE, _n
del _n

NEURON_NAMES: frozenset[str] = frozenset(_NATIVE) - {""}
"""Built-in names NEURON's own table has too (same values); files cannot redefine them."""

# NEURON's spelled-out prefixes, in the order it tries them ("mega" before "meg").
_WORD_PREFIXES: tuple[tuple[str, float], ...] = (
    ("atto", 1e-18),
    ("femto", 1e-15),
    ("pico", 1e-12),
    ("nano", 1e-9),
    ("micro", 1e-6),
    ("milli", 1e-3),
    ("centi", 1e-2),
    ("deci", 1e-1),
    ("deka", 1e1),
    ("hecta", 1e2),
    ("hecto", 1e2),
    ("kilo", 1e3),
    ("mega", 1e6),
    ("meg", 1e6),
    ("giga", 1e9),
    ("tera", 1e12),
)

# One-letter SI prefixes, an extension ("da" before "d").
_LETTER_PREFIXES: tuple[tuple[str, float], ...] = (
    ("da", 1e1),
    ("T", 1e12),
    ("G", 1e9),
    ("M", 1e6),
    ("k", 1e3),
    ("h", 1e2),
    ("d", 1e-1),
    ("c", 1e-2),
    ("m", 1e-3),
    ("u", 1e-6),
    ("\u00b5", 1e-6),  # micro sign
    ("\u03bc", 1e-6),  # Greek mu
    ("n", 1e-9),
    ("p", 1e-12),
    ("f", 1e-15),
    ("a", 1e-18),
)

_Lookup = Callable[[str], "Quantity | None"]


def _resolve_neuron(name: str, get: _Lookup) -> tuple[Quantity, float] | None:
    """NEURON's name lookup: exact, else strip a word prefix, else a plural 's'; no backtracking."""
    scale = 1.0
    while True:
        q = get(name)
        if q is not None:
            return q, scale
        for pname, pfactor in _WORD_PREFIXES:
            if name.startswith(pname):
                scale *= pfactor
                name = name[len(pname) :]
                break
        else:
            if len(name) > 1 and name.endswith("s"):
                name = name[:-1]
                continue
            return None


def _resolve_extended(name: str, get: _Lookup) -> tuple[Quantity, float] | None:
    """Lookup with one-letter prefixes, for names NEURON's own rules do not find."""
    q = get(name)
    if q is not None:
        return q, 1.0
    for pname, pfactor in _WORD_PREFIXES:
        if name.startswith(pname):
            found = _resolve_extended(name[len(pname) :], get)
            if found is not None:
                return found[0], pfactor * found[1]
    for pname, pfactor in _LETTER_PREFIXES:
        rest = name[len(pname) :]
        if rest and name.startswith(pname):
            q = get(rest)
            if q is None and len(rest) > 1 and rest.endswith("s"):
                q = get(rest[:-1])
            if q is not None:
                return q, pfactor
    if len(name) > 1 and name.endswith("s"):
        return _resolve_extended(name[:-1], get)
    return None


_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?")
_SEPARATORS = frozenset(" \t\r\n\f\v-/123456789")
_EXT_SEPARATORS = _SEPARATORS | {"*", "^"}


def _leading_number(text: str, i: int) -> tuple[float, int]:
    """Read NEURON's leading number at ``text[i:]``: ``1.5``, ``1+8`` (1e8), ``1|3``."""
    n = len(text)
    while i < n and text[i] in " \t":
        i += 1
    j = i
    while j < n and text[j] in "0123456789.":
        j += 1
    literal = text[i:j]
    if j < n and text[j] in "+-":
        k = j + 1
        while k < n and text[k] in "0123456789":
            k += 1
        literal += "e" + text[j:k]
        j = k
    m = _NUMBER_RE.match(literal)  # like C's atof: the longest valid prefix, else 0
    value = float(m.group()) if m else 0.0
    if j < n and text[j] == "|":
        divisor, j = _leading_number(text, j + 1)
        if divisor == 0.0:
            raise UnitError(f"division by zero in the number of unit {text!r}")
        value /= divisor
    return value, j


_POWER_RE = re.compile(r"[ \t]*([+-]?\d+)")
_MAX_POWER = 64


def _evaluate(text: str, get: _Lookup, get_folded: _Lookup | None, syntax_ext: bool) -> Quantity:
    """Evaluate ``text`` by NEURON's rules.

    With ``get_folded`` names NEURON cannot resolve get a second chance with
    one-letter prefixes and then case-insensitively; ``syntax_ext`` adds ``*``
    and ``^``/``**``.
    """
    factor, i = _leading_number(text, 0)
    if factor == 0.0:
        factor = 1.0
    dims = [0] * _NDIM
    seps = _EXT_SEPARATORS if syntax_ext else _SEPARATORS
    den = False
    n = len(text)
    while True:
        j = i
        while j < n and text[j] not in seps:
            j += 1
        name = text[i:j]
        c = text[j] if j < n else ""
        i = j + 1
        power = 1
        if c and c in "23456789":
            power = int(c)
        elif syntax_ext and (c == "^" or text.startswith("**", j)):
            m = _POWER_RE.match(text, j + (1 if c == "^" else 2))
            if m is None or not name:
                raise UnitError(f"bad power in unit {text!r}")
            power = int(m.group(1))
            if abs(power) > _MAX_POWER:
                raise UnitError(f"power {power} too large in unit {text!r}")
            i = m.end()
        if name:
            found = _resolve_neuron(name, get)
            if found is None and get_folded is not None:
                found = _resolve_extended(name, get) or _resolve_extended(name, get_folded)
            if found is None:
                where = "" if name == text.strip() else f" in {text!r}"
                raise UnitError(f"unknown unit {name!r}{where}")
            q, scale = found
            f = q.factor * scale
            divide = den != (power < 0)
            power = abs(power)
            for _ in range(power):  # repeated products, the way NEURON forms them
                factor = factor / f if divide else factor * f
            step = -power if divide else power
            for d in range(_NDIM):
                dims[d] += step * q.dims[d]
        if c == "/":
            den = True
        if j >= n:
            return Quantity(factor, tuple(dims))


class UnitTable:
    """Unit names known while reading one file: the built-ins plus its UNITS-block aliases.

    ``UnitTable()`` starts from the shared built-in table, which it never
    changes; ``define`` records ``(name) = (text)`` the way NEURON does: the text
    is evaluated at once, and redefining a name NEURON's table already has (or
    one this table already defined) is an error.
    """

    __slots__ = ("_own", "_parent", "_frozen", "_cache", "_strict_cache", "_folded")

    def __init__(self, parent: UnitTable | None = None, *, _own: dict[str, Quantity] | None = None) -> None:
        if parent is None and _own is None:
            parent = BUILTIN_TABLE
        self._parent = parent
        self._own: dict[str, Quantity] = dict(_own or {})
        self._frozen = _own is not None and parent is None
        self._cache: dict[str, Quantity] = {}
        self._strict_cache: dict[str, Quantity] = {}
        self._folded: dict[str, Quantity | None] | None = None

    def _get(self, name: str) -> Quantity | None:
        q = self._own.get(name)
        if q is None and self._parent is not None:
            q = self._parent._get(name)
        return q

    def _get_strict(self, name: str) -> Quantity | None:
        """Lookup without the names NEURON's table lacks, unless a file defined them."""
        if self._parent is None:
            return _NATIVE.get(name)
        q = self._own.get(name)
        return q if q is not None else self._parent._get_strict(name)

    def _get_folded(self, name: str) -> Quantity | None:
        """Case-insensitive lookup, used only when it cannot be ambiguous (not k/K, s/S ...)."""
        if self._folded is None:
            folded: dict[str, Quantity | None] = {}
            for n in self.names():
                key, q = n.casefold(), self._get(n)
                folded[key] = q if folded.get(key, q) == q else None
            self._folded = folded
        return self._folded.get(name.casefold())

    def defines(self, name: str) -> bool:
        """Whether ``name`` is a unit name of this table (no prefix or plural handling)."""
        return self._get(name) is not None

    def define(self, name: str, text: str) -> Quantity:
        """Register ``(name) = (text)`` from a UNITS block and return its value."""
        if self._frozen:
            raise UnitError(f"cannot define {name!r}: the built-in unit table is shared and read-only")
        name = name.strip()
        if not name:
            raise UnitError("cannot define an empty unit name")
        if name in self._own or name in _NATIVE:
            raise UnitError(f"redefinition of unit {name!r} (as {text!r})")
        q = self.parse(text)
        self._own[name] = q
        self._cache.clear()
        self._strict_cache.clear()
        self._folded = None
        return q

    def parse(self, text: str, *, strict: bool = False) -> Quantity:
        """Evaluate a unit text (without parentheses); results are cached per table."""
        cache = self._strict_cache if strict else self._cache
        q = cache.get(text)
        if q is not None:
            return q
        if strict:
            q = _evaluate(text, self._get_strict, None, syntax_ext=False)
        else:
            try:
                q = _evaluate(text, self._get, self._get_folded, syntax_ext=False)
            except UnitError:
                if "*" not in text and "^" not in text:
                    raise
                q = _evaluate(text, self._get, self._get_folded, syntax_ext=True)
        cache[text] = q
        return q

    def names(self) -> frozenset[str]:
        """All unit names defined in this table and its parents."""
        own = frozenset(self._own)
        return own | self._parent.names() if self._parent is not None else own


BUILTIN_TABLE = UnitTable(None, _own={**_NATIVE, **_EXTRA})
"""The shared built-in table; per-file aliases go into ``UnitTable()`` instances."""


def define_alias(table: UnitTable, name: str, text: str) -> Quantity:
    """Register a UNITS-block alias ``(name) = (text)`` in a per-file ``table``."""
    return table.define(name, text)


def parse_unit(text: str, table: UnitTable | None = None, *, strict: bool = False) -> Quantity:
    """Evaluate a unit text such as ``mA/cm2`` ('' and '1' are the number 1).

    ``strict=True`` applies NEURON's rules alone (no one-letter prefixes, no
    added SI symbols), for checking what NEURON itself would accept.
    """
    return (table or BUILTIN_TABLE).parse(text, strict=strict)


def conversion_factor(source: str, target: str, table: UnitTable | None = None, *, strict: bool = False) -> float:
    """The value of one ``source`` in units of ``target``, as a UNITS-block constant gets it.

    ``FARADAY = (faraday) (coulomb)`` has the value ``conversion_factor('faraday',
    'coulomb')``.  Raises :class:`UnitError` when the dimensions differ (NEURON
    would silently divide the magnitudes anyway).
    """
    tab = table or BUILTIN_TABLE
    src = tab.parse(source, strict=strict)
    tgt = tab.parse(target, strict=strict)
    if src.dims != tgt.dims:
        raise UnitError(
            f"cannot convert ({source}) to ({target}): dimensions differ ({src.dims_str()} vs {tgt.dims_str()})"
        )
    return src.factor / tgt.factor


def is_known_unit(text: str, table: UnitTable | None = None, *, strict: bool = False) -> bool:
    """Whether ``text`` evaluates in ``table`` (default: the built-in table)."""
    try:
        parse_unit(text, table, strict=strict)
    except UnitError:
        return False
    return True
