: FUNCTION_TABLEs: values come from outside the file (hoc's table_tau(...) in NEURON,
: Mechanism(path, tables=...) in modlc), interpolated linearly and clamped at the ends.
NEURON {
    SUFFIX ftable
    RANGE gmax, e, tau_now, ginf
    NONSPECIFIC_CURRENT i
}
FUNCTION_TABLE tau(v (mV)) (ms)
FUNCTION_TABLE gtab(v (mV), x)
PARAMETER {
    gmax = 0.002 (S/cm2)
    e = -70 (mV)
}
ASSIGNED {
    i (mA/cm2)
    tau_now (ms)
    ginf
}
STATE { s }
INITIAL {
    s = 0.2
}
BREAKPOINT {
    SOLVE states METHOD cnexp
    ginf = gtab(v, s)
    i = gmax * ginf * (v - e)
}
DERIVATIVE states {
    tau_now = tau(v)
    s' = (1 / (1 + exp(-(v + 40) / 5)) - s) / tau_now
}
