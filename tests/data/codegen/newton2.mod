COMMENT
Two coupled nonlinear states solved by derivimplicit: a Newton solve with a 2x2 Jacobian.
ENDCOMMENT
NEURON { SUFFIX newton2 RANGE k }
PARAMETER { k = 0.3 (/ms) }
STATE { x y }
BREAKPOINT { SOLVE pair METHOD derivimplicit }
INITIAL { x = 1 y = 0.5 }
DERIVATIVE pair {
  x' = -k*x*x + y*exp(v/50)
  y' = k*x - y*y*(1 + v*v/1000)
}
