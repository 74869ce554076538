COMMENT
A spike detector written with WATCH: a self-event with flag 1 at t = 0 arms WATCH (v > vth) 2;
each crossing counts, emits net_event and arms the reset watch (v < vreset) 3, which re-arms the
first. NetCon inputs (flag 0) execute no WATCH, so the armed watch stays active. Written for
modlc's tests from NEURON's documented WATCH semantics.
ENDCOMMENT

NEURON {
    POINT_PROCESS WatchSpike
    RANGE vth, vreset, count, tlast, inputs
}

PARAMETER {
    vth = -20 (mV)
    vreset = -50 (mV)
}

ASSIGNED {
    v (mV)
    count
    tlast (ms)
    inputs
}

INITIAL {
    count = 0
    tlast = -1
    inputs = 0
    net_send(0, 1)
}

NET_RECEIVE(w) {
    if (flag == 0) {
        inputs = inputs + w
    } else if (flag == 1 || flag == 3) {
        WATCH (v > vth) 2
    } else if (flag == 2) {
        count = count + 1
        tlast = t
        net_event(t)
        WATCH (v < vreset) 3
    }
}
