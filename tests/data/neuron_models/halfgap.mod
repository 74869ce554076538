: One half of a gap junction whose other side's potential arrives in vgap, set every step by
: ParallelContext.target_var (written for modlc's tests).
NEURON {
    POINT_PROCESS HalfGap
    RANGE g, i, vgap
    ELECTRODE_CURRENT i
}
PARAMETER { g = 0 (uS) }
ASSIGNED {
    v (mV)
    vgap (mV)
    i (nA)
}
BREAKPOINT { i = g * (vgap - v) }
