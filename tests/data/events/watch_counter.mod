COMMENT
A point process (NEURON 9 crashes on WATCH in an ARTIFICIAL_CELL: the condition reads the
node's v, which an artificial cell lacks) that integrates its inputs in m, which decays exponentially between them, and
fires through WATCH: while m > 1 has not yet been seen, WATCH (m > 1) 2 is armed; flag 2 emits
a spike and resets m; WATCH (m < 0.5) 3 (a second slot) is armed at the same time as the first
after a reset. Written for modlc's tests from NEURON's documented WATCH semantics.
ENDCOMMENT

NEURON {
    POINT_PROCESS WatchCounter
    RANGE tau, m, t0, nfire, nlow
}

PARAMETER {
    tau = 10 (ms)
}

ASSIGNED {
    m
    t0 (ms)
    nfire
    nlow
}

INITIAL {
    m = 0
    t0 = t
    nfire = 0
    nlow = 0
    net_send(0, 1)
}

FUNCTION mnow() {
    mnow = m * exp(-(t - t0) / tau)
}

NET_RECEIVE(w) {
    if (flag == 0) {
        m = mnow() + w
        t0 = t
    } else if (flag == 1) {
        WATCH (m > 1) 2
    } else if (flag == 2) {
        nfire = nfire + 1
        net_event(t)
        m = 0.2
        t0 = t
        WATCH (m > 1) 2, (m < 0.5) 3
    } else if (flag == 3) {
        nlow = nlow + 1
    }
}
