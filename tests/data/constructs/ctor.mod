: A CONSTRUCTOR that only initialises: it runs when the instance is created, so a parameter the
: user sets afterwards overrides what it computed; INITIAL comes later still.
NEURON {
    POINT_PROCESS ctor
    RANGE gbar, e, tau, scale, w
    NONSPECIFIC_CURRENT i
}
PARAMETER {
    gbar = 0.001 (uS)
    e = -70 (mV)
    tau = 1 (ms)
}
ASSIGNED {
    i (nA)
    scale
    w[3]
}
STATE { m }
CONSTRUCTOR {
    LOCAL j
    scale = 2 * exp(-0.5)
    tau = 4 * scale          : a parameter set by the constructor
    gbar = gbar * 3          : the user's value, given after creation, wins over this one
    FROM j = 0 TO 2 {
        w[j] = j + scale
    }
}
DESTRUCTOR {
    scale = 0     : no effect on a simulation: instances live until the run ends
}
INITIAL {
    m = w[1] / (w[2] + 1)
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    i = gbar * scale * m * (v - e)
}
DERIVATIVE states {
    m' = (w[0] / w[2] - m) / tau
}
