TITLE Wang-Buzsaki fast-spiking interneuron: Na, K and leak (modlc)

COMMENT
The single-compartment hippocampal basket-cell (fast-spiking inhibitory
interneuron) model of Wang and Buzsaki, as used by Borgers for the
I-cells of PING (pyramidal-interneuron network gamma) rhythms:

    Wang X-J, Buzsaki G (1996). Gamma oscillation by synaptic inhibition
    in a hippocampal interneuronal network model. J Neurosci
    16(20):6402-6413. doi:10.1523/JNEUROSCI.16-20-06402.1996
    Borgers C (2017). An Introduction to Modeling Neuronal Dynamics.
    Springer, Texts in Applied Mathematics 66, chapter 5 (the WB neuron)
    and chapter 30 (PING). doi:10.1007/978-3-319-51171-9

Membrane currents (mA/cm2; with C = 1 uF/cm2 as in the paper):

    i_na = gnabar * m^3 * h * (v - ena)
    i_k  = gkbar  * n^4     * (v - ek)
    i_l  = gl               * (v - el)

    gnabar = 0.035 S/cm2 (35 mS/cm2), gkbar = 0.009 S/cm2, gl = 1e-4 S/cm2,
    ena = 55 mV, ek = -90 mV, el = -65 mV.

Sodium activation is instantaneous, m = minf(v) = a_m / (a_m + b_m), so m
is not a STATE. It is set where the gates are updated (in the DERIVATIVE
block, from the v of that moment) and held fixed during the BREAKPOINT, so
the membrane conductance dI/dv that NEURON's implicit step uses is the
chord conductance gna + gk + gl. Were m = minf(v) evaluated inside the
BREAKPOINT, dI/dv would include the sodium current's steep negative slope
on the upstroke; the linearised step divides by cm/dt + dI/dv, which then
nearly vanishes or turns negative (for the reduced Traub-Miles cell
written that way, NEURON 9 at dt = 0.025 ms swung v between about -300 and
+2000 mV). Like h and n, m thus lags v by half a time step in NEURON's
staggered scheme; at dt = 0.025 ms the firing rate under constant drive
stays within 1 % (RTM) and 3 % (WB) of an accurate solution of the
equations.

h and n relax with first-order kinetics

    dx/dt = a_x (1 - x) - b_x x = (xinf - x) / xtau,
    xinf = a_x / (a_x + b_x),  xtau = 1 / (a_x + b_x),

with the rates (1/ms, v in mV)

    a_m = 0.1 (v + 35) / (1 - exp(-(v + 35)/10))
    b_m = 4 exp(-(v + 60)/18)
    a_h = 0.35 exp(-(v + 58)/20)
    b_h = 5 / (1 + exp(-0.1 (v + 28)))
    a_n = 0.05 (v + 34) / (1 - exp(-0.1 (v + 34)))
    b_n = 0.625 exp(-(v + 44)/80)

The paper's temperature factor phi = 5 is already inside the h and n rates
(0.35 = 5 * 0.07, 5 = 5 * 1, 0.05 = 5 * 0.01, 0.625 = 5 * 0.125); celsius
is not used.

Reversal potentials. The model's E_Na and E_K are fixed constants of the
cell (they differ from NEURON's defaults for the na and k ions, 50 and -77
mV, and from the reduced Traub-Miles cell's, 50 / -100 mV), so this
mechanism declares no USEION: ena, ek and el are its own RANGE parameters
(ena_wb, ek_wb, el_wb in hoc) and all three currents are
NONSPECIFIC_CURRENTs. They do not enter the na or k ions' totals, and no
ion concentrations are needed.

a_m and a_n are 0/0 at v = -35 and -34 mV.  Both have the form
x / (exp(x/y) - 1) and are evaluated by vtrap(), which switches to the
Taylor expansion y (1 - x/(2y)) when |x/y| < 1e-6, as hh.mod does.

INITIAL puts m, h and n at their steady state for the initial potential.
Rates are computed exactly at every step (no TABLE).
ENDCOMMENT

NEURON {
    SUFFIX wb
    NONSPECIFIC_CURRENT i_na, i_k, i_l
    RANGE gnabar, gkbar, gl, ena, ek, el, gna, gk, m
    RANGE hinf, ninf, htau, ntau
    THREADSAFE
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S)  = (siemens)
}

PARAMETER {
    gnabar = 0.035 (S/cm2) <0,1e9>   : peak sodium conductance
    gkbar  = 0.009 (S/cm2) <0,1e9>   : peak potassium (delayed rectifier) conductance
    gl     = 1e-4  (S/cm2) <0,1e9>   : leak conductance
    ena    = 55    (mV)              : sodium reversal potential (the model's own)
    ek     = -90   (mV)              : potassium reversal potential (the model's own)
    el     = -65   (mV)              : leak reversal potential
}

ASSIGNED {
    v     (mV)
    i_na  (mA/cm2)
    i_k   (mA/cm2)
    i_l   (mA/cm2)
    gna   (S/cm2)
    gk    (S/cm2)
    m               : instantaneous sodium activation, minf(v)
    hinf
    ninf
    htau  (ms)
    ntau  (ms)
}

STATE {
    h   : sodium inactivation
    n   : potassium activation
}

INITIAL {
    : start every gate at its steady state for the initial potential
    rates(v)
    m = minf(v)
    h = hinf
    n = ninf
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    gna = gnabar*m*m*m*h
    gk  = gkbar*n*n*n*n
    i_na = gna*(v - ena)
    i_k  = gk*(v - ek)
    i_l  = gl*(v - el)
}

DERIVATIVE states {
    rates(v)
    m = minf(v)   : instantaneous, but updated with the gates (see the COMMENT)
    h' = (hinf - h)/htau
    n' = (ninf - n)/ntau
}

UNITSOFF

FUNCTION minf(vm (mV)) {
    : instantaneous sodium activation a_m/(a_m + b_m)
    LOCAL a, b
    a = 0.1*vtrap(-(vm + 35), 10)
    b = 4*exp(-(vm + 60)/18)
    minf = a/(a + b)
}

PROCEDURE rates(vm (mV)) {
    : steady states and time constants of h and n at potential vm
    LOCAL a, b

    : h: sodium inactivation
    a = 0.35*exp(-(vm + 58)/20)
    b = 5/(1 + exp(-0.1*(vm + 28)))
    hinf = a/(a + b)
    htau = 1/(a + b)

    : n: potassium activation
    a = 0.05*vtrap(-(vm + 34), 10)
    b = 0.625*exp(-(vm + 44)/80)
    ninf = a/(a + b)
    ntau = 1/(a + b)
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
