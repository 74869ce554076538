TITLE Transient (A-type) potassium current of the locust antennal-lobe projection neurons (modlc)

COMMENT
The A-current of the projection neurons (PN) of

    Bazhenov M, Stopfer M, Rabinovich M, Huerta R, Abarbanel HDI,
    Sejnowski TJ, Laurent G (2001). Model of transient oscillatory
    synchronization in the locust antennal lobe. Neuron 30:553-567.

as coded in the TensorFlow tutorial

    Mohanta R, Assisi C (2019). Parallel scalable simulations of
    biological neural networks using TensorFlow: a beginner's guide.
    arXiv:1906.03958.

Kinetics after Huguenard JR, McCormick DA (1992). Simulation of the
currents involved in rhythmic oscillations in thalamic relay neurons.
J Neurophysiol 68:1373-1383.

    ik     = gbar * mA^4 * hA * (v - erev)                 (mA/cm2)
    dx/dt  = (xinf - x) / xtau,  x in {mA, hA}
    mAinf  = 1 / (1 + exp(-(v + 60)/8.5))
    hAinf  = 1 / (1 + exp((v + 78)/6))
    mAtau  = 1 / ((exp((v + 35.82)/19.69) + exp(-(v + 79.69)/12.7) + 0.37) * phi)
    hAtau  = 1 / ((exp((v + 46.05)/5) + exp(-(v + 238.4)/37.45)) * phi)   v < -63 mV
           = 19 / phi                                                       otherwise
    phi    = q10^((temp - tref)/10) = 3^((36 - 23.5)/10) = 3.9482

Deviation D1 (kept on purpose): Huguenard-McCormick, and Bazhenov's own
code, write mAtau = [1/(exp(..) + exp(..)) + 0.37] / phi, with 0.37 ms
added to the time constant.  The tutorial puts 0.37 inside the
denominator, which makes mAtau about half as long (0.29 instead of
0.60 ms at -60 mV).  This file follows the tutorial's form, because it
reproduces the tutorial's model.

Temperature (36 degC against the 23.5 degC reference, the tutorial's
values) is a PARAMETER, not NEURON's celsius.  erev = -95 mV is a fixed
PARAMETER; ik is written to the k ion but ek is not read.  INITIAL puts
mA and hA at their steady states for the initial v; the tutorial starts
them at 0 (the 100 ms before the stimulus absorb the difference).

Defaults: gbar = 10 mS/cm2, erev = -95 mV.
ENDCOMMENT

NEURON {
    SUFFIX al_a
    USEION k WRITE ik
    RANGE gbar, erev, g, minf, hinf, mtau, htau
    RANGE temp, tref, q10
    THREADSAFE
}

UNITS {
    (mV) = (millivolt)
    (mA) = (milliamp)
    (S)  = (siemens)
}

PARAMETER {
    gbar = 0.01 (S/cm2) <0,1e9>   : maximal conductance (10 mS/cm2)
    erev = -95  (mV)              : potassium reversal potential (fixed)
    temp = 36   (degC)            : temperature of the model channel
    tref = 23.5 (degC)            : reference temperature of the rates
    q10  = 3                      : temperature coefficient
}

ASSIGNED {
    v    (mV)
    ik   (mA/cm2)
    g    (S/cm2)
    minf
    hinf
    mtau (ms)
    htau (ms)
}

STATE {
    m   : activation (mA)
    h   : inactivation (hA)
}

INITIAL {
    rates(v)
    m = minf
    h = hinf
}

BREAKPOINT {
    SOLVE states METHOD cnexp
    g = gbar*m*m*m*m*h
    ik = g*(v - erev)
}

DERIVATIVE states {
    rates(v)
    m' = (minf - m)/mtau
    h' = (hinf - h)/htau
}

UNITSOFF

PROCEDURE rates(vm (mV)) {
    LOCAL phi
    phi = q10^((temp - tref)/10)
    minf = 1/(1 + exp(-(vm + 60)/8.5))
    hinf = 1/(1 + exp((vm + 78)/6))
    : D1: 0.37 inside the denominator, as the tutorial codes it
    mtau = 1/((exp((vm + 35.82)/19.69) + exp(-(vm + 79.69)/12.7) + 0.37)*phi)
    if (vm < -63) {
        htau = 1/((exp((vm + 46.05)/5) + exp(-(vm + 238.4)/37.45))*phi)
    } else {
        htau = 19/phi
    }
}

UNITSON
