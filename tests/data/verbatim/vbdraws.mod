: Every way modlc reads a random draw, recorded each step (tests/test_verbatim.py): NEURON 9
: RANDOM functions and Random123 calls through a VERBATIM handle.
NEURON {
    POINT_PROCESS VbDraws
    RANGE u, n, x, p, q
    RANDOM r
    POINTER rng
}
ASSIGNED { u n x p q rng }
BREAKPOINT {
    u = random_uniform(r, 2, 5)
    n = random_normal(r, 1, 3)
    x = random_negexp(r, 4)
    p = pick()
    q = random_uniform(r)
}
FUNCTION pick() {
VERBATIM
    _lpick = nrnran123_normal((nrnran123_State*)_p_rng, -2.0, 0.5);
ENDVERBATIM
}
PROCEDURE setRNG() {
VERBATIM
    void** pv = (void**)(&_p_rng);
    *pv = nrn_random_arg(1);
ENDVERBATIM
}
