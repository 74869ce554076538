COMMENT
A potassium channel scaled by an uncharged messenger read as an ion of VALENCE 0: NEURON gives
such a species a reversal potential of 0 mV instead of dividing by its valence in Nernst.
ENDCOMMENT

NEURON {
    SUFFIX rw_msgchan
    USEION k READ ek WRITE ik
    USEION msg READ msgi VALENCE 0
    RANGE gbar
}

PARAMETER { gbar = 0.0002 (S/cm2) }

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
    msgi (mM)
}

BREAKPOINT { ik = gbar*(1 + msgi)*(v - ek) }
