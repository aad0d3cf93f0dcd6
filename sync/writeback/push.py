"""Push: read what the CRM holds, plan the diff, write only what changed, audit every write.

The CRM's current values are read page by page with sparse fields (only the mapped fields),
each page is planned and its changed records are sent (one PATCH per record, only the changed
fields, bounded concurrency in the connector). A record the server refuses is reported with its
reason and skipped; the rest goes on.

Invariants: every field is committed as an intent before its PATCH is sent and settled by its
own answer as it arrives (``sync.store.writes``); a write whose answer cannot be read is read
back before the push ends; a stop request or a batch-ending failure sends nothing more, and
the requests in flight are recorded.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from connectors.suitecrm.outcomes import CallResult, CallStatus
from sync.run_summary import Outcome
from sync.settings import FieldType
from sync.store.writes import WriteState
from sync.writeback.audit import AuditLog
from sync.writeback.destination import CRMClient, Destination
from sync.writeback.fieldspec import FieldSpec
from sync.writeback.membership import MembershipChange
from sync.writeback.plan import RecordChange, Rejection, plan_changes
from sync.writeback.settle import settle_rows
from sync.writeback.values import WireValue, to_wire

__all__ = [
    "DATE_MODIFIED",
    "PushReport",
    "by_module",
    "keep_date_modified",
    "note_not_sent",
    "push_traits",
    "send_changes",
]

log = logging.getLogger(__name__)

DATE_MODIFIED = "date_modified"
_DATE_MODIFIED_SPEC = FieldSpec.bare(DATE_MODIFIED, FieldType.DATETIME)


@dataclass
class PushReport:
    """What a push compared, changed, wrote and could not write, and how it ended."""

    run_id: str
    dry_run: bool
    compared: int = 0
    changes: list[RecordChange] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    failed: list[Rejection] = field(default_factory=list)
    below_threshold: list[RecordChange] = field(default_factory=list)
    not_sent: int = 0
    interrupted: bool = False
    errors: list[str] = field(default_factory=list)
    memberships: list[MembershipChange] = field(default_factory=list)
    lists_created: list[str] = field(default_factory=list)

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

    @property
    def outcome(self) -> Outcome:
        """interrupted (stopped on request), failed (a write failed or the batch ended),
        rejected (the server refused some records), or ok."""
        if self.interrupted:
            return Outcome.INTERRUPTED
        if self.failed or self.errors:
            return Outcome.FAILED
        return Outcome.REJECTED if self.rejected else Outcome.OK

    def summary(self) -> dict[str, object]:
        """Counts for people and --json."""
        return {
            "run_id": self.run_id, "dry_run": self.dry_run, "outcome": self.outcome.value,
            "compared": self.compared, "records_changed": self.records_written,
            "fields_changed": self.fields_written, "rejected": len(self.rejected),
            "failed": len(self.failed), "not_sent": self.not_sent, "errors": self.errors,
            "fields_below_threshold": sum(len(c.changes) for c in self.below_threshold),
            "members_added": sum(1 for m in self.memberships if m.add),
            "members_removed": sum(1 for m in self.memberships if not m.add),
            "target_lists_created": self.lists_created,
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
    stop: threading.Event | None = None,
) -> PushReport:
    """Bring the mapped CRM fields up to ``traits`` (record id -> trait -> value).

    ``stop`` ends the push after the requests in flight (the report says ``interrupted``);
    a batch-ending failure (authentication, retries exhausted) ends it after its page.
    """
    report = PushReport(run_id=run_id, dry_run=destination.dry_run)
    for module, module_specs in by_module(specs).items():
        fields = [spec.name for spec in module_specs]
        if preserve_date_modified:
            fields.append(DATE_MODIFIED)
        for page in client.iter_pages(module, fields=fields, page_size=page_size):
            if stop is not None and stop.is_set():
                report.interrupted = True
                break
            current = [(record.id, record.attributes) for record in page]
            extra = ({record_id: keep_date_modified(values) for record_id, values in current}
                     if preserve_date_modified else None)
            plan = plan_changes(module_specs, current, traits, extra=extra)
            report.compared += plan.compared
            report.rejected.extend(plan.rejected)
            report.below_threshold.extend(plan.below_threshold)
            if not send_changes(module, plan.changes, client=client, destination=destination,
                                audit=audit, report=report, specs=specs, stop=stop):
                break
        if report.interrupted or report.errors:
            break
    log.info("push %s: %d compared, %d records changed, %d rejected, %d failed, %s", run_id,
             report.compared, report.records_written, len(report.rejected), len(report.failed),
             report.outcome.value)
    return report


_SETTLED = {CallStatus.ANSWERED: WriteState.WRITTEN, CallStatus.REFUSED: WriteState.REFUSED,
            CallStatus.NOT_DONE: WriteState.DROPPED}


def send_changes(
    module: str,
    changes: Sequence[RecordChange],
    *,
    client: CRMClient,
    destination: Destination,
    audit: AuditLog | None,
    report: PushReport,
    specs: Sequence[FieldSpec] = (),
    stop: threading.Event | None = None,
) -> bool:
    """Write ``changes`` audited ahead; returns False when the batch ended early.

    The intents are committed before anything is sent; each answer settles its record's
    intents as it arrives; writes whose answer could not be read are read back at the end.
    """
    audited = audit is not None and not destination.dry_run
    if audited and audit is not None:
        audit.intend(report.run_id, changes)

    def settle(index: int, result: CallResult) -> None:
        state = _SETTLED.get(result.status)
        if audit is not None and audited and state is not None:
            audit.settle_record(report.run_id, module, changes[index].record_id, state)

    results = destination.write(module, changes, stop=stop, on_result=settle)
    unknown: list[RecordChange] = []
    ended = False
    for change, result in zip(changes, results, strict=True):
        if result.status is CallStatus.ANSWERED:
            report.changes.append(change)
        elif result.status is CallStatus.REFUSED:
            report.rejected.append(Rejection(module, change.record_id, result.reason))
        elif result.status is CallStatus.UNKNOWN:
            unknown.append(change)
        else:
            ended = True
            note_not_sent(report, result, stop)
    if unknown and audit is not None and audited:
        _read_back(module, unknown, client=client, audit=audit, report=report, specs=specs)
    if ended and stop is not None and stop.is_set():
        report.interrupted = True
    return not ended


def note_not_sent(report: PushReport, result: CallResult, stop: threading.Event | None) -> None:
    """Count a call the batch did not send, and keep the error that ended the batch once
    (a stop request is no error)."""
    report.not_sent += 1
    if result.error is not None and not (stop is not None and stop.is_set()):
        message = str(result.error)
        if message not in report.errors:
            report.errors.append(message)


def _read_back(module: str, unknown: Sequence[RecordChange], *, client: CRMClient,
               audit: AuditLog, report: PushReport, specs: Sequence[FieldSpec]) -> None:
    """Settle the writes whose answer could not be read by reading their records back."""
    ids = {change.record_id for change in unknown}
    rows = [row for row in audit.pending(report.run_id)
            if row.module == module and row.record_id in ids]
    settled = settle_rows(rows, client=client, audit=audit, specs=specs)
    written = {row.record_id for row in settled.written}
    unsure = {row.record_id for row in settled.unsettled}
    for change in unknown:
        if change.record_id in written:
            report.changes.append(change)
        elif change.record_id in unsure:
            report.failed.append(Rejection(module, change.record_id,
                                           "the answer could not be read and the record "
                                           "cannot be read back now; the next push settles it"))
        else:
            report.failed.append(Rejection(module, change.record_id,
                                           "the answer could not be read and the record does "
                                           "not hold the new values: not written"))

def keep_date_modified(values: Mapping[str, object]) -> dict[str, WireValue]:
    """The record's shown date_modified in the form that keeps it (FACTS.md section 7)."""
    shown = to_wire(values.get(DATE_MODIFIED), _DATE_MODIFIED_SPEC, strict=False)
    return {DATE_MODIFIED: shown} if shown != "" else {}
