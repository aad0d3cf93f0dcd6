"""Fault injection and the life cycle of running_sandbox."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from sandbox import FaultSettings, RunningSandbox, running_sandbox
from tests.sandbox.conftest import token


def _get(sb: RunningSandbox, client: httpx.Client, bearer: str) -> httpx.Response:
    return client.get(f"{sb.base_url}/Api/V8/module/Contacts",
                      params={"page[size]": "1", "page[number]": "1"},
                      headers={"Authorization": f"Bearer {bearer}"})


def test_faults_change_while_the_server_runs(sb: RunningSandbox) -> None:
    with httpx.Client(timeout=10) as client:
        bearer = token(sb, client)
        try:
            sb.faults.rate_429 = 1.0
            sb.faults.retry_after_s = 7
            limited = _get(sb, client, bearer)
            assert limited.status_code == 429
            assert limited.headers["retry-after"] == "7"
            sb.faults.rate_429 = 0.0
            sb.faults.rate_5xx = 1.0
            assert _get(sb, client, bearer).status_code == 503
            sb.faults.rate_5xx = 0.0
            sb.faults.latency_ms = 150
            started = time.perf_counter()
            assert _get(sb, client, bearer).status_code == 200
            assert time.perf_counter() - started >= 0.15
            sb.faults.latency_ms = 0
            sb.faults.rate_drop = 1.0
            with pytest.raises(httpx.RemoteProtocolError):
                _get(sb, client, bearer)
        finally:
            sb.faults.rate_429 = sb.faults.rate_5xx = sb.faults.rate_drop = 0.0
            sb.faults.latency_ms = 0
        assert _get(sb, client, bearer).status_code == 200


def test_faults_can_be_set_over_http(sb: RunningSandbox) -> None:
    try:
        response = httpx.put(f"{sb.base_url}/sandbox/faults", json={"rate_5xx": 1})
        assert response.json()["rate_5xx"] == 1
        assert sb.faults.rate_5xx == 1
        assert httpx.put(f"{sb.base_url}/sandbox/faults", json={"rate_5xx": 3}
                         ).status_code == 400
    finally:
        sb.faults.rate_5xx = 0.0


def test_short_lived_tokens_expire(sb: RunningSandbox) -> None:
    with httpx.Client(timeout=10) as client:
        sb.faults.token_ttl_s = 0.2
        try:
            bearer = token(sb, client)
        finally:
            sb.faults.token_ttl_s = None
        assert _get(sb, client, bearer).status_code == 200
        time.sleep(0.3)
        expired = _get(sb, client, bearer)
        assert expired.status_code == 401
        assert expired.json()["hint"] == "Access token could not be verified"


def test_refresh_rotates_and_revokes_the_old_access_token(sb: RunningSandbox) -> None:
    with httpx.Client(timeout=10) as client:
        url = f"{sb.base_url}/Api/access_token"
        first = client.post(url, json={
            "grant_type": "password", "client_id": sb.password_client_id,
            "client_secret": sb.password_client_secret, "username": sb.username,
            "password": sb.password}).json()
        refresh = {"grant_type": "refresh_token", "client_id": sb.password_client_id,
                   "client_secret": sb.password_client_secret,
                   "refresh_token": first["refresh_token"]}
        second = client.post(url, data=refresh).json()
        assert second["refresh_token"] != first["refresh_token"]
        old = _get(sb, client, first["access_token"])
        assert (old.status_code, old.json()["hint"]) == (401, "Access token has been revoked")
        assert _get(sb, client, second["access_token"]).status_code == 200
        reused = client.post(url, data=refresh)
        assert (reused.status_code, reused.json()["hint"]) == (401, "Token has been revoked")


def test_running_sandbox_stops_and_frees_its_port() -> None:
    with running_sandbox(customers=5, seed=1, faults=FaultSettings(latency_ms=1),
                         layout="8") as running:
        port = int(running.base_url.rsplit(":", 1)[1])
        assert httpx.post(f"{running.base_url}/legacy/Api/access_token", data={
            "grant_type": "client_credentials", "client_id": running.client_id,
            "client_secret": running.client_secret}).status_code == 200
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0


def test_token_endpoint_takes_basic_client_credentials(sb: RunningSandbox) -> None:
    response = httpx.post(f"{sb.base_url}/Api/access_token",
                          data={"grant_type": "client_credentials"},
                          auth=(sb.client_id, sb.client_secret))
    assert response.status_code == 200
    assert "refresh_token" not in response.json()
    options = httpx.options(f"{sb.base_url}/Api/V8/module/Contacts/1")
    assert (options.status_code, options.text) == (200, "Allowed methods: GET, DELETE")
