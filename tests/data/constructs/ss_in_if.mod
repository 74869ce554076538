: A STEADYSTATE solve under an `if` in INITIAL, of a KINETIC scheme with CONSERVE: NEURON solves it
: only where the condition holds. The open fraction o starts at its steady state kf/(kf + kb) = 0.8
: (run_ss = 1); with run_ss = 0 it would start at 0 and relax with time constant 1/(kf + kb) = 2 ms.
NEURON {
    SUFFIX ssif
    NONSPECIFIC_CURRENT i
    RANGE g, run_ss
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
PARAMETER { g = 0.0005 (S/cm2)  kf = 0.4 (/ms)  kb = 0.1 (/ms)  run_ss = 1 }
ASSIGNED { v (mV) i (mA/cm2) }
STATE { c o }
INITIAL {
    c = 1
    o = 0
    if (run_ss > 0) {
        SOLVE scheme STEADYSTATE sparse
    }
}
BREAKPOINT {
    SOLVE scheme METHOD sparse
    i = g*o*(v + 80)
}
KINETIC scheme {
    ~ c <-> o (kf, kb)
    CONSERVE c + o = 1
}
