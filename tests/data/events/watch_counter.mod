COMMENT
A point process that integrates its inputs in m, which decays exponentially between them, and
fires through WATCH: WATCH (m > 1) 2 is armed from the start; flag 2 emits a spike, resets m and
arms two slots at once, (m > 1) 2 and (m < 0.5) 3; inputs (flag 0) and flag 3 execute no WATCH,
so the armed set stays. (A point process, not an ARTIFICIAL_CELL: NEURON 9's WATCH condition
reads the node's v, which an artificial cell lacks, and crashes.) Written for modlc's tests from
NEURON's documented WATCH semantics.
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
