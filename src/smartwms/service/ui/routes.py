"""The console's pages: sign-in, jobs (live), a job and its result, submit, stored instances.

Every page reads the same store through the same owner checks as the JSON API (a key sees
only its own jobs and instances), submissions go through the API's own validation and
:func:`~smartwms.service.api.routes.jobs.queue_job`, and every POST carries the session's CSRF
token.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from functools import cache
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from markupsafe import Markup
from pydantic import TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from smartwms.errors import InstanceValidationError
from smartwms.jobs import INSTANCE_ID_PATTERN, JobState, get_kind, instance_id, job_kinds
from smartwms.jobs.instances import InstancePayload
from smartwms.model import Instance
from smartwms.service.api.routes.jobs import queue_job
from smartwms.service.auth import hash_key
from smartwms.service.deps import StateDep
from smartwms.service.problems import ApiProblem, _validation_errors
from smartwms.service.schemas import job_view, submission_model
from smartwms.service.state import ServiceState
from smartwms.service.ui.forms import FormSpec, form_spec, parse_form
from smartwms.service.ui.pages import UiError, UiRedirect, fragment, render
from smartwms.service.ui.playback import PLAYBACK_KINDS, playback_of
from smartwms.service.ui.session import Session, SessionCodec
from smartwms.service.ui.uploads import UploadError, read_upload
from smartwms.service.ui.views import parameters_of, result_view

__all__ = ["router"]

router = APIRouter(prefix="/ui", include_in_schema=False)

JobId = Annotated[str, Path(max_length=64)]
_PAGE_SIZE = 50
_WATCH_MAX_IDS = 100
_POLL_SECONDS = 0.5
_HEARTBEAT_SECONDS = 15.0


# ---------------------------------------------------------------------- sessions
def _codec(request: Request, state: ServiceState) -> SessionCodec:
    codec: SessionCodec | None = getattr(request.app.state, "console_sessions", None)
    if codec is None or codec.state is not state:
        codec = SessionCodec(state)
        request.app.state.console_sessions = codec
    return codec


async def _session(request: Request, state: StateDep) -> Session:
    session = _codec(request, state).read(request)
    request.state.console_session = session
    return session


SessionDep = Annotated[Session, Depends(_session)]


def _owner(request: Request, session: Session) -> str:
    if session.owner is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise UiRedirect("/ui/login?" + urlencode({"next": target}))
    return session.owner


async def _form(request: Request, state: ServiceState, session: Session) -> dict[str, Any]:
    """The posted form, after the CSRF check (files as :class:`UploadFile`)."""
    async with request.form(max_files=2, max_fields=300) as form:
        values: dict[str, Any] = {}
        for key, value in form.multi_items():
            if isinstance(value, UploadFile):
                values[key] = (value.filename or "", await value.read())
            else:
                values[key] = value
    _codec(request, state).check_csrf(session, values.get("csrf_token"))
    return values


def _page(
    request: Request, state: ServiceState, session: Session, template: str, **ctx: Any
) -> Response:
    codec = _codec(request, state)
    return render(
        request,
        template,
        session=session,
        codec=codec,
        auth=state.settings.auth,
        status_code=ctx.pop("status_code", 200),
        **ctx,
    )


def _safe_next(target: str | None) -> str:
    """Only a console path: never an open redirect to another site."""
    if target and target.startswith("/ui/") and not target.startswith("//"):
        return target
    return "/ui/jobs"


# ---------------------------------------------------------------------- sign-in
@router.get("", response_class=HTMLResponse)
async def home() -> Response:
    """The console starts at the jobs list."""
    return RedirectResponse("/ui/jobs", status_code=303)


@router.get("/login", response_class=HTMLResponse)
async def login_page(
    request: Request,
    state: StateDep,
    session: SessionDep,
    next_: Annotated[str | None, Query(alias="next", max_length=2000)] = None,
) -> Response:
    """The sign-in form (straight to the jobs when already signed in or without auth)."""
    if session.owner is not None:
        return RedirectResponse(_safe_next(next_), status_code=303)
    return _page(request, state, session, "login.html", next=_safe_next(next_), error=None)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, state: StateDep, session: SessionDep) -> Response:
    """Check the key; on success start a new session holding the key's hash."""
    form = await _form(request, state, session)
    key = str(form.get("api_key", "")).strip()
    target = _safe_next(str(form.get("next", "")))
    owner = state.keys.owner_of(key) if key else None
    if owner is None and state.settings.auth:
        return _page(
            request,
            state,
            session,
            "login.html",
            next=target,
            error="unknown API key" if key else "enter your API key",
            status_code=401,
        )
    codec = _codec(request, state)
    fresh = codec.signed_in(hash_key(key))
    response = RedirectResponse(target, status_code=303)
    codec.write(response, fresh, request)
    return response


@router.post("/logout", response_class=HTMLResponse)
async def logout(request: Request, state: StateDep, session: SessionDep) -> Response:
    """End the session (a new anonymous one replaces it)."""
    await _form(request, state, session)
    codec = _codec(request, state)
    response = RedirectResponse("/ui/login", status_code=303)
    codec.write(response, codec.anonymous(), request)
    return response


# ---------------------------------------------------------------------- jobs
@router.get("/jobs", response_class=HTMLResponse)
async def jobs_page(
    request: Request,
    state: StateDep,
    session: SessionDep,
    job_state: Annotated[str | None, Query(alias="state", max_length=20)] = None,
    kind: Annotated[str | None, Query(max_length=100)] = None,
    before: Annotated[str | None, Query(max_length=20, pattern=r"^[0-9]*$")] = None,
) -> Response:
    """The key's jobs, newest first, filtered by state and kind; live while any is running."""
    owner = _owner(request, session)
    chosen_state = JobState(job_state) if job_state in set(JobState) else None
    chosen_kind = kind or None
    jobs = await run_in_threadpool(
        state.store.list_jobs,
        owner,
        state=chosen_state,
        kind=chosen_kind,
        limit=_PAGE_SIZE,
        before=int(before) if before else None,
        newest_first=True,
    )
    older = None
    if len(jobs) == _PAGE_SIZE:
        query = {"state": job_state or "", "kind": kind or "", "before": str(jobs[-1].seq)}
        older = "/ui/jobs?" + urlencode(query)
    watched = [j.id for j in jobs if not j.terminal][:_WATCH_MAX_IDS]
    return _page(
        request,
        state,
        session,
        "jobs.html",
        jobs=[job_view(j) for j in jobs],
        states=[s.value for s in JobState],
        kinds=list(job_kinds()),
        chosen_state=chosen_state.value if chosen_state else "",
        chosen_kind=chosen_kind or "",
        older=older,
        watch_url="/ui/jobs/events?" + urlencode({"ids": ",".join(watched)}) if watched else "",
        paged=before is not None and before != "",
    )


async def _watch(
    request: Request, state: ServiceState, owner: str, ids: list[str]
) -> AsyncIterator[str]:
    """``event: job`` with a job's JSON whenever one of ``ids`` changes; ``event: end`` when
    all are finished (the same view as ``GET /v1/jobs/{id}``)."""
    last: dict[str, str] = {}
    open_ids = list(ids)
    started = beat = time.monotonic()
    while open_ids and time.monotonic() - started < state.settings.sse_max_seconds:
        for job_id in list(open_ids):
            job = await run_in_threadpool(state.store.get, job_id, owner)
            if job is None:
                open_ids.remove(job_id)
                continue
            view = job_view(job).model_dump(mode="json", exclude={"queue_seconds"})
            view["run_seconds"] = None if job.run_seconds is None else round(job.run_seconds, 1)
            text = json.dumps(view, separators=(",", ":"))
            if text != last.get(job_id):
                last[job_id] = text
                yield f"event: job\ndata: {text}\n\n"
                beat = time.monotonic()
            if job.terminal:
                open_ids.remove(job_id)
        if not open_ids:
            break
        if time.monotonic() - beat > _HEARTBEAT_SECONDS:
            yield ": keep-alive\n\n"
            beat = time.monotonic()
        if await request.is_disconnected():
            return
        await asyncio.sleep(_POLL_SECONDS)
    yield "event: end\ndata: {}\n\n"


def _stream(events: AsyncIterator[str]) -> StreamingResponse:
    return StreamingResponse(
        events,
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.get("/jobs/events")
async def jobs_events(
    request: Request,
    state: StateDep,
    session: SessionDep,
    ids: Annotated[str, Query(max_length=_WATCH_MAX_IDS * 40)] = "",
) -> Response:
    """Server-sent events for the unfinished jobs of the list page."""
    if session.owner is None:
        raise UiError(401, "sign in first")
    wanted = [i for i in ids.split(",") if i][:_WATCH_MAX_IDS]
    return _stream(_watch(request, state, session.owner, wanted))


@router.get("/jobs/{job_id}/events")
async def job_events(
    request: Request, job_id: JobId, state: StateDep, session: SessionDep
) -> Response:
    """Server-sent events of one job until it finishes."""
    if session.owner is None:
        raise UiError(401, "sign in first")
    job = await run_in_threadpool(state.store.get, job_id, session.owner)
    if job is None:
        raise UiError(404, f"no job {job_id!r}")
    return _stream(_watch(request, state, session.owner, [job_id]))


async def _payload_and_instance(
    state: ServiceState, owner: str, kind_name: str, text: str | None
) -> tuple[dict[str, Any], Any, Instance | None, str | None]:
    """The payload (as posted), its model, its instance, and why the instance is missing."""
    raw: dict[str, Any] = json.loads(text) if text else {}
    try:
        kind = get_kind(kind_name)
        model = await run_in_threadpool(kind.payload_model.model_validate, raw)
    except (ValidationError, ValueError) as exc:
        return raw, None, None, f"the payload no longer validates: {exc}"
    instance = getattr(model, "instance", None)
    if isinstance(model, InstancePayload) and model.instance_id is not None:
        instance = await state.instances.get(owner, model.instance_id)
        if instance is None:
            return raw, model, None, f"stored instance {model.instance_id} was deleted"
    return raw, model, instance, None


_DRAWN: OrderedDict[tuple[str, str], Markup] = OrderedDict()
_DRAWN_SIZE = 32


def _result_html(
    job_id: str, kind: str, text: str, instance: Instance | None, model: Any
) -> Markup:
    view = result_view(kind, json.loads(text), instance, model, job_id)
    return fragment("results/" + view.template, **view.context)


async def _drawn_result(
    state: ServiceState, owner: str, job: Any, instance: Instance | None, model: Any
) -> Markup | None:
    """The result view of a finished job; drawn once, then served from a small cache (a
    finished job's result never changes)."""
    key = (owner, job.id)
    cached = _DRAWN.get(key)
    if cached is not None:
        _DRAWN.move_to_end(key)
        return cached
    text = await run_in_threadpool(state.store.result, job.id, owner)
    if text is None:
        return None
    html = await run_in_threadpool(_result_html, job.id, job.kind, text, instance, model)
    if instance is not None or model is None:
        _DRAWN[key] = html
        while len(_DRAWN) > _DRAWN_SIZE:
            _DRAWN.popitem(last=False)
    return html


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
async def job_page(
    request: Request, job_id: JobId, state: StateDep, session: SessionDep
) -> Response:
    """A job: parameters, live status and progress, and its result drawn for its kind."""
    owner = _owner(request, session)
    job = await run_in_threadpool(state.store.get, job_id, owner)
    if job is None:
        raise UiError(404, f"no job {job_id!r} (for this key)")
    payload_text = await run_in_threadpool(state.store.payload, job.id)
    raw, model, instance, missing = await _payload_and_instance(
        state, owner, job.kind, payload_text
    )
    view = None
    if job.terminal and job.has_result:
        view = await _drawn_result(state, owner, job, instance, model)
    return _page(
        request,
        state,
        session,
        "job.html",
        job=job_view(job),
        parameters=parameters_of(raw),
        instance=instance,
        instance_summary=instance.summary() if instance is not None else None,
        instance_ref=raw.get("instance_id"),
        instance_missing=missing,
        view=view,
        events_url=f"/ui/jobs/{quote(job.id)}/events" if not job.terminal else "",
    )


@router.post("/jobs/{job_id}/cancel", response_class=HTMLResponse)
async def cancel(request: Request, job_id: JobId, state: StateDep, session: SessionDep) -> Response:
    """Cancel (as ``DELETE /v1/jobs/{id}``): a running job stops and keeps its best solution."""
    await _form(request, state, session)
    owner = _owner(request, session)
    before = await run_in_threadpool(state.store.get, job_id, owner)
    if before is None:
        raise UiError(404, f"no job {job_id!r} (for this key)")
    job = await run_in_threadpool(state.store.request_cancel, job_id, owner)
    if job is not None:
        if before.state is JobState.QUEUED and job.state is JobState.CANCELLED:
            state.webhooks.submit(job)
        if not job.terminal:
            state.executor.wake()
    return RedirectResponse(f"/ui/jobs/{quote(job_id)}", status_code=303)


@router.get("/jobs/{job_id}/playback.json")
async def playback(
    request: Request, job_id: JobId, state: StateDep, session: SessionDep
) -> Response:
    """The plan of an AGV job for the playback script (positions as packed integers)."""
    owner = _owner(request, session)
    job = await run_in_threadpool(state.store.get, job_id, owner)
    if job is None or job.kind not in PLAYBACK_KINDS:
        raise UiError(404, f"no AGV job {job_id!r} (for this key)")
    text = await run_in_threadpool(state.store.result, job.id, owner)
    payload_text = await run_in_threadpool(state.store.payload, job.id)
    if text is None or payload_text is None:
        raise UiError(409, f"job {job_id} has no plan yet")
    document = await run_in_threadpool(
        playback_of, job.kind, json.loads(text), json.loads(payload_text)
    )
    return JSONResponse(document, headers={"Cache-Control": "private, max-age=3600"})


@router.get("/jobs/{job_id}/{name}.json")
async def download(
    request: Request,
    job_id: JobId,
    name: Annotated[str, Path(pattern="^(result|payload)$")],
    state: StateDep,
    session: SessionDep,
) -> Response:
    """The job's result or payload as a JSON file."""
    owner = _owner(request, session)
    job = await run_in_threadpool(state.store.get, job_id, owner)
    if job is None:
        raise UiError(404, f"no job {job_id!r} (for this key)")
    getter = state.store.result if name == "result" else state.store.payload
    text = await run_in_threadpool(getter, job.id)
    if text is None:
        raise UiError(409, f"job {job_id} has no {name} yet")
    return Response(
        text,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{job.kind}-{job.id}-{name}.json"'},
    )


# ---------------------------------------------------------------------- submit
@cache
def _request_model(kind: str) -> Any:
    return submission_model({kind: get_kind(kind)})


def _single_data_field(spec: FormSpec) -> str | None:
    required = [f.name for f in spec.fields if f.widget == "json" and f.required]
    return required[0] if len(required) == 1 and "." not in required[0] else None


def _form_field_of(api_field: str, spec: FormSpec) -> str:
    """Where an API error field shows on the form (the input, the source, or the top)."""
    names = {f.name for f in spec.fields}
    if api_field == "time_limit":
        return "time_limit"
    inner = api_field.removeprefix("payload.")
    if inner.startswith(("instance.", "instance_id")) or inner == "instance":
        return "source"
    probe = inner
    while probe:
        if probe in names:
            return probe
        probe = probe.rsplit(".", 1)[0] if "." in probe else ""
    head = inner.split("[", 1)[0]
    if head in names:
        return head
    return "general"


def _add_error(errors: dict[str, list[str]], where: str, message: str) -> None:
    errors.setdefault(where, []).append(message)


async def _submit_context(state: ServiceState, owner: str, kind: str | None) -> dict[str, Any]:
    kinds = job_kinds()
    chosen = kind if kind in kinds else None
    spec = form_spec(chosen, kinds[chosen].payload_model) if chosen else None
    instances = await run_in_threadpool(state.store.list_instances, owner)
    return {
        "kinds": kinds,
        "kind": chosen,
        "spec": spec,
        "stored": instances,
        "max_upload": state.settings.max_body_bytes,
        "default_time_limit": state.settings.default_time_limit,
        "max_time_limit": state.settings.max_time_limit,
    }


@router.get("/submit", response_class=HTMLResponse)
async def submit_page(
    request: Request,
    state: StateDep,
    session: SessionDep,
    kind: Annotated[str | None, Query(max_length=100)] = None,
    instance: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """Choose a kind, then its form (generated from the kind's parameter model)."""
    owner = _owner(request, session)
    context = await _submit_context(state, owner, kind)
    return _page(
        request,
        state,
        session,
        "submit.html",
        errors={},
        values={},
        chosen_instance=instance,
        **context,
    )


async def _submission(
    state: ServiceState, owner: str, spec: FormSpec, form: dict[str, Any]
) -> tuple[Any, dict[str, list[str]]]:
    """The validated submission of the form, or the errors by form field."""
    errors: dict[str, list[str]] = {}
    base: dict[str, Any] = {}
    file_limit: float | None = None
    source = form.get("source", "upload")
    if spec.uses_instance and source == "stored":
        ident = str(form.get("instance_id", ""))
        if not ident:
            _add_error(errors, "source", "choose a stored instance")
        base = {"instance_id": ident}
    else:
        filename, data = form.get("problem_file") or ("", b"")
        if data:
            try:
                base, file_limit = read_upload(
                    data,
                    filename,
                    uses_instance=spec.uses_instance,
                    single_data_field=_single_data_field(spec),
                    limit=state.settings.max_body_bytes,
                )
            except UploadError as exc:
                _add_error(errors, "source", f"{filename or 'file'}: {exc}")
        elif spec.uses_instance:
            _add_error(errors, "source", "upload an instance file or choose a stored instance")
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    payload, field_errors = parse_form(spec, values, base)
    for name, message in field_errors.items():
        _add_error(errors, name, message)
    time_limit: float | None = file_limit
    text = values.get("time_limit", "").strip()
    if text:
        try:
            time_limit = float(text)
        except ValueError:
            _add_error(errors, "time_limit", f"expected a number of seconds, got {text!r}")
    # Validate what could be read even when some inputs could not: every error shows at once.
    source_failed = "source" in errors
    document = {"kind": spec.kind, "payload": payload, "time_limit": time_limit}
    try:
        body = await run_in_threadpool(
            TypeAdapter(_request_model(spec.kind)).validate_python, document
        )
    except ValidationError as exc:
        for item in _validation_errors(RequestValidationError(exc.errors())):
            where = _form_field_of(item["field"], spec)
            if not (where == "source" and source_failed) and where not in field_errors:
                _add_error(errors, where, f"{item['field']}: {item['message']}")
        return None, errors
    except InstanceValidationError as exc:
        for name, message in exc.problems:
            _add_error(errors, "source", f"payload.instance.{name}: {message}")
        return None, errors
    return (None if errors else body), errors


@router.post("/submit", response_class=HTMLResponse)
async def submit(request: Request, state: StateDep, session: SessionDep) -> Response:
    """Validate like ``POST /v1/jobs`` and queue; errors show next to the field they name."""
    form = await _form(request, state, session)
    owner = _owner(request, session)
    kind = str(form.get("kind", ""))
    context = await _submit_context(state, owner, kind)
    spec: FormSpec | None = context["spec"]
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    if spec is None:
        errors = {"kind": [f"unknown job kind {kind!r}"]}
    else:
        body, errors = await _submission(state, owner, spec, form)
        if body is not None:
            try:
                job, _created = await queue_job(state, owner, body, None)
            except ApiProblem as problem:
                for item in problem.extra.get("errors") or [{"field": "", "message": ""}]:
                    where = _form_field_of(item["field"], spec) if item["field"] else "general"
                    _add_error(errors, where, problem.detail)
            else:
                return RedirectResponse(f"/ui/jobs/{quote(job.id)}", status_code=303)
    return _page(
        request,
        state,
        session,
        "submit.html",
        errors=errors,
        values=values,
        chosen_instance=values.get("instance_id"),
        status_code=422,
        **context,
    )


# ---------------------------------------------------------------------- instances
@router.get("/instances", response_class=HTMLResponse)
async def instances_page(request: Request, state: StateDep, session: SessionDep) -> Response:
    """The key's stored instances and a form to store another."""
    owner = _owner(request, session)
    stored = await run_in_threadpool(state.store.list_instances, owner)
    return _page(
        request,
        state,
        session,
        "instances.html",
        stored=stored,
        error=None,
        max_upload=state.settings.max_body_bytes,
    )


@router.post("/instances", response_class=HTMLResponse)
async def store_instance(request: Request, state: StateDep, session: SessionDep) -> Response:
    """Store an uploaded instance (JSON or zipped CSV export), as ``POST /v1/instances``."""
    form = await _form(request, state, session)
    owner = _owner(request, session)
    filename, data = form.get("instance_file") or ("", b"")
    error = None
    instance = None
    if not data:
        error = "choose an instance file (JSON) or a zipped CSV export folder"
    else:
        try:
            doc, _limit = read_upload(
                data,
                filename,
                uses_instance=True,
                single_data_field=None,
                limit=state.settings.max_body_bytes,
            )
            instance = await run_in_threadpool(Instance.model_validate, doc.get("instance", doc))
        except UploadError as exc:
            error = f"{filename}: {exc}"
        except InstanceValidationError as exc:
            error = f"{filename}: " + "; ".join(f"{f}: {m}" for f, m in exc.problems)
        except ValidationError as exc:
            details = _validation_errors(RequestValidationError(exc.errors()))
            error = f"{filename}: " + "; ".join(f"{e['field']}: {e['message']}" for e in details)
    if instance is None:
        stored = await run_in_threadpool(state.store.list_instances, owner)
        return _page(
            request,
            state,
            session,
            "instances.html",
            stored=stored,
            error=error,
            max_upload=state.settings.max_body_bytes,
            status_code=422,
        )
    ident = instance_id(instance)
    await run_in_threadpool(
        state.store.put_instance,
        owner,
        ident,
        instance.name,
        instance.summary(),
        instance.model_dump_json(),
    )
    state.instances.put(owner, ident, instance)
    return RedirectResponse(f"/ui/instances/{ident}", status_code=303)


InstanceId = Annotated[str, Path(max_length=64, pattern=INSTANCE_ID_PATTERN)]


@router.get("/instances/{ident}", response_class=HTMLResponse)
async def instance_page(
    request: Request, ident: InstanceId, state: StateDep, session: SessionDep
) -> Response:
    """A stored instance: its summary and a drawing of its layout."""
    from smartwms.service.ui.drawing import canvas_of

    owner = _owner(request, session)
    stored = await run_in_threadpool(state.store.get_instance, owner, ident)
    if stored is None:
        raise UiError(404, f"no instance {ident!r} (for this key)")
    instance = await state.instances.get(owner, ident)
    canvas = await run_in_threadpool(canvas_of, instance) if instance is not None else None
    return _page(
        request, state, session, "instance.html", stored=stored, instance=instance, canvas=canvas
    )


@router.post("/instances/{ident}/delete", response_class=HTMLResponse)
async def delete_instance(
    request: Request, ident: InstanceId, state: StateDep, session: SessionDep
) -> Response:
    """Forget a stored instance (as ``DELETE /v1/instances/{id}``)."""
    await _form(request, state, session)
    owner = _owner(request, session)
    deleted = await run_in_threadpool(state.store.delete_instance, owner, ident)
    if not deleted:
        raise UiError(404, f"no instance {ident!r} (for this key)")
    state.instances.forget(owner, ident)
    return RedirectResponse("/ui/instances", status_code=303)
