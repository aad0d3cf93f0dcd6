"""Target list membership as write-back plans it: one change per record added or removed. Pure.

A membership is audited like a field: module and record of the member, the field
``prospect_lists:<list id>``, old and new value ``"1"`` (member) or ``"0"``. So ``undo``,
``undo --list`` and the write-ahead rules of ``sync.store.writes`` hold for it unchanged.

Planning (``plan_memberships``): every customer of the segment who is not a member is added;
a member who left the segment is removed when SuitePulse added it (its last audited value
for the list is ``"1"``), or under ``mirror`` whoever added it. Nobody else is touched.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from sync.settings import TargetListPolicy
from sync.writeback.plan import FieldChange, RecordChange

__all__ = ["LIST_LINKS", "LIST_MODULE", "MEMBER", "MEMBERSHIP_PREFIX", "NOT_MEMBER",
           "MembershipChange", "list_id_of", "membership_field", "plan_memberships"]

LIST_MODULE = "ProspectLists"
#: The link of a target list to its members, by the members' module (ProspectLists vardefs).
LIST_LINKS = {"Contacts": "contacts", "Accounts": "accounts", "Leads": "leads"}
MEMBERSHIP_PREFIX = "prospect_lists:"
MEMBER, NOT_MEMBER = "1", "0"


def membership_field(list_id: str) -> str:
    """The audit field of membership in one list."""
    return f"{MEMBERSHIP_PREFIX}{list_id}"


def list_id_of(field: str) -> str | None:
    """The list id of a membership field; None for an ordinary field."""
    return field[len(MEMBERSHIP_PREFIX):] if field.startswith(MEMBERSHIP_PREFIX) else None


@dataclass(frozen=True)
class MembershipChange:
    """One record added to (``add``) or removed from one target list."""

    list_name: str
    list_id: str
    module: str
    record_id: str
    add: bool

    @property
    def link(self) -> str:
        """The list's link to records of ``module``."""
        return LIST_LINKS[self.module]

    def record_change(self) -> RecordChange:
        """The change as the audit log keeps it."""
        old, new = (NOT_MEMBER, MEMBER) if self.add else (MEMBER, NOT_MEMBER)
        return RecordChange(self.module, self.record_id,
                            (FieldChange(membership_field(self.list_id), old, new),))


def plan_memberships(
    list_name: str,
    list_id: str,
    module: str,
    *,
    segment: Collection[str],
    members: Collection[str],
    ours: Mapping[str, object],
    policy: TargetListPolicy,
) -> list[MembershipChange]:
    """The additions, then the removals, that bring a list's ``members`` to ``segment``.

    ``ours`` maps record ids to the last membership value SuitePulse wrote for this list.
    """
    wanted, present = set(segment), set(members)
    added = sorted(wanted - present)
    leaving = sorted(present - wanted)
    if policy is TargetListPolicy.KEEP_MANUAL:
        leaving = [record_id for record_id in leaving if ours.get(record_id) == MEMBER]
    return ([MembershipChange(list_name, list_id, module, record_id, True)
             for record_id in added]
            + [MembershipChange(list_name, list_id, module, record_id, False)
               for record_id in leaving])
