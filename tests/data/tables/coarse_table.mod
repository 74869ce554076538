: A sodium-like current whose rates and a voltage factor are tabulated coarsely (written for
: modlc's tests of TABLE emulation): 20 and 7 intervals make NEURON's linear interpolation differ
: from the exact functions by tens of mV over a run, so a test sees which one a simulator used.
NEURON {
    SUFFIX coarse_table
    USEION na READ ena WRITE ina
    RANGE gbar
}
PARAMETER { gbar = 0.1 (S/cm2) }
STATE { m }
ASSIGNED { v (mV) ena (mV) ina (mA/cm2) minf mtau (ms) }
BREAKPOINT {
    SOLVE states METHOD cnexp
    ina = gbar*m*m*m*(v - ena)*f(v)
}
INITIAL {
    rates(v)
    m = minf
}
DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
}
PROCEDURE rates(v (mV)) {
    TABLE minf, mtau FROM -100 TO 100 WITH 20
    minf = 1/(1 + exp(-(v + 40)/7))
    mtau = 0.5 + 3*exp(-((v + 50)/20)^2)
}
FUNCTION f(v (mV)) {
    TABLE DEPEND gbar FROM -80 TO 60 WITH 7
    f = 1 + 0.5*tanh(v/30)
}
