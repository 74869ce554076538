TITLE Leaky integrator driven by a decaying synaptic current (modlc)

COMMENT
An artificial cell with two first-order stages (NEURON's IntFire2; see
Carnevale NT, Hines ML (2006) The NEURON Book, Cambridge University
Press, chapter 10, and Hines ML, Carnevale NT (2004) Discrete event
simulation in the NEURON environment, Neurocomputing 58-60:1117-1122).

A synaptic current i relaxes to the bias ib with time constant taus, and
a dimensionless membrane state m integrates it with time constant taum:

    taus di/dt = ib - i          an input of weight w makes i jump by w
    taum dm/dt = i - m           the cell fires when m reaches 1; m -> 0

taum < taus is required (INITIAL enforces taus >= taum + 0.1 ms).  Both
equations are solved in closed form between events: with s = t - t0,
k = taus/(taus - taum), and i0, m0 the values at the last update t0,

    i(s) = ib + (i0 - ib) exp(-s/taus)
    m(s) = ib + k (i0 - ib) exp(-s/taus)
              + (m0 - ib - k (i0 - ib)) exp(-s/taum)

so nothing is integrated per step.  A self-event (flag 1) is kept on the
queue at the predicted firing time; each input moves it (net_move).  The
firing time solves 1 = A + B exp(-s/taus) + (C - A - B) exp(-s/taum)
(A = ib, B = k (i0 - ib), C = m0) for the first s > 0; writing
x = exp(-s/taum) or x = exp(-s/taus), with r = taum/taus, this becomes
1 = A + B x^r + (C - A - B) x, or the same with the roles of the two
terms exchanged, on 0 < x <= 1, solved by Newton's method (newton1).
A prediction of 1e9 ms means "never" for the current inputs.

The branch structure, starting points, stopping rule (|dx| and |f - 1|
both at most 1e-6, or 11 iterations) and clamping of x to (0, 1] are
NEURON's, so the firing times agree with NEURON's IntFire2 to rounding.
NEURON's iteration is a WHILE loop; here it is a FROM loop over the at
most 11 iterations it can take, doing nothing once it has converged.  The
diagnostic print NEURON makes when it gives up after 11 iterations is
left out.  As in NEURON, i and m hold the values at the last event;
I() and M() give their values at the current t.
ENDCOMMENT

NEURON {
    ARTIFICIAL_CELL IntFire2
    RANGE taus, taum, ib, i, m
    THREADSAFE
}

PARAMETER {
    taus = 20 (ms)    : decay time constant of the synaptic current
    taum = 10 (ms)    : membrane time constant (must be < taus)
    ib   = 0          : bias current (steady-state value of i)
}

ASSIGNED {
    i              : synaptic current at the last update
    m              : membrane state at the last update
    t0 (ms)        : time of the last update
}

INITIAL {
    LOCAL tnext
    i = ib
    m = 0
    if (taus <= taum) {
        taus = taum + 0.1
    }
    t0 = t
    : the first firing time: firetime(ib, 0, 0) as NEURON calls it, written
    : out because modlc inlines the call and would see the constant b = 0
    : in a division of the branch this call never takes.  With b = c = 0,
    : firetime gives 1e9 (never) unless ib > 1, and otherwise takes its
    : second branch with rest = slope = -ib, whose tangent start is
    : (1 - ib)/(-ib) > 0: the same arithmetic, operation for operation
    tnext = 1e9
    if (ib > 1) {
        tnext = -taum*log(newton1(ib, 0, -ib, taum/taus, (1 - ib)/(-ib)))
    }
    net_send(tnext, 1)
}

FUNCTION M() {
    LOCAL k, di
    k = taus/(taus - taum)
    di = (i - ib)*exp(-(t - t0)/taus)
    M = ib + k*di + (m - (ib + (i - ib)*k))*exp(-(t - t0)/taum)
}

FUNCTION I() {
    I = (i - ib)*exp(-(t - t0)/taus) + ib
}

NET_RECEIVE(w) {
    LOCAL k, di, inow, tnext
    k = taus/(taus - taum)
    di = (i - ib)*exp(-(t - t0)/taus)   : i - ib decayed to now
    inow = ib + di
    if (flag == 1) {
        : the predicted firing time has come
        net_event(t)
        m = 0
        net_send(firetime(ib, (inow - ib)*k, 0), 1)
    } else {
        : an input: bring m up to date, add the input, predict again
        m = ib + k*di + (m - (ib + (i - ib)*k))*exp(-(t - t0)/taum)
        inow = inow + w
        if (m >= 1) {
            tnext = t   : fire now
        } else {
            tnext = firetime(ib, (inow - ib)*k, m) + t
        }
        net_move(tnext)
    }
    t0 = t
    i = inow
}

FUNCTION firetime(a, b, c) (ms) {
    : first s > 0 with 1 = a + b exp(-s/taus) + (c - a - b) exp(-s/taum),
    : given c < 1 and taum < taus; 1e9 when there is none
    LOCAL r, rest, slope, x, peak
    r = taum/taus
    if (a <= 1 && a + b <= 1) {
        : both the asymptote and the current drive stay below threshold
        firetime = 1e9
    } else if (a > 1 && b <= 0) {
        : the asymptote is above threshold: exactly one crossing
        rest = c - a - b
        slope = r*b + rest     : d/dx of a + b x^r + rest x at x = 1
        if (slope >= 0) {
            : x = exp(-s/taum) would leave the domain: use x = exp(-s/taus)
            firetime = -taus*log(newton1(a, rest, b, 1/r, 0))
        } else {
            x = (1 - c + slope)/slope   : the tangent at x = 1 reaches 1 here
            if (x <= 0) {
                firetime = -taus*log(newton1(a, rest, b, 1/r, 0))
            } else {
                firetime = -taum*log(newton1(a, b, rest, r, x))
            }
        }
    } else {
        : the drive decays below threshold: a crossing exists only if the
        : maximum of a + b x^r + rest x on (0, 1) exceeds 1
        rest = c - a - b
        x = (-rest/(r*b))^(1/(r - 1))   : where that maximum lies
        peak = a + b*x^r + rest*x
        if (x >= 1 || peak <= 1) {
            firetime = 1e9
        } else {
            slope = r*b + rest
            x = (1 - c + slope)/slope
            firetime = -taum*log(newton1(a, b, rest, r, x))
        }
    }
}

FUNCTION newton1(a, b, c, r, x0) {
    : Newton's method for 1 = a + b x^r + c x from x0, x kept in (0, 1];
    : stops when a step and the residual (at the step's start) are both
    : at most 1e-6, or after 11 steps
    LOCAL x, f, df, dx, n, done
    x = x0
    done = 0
    FROM n = 1 TO 11 {
        if (done == 0) {
            f = a + b*x^r + c*x
            df = r*b*x^(r - 1) + c
            dx = (1 - f)/df
            x = x + dx
            if (x <= 0) {
                x = 1e-4
            } else if (x > 1) {
                x = 1
            }
            if (n > 10) {
                : give up (NEURON prints a diagnostic here)
                done = 1
            } else if (!(fabs(dx) > 1e-6 || fabs(f - 1) > 1e-6)) {
                done = 1   : converged
            }
        }
    }
    newton1 = x
}
