TITLE Odour-evoked input current of the locust antennal-lobe model (modlc)

COMMENT
The stimulus ("odour") current that the TensorFlow tutorial injects into
a third of the neurons of its version of

    Bazhenov M, Stopfer M, Rabinovich M, Huerta R, Abarbanel HDI,
    Sejnowski TJ, Laurent G (2001). Model of transient oscillatory
    synchronization in the locust antennal lobe. Neuron 30:553-567.

    Mohanta R, Assisi C (2019). Parallel scalable simulations of
    biological neural networks using TensorFlow: a beginner's guide.
    arXiv:1906.03958.

    i = amp * y(t)                                          (nA)
    y = 0                                      t < ton
    y = 1 - exp(-(t - ton)/trise)              ton <= t < toff
    y = ypeak * exp(-(t - toff)/tdecay)        t >= toff

with the tutorial's ton = 100 ms, toff = 600 ms, trise = 75 ms,
tdecay = 150 ms and ypeak = 0.9996.  ypeak is the tutorial's constant,
kept as a PARAMETER; it is not derived from the rising branch (which
reaches 1 - exp(-500/75) = 0.99873 at toff, so y steps up by 0.0009
there).  The tutorial's 10 uA/cm2 on a single compartment of 1e-4 cm2 is
amp = 1 nA (the default).

The current is an ELECTRODE_CURRENT: injected into the cell, so positive
amp depolarises (as IClamp).  With NEURON's fixed step, i is evaluated
at the middle of each step (t + dt/2); the tutorial looks the input up
from a 0.01 ms table at the start of each Runge-Kutta step.
ENDCOMMENT

NEURON {
    POINT_PROCESS AL_Odor
    RANGE amp, ton, toff, trise, tdecay, ypeak, i
    ELECTRODE_CURRENT i
    THREADSAFE
}

UNITS {
    (nA) = (nanoamp)
}

PARAMETER {
    amp    = 1      (nA)              : amplitude (positive depolarises)
    ton    = 100    (ms)              : onset
    toff   = 600    (ms)              : offset (start of the decay)
    trise  = 75     (ms) <1e-9,1e9>   : rise time constant
    tdecay = 150    (ms) <1e-9,1e9>   : decay time constant
    ypeak  = 0.9996                   : level the decay starts from
}

ASSIGNED {
    i (nA)
}

INITIAL {
    i = 0
}

BREAKPOINT {
    if (t < ton) {
        i = 0
    } else if (t < toff) {
        i = amp*(1 - exp(-(t - ton)/trise))
    } else {
        i = amp*ypeak*exp(-(t - toff)/tdecay)
    }
}
