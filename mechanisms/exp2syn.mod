TITLE Dual-exponential synaptic conductance (modlc)

COMMENT
A conductance-based synapse whose response to one event rises with time
constant tau1 and decays with time constant tau2 (tau1 < tau2): the
difference of two exponentials.  The conductance is carried by two
independently decaying states,

    dA/dt = -A / tau1        dB/dt = -B / tau2        g = B - A   (uS)

and the synapse injects the current

    i = g * (v - e)          (nA; positive = outward)

An event of weight w (uS) adds w*factor to both A and B, so afterwards

    g(s) = w * factor * (exp(-s/tau2) - exp(-s/tau1))

which peaks at

    tp = tau1*tau2/(tau2 - tau1) * log(tau2/tau1)

factor = 1 / (exp(-tp/tau2) - exp(-tp/tau1)) makes that peak equal to w.
Events add linearly.  The formula needs tau1 < tau2: INITIAL moves tau1
to 0.9999*tau2 when tau1/tau2 > 0.9999 (the response is then an alpha
function with time constant tau2) and to 1e-9*tau2 when tau1/tau2 < 1e-9
(a single exponential with time constant tau2).

Both equations are linear with constant coefficients, so cnexp integrates
them exactly.  See Dayan P, Abbott LF (2001) Theoretical Neuroscience,
MIT Press, section 5.8 (difference-of-exponentials synapse), and
Roth A, van Rossum MCW (2009) Modeling synapses, in: De Schutter E (ed)
Computational Modeling Methods for Neuroscientists, MIT Press, ch. 6.
ENDCOMMENT

NEURON {
    POINT_PROCESS Exp2Syn
    RANGE tau1, tau2, e, i, g
    NONSPECIFIC_CURRENT i
    THREADSAFE
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    tau1 = 0.1 (ms) <1e-9,1e9>   : rise time constant
    tau2 = 10  (ms) <1e-9,1e9>   : decay time constant
    e    = 0   (mV)              : synaptic reversal potential
}

ASSIGNED {
    v      (mV)
    i      (nA)
    g      (uS)   : synaptic conductance, B - A
    factor        : peak normalisation, set in INITIAL
}

STATE {
    A (uS)   : fast (rising) component
    B (uS)   : slow (decaying) component
}

INITIAL {
    LOCAL tp
    : keep tau1 strictly below tau2 so that tp and factor are finite
    if (tau1/tau2 > 0.9999) {
        tau1 = 0.9999*tau2
    }
    if (tau1/tau2 < 1e-9) {
        tau1 = tau2*1e-9
    }
    A = 0
    B = 0
    tp = (tau1*tau2)/(tau2 - tau1)*log(tau2/tau1)   : time of the peak
    factor = -exp(-tp/tau1) + exp(-tp/tau2)
    factor = 1/factor
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = B - A
    i = g*(v - e)
}

DERIVATIVE states {
    A' = -A/tau1
    B' = -B/tau2
}

NET_RECEIVE(weight (uS)) {
    A = A + weight*factor
    B = B + weight*factor
}
