COMMENT
Random draws: each call reads a standard variate supplied by the runtime.
ENDCOMMENT
NEURON { POINT_PROCESS noisy RANGE mean, sd, i, x, y, u NONSPECIFIC_CURRENT i }
PARAMETER { mean = 0.1 (nA) sd = 0.05 (nA) }
ASSIGNED { v (mV) i (nA) x y u }
BREAKPOINT {
  x = normrand(mean, sd)
  y = exprand(2)
  u = scop_random()
  i = -(x + y*0.01 + u*0.001)
}
