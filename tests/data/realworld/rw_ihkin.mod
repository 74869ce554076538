COMMENT
An h-type channel whose kinetic scheme has a rate that depends on a state (k3 grows with the
messenger p1, computed in a PROCEDURE the KINETIC block calls). nocmodl calls the scheme linear
(each reaction side holds one species), so METHOD sparse takes one Newton step per time step
with k3 evaluated at the old states; p1 starts at 0, where (p1/pc)^nexp has no derivative.
ENDCOMMENT

NEURON {
    SUFFIX rw_ihkin
    NONSPECIFIC_CURRENT i
    RANGE gbar, e
    GLOBAL k1, k2, k4, pc, nexp
}

PARAMETER {
    gbar = 0.0005 (S/cm2)
    e = -30 (mV)
    k1 = 0.01 (/ms)
    k2 = 0.002 (/ms)
    k4 = 0.005 (/ms)
    pc = 0.05
    nexp = 1
}

STATE { c o o2 p0 p1 }

ASSIGNED {
    v (mV)
    i (mA/cm2)
    a (/ms)
    b (/ms)
    k3 (/ms)
}

BREAKPOINT {
    SOLVE scheme METHOD sparse
    i = gbar*(o + 2*o2)*(v - e)
}

INITIAL {
    c = 1
    o = 0
    o2 = 0
    p0 = 1
    p1 = 0
    rates(v)
}

KINETIC scheme {
    rates(v)
    ~ c <-> o (a, b)
    ~ p0 <-> p1 (k1, k2)
    ~ o <-> o2 (k3, k4)
    CONSERVE p0 + p1 = 1
    CONSERVE c + o + o2 = 1
}

PROCEDURE rates(v (mV)) {
    a = 0.02*exp(-(v + 70)/20)
    b = 0.02*exp((v + 70)/20)
    k3 = k4*(p1/pc)^nexp
}
