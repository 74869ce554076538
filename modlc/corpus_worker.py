"""A task run file by file in a child process, so that one file cannot take the whole run down.

Backends are native code: over a thousand real files, one of them can crash XLA or onnxruntime
outright (a segfault, an abort) or the compiled kernels can pile up gigabytes. A worker runs one
request at a time; when it dies or overruns its time, that request is reported as a crash (with
the exit code) and a fresh worker continues with the next. Workers are also replaced every
`recycle_after` requests to bound memory. `modlc corpus --backends` (BackendWorker) and
`modlc verify` both use it.
"""

from __future__ import annotations

import multiprocessing
from functools import partial
from typing import Any, Callable, Optional

RECYCLE_AFTER = 100


def _serve(connection, task: Callable[[Any], Any]) -> None:
    while True:
        request = connection.recv()
        if request is None:
            return
        try:
            connection.send(("ok", task(request)))
        except Exception as e:  # noqa: BLE001 - reported for this request; the worker carries on
            connection.send(("error", f"{type(e).__name__}: {e}"[:300]))


class Worker:
    """Runs `task(request)` in a child process (spawned: `task` must be importable, e.g. a
    module-level function or a partial of one) with a time limit per request."""

    def __init__(self, task: Callable[[Any], Any], seconds: float, recycle_after: int = RECYCLE_AFTER):
        self.task, self.seconds, self.recycle_after = task, seconds, recycle_after
        self.context = multiprocessing.get_context("spawn")
        self.process: Optional[multiprocessing.Process] = None
        self.served = 0

    def _start(self) -> None:
        self.connection, child = self.context.Pipe()
        self.process = self.context.Process(target=_serve, args=(child, self.task), daemon=True)
        self.process.start()
        child.close()
        self.served = 0

    def _stop(self) -> None:
        if self.process is not None:
            if self.process.is_alive():
                self.process.kill()
            self.process.join()
            self.process = None

    def run(self, request: Any) -> tuple[Optional[Any], Optional[str]]:
        """(result, None), or (None, why the request could not be run)."""
        if self.process is None or self.served >= self.recycle_after:
            self._stop()
            self._start()
        self.served += 1
        self.connection.send(request)
        if not self.connection.poll(self.seconds):
            self._stop()
            return None, f"took longer than {self.seconds:g} s"
        try:
            kind, payload = self.connection.recv()
        except EOFError:
            code = self.process.exitcode if self.process else None
            self._stop()
            return None, f"the worker process crashed (exit code {code})"
        return (payload, None) if kind == "ok" else (None, payload)

    def close(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.connection.send(None)
            self.process.join(timeout=10)
        self._stop()


def _exercise(path, backends: tuple[str, ...], dtype: str) -> dict:
    from .exercise import exercise_backends
    from .pipeline import compile_ir

    return exercise_backends(compile_ir(path), list(backends), dtype)


class BackendWorker(Worker):
    """The corpus's backend stage: compile a file's IR for each backend and run its kernels."""

    def __init__(self, backends: tuple[str, ...], dtype: str, seconds: float):
        super().__init__(partial(_exercise, backends=tuple(backends), dtype=dtype), seconds)
