COMMENT
Expressions of GLOBAL parameters alone that have no real value with the defaults (0/0, the cube
root of a negative number by ^): NEURON's C gives NaN; so must every backend, not an exception.
ENDCOMMENT

NEURON {
    SUFFIX rw_global0
    NONSPECIFIC_CURRENT i
    GLOBAL ga, gb, base
    RANGE gl, el, ratio, root
}

PARAMETER {
    gl = 0.0001 (S/cm2)
    el = -60 (mV)
    ga = 0
    gb = 0
    base = -8
}

ASSIGNED {
    v (mV)
    i (mA/cm2)
    ratio
    root
}

BREAKPOINT {
    ratio = ga/gb
    root = base^(1/3)
    i = gl*(v - el)
}
