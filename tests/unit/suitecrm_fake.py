"""A small fake SuiteCRM V8 API on a respx router, for unit tests of the client."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import respx

from connectors.suitecrm import SuiteCRMClient, SuiteCRMSettings

__all__ = ["SITE", "FakeSuiteCRM", "contact", "settings"]

SITE = "http://crm.test"
FIELDS = {
    "id": {"type": "id", "dbType": "id", "required": True},
    "last_name": {"type": "varchar", "dbType": "varchar", "len": "100"},
    "date_modified": {"type": "datetime", "dbType": "datetime"},
    "clv_c": {"type": "decimal", "dbType": "decimal", "len": "18", "precision": "2",
              "source": "custom_fields"},
    "accounts": {"type": "link", "dbType": "link", "source": "non-db"},
}


def settings(**overrides: Any) -> SuiteCRMSettings:
    """Settings for the fake site (client_credentials, 7.x layout, fast retries)."""
    values: dict[str, Any] = {
        "base_url": SITE, "api_layout": "7.x", "client_id": "client-1",
        "client_secret": "top-secret-value", "page_size": 3,
        "http": {"max_retries": 2, "backoff_initial": 0, "backoff_max": 1},
    }
    values.update(overrides)
    return SuiteCRMSettings.model_validate(values)


def contact(number: int, **attributes: Any) -> dict[str, Any]:
    """A Contact resource as the server sends it."""
    return {"type": "Contact", "id": f"id-{number:03d}",
            "attributes": {"last_name": f"Name{number}", "clv_c": "", **attributes}}


@dataclass
class FakeSuiteCRM:
    """Token endpoint, field metadata and whatever resource handlers a test adds."""

    token_answers: list[httpx.Response] = field(default_factory=list)
    router: respx.MockRouter = field(init=False)
    tokens: list[httpx.Request] = field(default_factory=list)
    issued: int = 0

    def __post_init__(self) -> None:
        self.router = respx.MockRouter(base_url=SITE, assert_all_called=False)
        self.router.post("/Api/access_token").mock(side_effect=self._token)
        self.router.get(url__regex=r"/Api/V8/meta/fields/\w+$").respond(
            200, json={"data": {"type": "fields", "attributes": FIELDS}})

    def _token(self, request: httpx.Request) -> httpx.Response:
        self.tokens.append(request)
        if self.token_answers:
            return self.token_answers.pop(0)
        self.issued += 1
        return httpx.Response(200, json={"token_type": "Bearer", "expires_in": 3600,
                                         "access_token": f"jwt-{self.issued}"})

    def on(self, method: str, path: str,
           handler: Callable[[httpx.Request], httpx.Response]) -> respx.Route:
        """Answer ``method path`` (below /Api/) with ``handler``."""
        return self.router.route(method=method, path=f"/Api/{path}").mock(side_effect=handler)

    def client(self, **options: Any) -> SuiteCRMClient:
        """A client on this fake (retry sleeps are recorded, not slept)."""
        overrides = options.pop("settings", {})
        return SuiteCRMClient(settings(**overrides),
                              transport=httpx.MockTransport(self.router.handler),
                              async_transport=httpx.MockTransport(self.router.async_handler),
                              sleep=options.pop("sleep", lambda _seconds: None), **options)
