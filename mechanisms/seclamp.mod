TITLE Three-level single-electrode voltage clamp (modlc)

COMMENT
An ideal voltage source vc connected to the cell through a series
(electrode) resistance rs:

    vc ---/\/\/\--- cell        i = (vc - v) / rs      (nA = mV / MOhm)

i is an electrode current: positive i flows into the cell and
depolarises it.  The command potential steps through three levels,

    vc = amp1   for 0          <= t < dur1
    vc = amp2   for dur1       <= t < dur1+dur2
    vc = amp3   for dur1+dur2  <= t < dur1+dur2+dur3

after which the clamp is off (vc = 0, i = 0).  A level with zero duration
is skipped.  The steps are taken at the first time step whose BREAKPOINT
time lies past the edge (no at_time()).  Small rs gives a tight clamp;
the clamped compartment then follows vc with time constant about
rs*C (C = membrane capacitance of the segment).

The current is computed in BREAKPOINT (for the membrane equation and its
conductance 1/rs) and recomputed with the new v after each step
(SOLVE ... METHOD after_cvode), so that the recorded i is (vc - v)/rs at
the end of the step, as in NEURON's SEClamp.  Defaults follow NEURON's
SEClamp: rs = 1 MOhm, every duration and level 0 (clamp off).
ENDCOMMENT

NEURON {
    POINT_PROCESS SEClamp
    ELECTRODE_CURRENT i
    RANGE dur1, amp1, dur2, amp2, dur3, amp3, rs, vc, i
    THREADSAFE
}

UNITS {
    (nA)   = (nanoamp)
    (mV)   = (millivolt)
    (MOhm) = (megohm)
}

PARAMETER {
    rs   = 1 (MOhm) <1e-9,1e9>   : series (access) resistance
    dur1 = 0 (ms)                : duration of the first level
    amp1 = 0 (mV)                : first command potential
    dur2 = 0 (ms) <0,1e9>        : duration of the second level
    amp2 = 0 (mV)                : second command potential
    dur3 = 0 (ms) <0,1e9>        : duration of the third level
    amp3 = 0 (mV)                : third command potential
}

ASSIGNED {
    v   (mV)
    i   (nA)    : clamp current, positive into the cell
    vc  (mV)    : command potential
    tc2 (ms)    : end of the second level
    tc3 (ms)    : end of the third level
    on          : 1 while the clamp is on
}

INITIAL {
    tc2 = dur1 + dur2
    tc3 = tc2 + dur3
    on = 0
}

BREAKPOINT {
    SOLVE clampcurrent METHOD after_cvode
    command()
    clampcurrent()
}

PROCEDURE command() {
    : command potential at time t
    on = 1
    if (t < dur1) {
        vc = amp1
    } else if (t < tc2) {
        vc = amp2
    } else if (t < tc3) {
        vc = amp3
    } else {
        vc = 0
        on = 0
    }
}

PROCEDURE clampcurrent() {
    if (on) {
        i = (vc - v)/rs
    } else {
        i = 0
    }
}
