TITLE Dendritic calcium of the inferior-olive cell (modlc)

COMMENT
The dendritic calcium concentration of the three-compartment
inferior-olive cell of De Gruijl et al. 2012 (PLoS Comput Biol
8:e1002814), as restated in Landsmeer et al. 2024 (Neurocomputing
598:127953).  The model keeps it in arbitrary units, filled by the
high-threshold calcium current (in uA/cm2) and decaying with
tau = 1/0.075 = 13.3 ms:

    dCa/dt = -3 * I_CaH - 0.075 * Ca,   Ca(0) = 3.715

NEURON's ica is in mA/cm2, so I_CaH = 1000 * ica.  The concentration is
written to the calcium ion as cai (declared mM, as NEURON requires; the
values are the model's arbitrary units), where io_kca reads it.  Nothing
in the model reads eca.  Forward Euler, as published.
ENDCOMMENT

NEURON {
    SUFFIX io_capool
    USEION ca READ ica WRITE cai
    RANGE influx, decay, ca_start
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mM) = (milli/liter)
}

PARAMETER {
    influx = 3 : per uA/cm2 and ms, in the model's units
    decay = 0.075 (/ms)
    ca_start = 3.715
}

ASSIGNED {
    ica (mA/cm2)
}

STATE {
    cai (mM)
}

INITIAL {
    cai = ca_start
}

BREAKPOINT {
    SOLVE states METHOD euler
}

UNITSOFF

DERIVATIVE states {
    cai' = -influx*(1000*ica) - decay*cai
}

UNITSON
