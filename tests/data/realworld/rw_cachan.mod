COMMENT
A calcium leak whose reversal follows Nernst (a pool writes cai), for the pool's test.
ENDCOMMENT

NEURON {
    SUFFIX rw_cachan
    USEION ca READ eca WRITE ica
    RANGE gca
}

PARAMETER { gca = 0.0001 (S/cm2) }

ASSIGNED {
    v (mV)
    eca (mV)
    ica (mA/cm2)
}

BREAKPOINT { ica = gca*(v - eca) }
