"""Undo a run: restore the old values, but only where the field still holds what we wrote.

A field that someone (a user, or a later run) changed since is never overwritten; it is listed
as a conflict with the value it holds now. A field that already holds its old value (restored
by an undo that was interrupted, or by hand) is left alone and is no conflict. The restoring
writes are audited ahead like a push's, as a run of their own, so an undo can be undone too
and a killed undo can be run again. Target list memberships are undone the same way: a member
the run added is removed if it is still there, one it removed is added back if still absent.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from connectors.errors import RecordError
from sync.errors import StateError
from sync.writeback.audit import AuditEntry, AuditLog
from sync.writeback.destination import CRMClient, Destination
from sync.writeback.fieldspec import FieldSpec
from sync.writeback.membership import MEMBER, NOT_MEMBER, MembershipChange, list_id_of
from sync.writeback.plan import FieldChange, RecordChange, Rejection, wire_of
from sync.writeback.push import DATE_MODIFIED, PushReport, keep_date_modified, send_changes
from sync.writeback.reading import read_members, read_records
from sync.writeback.target_lists import send_memberships
from sync.writeback.values import WireValue, comparable

__all__ = ["Conflict", "UndoReport", "undo_run"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Conflict:
    """A field changed since the run wrote it: left as it is."""

    module: str
    record_id: str
    field: str
    written: WireValue
    current: WireValue
    by_run: str | None = None


@dataclass
class UndoReport(PushReport):
    """A push report of the restoring writes, plus the fields left alone."""

    undone_run: str = ""
    conflicts: list[Conflict] = field(default_factory=list)
    already_restored: int = 0

    def summary(self) -> dict[str, object]:
        """Counts for people and --json."""
        return {**super().summary(), "undone_run": self.undone_run,
                "conflicts": len(self.conflicts), "already_restored": self.already_restored}


def undo_run(
    run_id: str,
    specs: Sequence[FieldSpec],
    *,
    client: CRMClient,
    destination: Destination,
    audit: AuditLog,
    new_run_id: str,
    preserve_date_modified: bool = False,
    stop: threading.Event | None = None,
    module_sizes: Mapping[str, int] | None = None,
    page_size: int = 500,
    list_names: Mapping[str, str] | None = None,
) -> UndoReport:
    """Restore what ``run_id`` overwrote where its values are still in place.

    The records are read back by pages of ``page_size`` where that takes fewer requests than
    one GET each (``module_sizes``: the records each module holds, as the store knows them).
    ``list_names`` (target list id -> name) names the lists in the report.
    """
    entries = audit.writes_of(run_id)
    if not entries:
        raise StateError(f"run {run_id!r} wrote nothing that could be undone",
                         hint="suitepulse undo --list shows the runs that wrote to the CRM")
    report = UndoReport(run_id=new_run_id, dry_run=destination.dry_run, undone_run=run_id)
    later = audit.later_writes(entries)
    known = {(spec.module, spec.name): spec for spec in specs}
    records: dict[tuple[str, str], list[AuditEntry]] = {}
    memberships: dict[tuple[str, str], list[AuditEntry]] = {}
    for entry in entries:
        list_id = list_id_of(entry.field)
        if list_id is not None:
            memberships.setdefault((list_id, entry.module), []).append(entry)
        else:
            records.setdefault((entry.module, entry.record_id), []).append(entry)
    for module in dict.fromkeys(module for module, _ in records):
        ids = [record_id for m, record_id in records if m == module]
        fields = sorted({e.field for m, r in records if m == module for e in records[(m, r)]})
        if preserve_date_modified:
            fields.append(DATE_MODIFIED)
        changes: list[RecordChange] = []
        current = read_records(client, module, ids, fields, page_size=page_size,
                               module_size=(module_sizes or {}).get(module))
        for record_id, record in zip(ids, current, strict=True):
            report.compared += 1
            if isinstance(record, RecordError):
                report.rejected.append(Rejection(
                    module, record_id, f"cannot read it: {record.reason}: {record.detail}"))
                continue
            change = _restore(records[(module, record_id)], record.attributes, known, later,
                              report)
            if change is not None and preserve_date_modified:
                change = RecordChange(module, record_id, change.changes,
                                      keep_date_modified(record.attributes))
            if change is not None:
                changes.append(change)
        if stop is not None and stop.is_set():
            report.interrupted = True
            break
        if not send_changes(module, changes, client=client, destination=destination,
                            audit=audit, report=report, specs=specs, stop=stop):
            break
    for (list_id, module), group in memberships.items():
        if report.interrupted or report.errors or report.not_sent:
            break
        members = read_members(client, list_id, module, page_size=page_size)
        restores = _restore_memberships(list_id, (list_names or {}).get(list_id, list_id),
                                        module, group, members, later, report)
        if not send_memberships(restores, client=client, destination=destination,
                                audit=audit, report=report, page_size=page_size, stop=stop):
            break
    log.info("undo of %s: %d fields restored, %d left as changed since",
             run_id, report.fields_written, len(report.conflicts))
    return report


def _restore(
    entries: list[AuditEntry],
    current: Mapping[str, object],
    known: Mapping[tuple[str, str], FieldSpec],
    later: Mapping[tuple[str, str, str], str],
    report: UndoReport,
) -> RecordChange | None:
    first_old: dict[str, WireValue] = {}
    last_new: dict[str, WireValue] = {}
    for entry in entries:
        first_old.setdefault(entry.field, entry.old)
        last_new[entry.field] = entry.new
    first = entries[0]
    restored = []
    for name, written in last_new.items():
        spec = known.get((first.module, name)) or FieldSpec.bare(name, module=first.module)
        now = current.get(name)
        if comparable(now, spec) == comparable(first_old[name], spec):
            report.already_restored += 1
            continue
        if comparable(now, spec) != comparable(written, spec):
            report.conflicts.append(Conflict(
                first.module, first.record_id, name, written,
                wire_of(now, spec),
                later.get((first.module, first.record_id, name))))
            continue
        restored.append(FieldChange(name, wire_of(now, spec), first_old[name]))
    return RecordChange(first.module, first.record_id, tuple(restored)) if restored else None


def _restore_memberships(
    list_id: str,
    list_name: str,
    module: str,
    entries: list[AuditEntry],
    members: set[str],
    later: Mapping[tuple[str, str, str], str],
    report: UndoReport,
) -> list[MembershipChange]:
    """The membership changes that put one list back where the run found it."""
    first_old: dict[str, WireValue] = {}
    last_new: dict[str, tuple[AuditEntry, WireValue]] = {}
    for entry in entries:
        first_old.setdefault(entry.record_id, entry.old)
        last_new[entry.record_id] = (entry, entry.new)
    restores: list[MembershipChange] = []
    for record_id, (entry, written) in last_new.items():
        report.compared += 1
        now = MEMBER if record_id in members else NOT_MEMBER
        if now == first_old[record_id]:
            report.already_restored += 1
        elif now != written:
            report.conflicts.append(Conflict(module, record_id, entry.field, written, now,
                                             later.get((module, record_id, entry.field))))
        else:
            restores.append(MembershipChange(list_name, list_id, module, record_id,
                                             add=first_old[record_id] == MEMBER))
    return restores
