TITLE Hodgkin-Huxley sodium, potassium and leak conductances (modlc)

COMMENT
The three membrane conductances of the squid giant axon from

    Hodgkin AL, Huxley AF (1952). A quantitative description of membrane
    current and its application to conduction and excitation in nerve.
    J Physiol 117(4):500-544. doi:10.1113/jphysiol.1952.sp004764

written in the modern sign convention: v is the absolute membrane potential
(inside minus outside, depolarisation positive) and rest lies near -65 mV.
The paper's displacement V (positive = hyperpolarisation, 0 = rest) maps to
v = -V - 65.

Membrane currents (mA/cm2):

    ina = gnabar * m^3 * h * (v - ena)
    ik  = gkbar  * n^4     * (v - ek)
    il  = gl               * (v - el)

Every gate x in {m, h, n} relaxes with first-order kinetics

    dx/dt = (xinf - x) / xtau,   xinf = a_x / (a_x + b_x),
                                 xtau = 1 / (q10 * (a_x + b_x))

with the opening (a) and closing (b) rates, in 1/ms for v in mV,

    a_m = 0.1  (v + 40) / (1 - exp(-(v + 40)/10))   b_m = 4 exp(-(v + 65)/18)
    a_h = 0.07 exp(-(v + 65)/20)                    b_h = 1 / (1 + exp(-(v + 35)/10))
    a_n = 0.01 (v + 55) / (1 - exp(-(v + 55)/10))   b_n = 0.125 exp(-(v + 65)/80)

The rates were fitted at 6.3 degC; other temperatures scale them by
q10 = 3^((celsius - 6.3)/10).  Set celsius in your script (NEURON's
default is 6.3).

a_m and a_n are 0/0 at v = -40 and v = -55 mV.  Both have the form
x / (exp(x/y) - 1) and are evaluated by vtrap(), which switches to the
Taylor expansion y (1 - x/(2y)) when |x/y| < 1e-6.

Like NEURON's hh, rates() declares a TABLE (-100 to 100 mV in 200 steps,
redone when celsius changes).  modlc computes the rates exactly unless the
file is compiled with usetable=True, which interpolates in that table as
NEURON does by default (NEURON: usetable_hh = 0 computes them exactly).
ENDCOMMENT

NEURON {
    SUFFIX hh
    USEION na READ ena WRITE ina
    USEION k READ ek WRITE ik
    NONSPECIFIC_CURRENT il
    RANGE gnabar, gkbar, gl, el, gna, gk
    RANGE minf, hinf, ninf, mtau, htau, ntau
    THREADSAFE
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S)  = (siemens)
}

PARAMETER {
    gnabar = 0.12   (S/cm2) <0,1e9>   : peak sodium conductance
    gkbar  = 0.036  (S/cm2) <0,1e9>   : peak potassium conductance
    gl     = 0.0003 (S/cm2) <0,1e9>   : leak conductance
    el     = -54.3  (mV)              : leak reversal potential
}

ASSIGNED {
    v       (mV)
    celsius (degC)
    ena     (mV)
    ek      (mV)
    ina     (mA/cm2)
    ik      (mA/cm2)
    il      (mA/cm2)
    gna     (S/cm2)
    gk      (S/cm2)
    minf
    hinf
    ninf
    mtau    (ms)
    htau    (ms)
    ntau    (ms)
}

STATE {
    m   : sodium activation
    h   : sodium inactivation
    n   : potassium activation
}

INITIAL {
    : start every gate at its steady state for the initial potential
    rates(v)
    m = minf
    h = hinf
    n = ninf
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    gna = gnabar*m*m*m*h
    gk  = gkbar*n*n*n*n
    ina = gna*(v - ena)
    ik  = gk*(v - ek)
    il  = gl*(v - el)
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
    h' = (hinf - h)/htau
    n' = (ninf - n)/ntau
}

UNITSOFF

PROCEDURE rates(vm (mV)) {
    : steady states and time constants of m, h, n at potential vm
    LOCAL a, b, q10
    TABLE minf, mtau, hinf, htau, ninf, ntau DEPEND celsius FROM -100 TO 100 WITH 200

    q10 = 3^((celsius - 6.3)/10)

    : m: sodium activation
    a = 0.1*vtrap(-(vm + 40), 10)
    b = 4*exp(-(vm + 65)/18)
    minf = a/(a + b)
    mtau = 1/(q10*(a + b))

    : h: sodium inactivation
    a = 0.07*exp(-(vm + 65)/20)
    b = 1/(exp(-(vm + 35)/10) + 1)
    hinf = a/(a + b)
    htau = 1/(q10*(a + b))

    : n: potassium activation
    a = 0.01*vtrap(-(vm + 55), 10)
    b = 0.125*exp(-(vm + 65)/80)
    ninf = a/(a + b)
    ntau = 1/(q10*(a + b))
}

FUNCTION vtrap(x, y) {
    : x/(exp(x/y) - 1), continuous through the removable singularity at x = 0
    LOCAL u
    u = x/y
    if (fabs(u) < 1e-6) {
        vtrap = y*(1 - u/2)
    } else {
        vtrap = x/(exp(u) - 1)
    }
}

UNITSON
