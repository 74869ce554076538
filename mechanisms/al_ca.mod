TITLE High-threshold calcium current of the locust antennal-lobe local neurons (modlc)

COMMENT
The Ca2+ current that makes the broad "calcium spikes" of the local
neurons (LN) of

    Bazhenov M, Stopfer M, Rabinovich M, Huerta R, Abarbanel HDI,
    Sejnowski TJ, Laurent G (2001). Model of transient oscillatory
    synchronization in the locust antennal lobe. Neuron 30:553-567.

with the parameters of the TensorFlow tutorial

    Mohanta R, Assisi C (2019). Parallel scalable simulations of
    biological neural networks using TensorFlow: a beginner's guide.
    arXiv:1906.03958.

    ica    = gbar * m^2 * h * (v - erev)                   (mA/cm2)
    dx/dt  = (xinf - x) / xtau,  x in {m, h}
    minf   = 1 / (1 + exp(-(v + 20)/6.5)),   mtau = 1.5 ms
    hinf   = 1 / (1 + exp((v + 25)/12))
    htau   = 0.3 exp((v - 40)/13) + 0.002 exp((60 - v)/29)     (ms)

There is no temperature factor.  htau is below 0.3 ms at every
physiological potential (0.028 ms near -6 mV), so h nearly tracks hinf;
cnexp integrates it exactly for the step's v, whatever dt.

erev = +140 mV is a fixed PARAMETER (the tutorial's value; not a Nernst
potential): the current is written to the ca ion (ica), so that a
calcium pool (al_capool) can read it, but eca is not read.

INITIAL puts m and h at their steady states for the initial v; the
tutorial starts them at 0 (the 100 ms before the stimulus absorb the
difference).

Defaults: gbar = 3 mS/cm2, erev = 140 mV.
ENDCOMMENT

NEURON {
    SUFFIX al_ca
    USEION ca WRITE ica
    RANGE gbar, erev, g, minf, hinf, mtau, htau
    THREADSAFE
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S)  = (siemens)
}

PARAMETER {
    gbar = 0.003 (S/cm2) <0,1e9>   : maximal conductance (3 mS/cm2)
    erev = 140   (mV)              : calcium reversal potential (fixed)
    mtau = 1.5   (ms) <1e-9,1e9>   : activation time constant
}

ASSIGNED {
    v    (mV)
    ica  (mA/cm2)
    g    (S/cm2)
    minf
    hinf
    htau (ms)
}

STATE {
    m   : activation (mCa)
    h   : inactivation (hCa)
}

INITIAL {
    rates(v)
    m = minf
    h = hinf
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*m*m*h
    ica = g*(v - erev)
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
    h' = (hinf - h)/htau
}

UNITSOFF

PROCEDURE rates(vm (mV)) {
    minf = 1/(1 + exp(-(vm + 20)/6.5))
    hinf = 1/(1 + exp((vm + 25)/12))
    htau = 0.3*exp((vm - 40)/13) + 0.002*exp((60 - vm)/29)
}

UNITSON
