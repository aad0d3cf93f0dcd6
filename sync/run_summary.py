"""What a sync run did: per stream counts, errors and the outcome."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sync.identity import IdentityReport

__all__ = ["Outcome", "RunSummary", "StreamResult"]


class Outcome(StrEnum):
    """How a run ended."""

    OK = "ok"
    REJECTED = "rejected"  # finished, but some records were rejected
    FAILED = "failed"
    INTERRUPTED = "interrupted"  # stopped on request after a checkpoint


@dataclass
class StreamResult:
    """The counts of one stream in one run."""

    name: str
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: int = 0
    deleted: int = 0
    pages: int = 0
    own_writes: int = 0  # changed only by our own write-back: not customer activity
    reconciled: bool = False
    cursor: str | None = None
    error: str | None = None

    @property
    def read(self) -> int:
        """Records read, whatever became of them."""
        return self.new + self.changed + self.unchanged + self.own_writes + self.rejected

    def counts(self) -> dict[str, int]:
        """The counts kept in the run history."""
        return {"new": self.new, "changed": self.changed, "unchanged": self.unchanged,
                "rejected": self.rejected, "deleted": self.deleted, "pages": self.pages,
                "own_writes": self.own_writes}

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output."""
        return {"name": self.name, **self.counts(), "reconciled": self.reconciled,
                "cursor": self.cursor, "error": self.error}


@dataclass
class RunSummary:
    """One run of ``sync_client``."""

    run_id: str
    client: str
    started_at: datetime
    full: bool
    finished_at: datetime | None = None
    outcome: Outcome = Outcome.OK
    streams: dict[str, StreamResult] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    identities: IdentityReport | None = None
    retention: dict[str, int] | None = None
    """Retention applied at the end of the run: window in days and rows removed."""

    @property
    def rejected(self) -> int:
        """Records rejected over all streams."""
        return sum(s.rejected for s in self.streams.values())

    @property
    def read(self) -> int:
        """Records read over all streams."""
        return sum(s.read for s in self.streams.values())

    @property
    def rejected_share(self) -> float:
        """Rejected records as a share of those read (0 when none were read)."""
        return self.rejected / self.read if self.read else 0.0

    def as_dict(self) -> dict[str, Any]:
        """Plain data for JSON output: ids and counts only, no personal data."""
        return {"run_id": self.run_id, "client": self.client, "full": self.full,
                "started_at": self.started_at.isoformat(),
                "finished_at": self.finished_at.isoformat() if self.finished_at else None,
                "outcome": self.outcome.value, "rejected": self.rejected,
                "streams": [s.as_dict() for s in self.streams.values()],
                "identities": self.identities.as_dict() if self.identities else None,
                "retention": self.retention,
                "errors": self.errors}
