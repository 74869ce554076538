COMMENT
Counts when NEURON runs each BEFORE/AFTER block, and what v it sees there (a runtime test input).
ENDCOMMENT
NEURON {
    SUFFIX blocks
    RANGE n_bi, n_ai, n_bb, n_as, n_bs, vsum, tb
}
ASSIGNED { v (mV) n_bi n_ai n_bb n_as n_bs vsum tb (ms) }
BEFORE INITIAL { n_bi = n_bi + 1 }
INITIAL { n_bb = 0 n_as = 0 n_bs = 0 vsum = 0 }
AFTER INITIAL { n_ai = n_bb + 10 }
BEFORE BREAKPOINT { n_bb = n_bb + 1 vsum = vsum + v tb = t }
AFTER SOLVE { n_as = n_as + 1 vsum = vsum - 0.5*v }
BEFORE STEP { n_bs = n_bs + 1 }
