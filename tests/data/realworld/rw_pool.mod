COMMENT
A calcium pool that READs and WRITEs cai but assigns it only in its DERIVATIVE block (its INITIAL
sets its own state from cai): at initialisation cai must keep its initial value, not the pool's
unset copy (0), or the first step sees eca = +1e6 mV.
ENDCOMMENT

NEURON {
    SUFFIX rw_pool
    USEION ca READ ica, cai WRITE cai
    RANGE tau, depth
}

PARAMETER {
    tau = 20 (ms)
    depth = 0.1 (um)
    cainf = 5e-5 (mM)
}

STATE { ca (mM) }

ASSIGNED {
    ica (mA/cm2)
    cai (mM)
}

INITIAL { ca = cai }

BREAKPOINT { SOLVE pool METHOD cnexp }

DERIVATIVE pool {
    ca' = -(10000)*ica/(2*96485.33212*depth) - (ca - cainf)/tau
    cai = ca
}
