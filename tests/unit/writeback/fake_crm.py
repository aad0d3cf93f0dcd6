"""An in-memory stand-in for SuiteCRMClient: what write-back reads and writes, counted."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors.errors import FatalAPIError, RecordError
from connectors.suitecrm.bulk import ResultCallback
from connectors.suitecrm.outcomes import CallResult, CallStatus


class Died(BaseException):
    """The process ended mid-push (what SIGKILL does, in a unit test)."""


@dataclass(frozen=True)
class FakeRecord:
    module: str
    id: str
    attributes: dict[str, Any]


@dataclass
class FakeCRM:
    """Records by module and id; values kept as the API shows them (strings, "" for empty)."""

    records: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    refuse: set[str] = field(default_factory=set)
    lose_answers: set[str] = field(default_factory=set)  # applied, answer unreadable
    die_after: int | None = None  # the process "dies" after this many PATCHes (applied)
    requests: dict[str, int] = field(default_factory=dict)
    patches: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def _count(self, kind: str) -> None:
        self.requests[kind] = self.requests.get(kind, 0) + 1

    def iter_pages(self, module: str, *, fields: Sequence[str] | None = None, filter: Any = None,
                   sort: str | None = None, page_size: int | None = None,
                   ) -> Iterator[list[FakeRecord]]:
        ids = sorted(self.records.get(module, {}))
        size = page_size or 20
        for start in range(0, len(ids), size):
            self._count("list")
            yield [self._record(module, i, fields) for i in ids[start:start + size]]

    def get(self, module: str, record_id: str, *, fields: Sequence[str] | None = None,
            ) -> FakeRecord:
        self._count("get")
        if record_id not in self.records.get(module, {}):
            raise FatalAPIError("request refused", system="suitecrm", status=400,
                                detail=f"{module} module with id {record_id} is not found")
        return self._record(module, record_id, fields)

    def get_many(self, module: str, record_ids: Sequence[str], *,
                 fields: Sequence[str] | None = None) -> list[FakeRecord | RecordError]:
        results: list[FakeRecord | RecordError] = []
        for record_id in record_ids:
            try:
                results.append(self.get(module, record_id, fields=fields))
            except FatalAPIError as exc:
                error = RecordError(exc.reason, system="suitecrm", status=exc.status,
                                    detail=exc.detail)
                results.append(error)
        return results

    def update_many(self, module: str, updates: Sequence[tuple[str, Mapping[str, Any]]], *,
                    stop: threading.Event | None = None,
                    on_result: ResultCallback | None = None) -> list[CallResult]:
        results: list[CallResult] = []
        for index, (record_id, attributes) in enumerate(updates):
            if stop is not None and stop.is_set():
                result = CallResult(CallStatus.NOT_DONE, error=RecordError(
                    "stopped before it was sent", system="suitecrm"))
            else:
                result = self._patch(module, record_id, attributes)
            results.append(result)
            if on_result is not None:
                on_result(index, result)
        return results

    def _patch(self, module: str, record_id: str, attributes: Mapping[str, Any]) -> CallResult:
        self._count("patch")
        self.patches.append((record_id, dict(attributes)))
        if self.die_after is not None and len(self.patches) > self.die_after:
            self.records[module][record_id].update(
                {k: "" if v is None else str(v) for k, v in attributes.items()})
            raise Died(f"the process died after sending {record_id}")
        if record_id in self.refuse:
            error = RecordError("record refused", system="suitecrm", status=400,
                                detail="Property x in Contact module is invalid")
            error.record_id = record_id
            return CallResult(CallStatus.REFUSED, error=error)
        stored = self.records[module][record_id]
        stored.update({k: "" if v is None else str(v) for k, v in attributes.items()})
        if record_id in self.lose_answers:
            return CallResult(CallStatus.UNKNOWN, error=RecordError(
                "the answer could not be read", system="suitecrm"))
        return CallResult(CallStatus.ANSWERED, body={"data": {"id": record_id}})

    def _record(self, module: str, record_id: str, fields: Sequence[str] | None) -> FakeRecord:
        stored = self.records[module][record_id]
        shown = {k: v for k, v in stored.items() if fields is None or k in fields}
        return FakeRecord(module, record_id, shown)
