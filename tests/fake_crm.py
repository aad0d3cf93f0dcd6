"""An in-memory SuiteCRM that answers listings as SuiteCRM 7.14 does (FACTS.md 4-6).

Filters compare full-second values, responses show ``date_modified`` cut to the minute,
one sort key only with ties in arbitrary (seeded) order, deleted records never listed.
Sync reaches it over HTTP as it reaches a real server: ``connections()`` gives the
``Connections`` whose SuiteCRM transport answers the token, field-metadata and listing
requests of the V8 API from these records.
"""

from __future__ import annotations

import json
import random
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from sync.streams import Connections

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

    def transport(self) -> httpx.MockTransport:
        """The V8 API of this CRM as an httpx transport (any host, the ``/Api`` layout)."""
        return httpx.MockTransport(self._handle)

    def connections(self) -> Connections:
        """What sync is given to reach this CRM."""
        return Connections(suitecrm=self.transport())

    def _handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST" and path.endswith("/access_token"):
            return httpx.Response(200, json={"token_type": "Bearer", "expires_in": 3600,
                                             "access_token": "fake-jwt"})
        if (found := re.fullmatch(r"/Api/V8/meta/fields/(\w+)", path)) is not None:
            types = self.field_types(found.group(1))
            return httpx.Response(200, json={"data": {"type": "fields", "attributes": {
                name: {"type": kind, "dbType": kind} for name, kind in types.items()}}})
        if request.method == "GET" and (found := re.fullmatch(r"/Api/V8/module/(\w+)",
                                                                path)) is not None:
            return self._listing(found.group(1), request.url.params)
        return httpx.Response(404, json={"errors": {"detail": f"no route {path}"}})

    def _listing(self, module: str, params: httpx.QueryParams) -> httpx.Response:
        conditions = []
        for key, value in params.multi_items():
            found = re.fullmatch(r"filter\[(\w+)\]\[(\w+)\]", key)
            if found is not None:
                conditions.append((found.group(1), found.group(2), _operand(value)))
        shown = params.get(f"fields[{module}]")
        page = self.first_page(module, fields=shown.split(",") if shown else None,
                               conditions=conditions, sort=params.get("sort", "id"),
                               page_size=int(params.get("page[size]", "20")))
        return httpx.Response(200, json={"meta": {"total-pages": 1}, "data": [
            {"type": module, "id": record.id,
             "attributes": {k: _wire(v) for k, v in record.attributes.items()}}
            for record in page]})

    def field_types(self, module: str) -> dict[str, str]:
        """The known types, plus every other field a record of ``module`` has (varchar)."""
        known = {"date_modified": "datetime", "name": "name", "email1": "varchar",
                 "amount": "currency", "date_closed": "date", "sales_stage": "enum",
                 "account_id": "id", "birthdate": "date", "score_c": "int"}
        present = {name for record in self.modules.get(module, {}).values() for name in record}
        return {**dict.fromkeys(sorted(present - set(known)), "varchar"), **known}


_DB_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def _operand(text: str) -> Any:
    """A filter value as the fake compares it: DB-format datetimes as aware UTC datetimes."""
    if _DB_DATETIME.fullmatch(text):
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    return text


def _wire(value: Any) -> Any:
    """An attribute as SuiteCRM sends it: text, datetimes ``YYYY-MM-DDTHH:MM:SS+00:00``."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value
