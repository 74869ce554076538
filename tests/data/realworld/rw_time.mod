: A current that calls a function of t alone in BREAKPOINT: at finitialize t is 0, which must reach
: the kernel as a number of the run's dtype like every later t (TensorFlow reads a bare 0.0 as float32).
NEURON {
    SUFFIX rwtime
    NONSPECIFIC_CURRENT i
    RANGE amp
}
UNITS { (mA) = (milliamp) }
PARAMETER { amp = 1e-4 (mA/cm2) }
ASSIGNED { i (mA/cm2) }
BREAKPOINT { i = -amp*cos(t) }
