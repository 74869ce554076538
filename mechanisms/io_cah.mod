TITLE High-threshold calcium current of the inferior-olive dendrite (modlc)

COMMENT
The high-threshold (CaV2.1) calcium current of the dendrite of the
three-compartment inferior-olive cell of De Gruijl et al. 2012 (PLoS
Comput Biol 8:e1002814), as restated in Landsmeer et al. 2024
(Neurocomputing 598:127953):

    ica   = gbar * r^2 * (v - erev)
    dr/dt = (alpha*(1 - r) - beta*r)/5
    alpha = 1.7/(1 + exp(-(v - 5)/13.9))             (/ms)
    beta  = 0.02*(v + 8.5)/(exp((v + 8.5)/5) - 1)    (/ms)

beta is 0/0 at v = -8.5 mV; within 1e-6 mV of it the limit 0.1/ms is used
(the published code does not guard it).  gbar 4.5 mS/cm2; erev = V_Ca =
120 mV is the model's fixed reversal (eca is not read).  ica feeds the
dendritic calcium pool io_capool.  r starts at r_start (the benchmark's
initial state) and is integrated with forward Euler, as published.
ENDCOMMENT

NEURON {
    SUFFIX io_cah
    USEION ca WRITE ica
    RANGE gbar, erev, r_start
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S)  = (siemens)
}

PARAMETER {
    gbar = 4.5e-3 (S/cm2) <0,1e9>
    erev = 120 (mV)
    r_start = 0.0113
}

ASSIGNED {
    v (mV)
    ica (mA/cm2)
    alpha (/ms)
    beta (/ms)
}

STATE {
    r
}

INITIAL {
    r = r_start
}

BREAKPOINT {
    SOLVE states METHOD euler
    ica = gbar*r*r*(v - erev)
}

UNITSOFF

DERIVATIVE states {
    alpha = 1.7/(1 + exp(-(v - 5)/13.9))
    if (fabs(v + 8.5) < 1e-6) {
        beta = 0.1
    } else {
        beta = 0.02*(v + 8.5)/(exp((v + 8.5)/5) - 1)
    }
    r' = (alpha/(alpha + beta) - r)*(alpha + beta)/5
}

UNITSON
