"""The saved state of one IMAP folder, as the stream's cursor: text that sorts like its parts.

A folder's state is (resets, UIDVALIDITY, last UID read, HIGHESTMODSEQ, day of the last flag
scan). It travels as a ``str`` cursor of fixed-width fields, so comparing two cursors as text
compares them part by part, in that order, and ``decode_cursor(encode_cursor(x)) == x``.
``resets`` counts the UIDVALIDITY changes seen: it leads, so the state after a reset sorts
after every state before it even when a server hands out a smaller UIDVALIDITY.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

__all__ = ["FolderState", "describe_state"]

_PREFIX = "imap1"
_FORMAT = re.compile(r"^imap1 r(\d{6}) v(\d{10}) u(\d{10}) m(\d{20}) d(\d{8})$")


@dataclass(frozen=True, order=True)
class FolderState:
    """Where the reading of one folder stands."""

    resets: int = 0
    uidvalidity: int = 0
    uid: int = 0
    """The last UID read (it is read again next time: reads start at it, inclusive)."""
    modseq: int = 0
    """Every flag change at or below this MODSEQ is read (0 without CONDSTORE)."""
    scanned: int = 0
    """YYYYMMDD of the last flag scan (servers without CONDSTORE), 0 before the first."""

    def __post_init__(self) -> None:
        limits = (("resets", 10**6), ("uidvalidity", 10**10), ("uid", 10**10),
                  ("modseq", 10**20), ("scanned", 10**8))
        for name, limit in limits:
            value = getattr(self, name)
            if not 0 <= value < limit:
                raise ValueError(f"{name} {value} is out of range")

    def encode(self) -> str:
        """The cursor text; ``FolderState.parse`` gives this state back."""
        return (f"{_PREFIX} r{self.resets:06d} v{self.uidvalidity:010d} u{self.uid:010d} "
                f"m{self.modseq:020d} d{self.scanned:08d}")

    @classmethod
    def parse(cls, text: str) -> FolderState:
        """The state saved as ``text``; ValueError when it is not one."""
        match = _FORMAT.match(text)
        if match is None:
            raise ValueError(f"not an IMAP folder state: {text[:40]!r}")
        resets, uidvalidity, uid, modseq, scanned = (int(part) for part in match.groups())
        return cls(resets, uidvalidity, uid, modseq, scanned)

    def at(self, **changes: int) -> FolderState:
        """This state with some parts changed."""
        return replace(self, **changes)

    def describe(self) -> str:
        """For people: ``uidvalidity 17962 last uid 120 modseq 455 flags scanned 2026-12-03``."""
        parts = [f"uidvalidity {self.uidvalidity}", f"last uid {self.uid}"]
        if self.modseq:
            parts.append(f"modseq {self.modseq}")
        if self.scanned:
            day = str(self.scanned)
            parts.append(f"flags scanned {day[:4]}-{day[4:6]}-{day[6:]}")
        if self.resets:
            parts.append(f"{self.resets} UIDVALIDITY reset(s)")
        return ", ".join(parts)


def describe_state(text: str) -> str | None:
    """``text`` described for people when it is an IMAP folder state, else None."""
    try:
        return FolderState.parse(text).describe()
    except ValueError:
        return None
