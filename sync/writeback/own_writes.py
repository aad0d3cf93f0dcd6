"""Recognising records that changed only because write-back wrote to them.

Our PATCH bumps ``date_modified``, so the next sync pulls the record again. If everything that
differs from the stored copy is bookkeeping (``date_modified``, the modifying user) or a mapped
field now holding exactly what the audit log says we last wrote, the change is ours: it is not
customer activity and must not start another round of writes.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from sync.config import ClientConfig
from sync.errors import ConfigError
from sync.store import Connection
from sync.store.records import OwnWriteCheck
from sync.writeback.audit import last_written
from sync.writeback.fieldspec import FieldSpec, specs_for
from sync.writeback.values import WireValue, comparable

__all__ = [
    "BOOKKEEPING_FIELDS",
    "OwnWriteFilter",
    "OwnWrites",
    "changed_fields",
    "only_own_writes",
    "own_write_check",
]

log = logging.getLogger(__name__)

BOOKKEEPING_FIELDS = frozenset({"date_modified", "modified_user_id", "modified_by_name"})


def changed_fields(before: Mapping[str, object], after: Mapping[str, object]) -> set[str]:
    """Attribute names whose values differ (missing counts as empty), bookkeeping left out."""
    names = (set(before) | set(after)) - BOOKKEEPING_FIELDS
    return {name for name in names
            if _blank(before.get(name)) != _blank(after.get(name))}


def only_own_writes(
    before: Mapping[str, object],
    after: Mapping[str, object],
    written: Mapping[str, WireValue],
    specs: Mapping[str, FieldSpec] | None = None,
) -> bool:
    """Whether ``after`` differs from ``before`` only in fields holding what we ``written``.

    ``written`` maps field names to the value we last wrote there (``AuditLog.last_written``);
    ``specs`` (by field name) give the precision to compare at. A record with no change at
    all outside bookkeeping also counts as ours only if we wrote to it.
    """
    if not written:
        return False
    for name in changed_fields(before, after):
        if name not in written:
            return False
        spec = (specs or {}).get(name) or FieldSpec.bare(name)
        if comparable(after.get(name), spec) != comparable(written[name], spec):
            return False
    return True


class OwnWriteFilter:
    """Tells a sync which pulled records of one module changed only by our writes."""

    def __init__(self, module: str, specs: Sequence[FieldSpec],
                 last_written: Mapping[tuple[str, str], WireValue]) -> None:
        self.module = module
        self.specs = {spec.name: spec for spec in specs if spec.module == module}
        self._written: dict[str, dict[str, WireValue]] = {}
        for (record_id, field), value in last_written.items():
            self._written.setdefault(record_id, {})[field] = value

    def is_own_write(self, record_id: str, before: Mapping[str, object],
                     after: Mapping[str, object]) -> bool:
        """Whether this record's change is only ours."""
        written = self._written.get(record_id)
        return bool(written) and only_own_writes(before, after, written or {}, self.specs)


def _blank(value: object) -> object:
    return None if value in ("", None) else value


class OwnWrites:
    """For a sync: which changed records of a page changed only by our writes."""

    def __init__(self, specs: Sequence[FieldSpec]) -> None:
        self.specs = list(specs)
        self.modules = {spec.module for spec in specs}

    def recognise(
        self,
        connection: Connection,
        module: str,
        changed: Sequence[tuple[str, Mapping[str, object], Mapping[str, object]]],
    ) -> set[str]:
        """Ids among ``changed`` (id, stored attributes, pulled attributes) that are ours."""
        if module not in self.modules or not changed:
            return set()
        written = last_written(connection, module, [record_id for record_id, _, _ in changed])
        if not written:
            return set()
        own = OwnWriteFilter(module, self.specs, written)
        return {record_id for record_id, before, after in changed
                if own.is_own_write(record_id, before, after)}


def own_write_check(config: ClientConfig) -> OwnWriteCheck | None:
    """What a sync of ``config``'s client uses to recognise our own writes (None: nothing
    is mapped, or the mapping cannot be read, which is logged)."""
    if not config.writeback.fields:
        return None
    try:
        return OwnWrites(specs_for(config)).recognise
    except ConfigError as error:
        log.warning("own writes cannot be recognised: %s", error)
        return None
