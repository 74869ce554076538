TITLE Calcium-dependent potassium current of the locust antennal-lobe local neurons (modlc)

COMMENT
The K(Ca) current of the local neurons (LN) of

    Bazhenov M, Stopfer M, Rabinovich M, Huerta R, Abarbanel HDI,
    Sejnowski TJ, Laurent G (2001). Model of transient oscillatory
    synchronization in the locust antennal lobe. Neuron 30:553-567.

as coded in the TensorFlow tutorial

    Mohanta R, Assisi C (2019). Parallel scalable simulations of
    biological neural networks using TensorFlow: a beginner's guide.
    arXiv:1906.03958.

One activation gate opened by intracellular calcium, in the Ra/Rb form
of the K(Ca) model of Mainen ZF, Sejnowski TJ (1996), Influence of
dendritic structure on firing pattern in model neocortical neurons,
Nature 382:363-366:

    ik     = gbar * m * phi_i * (v - erev)                 (mA/cm2)
    dm/dt  = (minf - m) / mtau
    a      = ra * cai,   b = rb                            (1/ms; cai in mM)
    minf   = a / (a + b)                 (= cai / (cai + 2) with the defaults)
    mtau   = 1 / ((a + b) * phi_k)
    phi_k  = q10^((tkin - tref)/10) = 2.3^((26 - 23)/10) = 1.2839
    phi_i  = q10^((tcur - tref)/10) = 2.3^((23 - 23)/10) = 1

Deviation D3 (kept on purpose): Bazhenov's convention uses one
temperature factor in both the kinetics and the current.  The tutorial's
code uses 26 degC in the kinetics but 23 degC in the current (so the
current's factor is 1).  Both temperatures are PARAMETERs here (tkin,
tcur), set to the tutorial's values; neither is NEURON's celsius.

cai is read from the ca ion (written by al_capool).  erev = -90 mV is a
fixed PARAMETER; ik is written to the k ion but ek is not read.  INITIAL
puts m at its steady state for the initial cai; the tutorial starts it
at 0 (the 100 ms before the stimulus absorb the difference).

Defaults: gbar = 0.3 mS/cm2, erev = -90 mV.
ENDCOMMENT

NEURON {
    SUFFIX al_kca
    USEION ca READ cai
    USEION k WRITE ik
    RANGE gbar, erev, g, minf, mtau
    RANGE ra, rb, tkin, tcur, tref, q10
    THREADSAFE
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S)  = (siemens)
    (mM) = (milli/liter)
}

PARAMETER {
    gbar = 0.0003 (S/cm2) <0,1e9>   : maximal conductance (0.3 mS/cm2)
    erev = -90    (mV)              : reversal potential (fixed)
    ra   = 0.01   (/mM-ms)          : opening rate per mM of calcium
    rb   = 0.02   (/ms)             : closing rate
    tkin = 26     (degC)            : temperature of the kinetics
    tcur = 23     (degC)            : temperature of the current factor (D3)
    tref = 23     (degC)            : reference temperature
    q10  = 2.3                      : temperature coefficient
}

ASSIGNED {
    v    (mV)
    cai  (mM)
    ik   (mA/cm2)
    g    (S/cm2)
    minf
    mtau (ms)
}

STATE {
    m   : activation (mKCa)
}

INITIAL {
    rates(cai)
    m = minf
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*m*q10^((tcur - tref)/10)
    ik = g*(v - erev)
}

DERIVATIVE states {
    rates(cai)
    m' = (minf - m)/mtau
}

UNITSOFF

PROCEDURE rates(c (mM)) {
    LOCAL a, b
    a = ra*c
    b = rb
    minf = a/(a + b)
    mtau = 1/((a + b)*q10^((tkin - tref)/10))
}

UNITSON
