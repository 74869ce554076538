"""`modlc verify`: run .mod files in NEURON and in modlc under one standard protocol and compare.

| module | job |
|---|---|
| `protocol.py` | the protocol as data (`Protocol`), a file's `Outline` (kind, NET_RECEIVE, POINTERs), renaming |
| `neuron_side.py` | copies, batched nrnivmodl builds, one NEURON process per run |
| `modlc_side.py` | the same protocol as a modlc.runtime Network, run in a worker; failures classified |
| `compare.py` | max |Δv|, STATE deviations, spikes: the verdict |
| `runner.py` | batches, jobs, the classes of each file |
| `report.py` | the summary (text and JSON) |
"""

from .neuron_side import missing_requirement
from .protocol import Outline, Protocol, outline, rename_mechanism
from .report import format_record, format_summary, summarise
from .runner import Options, corpus_files, verify

__all__ = ["Protocol", "Outline", "outline", "rename_mechanism", "missing_requirement", "Options", "verify",
           "corpus_files", "summarise", "format_summary", "format_record"]
