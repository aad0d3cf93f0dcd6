"""A small sandbox served on loopback, shared by the sandbox tests of one module."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from sandbox import RunningSandbox, running_sandbox

ANCHOR = date(2026, 11, 23)


@pytest.fixture(scope="module")
def sb() -> Iterator[RunningSandbox]:
    """A running sandbox with 200 synthetic customers."""
    with running_sandbox(customers=200, seed=3, anchor=ANCHOR) as running:
        yield running


def token(sb: RunningSandbox, client: httpx.Client) -> str:
    """A client_credentials access token."""
    response = client.post(f"{sb.base_url}/Api/access_token", data={
        "grant_type": "client_credentials", "client_id": sb.client_id,
        "client_secret": sb.client_secret})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


@pytest.fixture
def api(sb: RunningSandbox) -> Iterator[Callable[..., httpx.Response]]:
    """Call the V8 API of ``sb`` with a fresh token: api(method, path, **httpx kwargs)."""
    with httpx.Client(timeout=30) as client:
        bearer = {"Authorization": f"Bearer {token(sb, client)}"}

        def call(method: str, path: str, **kwargs: Any) -> httpx.Response:
            headers = {**bearer, **kwargs.pop("headers", {})}
            return client.request(method, f"{sb.base_url}/Api/V8{path}", headers=headers,
                                  **kwargs)

        yield call
