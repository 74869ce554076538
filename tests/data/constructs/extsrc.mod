: The owner of a GLOBAL that extdst.mod reads as an EXTERNAL. In NEURON the GLOBAL's C name is
: gsrc_<suffix>, and the test's NEURON copy is renamed modlc_extsrc (tests/neuron_oracle.py).
NEURON {
    SUFFIX extsrc
    GLOBAL gsrc
}
PARAMETER {
    gsrc = 1.5
}
