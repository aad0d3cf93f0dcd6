"""The error hierarchy of every connector.

``ConnectorError`` is the root. Status codes map onto these classes once, in
``connectors.http``; nothing else decides whether a failure is retried.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AuthError",
    "ConnectorError",
    "FatalAPIError",
    "MalformedResponseError",
    "RecordError",
    "RetriableError",
    "UnreachableError",
]


class ConnectorError(Exception):
    """A failure talking to an outside system.

    ``system`` names the system (``suitecrm``, ``imap``...), ``status`` is the HTTP status
    where there was one, ``url`` is the request URL without credentials, ``reason`` says what
    went wrong, ``detail`` is the server's own message (already redacted) and ``hint`` says
    what to do about it. ``module`` and ``record_id`` say which records were concerned, where
    known. None of them ever carries a secret.
    """

    def __init__(
        self,
        reason: str,
        *,
        system: str,
        status: int | None = None,
        url: str | None = None,
        detail: str | None = None,
        hint: str | None = None,
        module: str | None = None,
        record_id: str | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.system = system
        self.status = status
        self.url = url
        self.detail = detail
        self.hint = hint
        self.module = module
        self.record_id = record_id
        self.attempts: int | None = None  # set when retries ran out: how many were made

    def __str__(self) -> str:
        where = self.system
        if self.status is not None:
            where += f" HTTP {self.status}"
        if self.url:
            where += f" {self.url}"
        if self.module:
            where += f" [{self.module}" + (f" {self.record_id}]" if self.record_id else "]")
        text = f"{where}: {self.reason}"
        if self.detail and self.detail not in self.reason:
            text += f": {self.detail}"
        if self.attempts and self.attempts > 1:
            text += f" ({self.attempts} attempts)"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class AuthError(ConnectorError):
    """Credentials were refused, or a token could not be obtained or renewed."""


class RetriableError(ConnectorError):
    """A passing failure: timeout, connection error, 429 or 502-504.

    ``retry_after`` is the delay in seconds the server asked for, where it gave one.
    ``delivered`` says the request may have reached the server and taken effect (a read
    timeout, a connection lost after sending, 502/504 from a gateway); a request that is not
    idempotent (create, relate) is never sent again after such a failure.
    """

    def __init__(self, reason: str, *, retry_after: float | None = None,
                 delivered: bool = False, **kwargs: Any) -> None:
        super().__init__(reason, **kwargs)
        self.retry_after = retry_after
        self.delivered = delivered


class UnreachableError(RetriableError):
    """The server could not be reached at all: connection refused, DNS lookup or TLS
    handshake or certificate failed. Retried once at most, and it ends a sync: every other
    request to the same server would fail the same way."""


class FatalAPIError(ConnectorError):
    """The server refused the request for good (other 4xx, other 5xx)."""


class MalformedResponseError(FatalAPIError):
    """A successful status whose body is not a document of the expected shape.

    HTML (a maintenance page), an empty body, a ``data`` of the wrong type, attributes that are
    not an object or absurdly deep nesting: never taken as "no more records".
    """


class RecordError(ConnectorError):
    """One record was rejected; the caller counts it, reports it and goes on.

    ``module`` and ``record_id`` say which record, where known.
    """
