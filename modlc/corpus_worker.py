"""The corpus's backend stage in a child process, so that one file cannot take the whole run down.

Backends are native code: over a thousand real files, one of them can crash XLA or onnxruntime
outright (a segfault, an abort) or the compiled kernels can pile up gigabytes. The worker compiles
and runs files one at a time; when it dies or overruns its time, that file is reported as a crash
(with the signal) and a fresh worker continues with the next. Workers are also replaced every
RECYCLE_AFTER files to bound memory.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Optional

RECYCLE_AFTER = 100


def _serve(connection, backends: tuple[str, ...], dtype: str) -> None:
    from .exercise import exercise_backends
    from .pipeline import compile_ir

    while True:
        path = connection.recv()
        if path is None:
            return
        try:
            report = exercise_backends(compile_ir(path), list(backends), dtype)
            connection.send(("ok", report))
        except Exception as e:  # noqa: BLE001 - reported for this file; the worker carries on
            connection.send(("error", f"{type(e).__name__}: {e}"[:300]))


class BackendWorker:
    def __init__(self, backends: tuple[str, ...], dtype: str, seconds: float):
        self.backends, self.dtype, self.seconds = backends, dtype, seconds
        self.context = multiprocessing.get_context("spawn")
        self.process: Optional[multiprocessing.Process] = None
        self.served = 0

    def _start(self) -> None:
        self.connection, child = self.context.Pipe()
        self.process = self.context.Process(target=_serve, args=(child, self.backends, self.dtype), daemon=True)
        self.process.start()
        child.close()
        self.served = 0

    def _stop(self) -> None:
        if self.process is not None:
            if self.process.is_alive():
                self.process.kill()
            self.process.join()
            self.process = None

    def run(self, path: Path) -> tuple[Optional[dict], Optional[str]]:
        """(report, None), or (None, why the file could not be run)."""
        if self.process is None or self.served >= RECYCLE_AFTER:
            self._stop()
            self._start()
        self.served += 1
        self.connection.send(str(path))
        if not self.connection.poll(self.seconds):
            self._stop()
            return None, f"backend stage took longer than {self.seconds:g} s"
        try:
            kind, payload = self.connection.recv()
        except EOFError:
            code = self.process.exitcode if self.process else None
            self._stop()
            return None, f"a backend crashed the worker process (exit code {code})"
        return (payload, None) if kind == "ok" else (None, payload)

    def close(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.connection.send(None)
            self.process.join(timeout=10)
        self._stop()
