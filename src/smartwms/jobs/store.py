"""The job store: SQLite through SQLAlchemy 2 (WAL), the single source of truth for jobs.

Every state change is one conditional ``UPDATE`` so concurrent writers (the API, the dispatcher
and the worker processes) cannot overwrite each other: a worker's writes carry the job's
``attempt`` number and only land while the job is still ``running`` under that attempt. A worker
orphaned by a server crash therefore can neither duplicate nor overwrite a job that the restarted
server re-queued.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from smartwms.errors import SmartwmsError

__all__ = [
    "TERMINAL_STATES",
    "IdempotencyConflict",
    "Job",
    "JobState",
    "JobStore",
    "StoredInstance",
    "Submission",
    "request_fingerprint",
]


class JobState(StrEnum):
    """Life cycle of a job: queued -> running -> succeeded / failed / cancelled."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


TERMINAL_STATES = frozenset({JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED})


class IdempotencyConflict(SmartwmsError):
    """An ``Idempotency-Key`` was reused with a different request body."""


class _Base(DeclarativeBase):
    pass


class _JobRow(_Base):
    """Storage model of a job (the API's schemas live in :mod:`smartwms.service.schemas`)."""

    __tablename__ = "jobs"
    __table_args__ = (
        UniqueConstraint("owner", "idempotency_key", name="uq_owner_idempotency_key"),
        Index("ix_jobs_state_seq", "state", "seq"),
        Index("ix_jobs_owner_seq", "owner", "seq"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    owner: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(16))
    payload: Mapped[str] = mapped_column(Text, deferred=True)
    time_limit: Mapped[float] = mapped_column(Float)
    webhook_url: Mapped[str | None] = mapped_column(String(2000))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    request_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Float)
    started_at: Mapped[float | None] = mapped_column(Float)
    finished_at: Mapped[float | None] = mapped_column(Float)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    progress: Mapped[float | None] = mapped_column(Float)
    best_objective: Mapped[float | None] = mapped_column(Float)
    message: Mapped[str | None] = mapped_column(String(2000))
    error: Mapped[str | None] = mapped_column(Text)
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    has_result: Mapped[bool] = mapped_column(Boolean, default=False)
    result: Mapped[str | None] = mapped_column(Text, deferred=True)
    webhook_status: Mapped[str | None] = mapped_column(String(16))


class _InstanceRow(_Base):
    """A stored warehouse instance (jobs refer to it by ``instance_id``)."""

    __tablename__ = "instances"

    owner: Mapped[str] = mapped_column(String(200), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[float] = mapped_column(Float)
    summary: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text, deferred=True)


@dataclass(frozen=True)
class StoredInstance:
    """What is stored about an instance besides its body."""

    id: str
    owner: str
    name: str
    created_at: float
    summary: dict[str, Any]


@dataclass(frozen=True)
class Job:
    """A snapshot of one job as stored (without its payload and result)."""

    seq: int
    id: str
    owner: str
    kind: str
    state: JobState
    time_limit: float
    webhook_url: str | None
    idempotency_key: str | None
    created_at: float
    started_at: float | None
    finished_at: float | None
    attempt: int
    progress: float | None
    best_objective: float | None
    message: str | None
    error: str | None
    cancel_requested: bool
    has_result: bool
    webhook_status: str | None

    @property
    def terminal(self) -> bool:
        """Whether the job has finished (succeeded, failed or cancelled)."""
        return self.state in TERMINAL_STATES

    @property
    def queue_seconds(self) -> float:
        """Seconds spent waiting for a worker (so far, while still queued)."""
        end = self.started_at or self.finished_at or time.time()
        return max(0.0, end - self.created_at)

    @property
    def run_seconds(self) -> float | None:
        """Seconds spent solving (so far, while running); ``None`` before it starts."""
        if self.started_at is None:
            return None
        return max(0.0, (self.finished_at or time.time()) - self.started_at)


# The columns of a snapshot, for Core queries (cheaper than loading ORM objects).
_SNAPSHOT_COLUMNS = [_JobRow.__table__.c[name] for name in Job.__dataclass_fields__]


def _snapshot(row: Any) -> Job:
    values = {name: getattr(row, name) for name in Job.__dataclass_fields__}
    values["state"] = JobState(row.state)
    values["cancel_requested"] = bool(row.cancel_requested)
    values["has_result"] = bool(row.has_result)
    return Job(**values)


def request_fingerprint(document: Any) -> str:
    """SHA-256 of a canonical JSON rendering: tells a retried request from a different one.

    Examples
    --------
    >>> request_fingerprint({"b": 1, "a": 2}) == request_fingerprint({"a": 2, "b": 1})
    True
    """
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class Submission:
    """A job to queue: who submits it, its kind, payload JSON, time limit and webhook URL."""

    owner: str
    kind: str
    payload: str
    time_limit: float
    webhook_url: str | None = None


def _new_row(
    submission: Submission, *, idempotency_key: str | None = None, request_hash: str | None = None
) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "owner": submission.owner,
        "kind": submission.kind,
        "state": JobState.QUEUED.value,
        "payload": submission.payload,
        "time_limit": float(submission.time_limit),
        "webhook_url": submission.webhook_url,
        "idempotency_key": idempotency_key,
        "request_hash": request_hash,
        "created_at": time.time(),
        "attempt": 0,
        "cancel_requested": False,
        "has_result": False,
        "webhook_status": "pending" if submission.webhook_url else None,
    }


def _queued_job(values: dict[str, Any], seq: int) -> Job:
    """The snapshot of a row just inserted by :func:`_new_row`."""
    fields: dict[str, Any] = {name: values.get(name) for name in Job.__dataclass_fields__}
    fields.update(seq=seq, state=JobState.QUEUED)
    return Job(**fields)


def _sqlite_engine(path: Path, *, writer: bool) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"timeout": 30.0, "check_same_thread": False},
        pool_size=2 if writer else 20,
        max_overflow=2 if writer else 40,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets readers proceed while one writer commits; NORMAL sync is durable across
        # process crashes (the kill -9 case) and only risks the last commits on power loss.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        if writer:
            dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below

    if writer:

        @event.listens_for(engine, "begin")
        def _begin_immediate(connection: Any) -> None:
            # Take the write lock up front: a deferred transaction that upgrades to a write
            # can fail with "database is locked" instead of waiting its turn.
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class JobStore:
    """Jobs in an SQLite database file (created on first use).

    Parameters
    ----------
    path
        The database file, e.g. ``DATA_DIR/jobs.sqlite3``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> store = JobStore(pathlib.Path(tempfile.mkdtemp()) / "jobs.sqlite3")
    >>> job, created = store.submit("alice", "distance-matrix", "{}", time_limit=5)
    >>> created, job.state.value
    (True, 'queued')
    >>> store.claim_next().id == job.id
    True
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.engine = _sqlite_engine(self.path, writer=False)
        self._writer = _sqlite_engine(self.path, writer=True)
        # One writer at a time per process: threads queue here instead of in SQLite's busy
        # handler, whose sleeps (up to 100 ms each) would dominate latency under load.
        self._write_lock = threading.Lock()
        _Base.metadata.create_all(self._writer)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()
        self._writer.dispose()

    @contextmanager
    def _session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            yield session

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        with (
            self._write_lock,
            Session(self._writer, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    # ------------------------------------------------------------------ the API's side
    def submit(
        self,
        owner: str,
        kind: str,
        payload: str,
        *,
        time_limit: float,
        webhook_url: str | None = None,
        idempotency_key: str | None = None,
        request_hash: str | None = None,
    ) -> tuple[Job, bool]:
        """Queue a job; with an idempotency key already used by ``owner``, return that job.

        Returns the job and whether it was created now. Raises :class:`IdempotencyConflict`
        when the key was used for a different request.
        """
        if idempotency_key is not None:
            existing = self._by_idempotency_key(owner, idempotency_key, request_hash)
            if existing is not None:
                return existing, False
        values = _new_row(
            Submission(owner, kind, payload, time_limit, webhook_url),
            idempotency_key=idempotency_key,
            request_hash=request_hash,
        )
        try:
            with self._writing() as session:
                seq = session.execute(
                    insert(_JobRow).values(**values).returning(_JobRow.seq)
                ).scalar_one()
        except IntegrityError:
            # Two retries raced on one key: the other insert won, answer with its job.
            assert idempotency_key is not None
            existing = self._by_idempotency_key(owner, idempotency_key, request_hash)
            if existing is None:
                raise
            return existing, False
        return _queued_job(values, seq), True

    def submit_many(self, submissions: Sequence[Submission]) -> list[Job]:
        """Queue several jobs in one transaction (one commit: a group commit of submissions).

        The jobs are queued in the order given. Submissions with an ``Idempotency-Key`` go
        through :meth:`submit`, which looks the key up first.

        Examples
        --------
        >>> import tempfile, pathlib
        >>> store = JobStore(pathlib.Path(tempfile.mkdtemp()) / "jobs.sqlite3")
        >>> jobs = store.submit_many([Submission("bob", "routing", "{}", 5.0)] * 3)
        >>> [job.seq for job in jobs]
        [1, 2, 3]
        """
        rows = [_new_row(submission) for submission in submissions]
        if not rows:
            return []
        table = _Base.metadata.tables[_JobRow.__tablename__]
        # One Core INSERT for the whole batch ("insertmanyvalues"), seqs in the order given.
        statement = insert(table).returning(table.c.seq, sort_by_parameter_order=True)
        with self._writing() as session:
            seqs = session.connection().execute(statement, rows).scalars().all()
        return [_queued_job(values, seq) for values, seq in zip(rows, seqs, strict=True)]

    def _by_idempotency_key(self, owner: str, key: str, request_hash: str | None) -> Job | None:
        with self._session() as session:
            row = session.scalars(
                select(_JobRow).where(_JobRow.owner == owner, _JobRow.idempotency_key == key)
            ).first()
            if row is None:
                return None
            if request_hash is not None and row.request_hash != request_hash:
                raise IdempotencyConflict(
                    f"Idempotency-Key {key!r} was already used for a different request"
                )
            return _snapshot(row)

    def get(self, job_id: str, owner: str | None = None) -> Job | None:
        """The job with this id (only if ``owner`` owns it, when given)."""
        query = select(*_SNAPSHOT_COLUMNS).where(_JobRow.id == job_id)
        if owner is not None:
            query = query.where(_JobRow.owner == owner)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return None if row is None else _snapshot(row)

    def payload(self, job_id: str) -> str | None:
        """The job's payload JSON."""
        with self._session() as session:
            return session.scalar(select(_JobRow.payload).where(_JobRow.id == job_id))

    def result(self, job_id: str, owner: str | None = None) -> str | None:
        """The job's result JSON (``None`` while there is none)."""
        query = select(_JobRow.result).where(_JobRow.id == job_id)
        if owner is not None:
            query = query.where(_JobRow.owner == owner)
        with self._session() as session:
            return session.scalar(query)

    def list_jobs(
        self,
        owner: str | None = None,
        *,
        state: JobState | None = None,
        kind: str | None = None,
        limit: int = 50,
        after: int | None = None,
        before: int | None = None,
        newest_first: bool = False,
    ) -> list[Job]:
        """Jobs in submission order, ``limit`` at a time after the cursor ``after`` (a ``seq``).

        ``newest_first`` reverses the order (the console lists the latest first); ``before``
        is then the cursor: jobs submitted before that ``seq``.
        """
        order = _JobRow.seq.desc() if newest_first else _JobRow.seq
        query = select(_JobRow).order_by(order).limit(limit)
        if owner is not None:
            query = query.where(_JobRow.owner == owner)
        if state is not None:
            query = query.where(_JobRow.state == state.value)
        if kind is not None:
            query = query.where(_JobRow.kind == kind)
        if after is not None:
            query = query.where(_JobRow.seq > after)
        if before is not None:
            query = query.where(_JobRow.seq < before)
        with self._session() as session:
            return [_snapshot(row) for row in session.scalars(query)]

    def request_cancel(self, job_id: str, owner: str | None = None) -> Job | None:
        """Cancel a queued job at once; ask a running one to stop (it keeps its best answer)."""
        now = time.time()
        with self._writing() as session:
            base = update(_JobRow).where(_JobRow.id == job_id)
            if owner is not None:
                base = base.where(_JobRow.owner == owner)
            session.execute(
                base.where(_JobRow.state == JobState.QUEUED.value).values(
                    state=JobState.CANCELLED.value,
                    cancel_requested=True,
                    finished_at=now,
                    message="cancelled before it started",
                )
            )
            session.execute(
                base.where(_JobRow.state == JobState.RUNNING.value).values(cancel_requested=True)
            )
        return self.get(job_id, owner)

    def counts_by_state(self) -> dict[JobState, int]:
        """Number of jobs in each state (every state present, zeros included)."""
        counts = dict.fromkeys(JobState, 0)
        with self._session() as session:
            for state, count in session.execute(
                select(_JobRow.state, func.count()).group_by(_JobRow.state)
            ):
                counts[JobState(state)] = int(count)
        return counts

    def mark_webhook(self, job_id: str, status: str) -> None:
        """Record the outcome of the completion webhook (``delivered`` or ``failed``)."""
        with self._writing() as session:
            session.execute(
                update(_JobRow).where(_JobRow.id == job_id).values(webhook_status=status)
            )

    def pending_webhooks(self) -> list[Job]:
        """Finished jobs whose completion webhook was not delivered yet (e.g. after a crash)."""
        query = select(_JobRow).where(
            _JobRow.webhook_status == "pending",
            _JobRow.state.in_([s.value for s in TERMINAL_STATES]),
        )
        with self._session() as session:
            return [_snapshot(row) for row in session.scalars(query)]

    # ------------------------------------------------------------------ stored instances
    def put_instance(
        self, owner: str, ident: str, name: str, summary: dict[str, Any], body: str
    ) -> tuple[StoredInstance, bool]:
        """Store an instance under its content-derived id; returns it and whether it is new."""
        existing = self.get_instance(owner, ident)
        if existing is not None:
            return existing, False
        values: dict[str, Any] = {
            "owner": owner,
            "id": ident,
            "name": name[:2000],
            "created_at": time.time(),
            "summary": json.dumps(summary, sort_keys=True),
            "body": body,
        }
        try:
            with self._writing() as session:
                session.execute(insert(_InstanceRow).values(**values))
        except IntegrityError:
            # The same instance stored twice at once: the other insert won, same content.
            stored = self.get_instance(owner, ident)
            assert stored is not None
            return stored, False
        return StoredInstance(ident, owner, values["name"], values["created_at"], summary), True

    def get_instance(self, owner: str, ident: str) -> StoredInstance | None:
        """What is stored about ``owner``'s instance ``ident`` (without its body)."""
        query = select(
            _InstanceRow.id,
            _InstanceRow.owner,
            _InstanceRow.name,
            _InstanceRow.created_at,
            _InstanceRow.summary,
        ).where(_InstanceRow.owner == owner, _InstanceRow.id == ident)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        if row is None:
            return None
        return StoredInstance(row.id, row.owner, row.name, row.created_at, json.loads(row.summary))

    def list_instances(self, owner: str, limit: int = 200) -> list[StoredInstance]:
        """``owner``'s stored instances, newest first (without their bodies)."""
        query = (
            select(
                _InstanceRow.id,
                _InstanceRow.owner,
                _InstanceRow.name,
                _InstanceRow.created_at,
                _InstanceRow.summary,
            )
            .where(_InstanceRow.owner == owner)
            .order_by(_InstanceRow.created_at.desc())
            .limit(limit)
        )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [
            StoredInstance(row.id, row.owner, row.name, row.created_at, json.loads(row.summary))
            for row in rows
        ]

    def instance_body(self, owner: str, ident: str) -> str | None:
        """The instance JSON of ``owner``'s instance ``ident``."""
        query = select(_InstanceRow.body).where(
            _InstanceRow.owner == owner, _InstanceRow.id == ident
        )
        with self.engine.connect() as connection:
            return connection.execute(query).scalar()

    def delete_instance(self, owner: str, ident: str) -> bool:
        """Forget an instance; ``False`` when there was none. Jobs still queued that refer to
        it fail with that reason when they start."""
        with self._writing() as session:
            done = session.execute(
                delete(_InstanceRow).where(_InstanceRow.owner == owner, _InstanceRow.id == ident)
            )
            return bool(done.rowcount)  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ the executor's side
    def claim_next(self) -> Job | None:
        """Move the oldest queued job to ``running`` (a new attempt) and return it."""
        with self._session() as session:
            waiting = session.scalar(
                select(_JobRow.seq).where(_JobRow.state == JobState.QUEUED.value).limit(1)
            )
        if waiting is None:
            return None  # nothing queued: do not take the write lock
        now = time.time()
        with self._writing() as session:
            oldest = (
                select(_JobRow.seq)
                .where(_JobRow.state == JobState.QUEUED.value)
                .order_by(_JobRow.seq)
                .limit(1)
                .scalar_subquery()
            )
            claimed = session.execute(
                update(_JobRow)
                .where(_JobRow.seq == oldest, _JobRow.state == JobState.QUEUED.value)
                .values(
                    state=JobState.RUNNING.value,
                    started_at=now,
                    attempt=_JobRow.attempt + 1,
                    progress=0.0,
                )
                .returning(_JobRow.id)
            ).first()
        return None if claimed is None else self.get(claimed[0])

    def cancel_requested(self, job_id: str) -> bool:
        """Whether someone asked this job to stop."""
        with self._session() as session:
            return bool(
                session.scalar(select(_JobRow.cancel_requested).where(_JobRow.id == job_id))
            )

    def report_progress(
        self,
        job_id: str,
        attempt: int,
        *,
        progress: float | None = None,
        best_objective: float | None = None,
        message: str | None = None,
    ) -> bool:
        """Record progress of a running attempt; ``False`` if that attempt is no longer current."""
        values: dict[str, Any] = {}
        if progress is not None:
            values["progress"] = min(1.0, max(0.0, float(progress)))
        if best_objective is not None:
            values["best_objective"] = float(best_objective)
        if message is not None:
            values["message"] = message[:2000]
        if not values:
            return True
        with self._writing() as session:
            done = session.execute(self._current(job_id, attempt).values(**values))
            return bool(done.rowcount)  # type: ignore[attr-defined]

    def finish(
        self,
        job_id: str,
        attempt: int,
        state: JobState,
        *,
        result: str | None = None,
        best_objective: float | None = None,
        error: str | None = None,
        message: str | None = None,
    ) -> bool:
        """Close a running attempt; ``False`` (and no change) if that attempt is not current."""
        if state not in TERMINAL_STATES:
            raise ValueError(f"finish needs a terminal state, got {state}")
        values: dict[str, Any] = {
            "state": state.value,
            "finished_at": time.time(),
            "result": result,
            "has_result": result is not None,
            "error": error,
        }
        if result is not None:
            values["progress"] = 1.0
        if best_objective is not None:
            values["best_objective"] = float(best_objective)
        if message is not None:
            values["message"] = message[:2000]
        with self._writing() as session:
            done = session.execute(self._current(job_id, attempt).values(**values))
            return bool(done.rowcount)  # type: ignore[attr-defined]

    @staticmethod
    def _current(job_id: str, attempt: int) -> Any:
        return update(_JobRow).where(
            _JobRow.id == job_id,
            _JobRow.attempt == attempt,
            _JobRow.state == JobState.RUNNING.value,
        )

    def recover(self, max_attempts: int = 2) -> tuple[list[str], list[str]]:
        """After a crash: re-queue jobs left ``running`` or fail those that used every attempt.

        Call only while no worker of this store runs (the server holds a lock on its data
        directory). Returns the ids re-queued and the ids failed.
        """
        running = JobState.RUNNING.value
        with self._writing() as session:
            rows = session.execute(
                select(_JobRow.id, _JobRow.attempt, _JobRow.cancel_requested).where(
                    _JobRow.state == running
                )
            ).all()
            requeued, failed = [], []
            now = time.time()
            for job_id, attempt, cancel in rows:
                where = update(_JobRow).where(_JobRow.id == job_id, _JobRow.state == running)
                if cancel:
                    session.execute(
                        where.values(
                            state=JobState.CANCELLED.value,
                            finished_at=now,
                            message="cancelled; the server stopped before the solver answered",
                        )
                    )
                    failed.append(job_id)
                elif attempt >= max_attempts:
                    session.execute(
                        where.values(
                            state=JobState.FAILED.value,
                            finished_at=now,
                            error=(
                                f"interrupted by a server stop {attempt} times; not retried again"
                            ),
                        )
                    )
                    failed.append(job_id)
                else:
                    session.execute(
                        where.values(
                            state=JobState.QUEUED.value,
                            started_at=None,
                            progress=None,
                            best_objective=None,
                            message="re-queued after a server restart interrupted it",
                        )
                    )
                    requeued.append(job_id)
        return requeued, failed
