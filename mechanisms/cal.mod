TITLE High-voltage-activated calcium current (modlc)

COMMENT
A high-threshold (L-type-like) calcium current with HH-style gating,
with the rate functions of

    Reuveni I, Friedman A, Amitai Y, Gutnick MJ (1993). Stages of
    Ca2+ spike generation in neocortical pyramidal neurons.
    J Neurosci 13(11):4609-4621.

as used in Mainen ZF, Sejnowski TJ (1996) Nature 382:363-366.

    ica = gcabar * m^2 * h * (v - eca)                     (mA/cm2)

    dx/dt = (xinf - x)/xtau,  xinf = a_x/(a_x + b_x),
                              xtau = 1/(tadj*(a_x + b_x))   (x = m, h)

with the rates (1/ms, v in mV)

    a_m = 0.055 (-27 - v) / (exp((-27 - v)/3.8) - 1)
    b_m = 0.94 exp((-75 - v)/17)
    a_h = 0.000457 exp((-13 - v)/50)
    b_h = 0.0065 / (1 + exp((-15 - v)/28))

measured at 23 degC and scaled by tadj = q10^((celsius - 23)/10), q10 = 2.3.
a_m is 0/0 at v = -27 mV; vtrap() uses its Taylor expansion there.
Activation is fast (sub-ms to ms), inactivation slow (~100 ms or more),
so during a single spike the current is essentially m^2-gated.
eca comes from the ca ion (Nernst from cai/cao when a pool such as cad
writes cai).
ENDCOMMENT

NEURON {
    SUFFIX cal
    USEION ca READ eca WRITE ica
    RANGE gcabar, gca, minf, hinf, mtau, htau
    THREADSAFE
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S)  = (siemens)
}

PARAMETER {
    gcabar = 1e-4 (S/cm2) <0,1e9>   : peak calcium conductance
    q10    = 2.3                    : temperature factor per 10 degC
    tbase  = 23 (degC)              : temperature the rates were measured at
}

ASSIGNED {
    v       (mV)
    celsius (degC)
    eca     (mV)
    ica     (mA/cm2)
    gca     (S/cm2)
    minf
    hinf
    mtau    (ms)
    htau    (ms)
}

STATE {
    m   : activation
    h   : inactivation
}

INITIAL {
    rates(v)
    m = minf
    h = hinf
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    gca = gcabar*m*m*h
    ica = gca*(v - eca)
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
    h' = (hinf - h)/htau
}

UNITSOFF

PROCEDURE rates(vm (mV)) {
    LOCAL a, b, tadj
    tadj = q10^((celsius - tbase)/10)

    a = 0.055*vtrap(-27 - vm, 3.8)
    b = 0.94*exp((-75 - vm)/17)
    minf = a/(a + b)
    mtau = 1/(tadj*(a + b))

    a = 0.000457*exp((-13 - vm)/50)
    b = 0.0065/(1 + exp((-15 - vm)/28))
    hinf = a/(a + b)
    htau = 1/(tadj*(a + b))
}

FUNCTION vtrap(x, y) {
    : x/(exp(x/y) - 1), continuous through x = 0
    LOCAL u
    u = x/y
    if (fabs(u) < 1e-6) {
        vtrap = y*(1 - u/2)
    } else {
        vtrap = x/(exp(u) - 1)
    }
}

UNITSON
