TITLE Cholinergic synapse with a square transmitter pulse, locust antennal lobe (modlc)

COMMENT
The excitatory nicotinic (ACh) synapse from projection neurons (PN) to
local neurons (LN) of

    Bazhenov M, Stopfer M, Rabinovich M, Huerta R, Abarbanel HDI,
    Sejnowski TJ, Laurent G (2001). Model of transient oscillatory
    synchronization in the locust antennal lobe. Neuron 30:553-567.

with the parameters of the TensorFlow tutorial

    Mohanta R, Assisi C (2019). Parallel scalable simulations of
    biological neural networks using TensorFlow: a beginner's guide.
    arXiv:1906.03958.

First-order receptor kinetics driven by a square pulse of transmitter
(Destexhe A, Mainen ZF, Sejnowski TJ (1994). An efficient method for
computing synaptic conductances based on a kinetic model of receptor
binding. Neural Comput 6:14-18):

    dO/dt = alpha (1 - O) T - beta O
    i     = gmax * O * (v - e)                 (nA; uS * mV)
    T     = Cmax  for Cdur ms after a presynaptic spike, else 0

A presynaptic spike arrives as a NetCon event (flag 0; the weight is not
used, the strength is gmax): T becomes Cmax and a self-event
net_send(Cdur, 1) is scheduled to end the pulse.  A spike that arrives
while a pulse is on extends it: the pulse ends Cdur after the LAST spike.
Every spike sends its own end event, all with the same delay Cdur, so
they arrive in the order the spikes did; `pending` counts the pulses
still running and T returns to 0 only when the last one's end event
arrives (no comparison of floating-point times is needed).

The tutorial's values: Cmax (its A) = 0.5, Cdur (its t_max) = 0.3 ms,
alpha = 10 /ms, beta = 0.2 /ms (decay time constant 5 ms), e = 0 mV.  Its
per-synapse conductance 0.3 onto an LN is read as 0.3 mS/cm2; on a
single compartment of 1e-4 cm2 that is gmax = 0.03 uS (the default).
Each synapse (postsynaptic cell, presynaptic PN) is its own instance with
its own O.  One spike starting from O = 0 opens O to about 0.76.

The tutorial's pulse lasts over the open interval (t_fire, t_fire +
t_max) evaluated at Runge-Kutta stage times; with NEURON's fixed step the
pulse covers the steps from the event's delivery to the end event's.
ENDCOMMENT

NEURON {
    POINT_PROCESS AL_ACh
    RANGE gmax, e, alpha, beta, Cmax, Cdur
    RANGE T, g, i, pending
    NONSPECIFIC_CURRENT i
    THREADSAFE
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    gmax  = 0.03 (uS) <0,1e9>    : maximal conductance
    e     = 0    (mV)            : reversal potential
    alpha = 10   (/ms) <0,1e9>   : binding (opening) rate per unit transmitter
    beta  = 0.2  (/ms) <0,1e9>   : unbinding (closing) rate
    Cmax  = 0.5  <0,1e9>         : transmitter during a pulse (the tutorial's A)
    Cdur  = 0.3  (ms) <0,1e9>    : pulse duration (the tutorial's t_max)
}

ASSIGNED {
    v       (mV)
    i       (nA)
    g       (uS)
    T                : transmitter
    pending          : pulses started and not yet ended
}

STATE {
    O   : open fraction
}

INITIAL {
    O = 0
    T = 0
    pending = 0
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gmax*O
    i = g*(v - e)
}

DERIVATIVE states {
    O' = alpha*(1 - O)*T - beta*O
}

NET_RECEIVE(w) {
    if (flag == 0) {
        : a presynaptic spike: start (or extend) the pulse
        T = Cmax
        pending = pending + 1
        net_send(Cdur, 1)
    } else {
        : the end of one pulse; the transmitter goes when the last one ends
        pending = pending - 1
        if (pending <= 0) {
            pending = 0
            T = 0
        }
    }
}
