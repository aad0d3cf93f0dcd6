"""Emptying a person's mapped CRM fields (``forget --clear-crm-fields``), audited like a push.

Each record is read back with its mapped fields; every field that holds a value is written
``""`` (only those), audited ahead by ``send_changes``. A record the CRM no longer has needs
nothing; one it will not show (no access) is reported as rejected.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from connectors.errors import RecordError
from sync.writeback.audit import AuditLog
from sync.writeback.destination import CRMClient, Destination
from sync.writeback.fieldspec import FieldSpec
from sync.writeback.plan import FieldChange, RecordChange, Rejection, wire_of
from sync.writeback.push import PushReport, by_module, send_changes
from sync.writeback.settle import is_gone

__all__ = ["clear_fields"]


def clear_fields(
    records: Sequence[tuple[str, str]],
    specs: Sequence[FieldSpec],
    *,
    client: CRMClient,
    destination: Destination,
    audit: AuditLog,
    run_id: str,
    stop: threading.Event | None = None,
) -> PushReport:
    """Write ``""`` into every mapped field of ``records`` (module, id) that holds a value."""
    report = PushReport(run_id=run_id, dry_run=destination.dry_run)
    for module, module_specs in by_module(specs).items():
        ids = [record_id for m, record_id in records if m == module]
        if not ids:
            continue
        fields = [spec.name for spec in module_specs]
        changes: list[RecordChange] = []
        for record_id, record in zip(ids, client.get_many(module, ids, fields=fields),
                                     strict=True):
            report.compared += 1
            if isinstance(record, RecordError):
                if is_gone(record):
                    continue
                report.rejected.append(Rejection(module, record_id,
                                                 f"cannot read it: {record.reason}"))
                continue
            cleared = tuple(
                FieldChange(spec.name, wire_of(record.attributes.get(spec.name), spec), "",
                            spec.trait)
                for spec in module_specs
                if wire_of(record.attributes.get(spec.name), spec) != "")
            if cleared:
                changes.append(RecordChange(module, record_id, cleared))
        if not send_changes(module, changes, client=client, destination=destination,
                            audit=audit, report=report, specs=specs, stop=stop):
            break
    return report
