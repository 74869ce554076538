TITLE Alpha-function synaptic conductance at a fixed onset time (modlc)

COMMENT
A conductance-based synapse whose conductance follows one alpha function,
triggered by the clock rather than by events (NEURON's AlphaSynapse; the
alpha function as a synaptic waveform is from Rall W (1967)
J Neurophysiol 30:1138-1168, see also Dayan P, Abbott LF (2001)
Theoretical Neuroscience, MIT Press, section 5.8):

    g(t) = gmax * s * exp(1 - s),   s = (t - onset)/tau,  0 <= s <= 10
    g(t) = 0                        before onset, and for s > 10

so g rises from 0 at `onset`, peaks at gmax when t = onset + tau, and is
cut off ten time constants after onset (where it has fallen to
10 e^-9, about 1.2e-3 of gmax).  The synapse injects the current

    i = g * (v - e)      (nA; positive = outward, like a membrane current)

g is computed afresh wherever the current is evaluated; there is no
state.  NEURON additionally marks `onset` as a discontinuity for its
variable-step integrator (at_time), which a fixed step does not need.
ENDCOMMENT

NEURON {
    POINT_PROCESS AlphaSynapse
    RANGE onset, tau, gmax, e, i
    NONSPECIFIC_CURRENT i
    THREADSAFE
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    onset = 0   (ms)                : start of the conductance change
    tau   = 0.1 (ms)  <1e-3,1e6>    : time to peak
    gmax  = 0   (uS)  <0,1e9>       : peak conductance
    e     = 0   (mV)                : synaptic reversal potential
}

ASSIGNED {
    v (mV)
    i (nA)
    g (uS)    : synaptic conductance
}

BREAKPOINT {
    if (gmax) {
        at_time(onset)   : discontinuity hint for variable steps
    }
    g = gmax*alpha((t - onset)/tau)
    i = g*(v - e)
}

FUNCTION alpha(s) {
    : unit-peak alpha function of s = (t - onset)/tau, zero outside [0, 10]
    if (s < 0 || s > 10) {
        alpha = 0
    } else {
        alpha = s*exp(1 - s)
    }
}
