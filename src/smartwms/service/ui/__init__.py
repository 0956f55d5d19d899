"""The web console at ``/ui``: pages for people, served by the API's own app.

Jinja2 templates render every page on the server (layouts, tours and heat maps as SVG); a
little of the project's own JavaScript adds live progress (EventSource) and the AGV playback.
Sign-in takes an API key; the session is a signed HttpOnly SameSite=Strict cookie and every
form carries a CSRF token (see :mod:`smartwms.service.ui.session`).
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from smartwms.service.ui.pages import HERE, UiError, UiRedirect, error_page, redirect
from smartwms.service.ui.routes import router
from smartwms.service.ui.session import CsrfError

__all__ = ["install_ui"]


def install_ui(app: FastAPI) -> None:
    """Serve the console at ``/ui`` (pages, static files, its error pages)."""
    app.include_router(router)
    app.mount("/ui/static", StaticFiles(directory=HERE / "static"), name="console-static")

    @app.exception_handler(UiRedirect)
    async def _redirect(_request: Request, exc: UiRedirect) -> Response:
        return redirect(exc.location)

    @app.exception_handler(UiError)
    async def _error(request: Request, exc: UiError) -> Response:
        return error_page(request, exc.status, exc.message)

    @app.exception_handler(CsrfError)
    async def _csrf(request: Request, exc: CsrfError) -> Response:
        return error_page(request, 403, f"refused: {exc}; reload the page and try again")
