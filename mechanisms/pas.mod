TITLE Passive leak conductance (modlc)

COMMENT
A voltage-independent ("passive") membrane conductance g with reversal
potential e, carrying the ohmic current

    i = g * (v - e)      (mA/cm2)

This is the leak term of the Hodgkin-Huxley (1952) membrane equation,
J Physiol 117:500-544, on its own.  The current is NONSPECIFIC: it is not
attributed to any ion species and changes no concentrations.
ENDCOMMENT

NEURON {
    SUFFIX pas
    NONSPECIFIC_CURRENT i
    RANGE g, e
    THREADSAFE
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S)  = (siemens)
}

PARAMETER {
    g = 0.001 (S/cm2) <0,1e9>   : specific leak conductance
    e = -70   (mV)              : leak reversal potential
}

ASSIGNED {
    v (mV)
    i (mA/cm2)
}

BREAKPOINT {
    i = g*(v - e)
}
