"""Ions as NEURON treats them: default concentrations, valences, and when the reversal follows Nernst.

NEURON's rule (`nrn_promote` in src/nrnoc/eion.cpp): if any mechanism reads or writes an ion's
concentration and none writes its reversal potential, the reversal is computed by Nernst at
initialisation; if a mechanism *writes* a concentration, the concentrations are reset to their
initial values at initialisation and the reversal is recomputed before every current evaluation.
Otherwise the reversal potential is a constant (ena = 50 mV, ek = -77 mV...).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .morphology import ModelError

GAS_CONSTANT = 8.31446261815324  # J/(mol·K), CODATA 2018, as NEURON 9
FARADAY = 96485.33212331001  # C/mol

# name -> (valence, e, ci, co): NEURON's built-in defaults (src/nrnoc/membdef.h)
DEFAULTS = {
    "na": (1.0, 50.0, 10.0, 140.0),
    "k": (1.0, -77.0, 54.4, 2.5),
    "ca": (2.0, 12.5 * math.log(2.0 / 5e-5), 5e-5, 2.0),
}
OTHER_ION = (0.0, 1.0, 1.0)  # e, ci, co of any other ion


@dataclass
class IonSpecies:
    """One ion's per-network settings: initial values and how its reversal is maintained."""

    name: str
    valence: float | None  # None: no mechanism gave one and none needs it (no reversal read)
    e0: float
    ci0: float
    co0: float
    conc_used: bool = False
    conc_written: bool = False
    e_written: bool = False
    e_read: bool = False

    @property
    def e_init(self) -> bool:
        """Reversal computed by Nernst at initialisation."""
        return self.conc_used and not self.e_written and self.valence is not None

    @property
    def e_advance(self) -> bool:
        """Reversal recomputed by Nernst before every current evaluation."""
        return self.conc_written and not self.e_written and self.valence is not None

    @property
    def variables(self) -> dict[str, str]:
        x = self.name
        return {"e": f"e{x}", "ci": f"{x}i", "co": f"{x}o", "i": f"i{x}"}

    def nernst_factor(self, celsius: float) -> float:
        """RT/(zF) in mV; Nernst is factor · ln(co/ci)."""
        return 1000.0 * GAS_CONSTANT * (celsius + 273.15) / FARADAY / self.valence


def species(metas: list[dict], overrides: dict[str, dict[str, float]]) -> dict[str, IonSpecies]:
    """The ions the mechanisms use, with NEURON's defaults, the user's overrides and the style flags."""
    found: dict[str, IonSpecies] = {}
    for meta in metas:
        for ion in meta["ions"]:
            x = ion["name"]
            valence, e0, ci0, co0 = DEFAULTS.get(x, (None, *OTHER_ION))
            sp = found.get(x)
            if sp is None:
                sp = found[x] = IonSpecies(x, valence, e0, ci0, co0)
            if ion.get("valence") is not None:
                if sp.valence is not None and ion["valence"] != sp.valence:
                    raise ModelError(f"mechanism {meta['name']}: ion {x} has valence {sp.valence:g}, not {ion['valence']:g}")
                sp.valence = float(ion["valence"])
            conc = {f"{x}i", f"{x}o"}
            touched = set(ion["read"]) | set(ion["write"])
            sp.conc_used |= bool(conc & touched)
            sp.conc_written |= bool(conc & set(ion["write"]))
            sp.e_written |= f"e{x}" in ion["write"]
            sp.e_read |= f"e{x}" in ion["read"]
    for x, sp in found.items():
        # NEURON leaves an ion's charge undefined until some USEION gives it; only a reversal
        # computed by Nernst needs it, so a species read just for its concentrations runs without.
        if sp.valence is None and sp.conc_used and sp.e_read and not sp.e_written:
            raise ModelError(f"ion {x} needs a VALENCE in some USEION (it is not na, k or ca): its reversal e{x} is read and follows Nernst")
    for x, values in overrides.items():
        if x not in found:
            raise ModelError(f"set_ion: no mechanism in the network uses ion {x!r}")
        sp = found[x]
        for key, value in values.items():
            attr = {f"e{x}": "e0", f"{x}i": "ci0", f"{x}o": "co0"}.get(key)
            if attr is None:
                raise ModelError(f"set_ion({x!r}): unknown variable {key!r} (use e{x}, {x}i or {x}o)")
            setattr(sp, attr, float(value))
    return found
