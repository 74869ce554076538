COMMENT
A point process whose NET_RECEIVE sets the membrane potential, as integrate-and-fire point
processes (Izhikevich cells in NetPyNE models) reset v after a spike: nocmodl reads the node's v
into the block and stores it back afterwards, so the assignment moves the membrane.
ENDCOMMENT

NEURON {
    POINT_PROCESS rw_reset
    RANGE vreset, count
}

PARAMETER { vreset = -80 (mV) }

ASSIGNED {
    v (mV)
    count
}

INITIAL { count = 0 }

NET_RECEIVE (w) {
    count = count + 1
    v = vreset + w*count
}
