: A potassium-like current whose two gates' rates come from one tabulated PROCEDURE filling
: arrays (written for modlc's tests: a TABLE may name arrays, each element tabulated; NEURON's
: cnexp takes no STATE arrays, so the gates are two scalars).
NEURON {
    SUFFIX array_table
    USEION k READ ek WRITE ik
    RANGE gbar
}
PARAMETER { gbar = 0.05 (S/cm2) }
STATE { n0 n1 }
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) inf[2] tau[2] (ms) }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ik = gbar*n0*n1*(v - ek)
}
INITIAL {
    rates(v)
    n0 = inf[0]
    n1 = inf[1]
}
DERIVATIVE states {
    rates(v)
    n0' = (inf[0] - n0)/tau[0]
    n1' = (inf[1] - n1)/tau[1]
}
PROCEDURE rates(v (mV)) {
    TABLE inf, tau FROM -100 TO 100 WITH 25
    FROM i = 0 TO 1 {
        inf[i] = 1/(1 + exp(-(v + 30 + 10*i)/(8 + 2*i)))
        tau[i] = 1 + 4*i + 5*exp(-((v + 40)/25)^2)
    }
}
