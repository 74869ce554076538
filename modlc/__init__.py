"""modlc: compile NEURON NMODL mechanisms into vectorised tensor kernels."""

__version__ = "0.1.0"
