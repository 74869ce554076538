TITLE Delayed-rectifier potassium current of the inferior-olive soma (modlc)

COMMENT
The delayed rectifier of the soma of the three-compartment inferior-olive
cell of De Gruijl et al. 2012 (PLoS Comput Biol 8:e1002814), as restated
in Landsmeer et al. 2024 (Neurocomputing 598:127953):

    ik    = gbar * n^4 * (v - erev)
    dn/dt = (ninf - n)/taun
    ninf  = 1/(1 + exp(-(v + 3)/10))
    taun  = 5 + 47*exp((v + 50)/900)   (ms)

gbar 9 mS/cm2; erev = V_K = -75 mV is the model's fixed reversal (ek is
not read).  n starts at n_start (the benchmark's initial state) and is
integrated with forward Euler, as published.
ENDCOMMENT

NEURON {
    SUFFIX io_kdr
    USEION k WRITE ik
    RANGE gbar, erev, n_start
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S)  = (siemens)
}

PARAMETER {
    gbar = 9e-3 (S/cm2) <0,1e9>
    erev = -75 (mV)
    n_start = 0.2369847
}

ASSIGNED {
    v (mV)
    ik (mA/cm2)
    ninf
    taun (ms)
}

STATE {
    n
}

INITIAL {
    n = n_start
}

BREAKPOINT {
    SOLVE states METHOD euler
    ik = gbar*n*n*n*n*(v - erev)
}

UNITSOFF

DERIVATIVE states {
    ninf = 1/(1 + exp(-(v + 3)/10))
    taun = 5 + 47*exp((v + 50)/900)
    n' = (ninf - n)/taun
}

UNITSON
