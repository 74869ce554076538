TITLE Potassium leak current of the locust antennal-lobe neurons (modlc)

COMMENT
The K+ leak of the projection neurons (PN) and local neurons (LN) of

    Bazhenov M, Stopfer M, Rabinovich M, Huerta R, Abarbanel HDI,
    Sejnowski TJ, Laurent G (2001). Model of transient oscillatory
    synchronization in the locust antennal lobe. Neuron 30:553-567.

with the parameters of the TensorFlow tutorial

    Mohanta R, Assisi C (2019). Parallel scalable simulations of
    biological neural networks using TensorFlow: a beginner's guide.
    arXiv:1906.03958.

    ik = gbar * (v - erev)                                  (mA/cm2)

gbar = 0.05 mS/cm2 on PNs and 0.02 mS/cm2 on LNs (set per cell), erev =
-95 mV, a fixed PARAMETER: ik is written to the k ion but ek is not read
(NEURON's default ek would be -77 mV).  The ordinary leak of the model
(0.15 mS/cm2 to -55 mV on PNs, -50 mV on LNs) is mechanisms/pas.mod.

Defaults: gbar = 0.05 mS/cm2 (the PN value), erev = -95 mV.
ENDCOMMENT

NEURON {
    SUFFIX al_kleak
    USEION k WRITE ik
    RANGE gbar, erev
    THREADSAFE
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S)  = (siemens)
}

PARAMETER {
    gbar = 5e-5 (S/cm2) <0,1e9>   : leak conductance (0.05 mS/cm2)
    erev = -95  (mV)              : potassium reversal potential (fixed)
}

ASSIGNED {
    v  (mV)
    ik (mA/cm2)
}

BREAKPOINT {
    ik = gbar*(v - erev)
}
