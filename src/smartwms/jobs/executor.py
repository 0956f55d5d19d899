"""Executors run queued jobs. The default, :class:`LocalExecutor`, uses local worker processes.

An executor only needs the :class:`Executor` interface, so a distributed engine can take the
local one's place: it claims jobs from the store, runs them and lets the workers write outcomes
back to the store.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from smartwms.jobs.store import Job, JobState, JobStore
from smartwms.jobs.worker import READY

__all__ = ["Executor", "LocalExecutor"]

log = logging.getLogger("smartwms.jobs.executor")


class Executor(Protocol):
    """What the service needs from an executor."""

    def start(self) -> None:
        """Begin running queued jobs."""

    def wake(self) -> None:
        """A job was queued (or cancelled): look at the store again now."""

    def shutdown(self) -> None:
        """Stop running jobs; unfinished ones stay ``running`` and are recovered on restart."""

    @property
    def alive(self) -> bool:
        """Whether jobs are being picked up."""

    @property
    def capacity(self) -> int:
        """How many jobs run at once."""


# Seconds past a job's time limit (and grace) after which a worker that keeps the job without
# using CPU (blocked, or starved by a machine busy with other work) is given up on.
_STALL_SECONDS = 600.0
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system, every thread) a process has used; ``None`` without ``/proc``."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return None
    # Fields after the command name (which may hold spaces, hence the last ")"): utime and
    # stime are the 14th and 15th fields of the line, in clock ticks.
    fields = stat.rsplit(b")", 1)[1].split()
    try:
        return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    except (IndexError, ValueError):
        return None


@dataclass
class _Slot:
    process: subprocess.Popen[str]
    job: Job | None = None
    # The worker said it is warm (solvers imported, kernels loaded): it may take jobs.
    ready: bool = False
    # When the current job was handed over (monotonic) and the worker's CPU time then.
    handed_at: float = 0.0
    cpu_at_hand: float | None = None

    def answered(self) -> bool:
        """Whether the worker wrote a line (ready, or its job finished) or closed its stdout."""
        assert self.process.stdout is not None
        ready, _, _ = select.select([self.process.stdout], [], [], 0)
        return bool(ready)

    def alive(self) -> bool:
        return self.process.poll() is None

    def close_pipes(self) -> None:
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                with contextlib.suppress(OSError):
                    pipe.close()

    def job_cpu_seconds(self) -> float | None:
        """CPU time the worker spent on its current job, ``None`` where it cannot be read."""
        now = _cpu_seconds(self.process.pid)
        return None if now is None or self.cpu_at_hand is None else now - self.cpu_at_hand


class LocalExecutor:
    """Runs jobs in ``workers`` long-lived local processes, one job per process at a time.

    Workers warm up first (solvers imported, compiled kernels loaded) and take jobs only once
    they say they are ready, so no job's time limit is spent on start-up. A dispatcher thread
    claims the oldest queued job for each ready worker, watches for answers, kills a worker
    that overruns its job's time limit by more than ``grace`` seconds of its own CPU time (the
    job fails with that reason; a worker starved of CPU by a busy machine is not punished for
    it) and replaces workers that die.

    Parameters
    ----------
    store
        The job store (its file is opened again by every worker).
    workers
        Concurrency limit: jobs solved at the same time.
    grace
        Seconds past a job's time limit before its worker is killed: both the wall time since
        the job was handed over and the CPU time the worker spent on it must exceed the limit
        plus ``grace`` (a job that keeps its worker without using CPU is killed after
        ``_STALL_SECONDS`` more).
    on_finished
        Called in the dispatcher thread with each job that reached a terminal state.
    """

    def __init__(
        self,
        store: JobStore,
        workers: int = 2,
        grace: float = 10.0,
        on_finished: Callable[[Job], None] | None = None,
    ) -> None:
        if workers < 1:
            raise ValueError("workers must be >= 1")
        self.store = store
        self.workers = workers
        self.grace = grace
        self.on_finished = on_finished
        self._slots: list[_Slot] = []
        # A self-pipe, so the dispatcher can wait on it and on the workers' pipes at once.
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._closing = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def capacity(self) -> int:
        """How many jobs run at once."""
        return self.workers

    @property
    def alive(self) -> bool:
        """Whether the dispatcher is running."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def ready_workers(self) -> int:
        """Workers warm and taking jobs (fewer than ``workers`` while some still start up)."""
        return sum(1 for slot in list(self._slots) if slot.ready)

    def worker_pids(self) -> list[int]:
        """Process ids of the current workers."""
        return [slot.process.pid for slot in self._slots]

    def start(self) -> None:
        """Start the workers and the dispatcher thread."""
        self._slots = [self._spawn() for _ in range(self.workers)]
        self._thread = threading.Thread(target=self._loop, name="smartwms-dispatcher", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look at the store now instead of at the next poll."""
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self._wake_w, b"x")

    def shutdown(self) -> None:
        """Stop the dispatcher and the workers."""
        self._closing.set()
        self.wake()
        if self._thread is not None:
            self._thread.join(timeout=10)
        for slot in self._slots:
            self._stop_process(slot)
        self._slots = []
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    # ------------------------------------------------------------------ internals
    def _spawn(self) -> _Slot:
        # A fresh interpreter (not multiprocessing): no dependence on the caller's __main__.
        process = subprocess.Popen(
            [sys.executable, "-m", "smartwms.jobs.worker", str(self.store.path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        return _Slot(process=process)

    @staticmethod
    def _stop_process(slot: _Slot) -> None:
        # Idle workers hold nothing; a running solve is not waited for either: its job stays
        # ``running`` in the store and is re-queued when the server starts again.
        slot.process.terminate()
        try:
            slot.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            slot.process.kill()
            slot.process.wait(timeout=5)
        slot.close_pipes()

    def _loop(self) -> None:
        while not self._closing.is_set():
            try:
                busy = self._reap()
                busy = self._fill() or busy
            except Exception:
                # The store may be briefly unavailable (disk full, locked): log and keep going.
                log.exception("dispatcher iteration failed")
                busy = False
            self._sleep(0.25 if busy else 0.5)

    def _sleep(self, timeout: float) -> None:
        """Wait for a worker's answer, a wake-up call or ``timeout`` seconds, whichever first."""
        readers: list[Any] = [self._wake_r]
        readers += [s.process.stdout for s in self._slots if s.job is not None or not s.ready]
        ready, _, _ = select.select(readers, [], [], timeout)
        if self._wake_r in ready:
            with contextlib.suppress(BlockingIOError):
                os.read(self._wake_r, 4096)

    def _reap(self) -> bool:
        """Collect answers, dead workers and overruns; returns whether any job is running."""
        busy = False
        for index, slot in enumerate(self._slots):
            if slot.job is None:
                if not slot.ready and slot.alive() and slot.answered():
                    self._read_ready(index)
                elif not slot.alive():
                    log.warning(
                        "worker %d exited (code %s) while idle; starting another",
                        slot.process.pid,
                        slot.process.returncode,
                    )
                    self._discard(slot)
                    self._slots[index] = self._spawn()
                continue
            if slot.answered():
                assert slot.process.stdout is not None
                if not slot.process.stdout.readline():
                    self._replace(index, "the worker process died")
                    continue
                self._finished(slot.job)
                slot.job = None
            elif not slot.alive():
                code = slot.process.returncode
                self._replace(index, f"the worker process died (exit code {code})")
            elif (overrun := self._overrun(slot)) is not None:
                self._replace(index, overrun)
            else:
                busy = True
        return busy

    def _read_ready(self, index: int) -> None:
        """Read a warming worker's first line: ``ready``, or end of file if it died."""
        slot = self._slots[index]
        assert slot.process.stdout is not None
        line = slot.process.stdout.readline()
        if line.strip() == READY:
            slot.ready = True
            return
        log.warning("worker %d failed during start-up; starting another", slot.process.pid)
        self._discard(slot)
        self._slots[index] = self._spawn()

    def _overrun(self, slot: _Slot) -> str | None:
        """Why the slot's worker must be killed for overrunning its job, or ``None``."""
        assert slot.job is not None
        limit = slot.job.time_limit
        budget = limit + self.grace
        wall = time.monotonic() - slot.handed_at
        if wall <= budget:
            return None
        # Wall time alone would punish a worker that a busy machine starved of CPU; the
        # worker's own CPU time says whether it is the solver that ignores its stop signal.
        # (Both must exceed the budget: a multi-threaded solve uses CPU faster than wall time.)
        cpu = slot.job_cpu_seconds()
        if cpu is None or cpu > budget:
            spent = "" if cpu is None else f" ({cpu:.1f} s of CPU time)"
            return (
                f"the solver did not stop within {self.grace:g} s after its time limit "
                f"of {limit:g} s{spent}; its worker was terminated"
            )
        if wall > budget + _STALL_SECONDS:
            return (
                f"the worker made no progress: {wall:.0f} s after its job started (time limit "
                f"{limit:g} s) it had used {cpu:.1f} s of CPU; it was terminated"
            )
        return None

    @staticmethod
    def _discard(slot: _Slot) -> None:
        """Kill a worker (if still running) and release its pipes."""
        slot.process.kill()
        slot.process.wait(timeout=5)
        slot.close_pipes()

    def _replace(self, index: int, reason: str) -> None:
        slot = self._slots[index]
        self._discard(slot)
        job = slot.job
        self._slots[index] = self._spawn()
        if job is not None:
            log.error("job %s failed: %s", job.id, reason)
            self.store.finish(job.id, job.attempt, JobState.FAILED, error=reason)
            self._finished(job)

    def _finished(self, job: Job) -> None:
        final = self.store.get(job.id)
        if final is not None and self.on_finished is not None:
            try:
                self.on_finished(final)
            except Exception:
                log.exception("on_finished hook failed for job %s", job.id)

    def _fill(self) -> bool:
        """Give idle workers the oldest queued jobs; returns whether one was started."""
        started = False
        for slot in self._slots:
            if slot.job is not None or not slot.ready or not slot.alive():
                continue
            job = self.store.claim_next()
            if job is None:
                break
            slot.job = job
            slot.handed_at = time.monotonic()
            slot.cpu_at_hand = _cpu_seconds(slot.process.pid)
            assert slot.process.stdin is not None
            try:
                slot.process.stdin.write(f"{job.id} {job.attempt}\n")
                slot.process.stdin.flush()
            except OSError:
                continue  # the worker died: _reap fails the job and replaces the worker
            started = True
        return started
