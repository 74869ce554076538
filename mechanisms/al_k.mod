TITLE Delayed-rectifier potassium current of the locust antennal-lobe model (modlc)

COMMENT
The delayed-rectifier K+ current of the projection neurons (PN) and local
neurons (LN) of the locust antennal-lobe network of

    Bazhenov M, Stopfer M, Rabinovich M, Huerta R, Abarbanel HDI,
    Sejnowski TJ, Laurent G (2001). Model of transient oscillatory
    synchronization in the locust antennal lobe. Neuron 30:553-567.

in the parameter set of the TensorFlow tutorial that re-implements it:

    Mohanta R, Assisi C (2019). Parallel scalable simulations of
    biological neural networks using TensorFlow: a beginner's guide.
    arXiv:1906.03958.

The kinetics are Traub and Miles' (Traub RD, Miles R (1991) Neuronal
Networks of the Hippocampus, Cambridge University Press) shifted by
vt = -50 mV, written with the tutorial's coefficients:

    ik     = gbar * n^4 * (v - erev)                       (mA/cm2)
    dn/dt  = (ninf - n) / ntau
    V'     = v - vt
    a_n    = 0.02 (15 - V') / (exp((15 - V')/5) - 1)       (1/ms)
    b_n    = 0.5 exp((10 - V')/40)                        (1/ms)
    ninf   = a_n / (a_n + b_n)
    ntau   = 1 / ((a_n + b_n) * phi)
    phi    = q10^((temp - tref)/10) = 3^((22 - 36)/10) = 0.2148

Temperature: the tutorial fixes the channel's temperature at 22 degC
against a 36 degC reference; this is a PARAMETER here (temp), not
NEURON's global celsius, so the model does not change when celsius does.

Reversal: erev = -95 mV is a fixed PARAMETER of the model. The current is
written to the k ion (ik) for bookkeeping, but ek is not read: a
mechanism that READs ek would get NEURON's default (-77 mV), which is not
the model's value.

a_n is 0/0 at V' = 15 (v = -35 mV); the tutorial does not guard it.
Here vtrap() switches to the first-order Taylor expansion within 1e-6
(relative) of the singular point, which changes nothing measurable.

INITIAL puts n at its steady state for the initial v (NEURON's idiom).
The tutorial starts every gate at 0 and lets the first 100 ms before the
stimulus absorb the transient; the state reached before the stimulus is
the same resting state.

Defaults: gbar = 10 mS/cm2 (PN and LN), erev = -95 mV.
ENDCOMMENT

NEURON {
    SUFFIX al_k
    USEION k WRITE ik
    RANGE gbar, erev, g, ninf, ntau
    RANGE vt, temp, tref, q10
    THREADSAFE
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S)  = (siemens)
}

PARAMETER {
    gbar = 0.01 (S/cm2) <0,1e9>   : maximal conductance (10 mS/cm2)
    erev = -95  (mV)              : potassium reversal potential (fixed)
    vt   = -50  (mV)              : voltage shift of the rate functions
    temp = 22   (degC)            : temperature of the model channel
    tref = 36   (degC)            : reference temperature of the rates
    q10  = 3                      : temperature coefficient
}

ASSIGNED {
    v    (mV)
    ik   (mA/cm2)
    g    (S/cm2)
    ninf
    ntau (ms)
}

STATE {
    n   : activation
}

INITIAL {
    rates(v)
    n = ninf
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*n*n*n*n
    ik = g*(v - erev)
}

DERIVATIVE states {
    rates(v)
    n' = (ninf - n)/ntau
}

UNITSOFF

PROCEDURE rates(vm (mV)) {
    LOCAL a, b, vs, phi
    vs = vm - vt
    phi = q10^((temp - tref)/10)
    a = 0.02*vtrap(15 - vs, 5)
    b = 0.5*exp((10 - vs)/40)
    ninf = a/(a + b)
    ntau = 1/((a + b)*phi)
}

FUNCTION vtrap(x, y) {
    : x/(exp(x/y) - 1), continuous through x = 0
    LOCAL u
    u = x/y
    if (fabs(u) < 1e-6) {
        vtrap = y*(1 - u/2)
    } else {
        vtrap = x/(exp(u) - 1)
    }
}

UNITSON
