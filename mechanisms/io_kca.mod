TITLE Calcium-activated potassium current of the inferior-olive dendrite (modlc)

COMMENT
The calcium-activated (BK) potassium current of the dendrite of the
three-compartment inferior-olive cell of De Gruijl et al. 2012 (PLoS
Comput Biol 8:e1002814), as restated in Landsmeer et al. 2024
(Neurocomputing 598:127953):

    ik    = gbar * s * (v - erev)
    ds/dt = (alpha/(alpha + beta) - s)*(alpha + beta)
    alpha = min(2e-5*cai, 0.01)   (/ms),   beta = 0.015 /ms

cai is the dendritic calcium of io_capool, in the model's arbitrary units
(declared mM here, as NEURON's ion requires).  gbar 35 mS/cm2; erev = V_K
= -75 mV is fixed (ek is not read).  s starts at s_start (the benchmark's
initial state) and is integrated with forward Euler, as published.
ENDCOMMENT

NEURON {
    SUFFIX io_kca
    USEION ca READ cai
    USEION k WRITE ik
    RANGE gbar, erev, s_start
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (mM) = (milli/liter)
    (S)  = (siemens)
}

PARAMETER {
    gbar = 35e-3 (S/cm2) <0,1e9>
    erev = -75 (mV)
    s_start = 0.0049291
}

ASSIGNED {
    v (mV)
    cai (mM)
    ik (mA/cm2)
    alpha (/ms)
    beta (/ms)
}

STATE {
    s
}

INITIAL {
    s = s_start
}

BREAKPOINT {
    SOLVE states METHOD euler
    ik = gbar*s*(v - erev)
}

UNITSOFF

DERIVATIVE states {
    alpha = 2e-5*cai
    if (alpha > 0.01) {
        alpha = 0.01
    }
    beta = 0.015
    s' = (alpha/(alpha + beta) - s)*(alpha + beta)
}

UNITSON
