COMMENT
A potassium conductance raised to a power by a FROM loop whose stop is a PARAMETER, the way a
family of published channel files computes m^mexp: modlc unrolls such a loop a fixed number of
times, each iteration masked by nocmodl's condition, and the runtime refuses exponents that would
need more iterations.
ENDCOMMENT

NEURON {
    SUFFIX rw_powloop
    USEION k READ ek WRITE ik
    RANGE gbar, mexp
}

PARAMETER {
    gbar = 0.01 (S/cm2)
    mexp = 3
}

ASSIGNED {
    v (mV)
    ek (mV)
    ik (mA/cm2)
}

STATE { m }

INITIAL { m = minf(v) }

BREAKPOINT {
    LOCAL power, j
    SOLVE gate METHOD cnexp
    power = 1
    FROM j = 1 TO mexp {
        power = power*m
    }
    ik = gbar*power*(v - ek)
}

DERIVATIVE gate { m' = (minf(v) - m)/2 }

FUNCTION minf(v (mV)) { minf = 1/(1 + exp(-(v + 62)/6)) }
