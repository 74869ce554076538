COMMENT
A calcium pool that READs and WRITEs cai as a STATE (loaded from the ion on every call, as NEURON
does), with a Nernst-like reversal it computes itself and an ion current it reads.
ENDCOMMENT
NEURON { SUFFIX ions USEION ca READ cai, ica WRITE cai, eca RANGE tau, depth }
UNITS { (mM) = (milli/liter) (mV) = (millivolt) (mA) = (milliamp) FARADAY = (faraday) (coulomb) R = (k-mole) (joule/degC) }
PARAMETER { tau = 20 (ms) depth = 0.1 (um) cainf = 1e-4 (mM) cao = 2 (mM) }
ASSIGNED { ica (mA/cm2) eca (mV) celsius (degC) }
STATE { cai (mM) }
BREAKPOINT { SOLVE pool METHOD cnexp  eca = (1000)*R*(celsius + 273.15)/(2*FARADAY)*log(cao/cai) }
INITIAL { cai = cainf }
DERIVATIVE pool { cai' = -ica*(10000)/(2*FARADAY*depth) - (cai - cainf)/tau }
