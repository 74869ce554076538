: NEURON cannot build this file: its VERBATIM block is not C. (modlc rejects it too; NEURON failing
: takes precedence, since no comparison is possible.)
NEURON {
    SUFFIX neuron_fails
    NONSPECIFIC_CURRENT i
}
ASSIGNED { i (mA/cm2) }
BREAKPOINT {
VERBATIM
    this is not C ;
ENDVERBATIM
    i = 0
}
