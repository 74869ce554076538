"""A model with three things modlc cannot simulate: extracellular, NEURON's built-in fastpas (no
counterpart in modlc's library) and CVode. The drop-in switch must refuse it, listing all three."""

from neuron import h

h.load_file("stdrun.hoc")
soma = h.Section(name="soma")
soma.insert("hh")
soma.insert("extracellular")
dend = h.Section(name="dend")
dend.connect(soma(1))
dend.insert("fastpas")
h.cvode.active(1)
h.tstop = 5
h.run()
print("NEURON ran it")
