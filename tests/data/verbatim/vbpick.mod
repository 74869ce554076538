: The Random-pointer idiom of stochastic synapses: urand() draws through a hoc Random object when
: one is attached (POINTER rng) and falls back on scop_random() otherwise; a VERBATIM `return`
: ends NET_RECEIVE early for non-positive weights (tests/test_verbatim.py).
NEURON {
    POINT_PROCESS VbPick
    RANGE tau, e, i, P
    NONSPECIFIC_CURRENT i
    POINTER rng
}
UNITS { (nA) = (nanoamp) (mV) = (millivolt) (uS) = (microsiemens) }
PARAMETER { tau = 3 (ms) e = 0 (mV) P = 1 }
ASSIGNED { v (mV) i (nA) rng }
STATE { g (uS) }
VERBATIM
#ifndef NRN_VERSION_GTEQ_8_2_0
double nrn_random_pick(void* r);
#define RANDCAST
#else
#define RANDCAST (Rand*)
#endif
ENDVERBATIM
INITIAL { g = 0 }
BREAKPOINT {
    SOLVE state METHOD cnexp
    i = g * (v - e)
}
DERIVATIVE state { g' = -g / tau }
NET_RECEIVE(weight (uS)) {
    if (weight <= 0) {
VERBATIM
        return;
ENDVERBATIM
    }
    if (urand() < P) { g = g + weight }
}
FUNCTION urand() {
VERBATIM
    if (_p_rng) {
        _lurand = nrn_random_pick(RANDCAST _p_rng);
    } else {
ENDVERBATIM
        urand = scop_random()
VERBATIM
    }
ENDVERBATIM
}
