"""Rendering console pages: the Jinja environment (autoescaped), security headers, error pages.

Every page is served with a strict Content-Security-Policy (scripts, styles and images only
from the console itself, no inline script, no framing), ``no-store`` caching and
``nosniff``; every text is escaped by the template engine.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from smartwms import __version__

__all__ = ["SECURITY_HEADERS", "UiError", "UiRedirect", "environment", "fragment", "render"]

HERE = Path(__file__).parent
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


class UiRedirect(Exception):
    """Send the browser elsewhere (e.g. to sign in)."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class UiError(Exception):
    """An error page with a status and a message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _number(value: Any, digits: int = 4) -> str:
    """A number for people: thousands separated, ``digits`` significant digits."""
    if value is None:
        return "–"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int) or (float(value).is_integer() and abs(value) < 1e15):
        return f"{int(value):,}"
    return f"{value:,.{digits}g}"


def _when(value: datetime | None) -> str:
    return "–" if value is None else value.strftime("%Y-%m-%d %H:%M:%S UTC")


def _seconds(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 60:
        return f"{value:.1f} s"
    minutes, seconds = divmod(value, 60)
    return f"{int(minutes)} min {seconds:.0f} s"


def environment() -> Environment:
    """The console's template environment (autoescape on for everything)."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _number
    env.filters["when"] = _when
    env.filters["secs"] = _seconds
    env.globals["version"] = __version__
    return env


_ENV = environment()


def render(request: Request, template: str, *, status_code: int = 200, **context: Any) -> Response:
    """A page, with the session cookie (re)set when the session is new."""
    session = context.get("session")
    codec = context.get("codec")
    csrf = codec.csrf_token(session) if codec is not None and session is not None else ""
    html = _ENV.get_template(template).render(request=request, csrf_token=csrf, **context)
    response = HTMLResponse(html, status_code=status_code, headers=SECURITY_HEADERS)
    if session is not None and codec is not None and session.fresh:
        codec.write(response, session, request)
    return response


def fragment(template: str, **context: Any) -> Markup:
    """A part of a page (a result view) rendered alone; autoescaped, so safe to embed."""
    return Markup(_ENV.get_template(template).render(**context))


def error_page(request: Request, status: int, message: str) -> Response:
    """A plain error page (no session needed)."""
    html = _ENV.get_template("error.html").render(
        request=request, status=status, message=message, session=None, csrf_token="", auth=True
    )
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def redirect(location: str) -> Response:
    """A 303 to ``location``."""
    return RedirectResponse(location, status_code=303, headers=SECURITY_HEADERS)
