COMMENT
A three-state channel as a KINETIC scheme with a conservation law (sparse: Newton on a 3x3 system
whose CONSERVE row has no diagonal dominance), writing a potassium current.
ENDCOMMENT
NEURON { SUFFIX kinetic3 USEION k READ ek WRITE ik RANGE gbar }
PARAMETER { gbar = 0.01 (S/cm2) }
ASSIGNED { v (mV) ek (mV) ik (mA/cm2) }
STATE { c1 c2 o }
BREAKPOINT { SOLVE scheme METHOD sparse  ik = gbar*o*(v - ek) }
INITIAL { SOLVE scheme STEADYSTATE sparse }
KINETIC scheme {
  ~ c1 <-> c2 (0.5*exp(v/20), 0.2*exp(-v/30))
  ~ c2 <-> o (2*exp(v/15), 0.1)
  CONSERVE c1 + c2 + o = 1
}
