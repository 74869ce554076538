"""A model with four things modlc cannot simulate: extracellular, NEURON's built-in fastpas (no
counterpart in modlc's library), a noisy NetStim (NEURON's random streams) and CVode. The drop-in
switch must refuse it, listing all four. The soma has a gid, so NEURON is asked for its CoreNEURON
data first and refuses (extracellular) from inside stdrun's run(): the refusal must neither abort
run() nor show."""

from neuron import h

h.load_file("stdrun.hoc")
soma = h.Section(name="soma")
soma.insert("hh")
soma.insert("extracellular")
pc = h.ParallelContext()
pc.set_gid2node(0, pc.id())
pc.cell(0, h.NetCon(soma(0.5)._ref_v, None, sec=soma))
dend = h.Section(name="dend")
dend.connect(soma(1))
dend.insert("fastpas")
stim = h.NetStim()
stim.noise = 0.5
h.cvode.active(1)
h.tstop = 5
h.run()
print("NEURON ran it")
