TITLE Voltage-dependent Cx36 gap junction, Schweighofer et al. 2004 (modlc)

COMMENT
One side of a connexin-36 electrical synapse whose conductance falls with
the transjunctional voltage, as in the inferior-olive network model of

    Schweighofer N, Doya K, Fukai H, Chiron JV, Furukawa T, Kawato M
    (2004). Chaos may enhance information transmission in the inferior
    olive. PNAS 101(13):4655-4660. doi:10.1073/pnas.0305966101

There, a dendrite of potential Vi coupled to neighbours j loses the
current density (uA/cm2, conductance g_gj in mS/cm2)

    I_c,i = sum_j g_gj * (Vi - Vj) * (0.2 + 0.8*exp(-(Vi - Vj)^2 / 100))

i.e. the junction conductance is g_gj at dV = 0 and falls towards
0.2*g_gj for |dV| >> 10 mV (a Gaussian of scale 100 mV^2).

Here one junction side is a point process in the segment of potential v;
vgap is a POINTER to the other side's v, and

    dv = v - vgap
    i  = g * dv * (gmin + (1 - gmin)*exp(-dv^2 / vs2))    (nA, outward)

with g in uS, gmin = 0.2 and vs2 = 100 mV^2 as in the paper.  To carry
the paper's density g_gj (mS/cm2) over to a segment of area A (um2):

    g (uS) = g_gj (mS/cm2) * A (um2) * 1e-8 (cm2/um2) * 1e3 (uS/mS)
           = g_gj * A * 1e-5

e.g. g_gj = 0.05 mS/cm2 on a 1000 um2 dendrite gives g = 5e-4 uS.  As
with Gap, a junction is a pair of Cx36 point processes (one in each cell,
same g, each vgap pointing at the other cell's v); the conductance is an
even function of dv, so the two currents are equal and opposite.
ENDCOMMENT

NEURON {
    POINT_PROCESS Cx36
    POINTER vgap
    RANGE g, gmin, vs2, i, gj
    NONSPECIFIC_CURRENT i
    THREADSAFE
}

UNITS {
    (nA) = (nanoamp)
    (mV) = (millivolt)
    (uS) = (microsiemens)
}

PARAMETER {
    g    = 0.0005 (uS) <0,1e9>    : conductance at zero transjunctional voltage
    gmin = 0.2          <0,1>     : residual fraction of g at large |dv|
    vs2  = 100 (mV2) <1e-9,1e9>   : Gaussian scale of the voltage dependence
}

ASSIGNED {
    v    (mV)
    vgap (mV)   : potential on the other side
    i    (nA)
    gj   (uS)   : present junction conductance
}

BREAKPOINT {
    LOCAL dv
    dv = v - vgap
    gj = g*(gmin + (1 - gmin)*exp(-dv*dv/vs2))
    i = gj*dv
}
