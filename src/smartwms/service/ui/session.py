"""Console sessions: a signed HttpOnly SameSite=Strict cookie and per-session CSRF tokens.

The cookie holds a random session id and, once signed in, the *stored form* of the API key
(:func:`~smartwms.service.auth.hash_key`), never the key itself; every request checks that hash
against the server's key ring, so revoking a key ends its console sessions too. The cookie is
signed (itsdangerous, with a timestamp: it expires after ``session_hours``) with the server's
session secret. A form's CSRF token is an HMAC of the session id: it needs no storage and a
page of another site can neither read nor forge it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

from smartwms.service.deps import LOCAL_OWNER
from smartwms.service.state import ServiceState, stored_secret

__all__ = ["COOKIE", "CsrfError", "Session", "SessionCodec"]

COOKIE = "smartwms_console"
COOKIE_PATH = "/ui"


class CsrfError(Exception):
    """A state-changing request without the session's CSRF token."""


@dataclass(frozen=True)
class Session:
    """One browser's session: its id, the key hash it signed in with and the owner."""

    sid: str
    key_hash: str | None
    owner: str | None
    fresh: bool = False  # made by this request: the response must set the cookie


class SessionCodec:
    """Reads, checks and writes console session cookies for one running service."""

    def __init__(self, state: ServiceState) -> None:
        self.state = state
        self.secret = stored_secret(state.settings, "session-secret")
        self.max_age = int(state.settings.session_hours * 3600)
        self._serializer = URLSafeTimedSerializer(self.secret, salt="smartwms-console-session")

    def read(self, request: Request) -> Session:
        """The request's session: the cookie's when valid and unexpired, else a new one."""
        raw = request.cookies.get(COOKIE)
        data: Any = None
        if raw:
            try:
                data = self._serializer.loads(raw, max_age=self.max_age)
            except BadSignature:  # also SignatureExpired
                data = None
        if not isinstance(data, dict) or not isinstance(data.get("sid"), str):
            return Session(secrets.token_urlsafe(24), None, self._anonymous_owner(), fresh=True)
        key_hash = data.get("kh") if isinstance(data.get("kh"), str) else None
        return Session(data["sid"], key_hash, self._owner(key_hash))

    def _anonymous_owner(self) -> str | None:
        return None if self.state.settings.auth else LOCAL_OWNER

    def _owner(self, key_hash: str | None) -> str | None:
        if not self.state.settings.auth:
            return LOCAL_OWNER
        return self.state.keys.owner_of_hash(key_hash) if key_hash else None

    def signed_in(self, key_hash: str) -> Session:
        """A new session (new id: no fixation) for a key that was just checked."""
        return Session(secrets.token_urlsafe(24), key_hash, self._owner(key_hash), fresh=True)

    def anonymous(self) -> Session:
        """A new signed-out session."""
        return Session(secrets.token_urlsafe(24), None, self._anonymous_owner(), fresh=True)

    def write(self, response: Response, session: Session, request: Request) -> None:
        """Set the cookie: signed, HttpOnly, SameSite=Strict, Secure over HTTPS, path /ui."""
        value = self._serializer.dumps({"sid": session.sid, "kh": session.key_hash})
        response.set_cookie(
            COOKIE,
            value,
            max_age=self.max_age,
            path=COOKIE_PATH,
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )

    def csrf_token(self, session: Session) -> str:
        """The CSRF token of the session's forms."""
        return hmac.new(
            self.secret.encode(), b"csrf:" + session.sid.encode(), hashlib.sha256
        ).hexdigest()

    def check_csrf(self, session: Session, token: str | None) -> None:
        """Raise :class:`CsrfError` unless ``token`` is this (existing) session's token."""
        if session.fresh or not token or not hmac.compare_digest(token, self.csrf_token(session)):
            raise CsrfError("the form's CSRF token is missing or does not belong to this session")
