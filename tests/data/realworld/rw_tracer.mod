COMMENT
A potassium channel scaled by a tracer species read only for its concentration, with no VALENCE
anywhere: NEURON leaves the charge undefined and runs, since no reversal potential of the tracer
is ever computed. tri stays at NEURON's default of 1 mM for an ion it has no defaults for.
ENDCOMMENT

NEURON {
    SUFFIX rw_tracer
    USEION k READ ek WRITE ik
    USEION tr READ tri
    RANGE gbar
}

PARAMETER { gbar = 0.0002 (S/cm2) }

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    tri (mM)
}

BREAKPOINT { ik = gbar*(0.5 + tri)*(v - ek) }
