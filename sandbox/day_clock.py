"""Fast DB timestamps for days counted from an origin (the generator writes millions)."""

from __future__ import annotations

from datetime import datetime, timedelta

__all__ = ["DayClock"]


class DayClock:
    """Turns a float day offset from ``origin`` (midnight UTC) into 'YYYY-MM-DD HH:MM:SS'."""

    def __init__(self, origin: datetime, first_day: int = -40_000, last_day: int = 2_000) -> None:
        self.origin = origin
        self._first = first_day
        self._dates = [(origin + timedelta(days=d)).strftime("%Y-%m-%d")
                       for d in range(first_day, last_day)]

    def date(self, day: float) -> str:
        """The date part of a day offset."""
        return self._dates[int(day // 1) - self._first]

    def stamp(self, day: float) -> str:
        """The full DB timestamp of a day offset (to the second)."""
        seconds = int(day * 86400)
        whole, rest = divmod(seconds, 86400)
        return (f"{self._dates[whole - self._first]} "
                f"{rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}")
