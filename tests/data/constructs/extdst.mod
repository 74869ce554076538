: EXTERNAL: reads a hoc variable, here the GLOBAL gsrc of extsrc.mod as NEURON names it once the
: test has renamed that mechanism modlc_extsrc. modlc reads it as a GLOBAL set with
: Network.set_global; EXTERNAL celsius is NEURON's temperature, which the runtime supplies.
NEURON {
    SUFFIX extdst
    EXTERNAL gsrc_modlc_extsrc, celsius
    RANGE a
    NONSPECIFIC_CURRENT i
}
ASSIGNED {
    v (mV)
    a
    i (mA/cm2)
}
BREAKPOINT {
    a = gsrc_modlc_extsrc * (celsius + 1)
    i = 1e-6 * a * (v + 65)
}
