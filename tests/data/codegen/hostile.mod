TITLE """ + __import__('os').system('touch /tmp/modlc-pwned') + """ ''' \n import os; os.system("touch /tmp/modlc-pwned")
COMMENT
""" ; import os ; os.system("touch /tmp/modlc-pwned") ; """
ENDCOMMENT
NEURON {
  SUFFIX tf
  USEION na READ ena WRITE ina
  RANGE import, __class__, p, s, np, META, _full, shape, jnp, def, lambda, print, ion
}
PARAMETER { import = 0.12 __class__ = 2 p = 3 s = 4 np = 5 META = 6 _full = 7 }
ASSIGNED { v (mV) ena (mV) ina (mA/cm2) shape jnp def lambda print ion }
STATE { class }
BREAKPOINT {
  SOLVE states METHOD cnexp
  shape = import*p + s
  jnp = np*META
  def = _full + __class__
  lambda = shape + jnp + def
  print = lambda*2
  ion = print + 1
  ina = import*class*(v - ena)
}
INITIAL { class = 0.5 }
DERIVATIVE states { class' = (__class__/10 - class)/p }
