TITLE Linear (ohmic) gap junction (modlc)

COMMENT
One side of an electrical synapse with a constant conductance g between
this segment (potential v) and another (potential vgap, reached through
a POINTER):

    i = g * (v - vgap)      (nA = uS * mV; positive = outward)

A junction between two segments is a pair of Gap point processes, one in
each, whose vgap points at the other segment's v (h.setpointer); both
must have the same g.  The two currents are then equal and opposite, so
charge is conserved.  See e.g. Bennett MVL, Zukin RS (2004) Electrical
coupling and neuronal synchronization in the mammalian brain, Neuron
41:495-511, for the biology; the ohmic junction is the simplest model.

With fixed-step NEURON vgap is the other side's potential at the start of
the step (the coupling is explicit), so very large g with a large dt can
be unstable.  Default g = 0.001 uS (1 nS), a typical single-cell coupling
conductance.
ENDCOMMENT

NEURON {
    POINT_PROCESS Gap
    POINTER vgap
    RANGE g, i
    NONSPECIFIC_CURRENT i
    THREADSAFE
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    g = 0.001 (uS) <0,1e9>   : junction conductance
}

ASSIGNED {
    v    (mV)
    vgap (mV)   : potential on the other side
    i    (nA)
}

BREAKPOINT {
    i = g*(v - vgap)
}
