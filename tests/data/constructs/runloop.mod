: FROM loops whose stop (or start) is a run-time value, and array indices known only at run time.
NEURON {
    SUFFIX runloop
    RANGE n, total, w, k, picked, last, recent
    NONSPECIFIC_CURRENT i
}
DEFINE NW 40   : over 32 elements, so w[k] is printed as one flat select, not nested where
PARAMETER {
    n = 3.7     : the loop runs j = 0..3: C truncates the stop toward zero
    k = 2       : a run-time index
}
ASSIGNED {
    i (mA/cm2)
    total
    w[NW]
    picked
    last
    recent
}
STATE { s }
INITIAL {
    LOCAL j
    FROM j = 0 TO NW - 1 {
        w[j] = 0.5 * (j + 1)
    }
    w[k] = w[k] + 10   : a store at a run-time index
    s = 1
    last = w[n]
}
BREAKPOINT {
    SOLVE grow METHOD cnexp
    total = weighted(v)
    picked = w[k] * s
    recent = latest()
    i = 1e-4 * picked * (v + 60) + 1e-5 * total
}
FUNCTION weighted(x) {
    LOCAL j, acc
    acc = 0
    FROM j = 0 TO n {
        acc = acc + w[j] * exp(x / (20 + j))
    }
    weighted = acc
}
DERIVATIVE grow {
    s' = (1 - s) / (5 + w[k])
}

FUNCTION latest() {
    : a run-time start: at most three iterations, whatever n is, so at most three are unrolled
    LOCAL j, acc, first
    acc = 0
    first = larger(n - 2, 0)  : nocmodl's FROM takes no function call
    FROM j = first TO n {
        acc = acc + w[j]
    }
    latest = acc
}

FUNCTION larger(a, b) {
    if (a > b) {
        larger = a
    } else {
        larger = b
    }
}
