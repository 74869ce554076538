TITLE First-order submembrane calcium pool (modlc)

COMMENT
Intracellular calcium in a thin shell of depth `depth` under the
membrane, filled by the calcium current and relaxing to a resting level
with one time constant (a first-order stand-in for pumps and buffers), as
in the thalamic and cortical models of Destexhe and colleagues:

    Destexhe A, Babloyantz A, Sejnowski TJ (1993). Ionic mechanisms for
    intrinsic slow oscillations in thalamic relay neurons. Biophys J
    65:1538-1552.
    Destexhe A, Contreras D, Steriade M, Sejnowski TJ, Huguenard JR
    (1996). In vivo, in vitro and computational analysis of dendritic
    calcium currents in thalamic reticular neurons. J Neurosci
    16:169-185.

    dcai/dt = drive + (cainf - cai) / taur            (mM/ms)
    drive   = max(0, -k * ica / (2 * F * depth))

with ica in mA/cm2, depth in um, F = FARADAY (C/mol) and k = 1e4 the
unit factor: a current density ica (mA/cm2) carries ica/(2F) * 1e-3
mol/(cm2 ms) of Ca2+ into a shell of 1e-4*depth cm3 per cm2, and
1 mol/cm3 = 1e6 mM, so 1e-3 * 1e6 / 1e-4 = 1e4.

Only inward current (ica < 0) fills the pool; an outward calcium current
does not empty it (the shell is not a source), as in Destexhe's cad.
Diffusion to the core is neglected.  cai is the STATE, written to the
ca ion; eca is then computed by NEURON from cai and cao (Nernst) in
mechanisms that READ eca, if the ion's reversal potential is not fixed.
Defaults: depth 0.1 um, taur 5 ms, cainf 2.4e-4 mM.
ENDCOMMENT

NEURON {
    SUFFIX cad
    USEION ca READ ica WRITE cai
    RANGE depth, taur, cainf, drive
    THREADSAFE
}

UNITS {
    (molar) = (1/liter)
    (mM)    = (millimolar)
    (um)    = (micron)
    (mA)    = (milliamp)
    FARADAY = (faraday) (coulomb)
}

PARAMETER {
    depth = 0.1    (um) <1e-9,1e9>   : depth of the submembrane shell
    taur  = 5      (ms) <1e-9,1e9>   : relaxation (removal) time constant
    cainf = 2.4e-4 (mM) <0,1e9>      : resting calcium concentration
}

ASSIGNED {
    ica   (mA/cm2)
    drive (mM/ms)   : influx from the calcium current
}

STATE {
    cai (mM) <1e-10>   : free calcium in the shell
}

INITIAL {
    cai = cainf
}

BREAKPOINT {
    SOLVE state METHOD cnexp
}

DERIVATIVE state {
    drive = -(1e4)*ica/(2*FARADAY*depth)
    if (drive <= 0) {
        drive = 0   : outward current does not deplete the shell
    }
    cai' = drive + (cainf - cai)/taur
}
