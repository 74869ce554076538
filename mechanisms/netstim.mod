TITLE Presynaptic spike generator (modlc)

COMMENT
An artificial cell that emits a train of `number` events, the first near
`start`, later ones `interval` apart on average.

Intervals.  With noise = f (0 <= f <= 1) each interval is

    isi = (1 - f)*interval + f*interval*X,     X ~ Exp(1)  (exprand(1))

so f = 0 gives a regular train and f = 1 a Poisson train with mean rate
1/interval; the mean interval is `interval` for every f.  The first event
comes at start + isi - (1 - f)*interval (never before t = 0), so on
average at start + f*interval and exactly at `start` when f = 0.  number
counts events, whatever the noise.

Events (NET_RECEIVE flag):

  3  the self-event sent by INITIAL: if the generator is still on,
     restart the count and emit the first spike now (via a flag-1 event).
  1  a self-event: emit a spike (net_event), count it, and schedule the
     next one after a fresh interval unless `number` spikes have been sent.
  0  an event from a NetCon with weight w:
       w > 0 while off: start a new train whose first spike comes after
         isi - (1 - f)*interval (immediately when f = 0);
       w > 0 while on: ignored;
       w < 0: stop the train (pending self-events are then ignored).

These are the semantics of NEURON's NetStim (Mainen, Destexhe, Hines);
with noise = 0 the spike times are identical to NEURON's.  With noise > 0
the random numbers come from modlc's exprand(1), not from NEURON's
Random123 streams, so trains agree only in distribution.  As in NEURON,
stopping with a negative weight leaves the pending self-event on the
queue (it is ignored on arrival while off); a positive-weight restart
before it arrives lets it through, so that train gets an extra spike.
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL NetStim
    RANGE interval, number, start, noise
    THREADSAFE
}

PARAMETER {
    interval = 10 (ms) <1e-9,1e9>   : mean time between spikes
    number   = 10 <0,1e9>           : number of spikes in a train
    start    = 50 (ms)              : time of the first spike (noise = 0)
    noise    = 0 <0,1>              : 0 regular ... 1 Poisson
}

ASSIGNED {
    event (ms)   : delay of the next self-event
    on           : 1 while a train is running, 0 otherwise
    ispike       : spikes emitted in the current train
}

INITIAL {
    on = 0
    ispike = 0
    : clip noise into [0, 1]
    if (noise < 0) {
        noise = 0
    }
    if (noise > 1) {
        noise = 1
    }
    if (start >= 0 && number > 0) {
        on = 1
        : first spike on average at start + noise*interval, never before 0
        event = start + isi(interval) - interval*(1 - noise)
        if (event < 0) {
            event = 0
        }
        net_send(event, 3)
    }
}

FUNCTION isi(mean (ms)) (ms) {
    : one inter-spike interval with the given mean
    if (mean <= 0) {
        mean = 0.01 (ms)   : guard against a zero or negative mean
    }
    if (noise == 0) {
        isi = mean
    } else {
        isi = (1 - noise)*mean + noise*mean*exprand(1)
    }
}

PROCEDURE restart() {
    : begin a new train (only if it would have any spikes)
    if (number > 0) {
        on = 1
        event = 0
        ispike = 0
    }
}

PROCEDURE next_isi() {
    : delay to the next spike; switch off once the train is complete
    if (number > 0) {
        event = isi(interval)
    }
    if (ispike >= number) {
        on = 0
    }
}

NET_RECEIVE(w) {
    if (flag == 0) {
        : event from a NetCon
        if (w > 0 && on == 0) {
            restart()
            next_isi()
            event = event - interval*(1 - noise)
            net_send(event, 1)
        } else if (w < 0) {
            on = 0
        }
    }
    if (flag == 3) {
        : the self-event from INITIAL, unless an input switched us off
        if (on == 1) {
            restart()
            net_send(0, 1)
        }
    }
    if (flag == 1 && on == 1) {
        : time for a spike
        ispike = ispike + 1
        net_event(t)
        next_isi()
        if (on == 1) {
            net_send(event, 1)
        }
    }
}
