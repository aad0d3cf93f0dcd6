"""Tokens: cached, renewed before expiry and once on 401; refused credentials; layouts."""

from __future__ import annotations

import httpx
import pytest

from connectors.errors import AuthError, FatalAPIError
from connectors.suitecrm import SuiteCRMClient
from tests.unit.suitecrm_fake import SITE, FakeSuiteCRM, settings

MODULES = {"data": {"type": "modules", "attributes": {"Contacts": {}, "Accounts": {}}}}
DENIED = {"error": "access_denied", "message": "denied",
          "error_description": "The resource owner or authorization server denied the request.",
          "hint": "Access token could not be verified"}


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _modules_server(answers: list[int] | None = None) -> tuple[FakeSuiteCRM, list[str]]:
    fake = FakeSuiteCRM()
    seen: list[str] = []
    queue = list(answers or [])

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["Authorization"])
        status = queue.pop(0) if queue else 200
        return httpx.Response(status, json=MODULES if status == 200 else DENIED)

    fake.on("GET", "V8/meta/modules", answer)
    return fake, seen


def test_token_is_requested_once_and_reused() -> None:
    fake, seen = _modules_server()
    with fake.client() as client:
        client.modules()
        client.modules()
    assert len(fake.tokens) == 1 and seen == ["Bearer jwt-1", "Bearer jwt-1"]
    form = dict(httpx.QueryParams(fake.tokens[0].content.decode()))
    assert form == {"grant_type": "client_credentials", "client_id": "client-1",
                    "client_secret": "top-secret-value"}  # form-encoded, no scope


def test_password_grant_sends_user_and_password() -> None:
    fake, _seen = _modules_server()
    with fake.client(settings={"grant_type": "password", "username": "sync",
                               "password": "pw-value-1"}) as client:
        client.modules()
    form = dict(httpx.QueryParams(fake.tokens[0].content.decode()))
    assert (form["grant_type"], form["username"], form["password"]) == (
        "password", "sync", "pw-value-1")


def test_token_is_renewed_shortly_before_expiry_with_the_configured_grant() -> None:
    fake, seen = _modules_server()
    clock = Clock()
    with fake.client(clock=clock) as client:
        client.modules()
        clock.now += 3500  # still more than a minute left
        client.modules()
        clock.now += 60  # within the last minute of the hour
        client.modules()
    assert seen == ["Bearer jwt-1", "Bearer jwt-1", "Bearer jwt-2"]
    assert all(b"grant_type=client_credentials" in t.content for t in fake.tokens)


def test_a_401_renews_the_token_once_and_retries() -> None:
    fake, seen = _modules_server([401])
    with fake.client() as client:
        assert client.modules() == ["Contacts", "Accounts"]
    assert seen == ["Bearer jwt-1", "Bearer jwt-2"]


def test_a_second_401_is_an_auth_error_without_more_attempts() -> None:
    fake, seen = _modules_server([401, 401, 401])
    with fake.client() as client, pytest.raises(AuthError) as caught:
        client.modules()
    assert len(seen) == 2 and len(fake.tokens) == 2
    assert "could not be verified" in (caught.value.detail or "")


def test_wrong_credentials_give_one_auth_error_with_the_reason_and_no_secret() -> None:
    echoed = {"error": "unknown_error", "error_description": "The password is invalid: pw-value-1",
              "message": "The password is invalid: pw-value-1"}
    fake = FakeSuiteCRM(token_answers=[httpx.Response(500, json=echoed)])
    with fake.client(settings={"grant_type": "password", "username": "sync",
                               "password": "pw-value-1"}) as client, \
            pytest.raises(AuthError) as caught:
        client.modules()
    assert len(fake.tokens) == 1  # no retry storm
    assert "The password is invalid" in str(caught.value)
    assert "pw-value-1" not in str(caught.value) and caught.value.hint


def test_bad_secret_is_an_auth_error() -> None:
    refused = {"error": "invalid_client", "error_description": "Client authentication failed",
               "message": "Client authentication failed"}
    fake = FakeSuiteCRM(token_answers=[httpx.Response(401, json=refused)])
    with fake.client() as client, pytest.raises(AuthError, match="Client authentication"):
        client.authenticate()
    assert len(fake.tokens) == 1


def test_a_busy_token_endpoint_is_retried() -> None:
    fake = FakeSuiteCRM(token_answers=[httpx.Response(503), httpx.Response(502)])
    with fake.client() as client:
        client.authenticate()
    assert len(fake.tokens) == 3 and client.auth.token is not None


def _site(prefix: str) -> httpx.MockTransport:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if request.url.path == f"{prefix}/access_token":
            return httpx.Response(200, json={"access_token": "jwt", "expires_in": 3600})
        if request.url.path == f"{prefix}/V8/meta/modules":
            return httpx.Response(200, json=MODULES)
        return httpx.Response(404, text="<h1>Not Found</h1>")

    transport = httpx.MockTransport(handler)
    transport.calls = calls  # type: ignore[attr-defined]
    return transport


@pytest.mark.parametrize("prefix", ["/Api", "/legacy/Api", "/Api/index.php"])
def test_auto_layout_detects_the_prefix_once(prefix: str) -> None:
    transport = _site(prefix)
    with SuiteCRMClient(settings(api_layout="auto"), transport=transport) as client:
        client.modules()
        client.modules()
        assert client.api_prefix == prefix
    tokens = [p for p in transport.calls if p.endswith("access_token")]  # type: ignore[attr-defined]
    assert tokens[-1] == f"{prefix}/access_token"
    assert transport.calls.count(f"{prefix}/access_token") == 1  # type: ignore[attr-defined]


def test_8x_layout_uses_legacy_and_a_wrong_layout_says_so() -> None:
    with SuiteCRMClient(settings(api_layout="8.x"), transport=_site("/legacy/Api")) as client:
        assert client.modules() == ["Contacts", "Accounts"]
    with SuiteCRMClient(settings(api_layout="7.x"), transport=_site("/legacy/Api")) as client, \
            pytest.raises(FatalAPIError, match="no SuiteCRM V8 API found") as caught:
        client.modules()
    assert "api_layout" in (caught.value.hint or "")
    assert SITE in (caught.value.url or "")
