TITLE Exponentially decaying synaptic conductance (modlc)

COMMENT
A single-exponential conductance-based synapse.  Each incoming event
(NetCon) with weight w (uS) steps the conductance up instantaneously,

    g -> g + w

after which it decays with time constant tau,

    dg/dt = -g / tau

and the synapse injects the current

    i = g * (v - e)      (nA; positive = outward, like a membrane current)

Events add linearly, so overlapping inputs summate.  The rise is
instantaneous, so tau must be positive; e = 0 mV suits an excitatory
(AMPA-like) synapse.  See Dayan P, Abbott LF (2001) Theoretical
Neuroscience, MIT Press, section 5.8, for this and related synapse models.
ENDCOMMENT

NEURON {
    POINT_PROCESS ExpSyn
    RANGE tau, e, i, g
    NONSPECIFIC_CURRENT i
    THREADSAFE
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    tau = 0.1 (ms) <1e-9,1e9>   : decay time constant
    e   = 0   (mV)              : synaptic reversal potential
}

ASSIGNED {
    v (mV)
    i (nA)
}

STATE {
    g (uS)   : synaptic conductance
}

INITIAL {
    g = 0
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    i = g*(v - e)
}

DERIVATIVE states {
    g' = -g/tau
}

NET_RECEIVE(weight (uS)) {
    g = g + weight
}
