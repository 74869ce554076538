TITLE Fast potassium current of the inferior-olive soma and axon hillock (modlc)

COMMENT
The fast ("K_s" in the soma, "K_a" in the axon hillock) potassium current
of the three-compartment inferior-olive cell of De Gruijl et al. 2012
(PLoS Comput Biol 8:e1002814), as restated in Landsmeer et al. 2024
(Neurocomputing 598:127953), in alpha/beta form:

    ik     = gbar * x^4 * (v - erev)
    dx/dt  = (xinf - x)*(alpha + beta),  xinf = alpha/(alpha + beta)
    alpha  = 0.13*(v + 25)/(1 - exp(-(v + 25)/10))   (/ms)
    beta   = 1.69*exp(-(v + 35)/80)                  (/ms)

alpha is 0/0 at v = -25 mV; within 1e-6 mV of it the limit 1.3/ms is used
(the published code does not guard it).  Soma: gbar 5 mS/cm2, x_start 0.1
(the defaults); axon hillock: gbar 240 mS/cm2, x_start 0.2369847.
erev = V_K = -75 mV is fixed (ek is not read).  Forward Euler, as
published.
ENDCOMMENT

NEURON {
    SUFFIX io_ks
    USEION k WRITE ik
    RANGE gbar, erev, x_start
    THREADSAFE
}

UNITS {
    (mA) = (milliamp)
    (mV) = (millivolt)
    (S)  = (siemens)
}

PARAMETER {
    gbar = 5e-3 (S/cm2) <0,1e9>
    erev = -75 (mV)
    x_start = 0.1
}

ASSIGNED {
    v (mV)
    ik (mA/cm2)
    alpha (/ms)
    beta (/ms)
}

STATE {
    x
}

INITIAL {
    x = x_start
}

BREAKPOINT {
    SOLVE states METHOD euler
    ik = gbar*x*x*x*x*(v - erev)
}

UNITSOFF

DERIVATIVE states {
    if (fabs(v + 25) < 1e-6) {
        alpha = 1.3
    } else {
        alpha = 0.13*(v + 25)/(1 - exp(-(v + 25)/10))
    }
    beta = 1.69*exp(-(v + 35)/80)
    x' = (alpha/(alpha + beta) - x)*(alpha + beta)
}

UNITSON
