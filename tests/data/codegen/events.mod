COMMENT
An artificial cell with flags and self-events: net_send in INITIAL and NET_RECEIVE, net_event,
NET_RECEIVE arguments it writes, and a NET_RECEIVE INITIAL block.
ENDCOMMENT
NEURON { ARTIFICIAL_CELL events RANGE tau, m, count }
PARAMETER { tau = 10 (ms) interval = 5 (ms) }
ASSIGNED { m t0 (ms) count }
INITIAL { m = 0 t0 = t count = 0 net_send(interval, 1) }
NET_RECEIVE (w, tlast (ms)) {
  INITIAL { tlast = -1 }
  if (flag == 1) {
    net_event(t)
    net_send(interval, 1)
  } else {
    m = m*exp(-(t - t0)/tau) + w
    t0 = t
    tlast = t
    count = count + 1
    if (m > 1) { m = 0 net_event(t) }
  }
}
