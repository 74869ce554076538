COMMENT
Every math function and condition form the backends must spell alike, with the results stored.
ENDCOMMENT
NEURON { SUFFIX functions RANGE a, b, c, d, e, f, g, h, j, w }
PARAMETER { p1 = 2.5 p2 = 0.7 }
ASSIGNED { v (mV) a b c d e f g h j w }
BREAKPOINT {
  a = sin(v/30) + cos(v/40) + tan(v/200) + tanh(v/25)
  b = sinh(v/60) + cosh(v/70) + sinh(v*1e-6)
  c = fabs(v) + floor(v/7) + ceil(v/9) + fmod(v, 7) + pow(fabs(v) + 1, p2)
  d = log(fabs(v) + 1) + log10(fabs(v) + 2) + sqrt(fabs(v)) + exp(-v*v/2000)
  e = fmin(v, -20) + fmax(v, 10)
  if (v > -30 && v < 20 || v < -90) { f = 1 } else if (!(v > 0)) { f = 2 } else { f = 3 }
  g = (v > p1) + (v <= 0)
  h = p1 * 1e-300 * 1e-20 + 1/(p2 - 0.7 + 1)
  j = v^3/1e5 + v^-2 + (fabs(v)/100)^0.5
  w = 1/(1 + exp(-(v + 40)/5))
}
