TITLE Leaky integrate-and-fire artificial cell (modlc)

COMMENT
A leaky integrate-and-fire neuron reduced to events (Lapicque's model;
see e.g. Dayan P, Abbott LF (2001) Theoretical Neuroscience, MIT Press,
section 5.4, and Hines ML, Carnevale NT (2004) Discrete event simulation
in the NEURON environment, Neurocomputing 58-60:1117-1122).

The dimensionless "membrane potential" m relaxes to 0 with time constant
tau between inputs,

    dm/dt = -m / tau,  so  m(t) = m(t0) * exp(-(t - t0)/tau)

which is evaluated analytically only when an event arrives (t0 is the time
of the last update); there is no per-step integration.  An input event of
weight w (dimensionless) makes m jump by w.  When m exceeds 1 the cell
fires (net_event at the current t) and becomes refractory for `refrac` ms:
m is set to 2 (a marker of the spike), inputs arriving meanwhile are
ignored, and a self-event (flag 1) after `refrac` ms resets m to 0 and
makes the cell excitable again.  Weights may be negative (inhibition).

This follows NEURON's IntFire1 event for event; the variable m is the
value at the last event, not the decayed value at the current time.
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL IntFire1
    RANGE tau, refrac, m
    THREADSAFE
}

PARAMETER {
    tau    = 10 (ms) <1e-9,1e9>   : membrane time constant
    refrac = 5  (ms) <0,1e9>      : refractory period
}

ASSIGNED {
    m              : state at the last update (2 while refractory)
    t0 (ms)        : time of the last update
    refractory     : 0 integrating inputs, 1 refractory
}

INITIAL {
    m = 0
    t0 = t
    refractory = 0
}

NET_RECEIVE(w) {
    if (refractory == 0) {
        : excitable: decay m to now, then add the input
        m = m*exp(-(t - t0)/tau)
        t0 = t
        m = m + w
        if (m > 1) {
            : threshold crossed: spike and start the refractory period
            refractory = 1
            m = 2
            net_send(refrac, 1)
            net_event(t)
        }
    } else if (flag == 1) {
        : end of the refractory period
        t0 = t
        refractory = 0
        m = 0
    }
}
