"""NEURON's side of verify, remembered between runs.

NEURON's answer for a file depends only on the file, the include files beside it, the protocol,
how verify reads the file and NEURON's version; it costs seconds of nrnivmodl per file, modlc's
side far less. So a re-run after a change to modlc (or the same corpus on another backend) reuses
NEURON's recordings and build errors from an earlier run. Runs that timed out or crashed are not remembered (they may be the
machine's fault). The cache lives in $MODLC_VERIFY_CACHE, else ~/.cache/modlc/verify.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Optional

from .protocol import Outline, Protocol

TRANSIENT = ("took longer than", "crashed")  # failures that may not recur


def folder() -> Path:
    return Path(os.environ.get("MODLC_VERIFY_CACHE") or Path.home() / ".cache" / "modlc" / "verify")


def key(path: Path, includes: dict[str, Path], protocol: Protocol, outline: Outline) -> str:
    """A digest of everything NEURON's answer depends on: the files, the protocol, how the file was
    read (its outline: name, kind, POINTERs linked), how it was staged for nrnivmodl, the NEURON
    script and NEURON's version."""
    from importlib.metadata import version

    from .neuron_side import SCRIPT, STAGING

    digest = hashlib.sha256()
    for part in (version("neuron"), json.dumps(protocol.to_json(), sort_keys=True), path.name,
                 json.dumps(outline.to_json(), sort_keys=True), SCRIPT, STAGING):
        digest.update(part.encode() + b"\0")
    digest.update(path.read_bytes() + b"\0")
    for name in sorted(includes):
        digest.update(name.encode() + b"\0" + includes[name].read_bytes() + b"\0")
    return digest.hexdigest()


def load(digest: str) -> Optional[dict]:
    """{"error": why NEURON failed or None, "result": its recordings or None}, if remembered."""
    try:
        return json.loads((folder() / digest[:2] / f"{digest}.json").read_text())
    except (OSError, ValueError):
        return None


def store(digest: str, error: Optional[str], result: Optional[dict]) -> None:
    if error is not None and any(word in error for word in TRANSIENT):
        return
    target = folder() / digest[:2] / f"{digest}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.part")
    partial.write_text(json.dumps({"error": error, "result": result}))
    partial.replace(target)  # atomic: a parallel run never reads half a file
