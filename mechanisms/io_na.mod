TITLE Sodium current of the inferior-olive soma and axon hillock (modlc)

COMMENT
The fast sodium currents of the three-compartment inferior-olive cell of
De Gruijl et al. 2012 (PLoS Comput Biol 8:e1002814), as restated in
Landsmeer et al. 2024 (Neurocomputing 598:127953).  Activation is
instantaneous; only inactivation is a state:

    ina   = gbar * minf^3 * h * (v - erev),  minf = 1/(1 + exp(-(v + 30)/5.5))
    dh/dt = (hinf - h)/tauh
    hinf  = 1/(1 + exp((v - hhalf)/5.8))
    tauh  = htau * exp(-(v + 40)/33)   (ms)

Soma (Na_s): gbar 150 mS/cm2, hhalf -70 mV, htau 3 ms, h_start 0.3596066
(the defaults).  Axon hillock (Na_a): gbar 240 mS/cm2, hhalf -60 mV,
htau 1.5 ms, h_start 0.9.  erev = V_Na = 55 mV is the model's fixed
reversal (ena is not read).  The gate starts at h_start (the benchmark's
initial state) and is integrated with forward Euler, as published.
ENDCOMMENT

NEURON {
    SUFFIX io_na
    USEION na WRITE ina
    RANGE gbar, erev, hhalf, htau, h_start
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S)  = (siemens)
}

PARAMETER {
    gbar = 0.150 (S/cm2) <0,1e9>
    erev = 55 (mV)
    hhalf = -70 (mV)
    htau = 3 (ms)
    h_start = 0.3596066
}

ASSIGNED {
    v (mV)
    ina (mA/cm2)
    minf
    hinf
    tauh (ms)
}

STATE {
    h
}

INITIAL {
    h = h_start
}

BREAKPOINT {
    SOLVE states METHOD euler
    minf = 1/(1 + exp(-(v + 30)/5.5))
    ina = gbar*minf*minf*minf*h*(v - erev)
}

UNITSOFF

DERIVATIVE states {
    hinf = 1/(1 + exp((v - hhalf)/5.8))
    tauh = htau*exp(-(v + 40)/33)
    h' = (hinf - h)/tauh
}

UNITSON
