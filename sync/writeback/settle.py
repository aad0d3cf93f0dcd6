"""Settling intents whose answer was never read: read the records back and look.

A pending intent is ``written`` when the CRM holds its new value now and ``dropped`` when
it holds anything else (the old value: the write never arrived; another value: whatever we
may have written is gone). A record the CRM no longer has drops its intents; one that
cannot be read now stays pending for the next push, undo or sync. A target list membership
is settled by the list's members now (``sync.writeback.membership``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from connectors.errors import ConnectorError, RecordError
from sync.store.writes import WriteRow, WriteState
from sync.writeback.audit import AuditLog
from sync.writeback.destination import CRMClient
from sync.writeback.fieldspec import FieldSpec
from sync.writeback.membership import MEMBER, list_id_of
from sync.writeback.reading import read_members
from sync.writeback.values import comparable

__all__ = ["Settlement", "is_gone", "settle_rows"]

log = logging.getLogger(__name__)


@dataclass
class Settlement:
    """What reading back found: rows now ``written``, ``dropped``, or still pending."""

    written: list[WriteRow] = field(default_factory=list)
    dropped: list[WriteRow] = field(default_factory=list)
    unsettled: list[WriteRow] = field(default_factory=list)


def is_gone(error: RecordError) -> bool:
    """Whether a record error says the record is not there (deleted, never was)."""
    return "not found" in (error.detail or "").lower() or error.status == 404


def _settle_memberships(list_id: str, module: str, rows: Sequence[WriteRow], *,
                        client: CRMClient, audit: AuditLog, result: Settlement) -> None:
    """Settle membership rows of one list by its members now."""
    try:
        members = read_members(client, list_id, module)
    except RecordError as error:
        if not is_gone(error):
            result.unsettled.extend(rows)
            return
        members = set()
    except ConnectorError:
        result.unsettled.extend(rows)
        return
    written = [row for row in rows if (row.record_id in members) == (row.new == MEMBER)]
    dropped = [row for row in rows if row not in written]
    audit.settle_rows([row.seq for row in written], WriteState.WRITTEN)
    audit.settle_rows([row.seq for row in dropped], WriteState.DROPPED)
    result.written += written
    result.dropped += dropped


def settle_rows(rows: Sequence[WriteRow], *, client: CRMClient, audit: AuditLog,
                specs: Sequence[FieldSpec]) -> Settlement:
    """Read back the records of pending ``rows`` and settle each row (committed per module)."""
    result = Settlement()
    known = {(spec.module, spec.name): spec for spec in specs}
    records: dict[tuple[str, str], list[WriteRow]] = {}
    memberships: dict[tuple[str, str], list[WriteRow]] = {}
    for row in rows:
        list_id = list_id_of(row.field)
        if list_id is not None:
            memberships.setdefault((list_id, row.module), []).append(row)
        else:
            records.setdefault((row.module, row.record_id), []).append(row)
    for (list_id, module), group in memberships.items():
        _settle_memberships(list_id, module, group, client=client, audit=audit, result=result)
    for module in dict.fromkeys(module for module, _ in records):
        ids = [record_id for m, record_id in records if m == module]
        fields = sorted({row.field for (m, _), group in records.items() if m == module
                         for row in group})
        written: list[WriteRow] = []
        dropped: list[WriteRow] = []
        for record_id, record in zip(ids, client.get_many(module, ids, fields=fields),
                                     strict=True):
            group = records[(module, record_id)]
            if isinstance(record, RecordError):
                (dropped if is_gone(record) else result.unsettled).extend(group)
                continue
            for row in group:
                spec = known.get((module, row.field)) or FieldSpec.bare(row.field,
                                                                         module=module)
                holds = comparable(record.attributes.get(row.field), spec)
                (written if holds == comparable(row.new, spec) else dropped).append(row)
        audit.settle_rows([row.seq for row in written], WriteState.WRITTEN)
        audit.settle_rows([row.seq for row in dropped], WriteState.DROPPED)
        result.written += written
        result.dropped += dropped
    if rows:
        log.info("settled %d pending writes: %d written, %d dropped, %d still unknown",
                 len(rows), len(result.written), len(result.dropped), len(result.unsettled))
    return result
