"""What became of one call of a batch: answered, refused, unknown or not done.

A write whose answer could not be read, or whose retries ran out after the request may have
reached the server, is ``UNKNOWN``: the server may or may not hold its values, and only
reading the record back tells. ``NOT_DONE`` means the server cannot have acted on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from connectors.errors import ConnectorError

__all__ = ["CallResult", "CallStatus"]


class CallStatus(StrEnum):
    """The four ways a call of a batch can end."""

    ANSWERED = "answered"  # a success answer was read
    REFUSED = "refused"  # the server refused this record for good (4xx)
    UNKNOWN = "unknown"  # it may have taken effect; read it back to know
    NOT_DONE = "not_done"  # it cannot have taken effect (not sent, 429, connect failure)


@dataclass(frozen=True)
class CallResult:
    """One call's outcome: the answer's document, or the error that ended it."""

    status: CallStatus
    body: Any = None
    error: ConnectorError | None = None

    @property
    def reason(self) -> str:
        """The error's reason and the server's detail, for a report line ("" when answered)."""
        if self.error is None:
            return ""
        detail = self.error.detail
        return f"{self.error.reason}: {detail}" if detail else self.error.reason
