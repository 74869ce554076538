TITLE Low-threshold calcium current of the inferior-olive soma (modlc)

COMMENT
The T-type (CaV3.1) calcium current of the soma of the three-compartment
inferior-olive cell of

    De Gruijl JR, Bazzigaluppi P, de Jeu MTG, De Zeeuw CI (2012).
    Climbing fiber burst size and olivary sub-threshold oscillations in a
    network setting. PLoS Comput Biol 8(12):e1002814.

as restated in the benchmark of

    Landsmeer LPL, Engelen MCW, Miedema R, Strydis C (2024). Tricking AI
    chips into simulating the human brain: A detailed performance
    analysis. Neurocomputing 598:127953.

    ica  = gbar * k^3 * l * (v - erev)
    dk/dt = (kinf - k)/tauk,          kinf = 1/(1 + exp(-(v + 61)/4.2)),  tauk = 1 ms
    dl/dt = (linf - l)/taul,          linf = 1/(1 + exp((v + 85)/8.5))
    taul = 20*exp((v + 160)/30)/(1 + exp((v + 84)/7.3)) + 35   (ms)

gbar 1.1 mS/cm2 and erev = V_Ca = 120 mV (a fixed reversal shared with the
dendritic CaH; the model does not use a Nernst potential, so eca is not
read).  The gates start at the benchmark's initial state (k_start,
l_start), not at steady state, and are integrated with forward Euler as in
the published model.
ENDCOMMENT

NEURON {
    SUFFIX io_cal
    USEION ca WRITE ica
    RANGE gbar, erev, k_start, l_start
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S)  = (siemens)
}

PARAMETER {
    gbar = 1.1e-3 (S/cm2) <0,1e9>
    erev = 120 (mV)
    tauk = 1 (ms)
    k_start = 0.7423159
    l_start = 0.0321349
}

ASSIGNED {
    v (mV)
    ica (mA/cm2)
    kinf
    linf
    taul (ms)
}

STATE {
    k
    l
}

INITIAL {
    k = k_start
    l = l_start
}

BREAKPOINT {
    SOLVE states METHOD euler
    ica = gbar*k*k*k*l*(v - erev)
}

UNITSOFF

DERIVATIVE states {
    kinf = 1/(1 + exp(-(v + 61)/4.2))
    linf = 1/(1 + exp((v + 85)/8.5))
    taul = 20*exp((v + 160)/30)/(1 + exp((v + 84)/7.3)) + 35
    k' = (kinf - k)/tauk
    l' = (linf - l)/taul
}

UNITSON
