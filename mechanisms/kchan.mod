TITLE Three-state kinetic delayed-rectifier potassium channel (modlc)

COMMENT
A voltage-gated potassium channel written as a Markov scheme, in the
spirit of Destexhe A, Mainen ZF, Sejnowski TJ (1994). Synthesis of models
for excitable membranes, synaptic transmission and neuromodulation using
a common kinetic formalism. J Comput Neurosci 1:195-230:

            2a         a
      C1  <--->  C2  <--->  O
             b         2b

    ik = gbar * O * (v - ek)                          (mA/cm2)

with exponential (Eyring-type) voltage dependence of the elementary rates

    a(v) = a0 * exp( (v - vh)/ka )        (1/ms)
    b(v) = b0 * exp(-(v - vh)/kb)         (1/ms)

This is the Markov form of two independent HH gates n with
dn/dt = a(1 - n) - b n: the occupancies are C1 = (1-n)^2, C2 = 2n(1-n),
O = n^2 whenever the scheme starts at steady state, so
O_inf = (a/(a + b))^2.  C1 + C2 + O = 1 is enforced with CONSERVE.
Defaults: a0 = b0 = 0.2/ms, vh = -30 mV, ka = 20 mV, kb = 25 mV (n half
activated near -30 mV, time constant 1/(a + b) = 2.5 ms there).
The rates are illustrative, not fitted to a particular preparation.
INITIAL puts the channel at its steady state for the initial v.
ENDCOMMENT

NEURON {
    SUFFIX kchan
    USEION k READ ek WRITE ik
    RANGE gbar, gk, a0, b0, vh, ka, kb
    THREADSAFE
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S)  = (siemens)
}

PARAMETER {
    gbar = 0.036 (S/cm2) <0,1e9>   : peak conductance
    a0   = 0.2   (/ms)             : opening rate at vh
    b0   = 0.2   (/ms)             : closing rate at vh
    vh   = -30   (mV)              : potential where a = a0 and b = b0
    ka   = 20    (mV) <1e-9,1e9>   : e-fold of the opening rate
    kb   = 25    (mV) <1e-9,1e9>   : e-fold of the closing rate
}

ASSIGNED {
    v  (mV)
    ek (mV)
    ik (mA/cm2)
    gk (S/cm2)
    a  (/ms)
    b  (/ms)
}

STATE {
    C1   : both gates closed
    C2   : one gate open
    O    : open
}

INITIAL {
    SOLVE scheme STEADYSTATE sparse
}

BREAKPOINT {
    SOLVE scheme METHOD sparse
    gk = gbar*O
    ik = gk*(v - ek)
}

KINETIC scheme {
    rates(v)
    ~ C1 <-> C2  (2*a, b)
    ~ C2 <-> O   (a, 2*b)
    CONSERVE C1 + C2 + O = 1
}

PROCEDURE rates(vm (mV)) {
    a = a0*exp((vm - vh)/ka)
    b = b0*exp(-(vm - vh)/kb)
}
