"""The console's security rules: sign-in, session cookie, CSRF, ownership, escaping, uploads."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest

from ..conftest import ALICE, BOB
from .helpers import csrf_of, example, field_errors, sign_in


@pytest.fixture
def alice_job(finished: Any) -> str:
    return str(finished("distance-matrix")[0])


@pytest.fixture
def client(console_app: Any) -> Any:
    """A browser without a session on the shared app."""
    from fastapi.testclient import TestClient

    return TestClient(console_app.app)


def test_pages_need_a_session(client: Any) -> None:
    for path in ("/ui/jobs", "/ui/submit", "/ui/instances", "/ui/jobs/x"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/ui/login")
    assert client.get("/ui/jobs/events?ids=x").status_code == 401


def test_a_wrong_key_is_refused(client: Any) -> None:
    page = client.get("/ui/login")
    answer = client.post(
        "/ui/login", data={"api_key": "key-mallory", "csrf_token": csrf_of(page.text)}
    )
    assert answer.status_code == 401 and "unknown API key" in answer.text
    assert client.get("/ui/jobs", follow_redirects=False).status_code == 303


def test_session_cookie_is_signed_httponly_strict_and_holds_no_key(client: Any) -> None:
    sign_in(client, "key-alice")
    cookie = next(c for c in client.cookies.jar if c.name == "smartwms_console")
    assert "key-alice" not in cookie.value
    assert cookie.path == "/ui"
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert cookie.get_nonstandard_attr("SameSite").lower() == "strict"
    # A tampered cookie is no session.
    client.cookies.set("smartwms_console", cookie.value[:-4] + "AAAA", path="/ui")
    assert client.get("/ui/jobs", follow_redirects=False).status_code == 303


def test_every_post_needs_the_sessions_csrf_token(client: Any, alice_job: str) -> None:
    token = sign_in(client, "key-alice")
    posts = {
        "/ui/submit": {"kind": "routing"},
        f"/ui/jobs/{alice_job}/cancel": {},
        "/ui/instances": {},
        "/ui/logout": {},
    }
    for path, data in posts.items():
        missing = client.post(path, data=data)
        assert missing.status_code == 403, path
        wrong = client.post(path, data={**data, "csrf_token": token[::-1]})
        assert wrong.status_code == 403, path
    # The login form too (no login CSRF): a token from another session does not do.
    other = client.get("/ui/login")
    assert other.status_code in (200, 303)
    assert client.get("/ui/jobs").status_code == 200  # still signed in


def test_another_keys_job_is_not_found(client: Any, alice_job: str) -> None:
    token = sign_in(client, "key-bob")
    assert client.get(f"/ui/jobs/{alice_job}").status_code == 404
    assert client.get(f"/ui/jobs/{alice_job}/result.json").status_code == 404
    assert client.get(f"/ui/jobs/{alice_job}/events").status_code == 404
    cancel = client.post(f"/ui/jobs/{alice_job}/cancel", data={"csrf_token": token})
    assert cancel.status_code == 404
    assert alice_job[:8] not in client.get("/ui/jobs").text
    # The events stream of the list skips ids that are not the key's.
    stream = client.get(f"/ui/jobs/events?ids={alice_job}").text
    assert alice_job not in stream
    assert client.get(f"/v1/jobs/{alice_job}", headers=BOB).status_code == 404
    assert client.get(f"/v1/jobs/{alice_job}", headers=ALICE).status_code == 200


def test_user_text_is_escaped(client: Any) -> None:
    token = sign_in(client, "key-alice")
    instance = example("routing")["payload"]["instance"]
    instance["name"] = "<script>alert('x')</script>"
    answer = client.post(
        "/ui/instances",
        data={"csrf_token": token},
        files={"instance_file": ("evil.json", json.dumps(instance).encode())},
    )
    assert answer.status_code == 200
    assert "<script>alert" not in answer.text
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in answer.text
    listing = client.get("/ui/instances").text
    assert "<script>alert" not in listing
    assert "default-src 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["x-frame-options"] == "DENY"


def test_no_open_redirect_after_sign_in(client: Any) -> None:
    page = client.get("/ui/login?next=https://evil.example/")
    answer = client.post(
        "/ui/login",
        data={"api_key": "key-alice", "csrf_token": csrf_of(page.text), "next": "//evil.example"},
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/ui/jobs"


def test_uploads_are_bounded_and_validated(make_client: Any) -> None:
    with make_client(max_body_bytes=64 * 1024) as client:
        token = sign_in(client, "key-alice")
        big = client.post(
            "/ui/submit",
            data={"csrf_token": token, "kind": "routing"},
            files={"problem_file": ("big.json", b" " * (80 * 1024))},
        )
        assert big.status_code == 413
        bomb = io.BytesIO()
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("x/warehouse.json", "{}" + " " * (200 * 1024))
            archive.writestr("x/locations.csv", "id\n")
        refused = client.post(
            "/ui/submit",
            data={"csrf_token": token, "kind": "routing", "source": "upload"},
            files={"problem_file": ("bomb.zip", bomb.getvalue())},
        )
        assert refused.status_code == 422
        assert any("unpacks to" in e for e in field_errors(refused.text))
        broken = client.post(
            "/ui/submit",
            data={"csrf_token": token, "kind": "routing", "source": "upload"},
            files={"problem_file": ("broken.json", b"{not json")},
        )
        assert any("not a JSON document" in e for e in field_errors(broken.text))
        instance = example("routing")["payload"]["instance"]
        instance["locations"][0]["aisle"] = 99
        invalid = client.post(
            "/ui/submit",
            data={"csrf_token": token, "kind": "routing", "source": "upload"},
            files={"problem_file": ("bad.json", json.dumps(instance).encode())},
        )
        assert invalid.status_code == 422
        assert any("locations[0].aisle" in e for e in field_errors(invalid.text))
