"""An in-memory SuiteCRM that answers listings as SuiteCRM 7.14 does (FACTS.md 4-6).

Filters compare full-second values, responses show ``date_modified`` cut to the minute,
one sort key only with ties in arbitrary (seeded) order, deleted records never listed.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, b: a == b, "neq": lambda a, b: a != b, "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b, "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b,
}


def _matches(value: Any, op: str, operand: Any) -> bool:
    return value is not None and _OPS[op](value, operand)  # SQL: NULL matches nothing


@dataclass(frozen=True)
class FakeRecord:
    module: str
    id: str
    attributes: dict[str, Any]


class FakeClock:
    """Time that moves only when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 2, 9, 0, 7, tzinfo=UTC)

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


class FakeCRM:
    """Modules of records; a ``RecordSource`` for the streams."""

    def __init__(self, clock: FakeClock | None = None, seed: int = 1) -> None:
        self.clock = clock or FakeClock()
        self.modules: dict[str, dict[str, dict[str, Any]]] = {}
        self.deleted: set[tuple[str, str]] = set()
        self.requests = 0
        self.before_request: Callable[[FakeCRM], None] | None = None
        self._random = random.Random(seed)

    def add(self, module: str, record_id: str | None = None, **attributes: Any) -> str:
        record_id = record_id or str(uuid.UUID(int=self._random.getrandbits(128)))
        attributes.setdefault("date_modified", self.clock.now)
        self.modules.setdefault(module, {})[record_id] = attributes
        return record_id

    def modify(self, module: str, record_id: str, **attributes: Any) -> None:
        self.modules[module][record_id].update(attributes, date_modified=self.clock.now)

    def delete(self, module: str, record_id: str) -> None:
        self.deleted.add((module, record_id))

    def live(self, module: str) -> dict[str, dict[str, Any]]:
        return {i: a for i, a in self.modules.get(module, {}).items()
                if (module, i) not in self.deleted}

    def first_page(self, module: str, *, fields: Sequence[str] | None,
                   conditions: Sequence[tuple[str, str, Any]], sort: str,
                   page_size: int) -> list[FakeRecord]:
        self.requests += 1
        if self.before_request is not None:
            self.before_request(self)
        rows = [(i, a) for i, a in self.live(module).items()
                if all(_matches(i if f == "id" else a.get(f), op, v) for f, op, v in conditions)]
        self._random.shuffle(rows)  # ties come back in no particular order
        def key(item: tuple[str, dict[str, Any]]) -> tuple[bool, Any]:
            value = item[0] if sort == "id" else item[1].get(sort)
            return value is not None, value  # NULLs first, as SuiteCRM sorts them

        rows.sort(key=key)
        return [FakeRecord(module, i, self._shown(a, fields)) for i, a in rows[:page_size]]

    @staticmethod
    def _shown(attributes: dict[str, Any], fields: Sequence[str] | None) -> dict[str, Any]:
        shown = {k: v for k, v in attributes.items() if fields is None or k in fields}
        if isinstance(shown.get("date_modified"), datetime):
            shown["date_modified"] = shown["date_modified"].replace(second=0, microsecond=0)
        return shown

    def field_types(self, module: str) -> dict[str, str]:
        return {"date_modified": "datetime", "name": "name", "email1": "varchar",
                "amount": "currency", "date_closed": "date", "sales_stage": "enum",
                "account_id": "id", "birthdate": "date", "score_c": "int"}
