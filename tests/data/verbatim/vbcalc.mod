: VERBATIM idioms modlc reads as NMODL (tests/test_verbatim.py): C math, if/else, a ternary,
: #define, nocmodl's _l and _ion_ names, a FUNCTION's return, a no-op `return 0;`, and a hoc-only
: PROCEDURE no kernel calls.
NEURON {
    SUFFIX vbcalc
    USEION ca READ cai
    NONSPECIFIC_CURRENT i
    RANGE g, e, y, w
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (mM) = (milli/liter) }
PARAMETER {
    g = 0.002 (S/cm2)
    e = -70 (mV)
    k = 6 (mV)
}
ASSIGNED { v (mV) i (mA/cm2) cai (mM) y w }
VERBATIM
#include <math.h>
#include <stdio.h>
#define VHALF -50.0
ENDVERBATIM
BREAKPOINT {
    gate(v)
    i = g * y * (v - e)
}
PROCEDURE gate(vm (mV)) {
VERBATIM
    /* a gate computed in C */
    double z;
    z = exp(-(_lvm - VHALF) / k);
    if (z > 1e3) {
        y = 0.0;
    } else {
        y = pow(1.0 + z, -1.0);
    }
    w = fabs(_lvm) > 60.0 ? sqrt(fabs(_lvm)) : half(_lvm);  // C's ternary
    w += 1000.0 * _ion_cai;
    return 0;
ENDVERBATIM
}
FUNCTION half(x) {
VERBATIM
    return _lx * 0.5;
ENDVERBATIM
}
PROCEDURE report() {
VERBATIM
    printf("vbcalc: y = %g\n", y);
ENDVERBATIM
}
