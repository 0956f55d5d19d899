"""Where webhooks may go: schemes, host patterns and non-public addresses (SSRF)."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from smartwms.jobs.webhooks import WebhookPolicy, WebhookRefused

PRIVATE = [
    "http://127.0.0.1/hook",
    "http://127.8.9.10:8080/",
    "http://10.1.2.3/",
    "http://172.16.0.1/",
    "http://192.168.1.20/",
    "http://169.254.169.254/latest/meta-data",
    "http://0.0.0.0/",
    "http://[::1]:9000/",
    "http://[::ffff:127.0.0.1]/",
    "http://[fd00::1]/",
    "http://localhost:8000/",
    "http://api.localhost/",
    "http://LOCALHOST./",
]


@pytest.mark.parametrize("url", PRIVATE)
def test_non_public_addresses_are_refused_by_default(url: str) -> None:
    with pytest.raises(WebhookRefused, match="loopback or private"):
        WebhookPolicy().check(url)
    WebhookPolicy(allow_private=True).check(url)


@pytest.mark.parametrize(
    "url", ["https://hooks.example.com/done", "http://93.184.216.34/x", "https://[2606:4700::1]/"]
)
def test_public_hosts_are_allowed_by_default(url: str) -> None:
    WebhookPolicy().check(url)


def test_schemes_and_host_patterns() -> None:
    policy = WebhookPolicy.from_lists("https", "*.example.com, hooks.acme.io", False)
    assert policy.schemes == ("https",) and policy.hosts == ("*.example.com", "hooks.acme.io")
    policy.check("https://a.b.example.com/x")
    policy.check("https://HOOKS.acme.io/x")
    with pytest.raises(WebhookRefused, match="scheme 'http' is not allowed"):
        policy.check("http://a.example.com/x")
    with pytest.raises(WebhookRefused, match="not in this server's allowed webhook hosts"):
        policy.check("https://example.com.evil.net/x")
    with pytest.raises(WebhookRefused, match="not in this server's allowed webhook hosts"):
        policy.check("https://acme.io/x")
    # An allowed pattern does not open private addresses by itself.
    private_ok = WebhookPolicy.from_lists("https,http", "127.0.0.1", False)
    with pytest.raises(WebhookRefused, match="loopback"):
        private_ok.check("http://127.0.0.1/")


def test_names_resolving_to_private_addresses_are_refused_at_delivery(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fake_getaddrinfo(host: str, *args: Any, **kwargs: Any) -> list[Any]:
        address = {"inside.example.com": "10.0.0.7", "outside.example.com": "93.184.216.34"}
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address[host], 443))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    policy = WebhookPolicy()
    policy.check("https://inside.example.com/x")  # a name passes at submit ...
    with pytest.raises(WebhookRefused, match=r"non-public address 10\.0\.0\.7"):
        policy.check_resolved("https://inside.example.com/x")  # ... and is refused at delivery
    policy.check_resolved("https://outside.example.com/x")
    WebhookPolicy(allow_private=True).check_resolved("https://inside.example.com/x")
