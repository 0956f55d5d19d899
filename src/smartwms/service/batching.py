"""Group commit of job submissions: one SQLite transaction for every submit waiting for it.

Under load, many ``POST /v1/jobs`` arrive while one commit is under way. Rather than one thread
and one transaction per request (dozens of threads queueing on the store's write lock and on
the interpreter lock), submissions wait in a list on the event loop; one writer thread commits
everything that piled up in one transaction, then answers every waiting request at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from smartwms.jobs import Job, JobStore, Submission

__all__ = ["SubmitBatcher"]

# Most submissions committed in one transaction (bounds the wait of the first one in a batch).
_MAX_BATCH = 256


class SubmitBatcher:
    """Queues submissions in the store in batches, from the event loop's side.

    Parameters
    ----------
    store
        The job store.
    on_batch
        Called (on the event loop) after each committed batch, e.g. to wake the executor.
    """

    def __init__(self, store: JobStore, on_batch: Callable[[], None] | None = None) -> None:
        self.store = store
        self.on_batch = on_batch
        self._pending: list[tuple[Submission, asyncio.Future[Job]]] = []
        self._draining: asyncio.Task[None] | None = None
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="smartwms-submit")

    async def submit(self, submission: Submission) -> Job:
        """Queue one job; returns it once its batch is committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Job] = loop.create_future()
        self._pending.append((submission, future))
        if self._draining is None or self._draining.done():
            self._draining = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        loop = asyncio.get_running_loop()
        while self._pending:
            batch = self._pending[:_MAX_BATCH]
            del self._pending[:_MAX_BATCH]
            try:
                jobs = await loop.run_in_executor(
                    self._writer, self.store.submit_many, [item for item, _ in batch]
                )
            except Exception as exc:
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), job in zip(batch, jobs, strict=True):
                if not future.done():
                    future.set_result(job)
            if self.on_batch is not None:
                self.on_batch()

    def close(self) -> None:
        """Finish the batch being written and release the writer thread."""
        self._writer.shutdown(wait=True)
