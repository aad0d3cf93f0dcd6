"""A SuiteCRM module as a stream: keyset paging on ``date_modified``, id sweeps, id listing.

SuiteCRM shows ``date_modified`` cut to the minute, sorts by one key only, and page numbers
shift when records change while a run pages through them. So every request is page 1 of a
window that starts where the previous page ended (``date_modified >= last minute seen``):
records that change meanwhile move to the end and are read later, none is skipped. When a
whole page shares one minute, that minute is swept in id order (``id > last id``) before
moving on. Re-read records are recognised by their content hash in the store.

Only the fields something needs are requested (``sync.field_selection``): the stream checks
them against the module's fields (meta/fields) on its first read; a needed field the module
lacks is left out of the request with a warning naming module, field and reason.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sync.field_selection import FieldNeed, needed_fields, record_modules
from sync.streams.connections import Connections
from sync.streams.contract import Stream
from sync.streams.cursor import CursorValue
from sync.streams.source import Condition, RecordSource, SourceRecord, SuiteCRMSource

if TYPE_CHECKING:
    from sync.config import ClientConfig

__all__ = ["CURSOR_FIELD", "SuiteCRMStream", "floor_minute", "open_suitecrm", "record_modules",
           "suitecrm_streams"]

CURSOR_FIELD = "date_modified"
_MINUTE = timedelta(minutes=1)

log = logging.getLogger(__name__)


def floor_minute(value: datetime) -> datetime:
    """``value`` in UTC, seconds and below cut off (SuiteCRM's resolution)."""
    return value.astimezone(UTC).replace(second=0, microsecond=0)


def _modified(row: dict[str, Any]) -> datetime | None:
    value = row.get(CURSOR_FIELD)
    return floor_minute(value) if isinstance(value, datetime) else None


class SuiteCRMStream:
    """The records of one SuiteCRM module, read incrementally by ``date_modified``."""

    primary_key = "id"
    cursor_field = CURSOR_FIELD

    def __init__(self, source: RecordSource, module: str, *, page_size: int = 200,
                 fields: Sequence[str] | Mapping[str, FieldNeed] | None = None) -> None:
        """``fields``: the only fields requested (plus id and date_modified); a mapping
        (field -> why it is needed) is checked against the module's fields first; None
        requests every field."""
        self.source = source
        self.module = module
        self.name = module
        self.page_size = page_size
        self.needs: dict[str, FieldNeed] | None = None
        if isinstance(fields, Mapping):
            self.needs = dict(fields) or None
        elif fields:
            self.needs = {name: FieldNeed("requested") for name in fields}
        self.fields: list[str] | None = (
            sorted({*self.needs, CURSOR_FIELD}) if self.needs else None)
        self._types: dict[str, str] | None = None
        self._checked = False

    def _page(self, conditions: Sequence[Condition], sort: str,
              fields: Sequence[str] | None) -> list[SourceRecord]:
        return list(self.source.first_page(self.module, fields=fields, conditions=conditions,
                                           sort=sort, page_size=self.page_size))

    @staticmethod
    def _rows(page: Sequence[SourceRecord]) -> list[dict[str, Any]]:
        return [{**record.attributes, "id": record.id} for record in page]

    def _check_fields(self) -> None:
        """Leave the needed fields the module lacks out of the request, warning for each."""
        if self._checked or self.needs is None:
            return
        types = self.field_types()
        missing = [name for name in self.needs if name not in types and name != "id"]
        for name in missing:
            need = self.needs[name]
            if not need.if_present:
                log.warning("%s has no field %r, needed for %s: it is not pulled",
                            self.module, name, need.reason)
        self.fields = sorted({*(n for n in self.needs if n not in missing), CURSOR_FIELD})
        self._checked = True

    def read(self, since: CursorValue | None) -> Iterator[list[dict[str, Any]]]:
        """Pages in ``date_modified`` order from the minute of ``since`` on."""
        if since is not None and not isinstance(since, datetime):
            raise TypeError("a SuiteCRM stream's cursor is a datetime")
        self._check_fields()
        lower = floor_minute(since) if since is not None else None
        while True:
            conditions: list[Condition] = [(CURSOR_FIELD, "gte", lower)] if lower else []
            rows = self._rows(self._page(conditions, CURSOR_FIELD, self.fields))
            if not rows:
                return
            stamps = [stamp for row in rows if (stamp := _modified(row)) is not None]
            if not stamps:  # nothing to page on; the caller rejects these rows
                yield rows
                return
            first, last = stamps[0], stamps[-1]
            if len(rows) >= self.page_size and first == last:
                if len(stamps) < len(rows):  # the sweep's window leaves these out
                    yield [row for row in rows if _modified(row) is None]
                yield from self._sweep_minute(last)
                lower = last + _MINUTE
                continue
            yield rows
            if len(rows) < self.page_size:
                return
            lower = last

    def _sweep_minute(self, minute: datetime) -> Iterator[list[dict[str, Any]]]:
        """Every record modified within ``minute``, in id order."""
        after: str | None = None
        while True:
            conditions: list[Condition] = [(CURSOR_FIELD, "gte", minute),
                                           (CURSOR_FIELD, "lt", minute + _MINUTE)]
            if after is not None:
                conditions.append(("id", "gt", after))
            rows = self._rows(self._page(conditions, "id", self.fields))
            if not rows:
                return
            yield rows
            if len(rows) < self.page_size:
                return
            after = rows[-1]["id"]

    def list_ids(self) -> Iterator[list[str]]:
        """Pages of the ids of every (not deleted) record, in id order."""
        after: str | None = None
        while True:
            conditions: list[Condition] = [("id", "gt", after)] if after is not None else []
            page = self._page(conditions, "id", ["id"])
            if not page:
                return
            yield [record.id for record in page]
            if len(page) < self.page_size:
                return
            after = page[-1].id

    def field_types(self) -> dict[str, str]:
        """Field name -> SuiteCRM type, for typing the frames built from the store (asked
        once per stream)."""
        if self._types is None:
            self._types = self.source.field_types(self.module)
        return self._types


def suitecrm_streams(config: ClientConfig, source: RecordSource) -> list[Stream]:
    """One stream per pulled module of the client, over ``source``, each requesting only the
    fields something needs (``sync.field_selection.needed_fields``)."""
    needs = needed_fields(config)
    return [SuiteCRMStream(source, module, page_size=config.suitecrm.page_size,
                           fields=needs[module])
            for module in record_modules(config)]


@contextmanager
def open_suitecrm(config: ClientConfig, connections: Connections) -> Iterator[list[Stream]]:
    """The ``suitecrm`` source: a V8 client over ``connections.suitecrm``, closed on exit."""
    from connectors.suitecrm import SuiteCRMClient

    with SuiteCRMClient(config.suitecrm, transport=connections.suitecrm,
                        async_transport=connections.suitecrm_async) as client:
        yield suitecrm_streams(config, SuiteCRMSource(client))
