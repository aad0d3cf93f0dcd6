"""OAuth2 for the V8 API: an ``httpx.Auth`` that gets, caches and renews a bearer token.

The token comes from the configured grant (``client_credentials`` or ``password``), sent
form-encoded with no ``scope`` (any scope is refused). It is renewed shortly before it
expires and once more when a resource answers 401, by asking again with the configured
grant: SuiteCRM's refresh tokens are single-use, revoke the previous access token at once
and were broken on several 7.x releases (#7397, #10268), so they are never used.

Token-endpoint answers are never logged; their errors are redacted (a wrong password is
echoed back in clear text by SuiteCRM, ``auth_07``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import httpx

from connectors.errors import FatalAPIError
from connectors.http import RETRIABLE_STATUSES
from connectors.suitecrm.documents import SYSTEM, error_for_response, read_json
from connectors.suitecrm.layout import ApiRoot
from connectors.suitecrm.settings import GrantType, SuiteCRMSettings

__all__ = ["SuiteCRMAuth", "Token", "TokenFlow"]

log = logging.getLogger(__name__)

TokenFlow = Generator[httpx.Request, httpx.Response, "Token"]
_DEFAULT_LIFETIME = 3600.0
_RENEW_MARGIN = 60.0


@dataclass(frozen=True)
class Token:
    """An access token and when (on the auth's clock) it should be renewed."""

    access_token: str
    renew_at: float
    generation: int

    def __repr__(self) -> str:
        return f"Token(generation={self.generation}, renew_at={self.renew_at:.0f})"


def _answers_like_oauth(body: Any) -> bool:
    return isinstance(body, dict) and ("access_token" in body or "error" in body)


class SuiteCRMAuth(httpx.Auth):
    """Bearer-token auth for one SuiteCRM site; shared by the sync and async clients."""

    requires_response_body = True

    def __init__(
        self,
        settings: SuiteCRMSettings,
        root: ApiRoot,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._root = root
        self._clock = clock
        self._token: Token | None = None
        self._generation = 0

    @property
    def secrets(self) -> tuple[str | None, ...]:
        """The configured secret values, for redaction."""
        password = self._settings.password
        return (
            self._settings.client_secret.get_secret_value(),
            password.get_secret_value() if password is not None else None,
        )

    @property
    def token(self) -> Token | None:
        """The cached token, if any."""
        return self._token

    def _form(self) -> dict[str, str]:
        settings = self._settings
        form = {
            "grant_type": settings.grant_type.value,
            "client_id": settings.client_id,
            "client_secret": settings.client_secret.get_secret_value(),
        }
        if settings.grant_type is GrantType.PASSWORD:
            assert settings.username is not None and settings.password is not None
            form["username"] = settings.username
            form["password"] = settings.password.get_secret_value()
        return form

    def token_flow(self) -> TokenFlow:
        """Request a new token (detecting the API prefix first if it is not known).

        A generator of requests, fed the responses: driven by ``auth_flow`` or directly.
        """
        candidates = self._root.candidates
        for index, prefix in enumerate(candidates):
            request = httpx.Request(
                "POST", self._root.url("access_token", prefix),
                data=self._form(), headers={"Accept": "application/json"},
            )
            response = yield request
            if response.status_code in RETRIABLE_STATUSES:
                raise error_for_response(response, secrets=self.secrets, auth_request=True)
            body = read_json(response)
            if not _answers_like_oauth(body):
                if index + 1 < len(candidates):
                    log.debug("no V8 token endpoint at %s (HTTP %d)", prefix, response.status_code)
                    continue
                raise FatalAPIError(
                    "no SuiteCRM V8 API found", system=SYSTEM, status=response.status_code,
                    url=str(request.url),
                    hint="check suitecrm.base_url (the site URL) and suitecrm.api_layout "
                         "(7.x: /Api, 8.x: /legacy/Api, auto: detect)",
                )
            if not response.is_success or not isinstance(body.get("access_token"), str):
                raise error_for_response(response, secrets=self.secrets, auth_request=True)
            if self._root.prefix != prefix:
                log.info("SuiteCRM V8 API found below %s", prefix)
                self._root.found(prefix)
            return self._store(body)
        raise AssertionError("no API prefix to try")  # candidates is never empty

    def _store(self, body: dict[str, Any]) -> Token:
        try:
            lifetime = float(body.get("expires_in") or _DEFAULT_LIFETIME)
        except (TypeError, ValueError):
            lifetime = _DEFAULT_LIFETIME
        margin = min(_RENEW_MARGIN, lifetime / 10)
        self._generation += 1
        self._token = Token(str(body["access_token"]), self._clock() + lifetime - margin,
                            self._generation)
        log.debug("new access token (generation %d, lifetime %.0fs)", self._generation, lifetime)
        return self._token

    def _fresh(self, stale: Token | None) -> TokenFlow:
        """The current token if it is usable and newer than ``stale``, else a new one."""
        current = self._token
        if current is not None and current is not stale and self._clock() < current.renew_at:
            return current
        return (yield from self.token_flow())

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._token
        if token is None or self._clock() >= token.renew_at:
            token = yield from self._fresh(token)
        request.headers["Authorization"] = f"Bearer {token.access_token}"
        response = yield request
        if response.status_code == 401:
            log.info("access token refused (HTTP 401); renewing it once")
            token = yield from self._fresh(token)
            request.headers["Authorization"] = f"Bearer {token.access_token}"
            yield request

    def invalidate(self) -> None:
        """Forget the cached token (the next request asks for a new one)."""
        self._token = None
