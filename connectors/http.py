"""The one place that builds httpx clients.

It sets timeouts and TLS, maps HTTP statuses to the connector errors, retries what may be
retried (timeouts, connection errors, 429, 502-504; never other 4xx) with exponential
backoff, jitter and Retry-After, and redacts secrets from URLs and texts. A system whose API
says more with its statuses (Mailchimp: a 403 without a body is throttling, every 5xx passes,
an RFC 7807 problem document names why credentials were refused) passes ``StatusRules``; the
defaults are the plain mapping.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import re
import ssl
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)
from tenacity.stop import stop_base

from connectors.errors import (
    AuthError,
    ConnectorError,
    FatalAPIError,
    RetriableError,
    UnreachableError,
)
from connectors.settings import HttpSettings
from connectors.transport_errors import cause_of

__all__ = [
    "PLAIN_RULES",
    "RETRIABLE_STATUSES",
    "Problem",
    "StatusRules",
    "build_async_client",
    "build_client",
    "error_for_status",
    "error_for_transport",
    "parse_retry_after",
    "problem_of",
    "redact_text",
    "redact_url",
    "retrying",
    "retrying_async",
    "tls_context",
]

log = logging.getLogger(__name__)

RETRIABLE_STATUSES = frozenset({429, 502, 503, 504})
_GATEWAY_STATUSES = frozenset({502, 504})  # a gateway answered: the server may have acted
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_SECRET_PARAMS = frozenset(
    {
        "access_token",
        "api_key",
        "apikey",
        "client_secret",
        "password",
        "refresh_token",
        "token",
        "token_auth",
    }
)
_REDACTED = "***"
_PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class StatusRules:
    """How one system's statuses read beyond the plain mapping (all off by default).

    ``bare_403_throttles``: a 403 with an empty body is throttling (retried), not a refusal.
    ``retry_server_errors``: every 5xx is retried, not only 502-504.
    ``problem_auth``: a 401 or 403 carrying an RFC 7807 problem document is an ``AuthError``
    whose detail is the document's title and detail.
    """

    bare_403_throttles: bool = False
    retry_server_errors: bool = False
    problem_auth: bool = False


PLAIN_RULES = StatusRules()


@dataclass(frozen=True)
class Problem:
    """The ``title`` and ``detail`` of an ``application/problem+json`` body (RFC 7807)."""

    title: str
    detail: str

    def text(self) -> str:
        """``title: detail`` (either alone when the other is empty)."""
        return ": ".join(part for part in (self.title, self.detail) if part)


def problem_of(response: httpx.Response) -> Problem | None:
    """The problem document of ``response``, or None when it carries none."""
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != _PROBLEM_JSON:
        return None
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    return Problem(str(body.get("title") or ""), str(body.get("detail") or ""))


def _client_options(
    settings: HttpSettings,
    base_url: str,
    auth: httpx.Auth | None,
    headers: Mapping[str, str] | None,
    tls: ssl.SSLContext | None = None,
) -> dict[str, Any]:
    """What every client we build shares: timeouts, TLS, no redirects."""
    return {
        "base_url": base_url,
        "auth": auth,
        "headers": dict(headers or {}),
        "timeout": httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
        "verify": tls if tls is not None and settings.verify_tls else settings.verify_tls,
        "follow_redirects": False,
    }


def build_client(
    settings: HttpSettings,
    *,
    base_url: str = "",
    auth: httpx.Auth | None = None,
    headers: Mapping[str, str] | None = None,
    transport: httpx.BaseTransport | None = None,
    tls: ssl.SSLContext | None = None,
) -> httpx.Client:
    """Return a synchronous client; ``transport`` replaces the network in tests.

    ``tls`` is a verifying context to reuse (from ``tls_context``): loading the trusted
    certificates takes a tenth of a second, too long to repeat for every short-lived client.
    """
    return httpx.Client(**_client_options(settings, base_url, auth, headers, tls),
                        transport=transport)


def tls_context() -> ssl.SSLContext:
    """A certificate-verifying TLS context, as httpx builds one, to share between clients."""
    return httpx.create_ssl_context()


def build_async_client(
    settings: HttpSettings,
    *,
    base_url: str = "",
    auth: httpx.Auth | None = None,
    headers: Mapping[str, str] | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """Return an async client limited to ``settings.concurrency`` connections."""
    limits = httpx.Limits(
        max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency
    )
    return httpx.AsyncClient(**_client_options(settings, base_url, auth, headers),
                             transport=transport, limits=limits)


def redact_url(url: str | httpx.URL) -> str:
    """Return ``url`` without user info and with secret query parameters masked."""
    parts = urlsplit(str(url))
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = urlencode(
        [
            (key, _REDACTED if key.lower() in _SECRET_PARAMS else value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
        ],
        safe="[]*,:",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_text(text: str, secrets: Iterable[str | None]) -> str:
    """Return ``text`` with every non-empty secret value (and bearer tokens) masked."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, _REDACTED)
    return re.sub(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+", r"\1" + _REDACTED, text)


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def error_for_status(
    *,
    system: str,
    status: int,
    url: str | httpx.URL,
    detail: str | None = None,
    retry_after: str | None = None,
    hint: str | None = None,
    module: str | None = None,
    record_id: str | None = None,
    auth_request: bool = False,
    rules: StatusRules = PLAIN_RULES,
    empty_body: bool = False,
    problem: Problem | None = None,
) -> ConnectorError:
    """The error class for an unsuccessful HTTP status: the one mapping of statuses to errors.

    429 and 502-504 are ``RetriableError``; 401 is ``AuthError``; anything else is
    ``FatalAPIError``. With ``auth_request`` (a token request), every status that is not
    retriable is an ``AuthError``: the credentials or the OAuth2 client were refused.
    ``rules`` widens this for one system (``empty_body`` and ``problem`` describe the reply).
    """
    if problem is not None and detail is None:
        detail = problem.text() or None
    where: dict[str, Any] = {
        "system": system,
        "status": status,
        "url": redact_url(url),
        "detail": detail,
        "hint": hint,
        "module": module,
        "record_id": record_id,
    }
    if status in RETRIABLE_STATUSES or (rules.retry_server_errors and status >= 500):
        return RetriableError(
            "rate limited" if status == 429 else "server temporarily unavailable",
            retry_after=parse_retry_after(retry_after),
            delivered=status in _GATEWAY_STATUSES,
            **where,
        )
    if rules.bare_403_throttles and status == 403 and empty_body:
        return RetriableError("throttled (403 without a body)",
                              retry_after=parse_retry_after(retry_after), **where)
    if rules.problem_auth and status in (401, 403) and problem is not None:
        return AuthError("credentials refused", **where)
    if auth_request:
        return AuthError("token request refused", **where)
    if status == 401:
        return AuthError("not authorised", **where)
    return FatalAPIError("request refused" if status < 500 else "server error", **where)


def error_for_transport(
    exc: httpx.TransportError,
    *,
    system: str,
    module: str | None = None,
    record_id: str | None = None,
) -> RetriableError:
    """Turn a timeout or connection failure into a ``RetriableError`` naming its cause.

    Only a failure to connect is known not to have reached the server; any later one
    (read timeout, connection lost after sending) is ``delivered``. A refused connection, a
    failed DNS lookup and a TLS handshake or certificate failure are ``UnreachableError``.
    """
    try:
        url = redact_url(exc.request.url)
    except RuntimeError:
        url = None
    cause = cause_of(exc)
    kind = UnreachableError if cause.unreachable else RetriableError
    return kind(
        cause.reason,
        system=system,
        url=url,
        hint=cause.hint,
        module=module,
        record_id=record_id,
        delivered=not isinstance(exc, _NOT_SENT),
    )


def _wait(settings: HttpSettings) -> Callable[[RetryCallState], float]:
    exponential = wait_exponential(multiplier=settings.backoff_initial, max=settings.backoff_max)
    backoff = exponential + wait_random(0, settings.backoff_initial)  # jitter

    def wait(state: RetryCallState) -> float:
        delay = backoff(state)
        outcome = state.outcome
        error = outcome.exception() if outcome is not None else None
        if isinstance(error, RetriableError) and error.retry_after is not None:
            delay = max(delay, min(error.retry_after, settings.backoff_max))
        return delay

    return wait


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome is not None else None
    log.warning("retrying after attempt %d: %s", state.attempt_number, error)


def _policy(settings: HttpSettings, retry_delivered: bool) -> dict[str, Any]:
    def retriable(error: BaseException) -> bool:
        return isinstance(error, RetriableError) and (retry_delivered or not error.delivered)

    return {
        "retry": retry_if_exception(retriable),
        "stop": stop_after_attempt(settings.max_retries + 1) | _StopWhenUnreachable(),
        "wait": _wait(settings),
        "before_sleep": _log_retry,
        "retry_error_callback": _give_up,
    }


class _StopWhenUnreachable(stop_base):
    """An unreachable server gets one retry, not ``max_retries``."""

    def __call__(self, retry_state: RetryCallState) -> bool:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        return isinstance(error, UnreachableError) and retry_state.attempt_number >= 2


def _give_up(state: RetryCallState) -> Any:
    """Raise the last error, noting how many attempts were made."""
    error = state.outcome.exception() if state.outcome is not None else None
    if isinstance(error, ConnectorError):
        error.attempts = state.attempt_number
    if error is None:
        raise RuntimeError("retries ended without an error")
    raise error


def retrying(
    settings: HttpSettings, *, sleep: Callable[[float], None] = time.sleep,
    retry_delivered: bool = True,
) -> Retrying:
    """A tenacity policy that retries ``RetriableError`` only, as the settings say.

    ``retry_delivered=False`` (requests that are not idempotent) retries only the failures
    that cannot have reached the server.
    """
    return Retrying(sleep=sleep, **_policy(settings, retry_delivered))


def retrying_async(
    settings: HttpSettings, *, sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    retry_delivered: bool = True,
) -> AsyncRetrying:
    """The policy of ``retrying`` for coroutines (awaits ``sleep`` between attempts)."""
    return AsyncRetrying(sleep=sleep, **_policy(settings, retry_delivered))
