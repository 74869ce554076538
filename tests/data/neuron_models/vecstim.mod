: A spike source that replays the times of a Vector (written for modlc's tests from NEURON's
: documented VecStim behaviour: play(vec) sets the times; each time becomes one net_event).
NEURON {
    THREADSAFE
    ARTIFICIAL_CELL VecStim
    RANGE index, etime
    BBCOREPOINTER ptr
}
ASSIGNED {
    index
    etime (ms)
    ptr
}
INITIAL {
    index = 0
    element()
    if (index > 0) {
        net_send(etime - t, 1)
    }
}
NET_RECEIVE (w) {
    if (flag == 1) {
        net_event(t)
        element()
        if (index > 0) {
            net_send(etime - t, 1)
        }
    }
}
PROCEDURE element() {
VERBATIM
    {
        void* times = (void*)(_p_ptr);
        if (times && index >= 0 && index < vector_capacity(times)) {
            etime = vector_vec(times)[(int)index];
            index += 1.;
        } else {
            index = -1.;
        }
    }
ENDVERBATIM
}
VERBATIM
/* CoreNEURON transfer is not needed by these tests: nothing is written or read. */
static void bbcore_write(double* x, int* d, int* xx, int* offset, _threadargsproto_) {}
static void bbcore_read(double* x, int* d, int* xx, int* offset, _threadargsproto_) {}
ENDVERBATIM
PROCEDURE play() {
VERBATIM
    _p_ptr = ifarg(1) ? (void*)vector_arg(1) : (void*)0;
ENDVERBATIM
}
