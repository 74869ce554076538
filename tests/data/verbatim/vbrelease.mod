: A synapse releasing with probability P, drawn from a NEURON 9 RANDOM variable (tests/test_verbatim.py).
NEURON {
    POINT_PROCESS VbRelease
    RANGE tau, e, i, P
    NONSPECIFIC_CURRENT i
    RANDOM r
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER { tau = 2 (ms) e = 0 (mV) P = 1 }
ASSIGNED { v (mV) i (nA) }
STATE { g (uS) }
INITIAL {
    g = 0
    random_setseq(r, 0)
}
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g * (v - e)
}
DERIVATIVE state { g' = -g / tau }
NET_RECEIVE(weight (uS)) {
    if (random_uniform(r) < P) { g = g + weight }
}
