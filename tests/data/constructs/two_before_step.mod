: Two BEFORE STEP blocks: NEURON runs both, in the order of the file, before every step. The
: second reads what the first wrote this step, so running them in the other order, or only one,
: moves v by about 5e-4 mV over the verify protocol.
NEURON {
    SUFFIX twoba
    NONSPECIFIC_CURRENT i
    RANGE g1, g2
}
UNITS { (mV) = (millivolt) (mA) = (milliamp) (S) = (siemens) }
ASSIGNED { v (mV) i (mA/cm2) g1 (S/cm2) g2 (S/cm2) }
INITIAL { g1 = 0  g2 = 0 }
BEFORE STEP { LOCAL x  x = 1e-7  g1 = g1 + x }
BREAKPOINT { i = (g1 + g2)*(v + 80) }
BEFORE STEP { LOCAL x  x = 0.5  g2 = x*g1 }
