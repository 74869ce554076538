COMMENT
An artificial pacemaker whose next beat (a self-event with flag 1) is postponed by every input
with net_move, as NEURON's net_move documentation describes: the event moved is the pending one
sent last with flag 1. Each input also sends a flag-2 event, which net_move must leave alone.
Written for modlc's tests from the documented semantics.
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL MovePacer
    RANGE interval, shift, beats, echoes, tnext
}

PARAMETER {
    interval = 10 (ms)
    shift = 3 (ms)
}

ASSIGNED {
    beats
    echoes
    tnext (ms)
}

INITIAL {
    beats = 0
    echoes = 0
    tnext = t + interval
    net_send(interval, 1)
}

NET_RECEIVE(w) {
    if (flag == 1) {
        beats = beats + 1
        net_event(t)
        tnext = t + interval
        net_send(interval, 1)
    } else if (flag == 2) {
        echoes = echoes + 1
    } else {
        net_send(0.5, 2)
        tnext = tnext + shift * w
        net_move(tnext)
    }
}
