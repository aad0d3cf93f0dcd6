"""Push of target lists: one SuiteCRM target list per mapped segment, its members kept equal.

For each list of ``writeback.target_lists``: find it (the store knows the lists SuitePulse
made, by name and id), create it when missing, read its members, plan the additions and
removals (``sync.writeback.membership``) and send one relationship call per change.

Invariants:

- A list SuitePulse did not create is never touched: a list of the same name that the store
  does not know is reported as rejected, and nothing is sent to it.
- A list's id is saved before its create is sent (the create sends that id), so a lost answer
  never makes a second list.
- Every membership change is committed as an intent before its call is sent and settled by
  its answer; a refused or unreadable answer is settled by reading the members back.
- A second push with unchanged segments sends no relationship call.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from connectors.errors import ConnectorError, RecordError
from connectors.suitecrm.filters import Condition, Filter
from connectors.suitecrm.outcomes import CallResult, CallStatus
from sync.settings import TargetListPolicy
from sync.store.target_lists import ListBook, TargetListRow
from sync.store.writes import WriteState
from sync.writeback.audit import AuditLog
from sync.writeback.destination import CRMClient, Destination
from sync.writeback.membership import (
    LIST_MODULE,
    MembershipChange,
    membership_field,
    plan_memberships,
)
from sync.writeback.plan import Rejection
from sync.writeback.push import PushReport, note_not_sent
from sync.writeback.reading import read_members
from sync.writeback.settle import is_gone
from sync.writeback.target_list_specs import TargetListSpec

__all__ = ["push_target_lists", "send_memberships"]

log = logging.getLogger(__name__)

_NEW_LIST = ""  # the id of a list a dry run would create


def push_target_lists(
    lists: Sequence[TargetListSpec],
    traits: Mapping[str, Mapping[str, object]],
    *,
    client: CRMClient,
    destination: Destination,
    audit: AuditLog,
    book: ListBook,
    report: PushReport,
    client_name: str,
    policy: TargetListPolicy,
    page_size: int = 500,
    stop: threading.Event | None = None,
) -> None:
    """Bring every list's members to its segment of ``traits`` (record id -> traits)."""
    known = book.known()
    for spec in lists:
        if stop is not None and stop.is_set():
            report.interrupted = True
            return
        try:
            ensured = _ensure_list(spec, known.get(spec.name), client=client,
                                   destination=destination, book=book, report=report,
                                   client_name=client_name, policy=policy)
            if ensured is None:
                continue
            list_id, created = ensured
            # a list created by this push has no members yet: nothing to read
            members = (set() if created else
                       read_members(client, list_id, spec.module, page_size=page_size))
        except ConnectorError as error:
            report.errors.append(f"target list {spec.name!r}: {error}")
            return
        segment = {record_id for record_id, values in traits.items()
                   if spec.segment.holds(values)}
        ours = audit.last_written_to(spec.module, membership_field(list_id)) if list_id else {}
        changes = plan_memberships(spec.name, list_id, spec.module, segment=segment,
                                   members=members, ours=ours, policy=policy)
        if not send_memberships(changes, client=client, destination=destination, audit=audit,
                                report=report, page_size=page_size, stop=stop):
            return


def _description(spec: TargetListSpec, client_name: str, policy: TargetListPolicy) -> str:
    kept = ("Each push makes it equal to the segment." if policy is TargetListPolicy.MIRROR
            else "Members added by hand are kept.")
    return (f"Maintained by SuitePulse for {client_name} since {datetime.now(UTC):%Y-%m-%d}: "
            f"the customers in {spec.segment.text}, updated by each push. {kept}")


def _ensure_list(spec: TargetListSpec, row: TargetListRow | None, *, client: CRMClient,
                 destination: Destination, book: ListBook, report: PushReport,
                 client_name: str, policy: TargetListPolicy) -> tuple[str, bool] | None:
    """The list's id (``_NEW_LIST`` when a dry run would create it) and whether this push
    created it; None: leave it."""
    if row is not None:
        found = client.get_many(LIST_MODULE, [row.crm_id], fields=["name"])[0]
        if not isinstance(found, RecordError):
            if row.created_at is None and not destination.dry_run:
                book.confirm(spec.name)
            return row.crm_id, False
        if not is_gone(found):
            report.rejected.append(Rejection(LIST_MODULE, row.crm_id,
                                             f"target list {spec.name!r}: cannot read it: "
                                             f"{found.reason}"))
            return None
        log.info("target list %r (%s) is not in the CRM: creating it", spec.name, row.crm_id)
    else:
        same_name = next(iter(client.iter_pages(
            LIST_MODULE, fields=["name"], filter=Filter.all(Condition("name", "eq", spec.name)),
            page_size=1)), [])
        if same_name:
            report.rejected.append(Rejection(
                LIST_MODULE, same_name[0].id,
                f"a target list named {spec.name!r} exists that SuitePulse did not create: "
                f"left alone; map the segment to another name"))
            return None
    if destination.dry_run:
        report.lists_created.append(spec.name)
        return _NEW_LIST, True
    # a list never confirmed keeps its id (its create may have arrived); a deleted one gets
    # a new id (SuiteCRM keeps deleted rows, so their id cannot be used again)
    list_id = row.crm_id if row is not None and row.created_at is None else str(uuid.uuid4())
    book.save(TargetListRow(spec.name, list_id, spec.module, spec.segment.key))
    client.create(LIST_MODULE, {"name": spec.name, "list_type": "default",
                                "description": _description(spec, client_name, policy)},
                  record_id=list_id)
    book.confirm(spec.name)
    report.lists_created.append(spec.name)
    return list_id, True


def send_memberships(
    changes: Sequence[MembershipChange],
    *,
    client: CRMClient,
    destination: Destination,
    audit: AuditLog,
    report: PushReport,
    page_size: int = 500,
    stop: threading.Event | None = None,
) -> bool:
    """Send ``changes`` audited ahead; returns False when the batch ended early.

    A refused or unreadable answer is settled by reading the list's members back: a change
    the list shows was made (by this call, or by an attempt whose answer was lost) is written.
    """
    if not changes:
        return True
    audited = not destination.dry_run
    if audited:
        audit.intend(report.run_id, [change.record_change() for change in changes])

    def settle(index: int, result: CallResult) -> None:
        state = {CallStatus.ANSWERED: WriteState.WRITTEN,
                 CallStatus.NOT_DONE: WriteState.DROPPED}.get(result.status)
        if audited and state is not None:
            _settle(audit, report.run_id, changes[index], state)

    results = destination.change_memberships(changes, stop=stop, on_result=settle)
    uncertain: list[tuple[MembershipChange, CallResult]] = []
    ended = False
    for change, result in zip(changes, results, strict=True):
        if result.status is CallStatus.ANSWERED:
            report.memberships.append(change)
        elif result.status in (CallStatus.REFUSED, CallStatus.UNKNOWN):
            uncertain.append((change, result))
        else:
            ended = True
            note_not_sent(report, result, stop)
    if uncertain and audited:
        _read_back(uncertain, client=client, audit=audit, report=report, page_size=page_size)
    if ended and stop is not None and stop.is_set():
        report.interrupted = True
    return not ended


def _settle(audit: AuditLog, run_id: str, change: MembershipChange, state: WriteState) -> None:
    audit.settle_field(run_id, change.module, change.record_id,
                       membership_field(change.list_id), state)


def _read_back(uncertain: Sequence[tuple[MembershipChange, CallResult]], *, client: CRMClient,
               audit: AuditLog, report: PushReport, page_size: int) -> None:
    """Settle the uncertain changes of one list by its members now."""
    first = uncertain[0][0]
    try:
        members = read_members(client, first.list_id, first.module, page_size=page_size)
    except ConnectorError:
        for change, _ in uncertain:
            report.failed.append(Rejection(change.module, change.record_id,
                                           f"target list {change.list_name!r}: the answer "
                                           f"could not be read and the list cannot be read "
                                           f"back now; the next push settles it"))
        return
    for change, result in uncertain:
        if (change.record_id in members) == change.add:
            _settle(audit, report.run_id, change, WriteState.WRITTEN)
            report.memberships.append(change)
        elif result.status is CallStatus.REFUSED:
            _settle(audit, report.run_id, change, WriteState.REFUSED)
            report.rejected.append(Rejection(change.module, change.record_id,
                                             f"target list {change.list_name!r}: "
                                             f"{result.reason}"))
        else:
            _settle(audit, report.run_id, change, WriteState.DROPPED)
            report.failed.append(Rejection(change.module, change.record_id,
                                           f"target list {change.list_name!r}: the answer "
                                           f"could not be read and the list does not show "
                                           f"the change: not written"))
