COMMENT
A state solved by derivimplicit whose derivative is 0/0 at the parameters' defaults (a spine
calcium file leaves the neck's length, cross-section and volume at 0): NEURON's Newton solve
compares NaN with its tolerance, the comparison is false, so it stops "converged" with x NaN.
Nothing reads x, so the membrane is untouched.
ENDCOMMENT

NEURON {
    SUFFIX rw_nanstate
    NONSPECIFIC_CURRENT i
    RANGE x, len, area0
}

PARAMETER {
    tau = 10 (ms)
    len (um)
    area0 (um2)
}

ASSIGNED {
    i (mA/cm2)
}

STATE { x }

INITIAL { x = 1 }

BREAKPOINT {
    SOLVE grow METHOD derivimplicit
    i = 0
}

DERIVATIVE grow {
    x' = (2 - x)/tau - x*area0/len
}
