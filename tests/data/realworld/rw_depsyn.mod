COMMENT
A depressing synapse whose NET_RECEIVE writes an ASSIGNED variable (x) that no other block reads:
the generated handler's masked update must find x's old value in the simulation's carry.
ENDCOMMENT

NEURON {
    POINT_PROCESS rw_depsyn
    RANGE tau, e, U, taur, i
    NONSPECIFIC_CURRENT i
}

PARAMETER {
    tau = 5 (ms)
    e = 0 (mV)
    U = 0.5 (1)
    taur = 50 (ms)
}

ASSIGNED {
    v (mV)
    i (nA)
    x (1)
}

STATE { g (uS) }

INITIAL { g = 0 }

BREAKPOINT {
    SOLVE decay METHOD cnexp
    i = g*(v - e)
}

DERIVATIVE decay { g' = -g/tau }

NET_RECEIVE(weight (uS), r, tlast (ms)) {
    INITIAL {
        r = 1
        tlast = t
    }
    r = 1 - (1 - r)*exp(-(t - tlast)/taur)
    x = U*r
    g = g + weight*x
    r = r - x
    tlast = t
}
