"""Where planned changes go: the CRM, or (``--dry-run``) a list that records the plan.

Dry-run is implemented once, here: every command that writes to the CRM takes a
``Destination`` and never knows whether its changes are sent.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol

from connectors.suitecrm.bulk import ResultCallback
from connectors.suitecrm.calls import Call
from connectors.suitecrm.outcomes import CallResult, CallStatus
from sync.writeback.membership import LIST_MODULE, MembershipChange
from sync.writeback.plan import RecordChange

__all__ = ["CRMClient", "CRMDestination", "Destination", "DryRunDestination"]


class CRMClient(Protocol):
    """What write-back uses of ``connectors.suitecrm.SuiteCRMClient``."""

    def iter_pages(
        self, module: str, *, fields: Sequence[str] | None = None, filter: Any = None,
        sort: str | None = None, page_size: int | None = None,
    ) -> Iterator[list[Any]]:
        """Pages of records (objects with ``id`` and ``attributes``)."""
        ...

    def fields(self, module: str) -> Mapping[str, Any]:
        """Field metadata by field name (``FieldMeta``)."""
        ...

    def get(self, module: str, record_id: str, *, fields: Sequence[str] | None = None) -> Any:
        """One record."""
        ...

    def get_many(
        self, module: str, record_ids: Sequence[str], *, fields: Sequence[str] | None = None
    ) -> list[Any]:
        """Records by id with bounded concurrency; a RecordError in place of each refusal."""
        ...

    def update_many(
        self, module: str, updates: Sequence[tuple[str, Mapping[str, Any]]], *,
        stop: threading.Event | None = None, on_result: ResultCallback | None = None,
    ) -> list[CallResult]:
        """PATCH many records with bounded concurrency; one ``CallResult`` per record."""
        ...

    def create(self, module: str, attributes: Mapping[str, Any], *,
               record_id: str | None = None) -> Any:
        """Create one record (``record_id`` chooses its id)."""
        ...

    def relationships(self, module: str, record_id: str, link: str, *,
                      related_module: str | None = None,
                      page_size: int | None = None) -> Iterator[list[Any]]:
        """Pages of the records linked to one record through ``link``."""
        ...

    def relate_call(self, module: str, record_id: str, related_module: str, related_id: str,
                    *, link: str | None = None) -> Call:
        """The POST that links two records."""
        ...

    def unrelate_call(self, module: str, record_id: str, link: str, related_id: str) -> Call:
        """The DELETE that unlinks two records."""
        ...

    def send_many(self, calls: Sequence[Call], *, stop: threading.Event | None = None,
                  on_result: ResultCallback | None = None) -> list[CallResult]:
        """Prepared calls with bounded concurrency; one ``CallResult`` per call."""
        ...


class Destination(Protocol):
    """Takes the changes of one module (or target list memberships); returns one
    ``CallResult`` per record."""

    dry_run: bool

    def write(self, module: str, changes: Sequence[RecordChange], *,
              stop: threading.Event | None = None,
              on_result: ResultCallback | None = None) -> list[CallResult]:
        """Write ``changes``; the results line up with them and reach ``on_result`` as they
        arrive. ``stop`` ends the batch early (the results say what was not sent)."""
        ...

    def change_memberships(self, changes: Sequence[MembershipChange], *,
                           stop: threading.Event | None = None,
                           on_result: ResultCallback | None = None) -> list[CallResult]:
        """Add or remove target list members, one relationship call each."""
        ...


class CRMDestination:
    """Sends each record's changed fields in one PATCH, through the connector."""

    dry_run = False

    def __init__(self, client: CRMClient) -> None:
        self.client = client

    def write(self, module: str, changes: Sequence[RecordChange], *,
              stop: threading.Event | None = None,
              on_result: ResultCallback | None = None) -> list[CallResult]:
        """PATCH every record of ``changes`` with its changed attributes only."""
        if not changes:
            return []
        return self.client.update_many(
            module, [(change.record_id, change.attributes()) for change in changes],
            stop=stop, on_result=on_result)

    def change_memberships(self, changes: Sequence[MembershipChange], *,
                           stop: threading.Event | None = None,
                           on_result: ResultCallback | None = None) -> list[CallResult]:
        """POST each addition to the list's link, DELETE each removal."""
        calls = [self.client.relate_call(LIST_MODULE, c.list_id, c.module, c.record_id,
                                         link=c.link) if c.add else
                 self.client.unrelate_call(LIST_MODULE, c.list_id, c.link, c.record_id)
                 for c in changes]
        return self.client.send_many(calls, stop=stop, on_result=on_result) if calls else []


class DryRunDestination:
    """Records the plan instead of sending it."""

    dry_run = True

    def __init__(self) -> None:
        self.planned: list[RecordChange] = []
        self.planned_memberships: list[MembershipChange] = []

    def write(self, module: str, changes: Sequence[RecordChange], *,
              stop: threading.Event | None = None,
              on_result: ResultCallback | None = None) -> list[CallResult]:
        """Keep ``changes``; nothing is sent."""
        self.planned.extend(changes)
        return [CallResult(CallStatus.ANSWERED)] * len(changes)

    def change_memberships(self, changes: Sequence[MembershipChange], *,
                           stop: threading.Event | None = None,
                           on_result: ResultCallback | None = None) -> list[CallResult]:
        """Keep ``changes``; nothing is sent."""
        self.planned_memberships.extend(changes)
        return [CallResult(CallStatus.ANSWERED)] * len(changes)
