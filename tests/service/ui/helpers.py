"""Helpers of the console tests: sign in through the form, read CSRF tokens, example files."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "api" / "examples"


def example(kind: str) -> dict[str, Any]:
    """The example job request of ``kind`` from ``api/examples``."""
    return json.loads((EXAMPLES / f"{kind}-request.json").read_text())


def csrf_of(html: str) -> str:
    """The CSRF token of a page's forms."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None, "no CSRF token on the page"
    return found.group(1)


def sign_in(client: TestClient, key: str) -> str:
    """Sign in with ``key`` through the form; returns the session's CSRF token."""
    page = client.get("/ui/login")
    assert page.status_code == 200
    answer = client.post(
        "/ui/login",
        data={"api_key": key, "csrf_token": csrf_of(page.text), "next": "/ui/jobs"},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    return csrf_of(client.get("/ui/jobs").text)


def field_errors(html: str) -> list[str]:
    """The texts of the error messages shown next to fields."""
    blocks = re.findall(r'class="field-error"[^>]*>(.*?)</div>', html, re.S)
    return [re.sub(r"<[^>]+>", " ", b).strip() for b in blocks]
