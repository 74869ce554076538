"""A model with four things modlc cannot simulate: extracellular, NEURON's built-in fastpas (no
counterpart in modlc's library), a noisy NetStim (NEURON's random streams) and CVode. The drop-in
switch must refuse it, listing all four."""

from neuron import h

h.load_file("stdrun.hoc")
soma = h.Section(name="soma")
soma.insert("hh")
soma.insert("extracellular")
dend = h.Section(name="dend")
dend.connect(soma(1))
dend.insert("fastpas")
stim = h.NetStim()
stim.noise = 0.5
h.cvode.active(1)
h.tstop = 5
h.run()
print("NEURON ran it")
