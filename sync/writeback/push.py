"""Push: read what the CRM holds, plan the diff, write only what changed, audit every write.

The CRM's current values are read page by page with sparse fields (only the mapped fields),
each page is planned and its changed records are sent (one PATCH per record, only the changed
fields, bounded concurrency in the connector). A record the server refuses is reported with its
reason and skipped; the rest goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sync.settings import FieldType
from sync.writeback.audit import AuditLog
from sync.writeback.destination import CRMClient, Destination
from sync.writeback.fieldspec import FieldSpec
from sync.writeback.plan import RecordChange, Rejection, plan_changes
from sync.writeback.values import WireValue, to_wire

__all__ = [
    "DATE_MODIFIED",
    "PushReport",
    "by_module",
    "keep_date_modified",
    "push_traits",
    "send_changes",
]

log = logging.getLogger(__name__)

DATE_MODIFIED = "date_modified"
_DATE_MODIFIED_SPEC = FieldSpec.bare(DATE_MODIFIED, FieldType.DATETIME)


@dataclass
class PushReport:
    """What a push compared, changed, wrote and could not write."""

    run_id: str
    dry_run: bool
    compared: int = 0
    changes: list[RecordChange] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def records_written(self) -> int:
        """Records changed (or, in a dry run, that would be)."""
        return len(self.changes)

    @property
    def fields_written(self) -> int:
        """Fields changed (or that would be)."""
        return sum(len(change.changes) for change in self.changes)

    @property
    def partial(self) -> bool:
        """Whether some records or values were rejected."""
        return bool(self.rejected)

    def summary(self) -> dict[str, object]:
        """Counts for people and --json."""
        return {
            "run_id": self.run_id, "dry_run": self.dry_run, "compared": self.compared,
            "records_changed": self.records_written, "fields_changed": self.fields_written,
            "rejected": len(self.rejected),
        }


def by_module(specs: Iterable[FieldSpec]) -> dict[str, list[FieldSpec]]:
    """Specs grouped by module, in mapping order."""
    grouped: dict[str, list[FieldSpec]] = {}
    for spec in specs:
        grouped.setdefault(spec.module, []).append(spec)
    return grouped


def push_traits(
    specs: Sequence[FieldSpec],
    traits: Mapping[str, Mapping[str, object]],
    *,
    client: CRMClient,
    destination: Destination,
    audit: AuditLog | None,
    run_id: str,
    page_size: int = 500,
    preserve_date_modified: bool = False,
) -> PushReport:
    """Bring the mapped CRM fields up to ``traits`` (record id -> trait -> value)."""
    report = PushReport(run_id=run_id, dry_run=destination.dry_run)
    for module, module_specs in by_module(specs).items():
        fields = [spec.name for spec in module_specs]
        if preserve_date_modified:
            fields.append(DATE_MODIFIED)
        for page in client.iter_pages(module, fields=fields, page_size=page_size):
            current = [(record.id, record.attributes) for record in page]
            extra = ({record_id: keep_date_modified(values) for record_id, values in current}
                     if preserve_date_modified else None)
            plan = plan_changes(module_specs, current, traits, extra=extra)
            report.compared += plan.compared
            report.rejected.extend(plan.rejected)
            send_changes(module, plan.changes, destination=destination, audit=audit,
                         report=report)
    log.info("push %s: %d compared, %d records changed, %d rejected", run_id,
             report.compared, report.records_written, len(report.rejected))
    return report


def send_changes(
    module: str,
    changes: Sequence[RecordChange],
    *,
    destination: Destination,
    audit: AuditLog | None,
    report: PushReport,
) -> None:
    """Write ``changes``; audit those written, add the refused ones to ``report.rejected``."""
    results = destination.write(module, changes)
    written = []
    for change, error in zip(changes, results, strict=True):
        if error is None:
            written.append(change)
        else:
            reason = error.reason if not error.detail else f"{error.reason}: {error.detail}"
            report.rejected.append(Rejection(module, change.record_id, reason))
    report.changes.extend(written)
    if audit is not None and not destination.dry_run:
        audit.record(report.run_id, written)


def keep_date_modified(values: Mapping[str, object]) -> dict[str, WireValue]:
    """The record's shown date_modified in the form that keeps it (FACTS.md section 7)."""
    shown = to_wire(values.get(DATE_MODIFIED), _DATE_MODIFIED_SPEC, strict=False)
    return {DATE_MODIFIED: shown} if shown != "" else {}
