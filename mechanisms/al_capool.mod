TITLE Intracellular calcium of the locust antennal-lobe local neurons (modlc)

COMMENT
The calcium concentration that drives the K(Ca) current of the local
neurons (LN) of

    Bazhenov M, Stopfer M, Rabinovich M, Huerta R, Abarbanel HDI,
    Sejnowski TJ, Laurent G (2001). Model of transient oscillatory
    synchronization in the locust antennal lobe. Neuron 30:553-567.

as written in the TensorFlow tutorial

    Mohanta R, Assisi C (2019). Parallel scalable simulations of
    biological neural networks using TensorFlow: a beginner's guide.
    arXiv:1906.03958.

A first-order pool filled by the calcium current and relaxing to a
resting level (the form used by Destexhe and colleagues, e.g. Destexhe A,
Babloyantz A, Sejnowski TJ (1993) Biophys J 65:1538-1552):

    dcai/dt = -A * I_Ca - (cai - ca0) / tau                 (mM/ms)

with the tutorial's A = 2e-4 mM cm2/(ms uA), ca0 = 2.4e-4 mM and
tau = 150 ms.  I_Ca is in uA/cm2 in this equation, while NEURON's ica is
in mA/cm2, so I_Ca = 1000 * ica:

    dcai/dt = -1000 * A * ica - (cai - ca0) / tau

As in the tutorial, the influx is not rectified (an outward ica would
lower cai; with the fixed E_Ca = +140 mV of al_ca it never is).  ica is
the total calcium current of the compartment (al_ca writes it); cai is
the STATE, written to the ca ion, where al_kca reads it.

Set the ca ion's initial cai (cai0_ca_ion in NEURON) to ca0 as well, so
that a mechanism whose INITIAL reads cai before this one's runs sees the
same value.

Defaults: A = 2e-4 mM cm2/(ms uA), ca0 = 2.4e-4 mM, tau = 150 ms.
ENDCOMMENT

NEURON {
    SUFFIX al_capool
    USEION ca READ ica WRITE cai
    RANGE A, ca0, tau
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mM) = (milli/liter)
}

PARAMETER {
    A   = 2e-4   (mM-cm2/ms-uA)   : influx per unit calcium current
    ca0 = 2.4e-4 (mM) <0,1e9>     : resting concentration
    tau = 150    (ms) <1e-9,1e9>  : relaxation time constant
}

ASSIGNED {
    ica (mA/cm2)
}

STATE {
    cai (mM)
}

INITIAL {
    cai = ca0
}

BREAKPOINT {
    SOLVE state METHOD cnexp
}

UNITSOFF

DERIVATIVE state {
    : 1000 turns ica (mA/cm2) into the uA/cm2 of the equation
    cai' = -1000*A*ica - (cai - ca0)/tau
}

UNITSON
