TITLE Fast sodium current of the locust antennal-lobe projection neurons (modlc)

COMMENT
The spike-generating Na+ current of the projection neurons (PN) of

    Bazhenov M, Stopfer M, Rabinovich M, Huerta R, Abarbanel HDI,
    Sejnowski TJ, Laurent G (2001). Model of transient oscillatory
    synchronization in the locust antennal lobe. Neuron 30:553-567.

with the parameters of the TensorFlow tutorial

    Mohanta R, Assisi C (2019). Parallel scalable simulations of
    biological neural networks using TensorFlow: a beginner's guide.
    arXiv:1906.03958.

Traub-Miles kinetics (Traub RD, Miles R (1991) Neuronal Networks of the
Hippocampus, Cambridge University Press), shifted by vt = -50 mV.
Local neurons have no Na+ current.

    ina    = gbar * m^3 * h * (v - erev)                   (mA/cm2)
    dx/dt  = (xinf - x) / xtau,  x in {m, h}
    V'     = v - vt
    a_m    = 0.32 (13 - V') / (exp((13 - V')/4) - 1)
    b_m    = 0.28 (V' - 40) / (exp((V' - 40)/5) - 1)
    a_h    = 0.128 exp((17 - V')/18)
    b_h    = 4 / (exp((40 - V')/5) + 1)                     (1/ms)
    xinf   = a_x / (a_x + b_x),   xtau = 1 / ((a_x + b_x) * phi)
    phi    = q10^((temp - tref)/10) = 3^((22 - 36)/10) = 0.2148

The temperature (22 degC, the tutorial's value, the same as the delayed
rectifier's) is a PARAMETER, not NEURON's celsius.  erev = +50 mV is a
fixed PARAMETER; ina is written to the na ion but ena is not read (NEURON
would supply its own default there).  The removable 0/0 points of a_m
(v = -37 mV) and b_m (v = -10 mV), unguarded in the tutorial, go through
vtrap().  INITIAL puts m and h at their steady states for the initial v;
the tutorial starts them at 0 (the 100 ms before the stimulus absorb the
difference).

Defaults: gbar = 100 mS/cm2, erev = 50 mV.
ENDCOMMENT

NEURON {
    SUFFIX al_na
    USEION na WRITE ina
    RANGE gbar, erev, g, minf, hinf, mtau, htau
    RANGE vt, temp, tref, q10
    THREADSAFE
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S)  = (siemens)
}

PARAMETER {
    gbar = 0.1 (S/cm2) <0,1e9>   : maximal conductance (100 mS/cm2)
    erev = 50  (mV)              : sodium reversal potential (fixed)
    vt   = -50 (mV)              : voltage shift of the rate functions
    temp = 22  (degC)            : temperature of the model channel
    tref = 36  (degC)            : reference temperature of the rates
    q10  = 3                     : temperature coefficient
}

ASSIGNED {
    v    (mV)
    ina  (mA/cm2)
    g    (S/cm2)
    minf
    hinf
    mtau (ms)
    htau (ms)
}

STATE {
    m   : activation
    h   : inactivation
}

INITIAL {
    rates(v)
    m = minf
    h = hinf
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*m*m*m*h
    ina = g*(v - erev)
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
    h' = (hinf - h)/htau
}

UNITSOFF

PROCEDURE rates(vm (mV)) {
    LOCAL a, b, vs, phi
    vs = vm - vt
    phi = q10^((temp - tref)/10)
    a = 0.32*vtrap(13 - vs, 4)
    b = 0.28*vtrap(vs - 40, 5)
    minf = a/(a + b)
    mtau = 1/((a + b)*phi)
    a = 0.128*exp((17 - vs)/18)
    b = 4/(exp((40 - vs)/5) + 1)
    hinf = a/(a + b)
    htau = 1/((a + b)*phi)
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
