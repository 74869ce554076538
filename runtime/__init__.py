"""The simulation runtime (cells, Hines solver, events); installed as ``modlc.runtime``."""
