"""The error hierarchy of every connector.

``ConnectorError`` is the root. Status codes map onto these classes once, in
``connectors.http``; nothing else decides whether a failure is retried.
"""

from __future__ import annotations

__all__ = ["AuthError", "ConnectorError", "FatalAPIError", "RecordError", "RetriableError"]


class ConnectorError(Exception):
    """A failure talking to an outside system.

    ``system`` names the system (``suitecrm``, ``imap``...), ``status`` is the HTTP status
    where there was one, ``url`` is the request URL without credentials, ``reason`` says what
    went wrong, ``detail`` is the server's own message (already redacted) and ``hint`` says
    what to do about it. None of them ever carries a secret.
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
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.system = system
        self.status = status
        self.url = url
        self.detail = detail
        self.hint = hint

    def __str__(self) -> str:
        where = self.system
        if self.status is not None:
            where += f" HTTP {self.status}"
        if self.url:
            where += f" {self.url}"
        text = f"{where}: {self.reason}"
        if self.detail and self.detail not in self.reason:
            text += f": {self.detail}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class AuthError(ConnectorError):
    """Credentials were refused, or a token could not be obtained or renewed."""


class RetriableError(ConnectorError):
    """A passing failure: timeout, connection error, 429 or 502-504.

    ``retry_after`` is the delay in seconds the server asked for, where it gave one.
    """

    retry_after: float | None = None


class FatalAPIError(ConnectorError):
    """The server refused the request for good (other 4xx, other 5xx)."""


class RecordError(ConnectorError):
    """One record was rejected; the caller counts it, reports it and goes on.

    ``module`` and ``record_id`` say which record, where known.
    """

    module: str | None = None
    record_id: str | None = None
