COMMENT
A conductance synapse with spike-timing-dependent plasticity in the style of NEURON's
FOR_NETCONS documentation: each NetCon carries its weight w, a plastic part A and its last
presynaptic spike time tpre. A presynaptic event adds w + A to g and depresses A; a postsynaptic
spike (found by WATCH on v) potentiates A of every NetCon into the synapse through FOR_NETCONS.
Written for modlc's tests from the documented semantics.
ENDCOMMENT

NEURON {
    POINT_PROCESS StdpSyn
    RANGE tau, e, i, g, dtau, ptau, d, p, wmax, vth, tpost
    NONSPECIFIC_CURRENT i
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    tau = 2 (ms)
    e = 0 (mV)
    dtau = 20 (ms)
    ptau = 15 (ms)
    d = 0.4
    p = 0.5
    wmax = 0.02 (uS)
    vth = -20 (mV)
}

ASSIGNED {
    v (mV)
    i (nA)
    tpost (ms)
}

STATE {
    g (uS)
}

INITIAL {
    g = 0
    tpost = -1e9
    net_send(0, 1)
}

BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g * (v - e)
}

DERIVATIVE state {
    g' = -g / tau
}

NET_RECEIVE(w (uS), A (uS), tpre (ms)) {
    INITIAL {
        A = 0
        tpre = -1e9
    }
    if (flag == 0) {
        g = g + w + A
        tpre = t
        A = A * (1 - d * exp((tpost - t) / dtau))
    } else if (flag == 1) {
        WATCH (v > vth) 2
    } else if (flag == 2) {
        tpost = t
        FOR_NETCONS(w1 (uS), A1 (uS), tp (ms)) {
            A1 = A1 + (wmax - w1 - A1) * p * exp((tp - t) / ptau)
        }
        WATCH (v < vth) 1
    }
}
