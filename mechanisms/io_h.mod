TITLE H current (anomalous rectifier) of the inferior-olive dendrite (modlc)

COMMENT
The hyperpolarisation-activated (HCN) current of the dendrite of the
three-compartment inferior-olive cell of De Gruijl et al. 2012 (PLoS
Comput Biol 8:e1002814), as restated in Landsmeer et al. 2024
(Neurocomputing 598:127953):

    ih    = gbar * q * (v - erev)
    dq/dt = (qinf - q)/tauq,  qinf = 1/(1 + exp((v + 80)/4))
    1/tauq = exp(-0.086*v - 14.6) + exp(0.070*v - 1.87)   (/ms)

gbar 0.12 mS/cm2 and erev = V_h = -43 mV.  q starts at q_start (the
benchmark's initial state) and is integrated with forward Euler, as
published.
ENDCOMMENT

NEURON {
    SUFFIX io_h
    NONSPECIFIC_CURRENT ih
    RANGE gbar, erev, q_start, ih
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S)  = (siemens)
}

PARAMETER {
    gbar = 0.12e-3 (S/cm2) <0,1e9>
    erev = -43 (mV)
    q_start = 0.0337836
}

ASSIGNED {
    v (mV)
    ih (mA/cm2)
    qinf
    rate (/ms)
}

STATE {
    q
}

INITIAL {
    q = q_start
}

BREAKPOINT {
    SOLVE states METHOD euler
    ih = gbar*q*(v - erev)
}

UNITSOFF

DERIVATIVE states {
    qinf = 1/(1 + exp((v + 80)/4))
    rate = exp(-0.086*v - 14.6) + exp(0.070*v - 1.87)
    q' = (qinf - q)*rate
}

UNITSON
