: NEURON builds and runs this file; modlc rejects it with a located error: the VERBATIM block inside
: BREAKPOINT is C code with state of its own (a call counter), which no tensor kernel can express.
NEURON {
    SUFFIX rejected
    NONSPECIFIC_CURRENT i
}
ASSIGNED { i (mA/cm2) }
BREAKPOINT {
VERBATIM
    { static int calls = 0; calls++; }
ENDVERBATIM
    i = 0
}
