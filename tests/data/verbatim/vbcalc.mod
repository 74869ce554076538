: VERBATIM idioms modlc reads as NMODL (tests/test_verbatim.py): C math, if/else, a ternary,
: #define, nocmodl's _l and _ion_ names, a FUNCTION's return, a no-op `return 0;`, a switch on a
: FROM loop's index, an assignment inside an if's condition, and a hoc-only PROCEDURE no kernel calls.
NEURON {
    SUFFIX vbcalc
    USEION ca READ cai
    NONSPECIFIC_CURRENT i
    RANGE g, e, y, w, u
}
UNITS { (mA) = (milliamp) (mV) = (millivolt) (mM) = (milli/liter) }
PARAMETER {
    g = 0.002 (S/cm2)
    e = -70 (mV)
    k = 6 (mV)
}
ASSIGNED { v (mV) i (mA/cm2) cai (mM) y w u }
VERBATIM
#include <math.h>
#include <stdio.h>
#define VHALF -50.0
ENDVERBATIM
BREAKPOINT {
    gate(v)
    mix()
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
PROCEDURE mix() {
    LOCAL j, q
    u = 0
    FROM j = 0 TO 3 {
VERBATIM
        switch (_lj) {
        case 0:
            if ((_lq = y * 2.0) > 0.5) {
                _lq = 0.5;
            }
            u += _lq;
            break;
        case 1:
        case 2:
            u += w * 0.001 * _lj;
            break;
        default:
            u = -u;
        }
ENDVERBATIM
    }
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
