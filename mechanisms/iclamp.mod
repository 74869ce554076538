TITLE Rectangular current-clamp pulse (modlc)

COMMENT
An electrode that injects a single square current pulse:

    i = amp   for del <= t < del + dur
    i = 0     otherwise                    (nA)

Because i is declared ELECTRODE_CURRENT it is injected into the cell
interior rather than flowing across the membrane, so positive amp
depolarises (the opposite sign convention to membrane currents).

With a fixed time step the pulse edges are resolved to the step on which
the BREAKPOINT is evaluated; no at_time() calls are made.
ENDCOMMENT

NEURON {
    POINT_PROCESS IClamp
    RANGE del, dur, amp, i
    ELECTRODE_CURRENT i
    THREADSAFE
}

UNITS {
    (nA) = (nanoamp)
}

PARAMETER {
    del = 0 (ms)            : pulse onset
    dur = 0 (ms) <0,1e9>    : pulse duration
    amp = 0 (nA)            : pulse amplitude (positive depolarises)
}

ASSIGNED {
    i (nA)
}

INITIAL {
    i = 0
}

BREAKPOINT {
    if (t >= del && t < del + dur) {
        i = amp
    } else {
        i = 0
    }
}
