TITLE Graded GABA-A synapse driven by the presynaptic potential, locust antennal lobe (modlc)

COMMENT
The fast inhibitory synapse from local neurons (LN) to projection
neurons and to other LNs of

    Bazhenov M, Stopfer M, Rabinovich M, Huerta R, Abarbanel HDI,
    Sejnowski TJ, Laurent G (2001). Model of transient oscillatory
    synchronization in the locust antennal lobe. Neuron 30:553-567.

with the parameters of the TensorFlow tutorial

    Mohanta R, Assisi C (2019). Parallel scalable simulations of
    biological neural networks using TensorFlow: a beginner's guide.
    arXiv:1906.03958.

First-order receptor kinetics (Destexhe A, Mainen ZF, Sejnowski TJ
(1994). Synthesis of models for excitable membranes, synaptic
transmission and neuromodulation using a common kinetic formalism.
J Comput Neurosci 1:195-230), with transmitter a continuous sigmoid of
the presynaptic membrane potential (no spike detection, no delay):

    T     = 1 / (1 + exp(-(vpre - v0)/sigma))
    dO/dt = alpha (1 - O) T - beta O
    i     = gmax * O * (v - e)                 (nA; uS * mV)

vpre is a POINTER to the presynaptic compartment's v (NEURON:
h.setpointer(pre(0.5)._ref_v, "vpre", syn); modlc:
net.link(syn, "vpre", at=(pre, "soma", 0.5))).  T is about 7e-11 at the
LN resting potential (-55 mV) and 0.5 at -20 mV, so release is in effect
confined to LN calcium spikes.

The tutorial's values: v0 = -20 mV, sigma = 1.5 mV, alpha = 10 /ms,
beta = 0.16 /ms (decay time constant 6.25 ms), e = -70 mV.  Its
per-synapse conductance 0.8 is read as 0.8 mS/cm2; on a single
compartment of 1e-4 cm2 that is gmax = 0.08 uS (the default).

INITIAL puts O at its steady state for the presynaptic potential
(2e-13 at -70 mV); the tutorial starts it at 0.
ENDCOMMENT

NEURON {
    POINT_PROCESS AL_GABA
    POINTER vpre
    RANGE gmax, e, alpha, beta, v0, sigma
    RANGE T, g, i
    NONSPECIFIC_CURRENT i
    THREADSAFE
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    gmax  = 0.08 (uS) <0,1e9>    : maximal conductance
    e     = -70  (mV)            : reversal potential
    alpha = 10   (/ms) <0,1e9>   : opening rate per unit transmitter
    beta  = 0.16 (/ms) <0,1e9>   : closing rate
    v0    = -20  (mV)            : presynaptic potential of half release
    sigma = 1.5  (mV) <1e-9,1e9> : steepness of release
}

ASSIGNED {
    v    (mV)
    vpre (mV)   : presynaptic membrane potential
    i    (nA)
    g    (uS)
    T           : transmitter
}

STATE {
    O   : open fraction
}

INITIAL {
    release(vpre)
    O = alpha*T/(alpha*T + beta)
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gmax*O
    i = g*(v - e)
}

DERIVATIVE states {
    release(vpre)
    O' = alpha*(1 - O)*T - beta*O
}

UNITSOFF

PROCEDURE release(vp (mV)) {
    T = 1/(1 + exp(-(vp - v0)/sigma))
}

UNITSON
