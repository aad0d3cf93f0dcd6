"""Incremental pull: every stream of a client into its store, one checkpoint per page.

Each page and the stream's cursor commit in one transaction, so a run killed anywhere and
started again ends with the same store as a run that was never interrupted. Reading starts
at the saved cursor minus the look-back window; re-read records are recognised by content.

Pull names no source and no stream class: the streams come from ``open_sources`` (the
registry), and what a stream can do besides being read is learned from its protocols
(``RecordStream`` or ``InteractionStream``, ``Typed``, ``Reconcilable``). Write-back's own
writes are recognised by the check the caller passes in (``sync.pipeline.sync``).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from connectors.errors import AuthError, ConnectorError, UnreachableError
from sync.alerts import run_alerts, send_alert
from sync.config import ClientConfig
from sync.errors import ConfigError, StateError
from sync.field_selection import person_modules
from sync.identity import IdentityRules
from sync.privacy import apply_retention
from sync.privacy_key import client_key
from sync.privacy_rows import without_clear_emails
from sync.reconcile import DeletionRefused, flag_unlisted, reconcile_due, reconcile_stream
from sync.run_summary import Outcome, RunSummary, StreamResult
from sync.store import Connection, PageCounts, Store
from sync.store.cursors import load_cursor, save_cursor
from sync.store.deletions import mark_listed
from sync.store.identities import index_identities, resolve_interactions
from sync.store.interactions import store_interactions
from sync.store.module_fields import save_field_types
from sync.store.records import OwnWriteCheck, store_records
from sync.store.runs import finish_run, start_run
from sync.store.types import utc_now
from sync.streams import (
    Connections,
    InteractionStream,
    Reconcilable,
    RecordStream,
    Stream,
    Typed,
    open_sources,
)
from sync.streams.cursor import CursorValue, decode_cursor, encode_cursor, later, rewind

__all__ = ["ProgressCallback", "person_modules", "sync_client"]

log = logging.getLogger(__name__)

ProgressCallback = Callable[[str, str, int], None]
"""Called after each committed page with (stream name, phase "pull"/"reconcile", records)."""


def sync_client(config: ClientConfig, *, connections: Connections | None = None,
                store: Store | None = None, full: bool = False,
                streams: Sequence[str] | None = None, stop: threading.Event | None = None,
                progress: ProgressCallback | None = None, trigger: str = "cli",
                own_writes: OwnWriteCheck | None = None, force: bool = False) -> RunSummary:
    """Pull the client's streams into its store; one run at a time per client.

    Every configured source is opened through ``connections`` (the real network by default).
    ``full`` reads everything again and reconciles deletions; ``streams`` limits the run to
    the named streams; ``stop`` ends the run after the current page's checkpoint;
    ``own_writes`` recognises records changed only by write-back (the pipeline passes it);
    ``force`` lets a deletion listing flag more than ``sync.max_deleted_share``.
    Raises ``StateError`` when another run of the client holds the lock.
    """
    own_store = store is None
    active = store if store is not None else Store.for_config(config)
    try:
        with active.lock(f"run:{config.client}", ttl_seconds=config.sync.lock_ttl_seconds), \
                open_sources(config, connections) as available:
            return _Run(config, active, own_writes, full=full, stop=stop, progress=progress,
                        trigger=trigger, force=force).execute(available, streams)
    except SQLAlchemyError as error:
        raise StateError(f"the state store failed: {type(error).__name__}",
                         hint="check the store's disk space and that the database runs") from None
    finally:
        if own_store:
            active.close()


class _Run:
    """One run: its streams, its summary and its history row."""

    def __init__(self, config: ClientConfig, store: Store, own_writes: OwnWriteCheck | None,
                 *, full: bool, stop: threading.Event | None,
                 progress: ProgressCallback | None, trigger: str, force: bool = False) -> None:
        self.config, self.store, self.own_writes = config, store, own_writes
        self.force = force
        self.stop = stop or threading.Event()
        self.progress = progress or (lambda _stream, _phase, _count: None)
        self.summary = RunSummary(run_id=str(uuid.uuid4()), client=config.client,
                                  started_at=utc_now(), full=full)
        self.trigger = trigger
        self.lookback = timedelta(seconds=config.sync.lookback_seconds)
        self.people = person_modules(config)
        self.key = client_key(config)
        self.rules = IdentityRules.of(config.identity)

    @staticmethod
    def _select(available: list[Stream], names: Sequence[str] | None) -> list[Stream]:
        if not names:
            return available
        by_name = {stream.name: stream for stream in available}
        unknown = [name for name in names if name not in by_name]
        if unknown:
            raise ConfigError.single(
                "--stream", f"unknown stream {unknown[0]!r}",
                hint=f"this client's streams: {', '.join(by_name)}")
        return [by_name[name] for name in dict.fromkeys(names)]

    def execute(self, available: list[Stream], names: Sequence[str] | None) -> RunSummary:
        selected = self._select(available, names)
        summary = self.summary
        with self.store.transaction() as connection:
            start_run(connection, summary.run_id, started_at=summary.started_at,
                      full=summary.full, trigger=self.trigger)
        try:
            self._streams(selected)
            with self.store.transaction() as connection:
                summary.identities = resolve_interactions(
                    connection, self.people,
                    max_people_per_key=self.config.identity.max_people_per_key)
            summary.retention = apply_retention(self.config, self.store).as_dict()
        except BaseException as error:
            summary.outcome = Outcome.FAILED
            summary.errors.append(f"{type(error).__name__}: {error}"[:500])
            raise
        finally:
            self._finish()
        return summary

    def _streams(self, selected: list[Stream]) -> None:
        summary = self.summary
        for stream in selected:
            if self.stop.is_set():
                break
            result = summary.streams.setdefault(stream.name, StreamResult(stream.name))
            try:
                listed_from = self._pull(stream, result)
                if isinstance(stream, Reconcilable) and not self.stop.is_set():
                    self._reconcile(stream, result, listed_from)
            except (ConnectorError, DeletionRefused) as error:
                result.error = str(error)
                summary.errors.append(f"{stream.name}: {error}")
                log.error("stream %s failed: %s", stream.name, error)
                if isinstance(error, AuthError | UnreachableError):
                    break  # every other stream would fail the same way

    def _reconcile(self, stream: Reconcilable, result: StreamResult,
                   listed_from: datetime | None) -> None:
        """Flag deletions: from the read itself when it read the whole module, else from an
        id listing when one is due."""
        share = self.config.sync.max_deleted_share
        if listed_from is not None:
            result.deleted = flag_unlisted(self.store, stream, listed_from, max_share=share,
                                           force=self.force)
            result.reconciled = True
        elif reconcile_due(self.store, stream.name,
                           timedelta(hours=self.config.sync.reconcile_every_hours),
                           full=self.summary.full, now=utc_now()):
            deleted = reconcile_stream(self.store, stream, stop=self.stop, max_share=share,
                                       force=self.force)
            result.reconciled = deleted is not None
            result.deleted = deleted or 0

    def _finish(self) -> None:
        summary = self.summary
        summary.finished_at = utc_now()
        if summary.outcome is not Outcome.FAILED:
            if summary.errors:
                summary.outcome = Outcome.FAILED
            elif self.stop.is_set():
                summary.outcome = Outcome.INTERRUPTED
            elif summary.rejected:
                summary.outcome = Outcome.REJECTED
        try:
            with self.store.transaction() as connection:
                finish_run(connection, summary.run_id, finished_at=summary.finished_at,
                           outcome=summary.outcome.value,
                           counts={s.name: s.counts() for s in summary.streams.values()},
                           errors=summary.errors)
        except SQLAlchemyError:
            log.exception("could not record the end of run %s", summary.run_id)
        log.info("run %s of %s: %s", summary.run_id, summary.client, summary.outcome.value)
        for alert in run_alerts(self.config, summary):
            send_alert(self.config.alerts, alert)

    def _pull(self, stream: Stream, result: StreamResult) -> datetime | None:
        """Read ``stream`` into the store from its cursor on. When it read the whole module
        to the end (a first or full sync of a reconcilable stream), every id it showed is
        marked listed, and the time that listing began is returned (else None)."""
        with self.store.transaction() as connection:
            saved = load_cursor(connection, stream.name)
        cursor: CursorValue | None = decode_cursor(saved) if saved else None
        since = None if self.summary.full or cursor is None else rewind(cursor, self.lookback)
        listing = utc_now() if since is None and isinstance(stream, Reconcilable) else None
        if isinstance(stream, Typed):
            types = stream.field_types()
            with self.store.transaction() as connection:
                save_field_types(connection, stream.module, types)
        log.info("pulling %s from %s", stream.name, since or "the beginning")
        for page in stream.read(since):
            accepted, rejected = _valid_rows(page, stream)
            now = utc_now()
            with self.store.transaction() as connection:
                counts = self._store_page(connection, stream, accepted, now)
                if listing is not None and isinstance(stream, RecordStream):
                    mark_listed(connection, stream.module, _ids(page, stream), listing)
                for row in accepted:
                    cursor = later(cursor, row[stream.cursor_field])
                kept = _not_after(cursor, self.summary.started_at)
                result.cursor = encode_cursor(kept) if kept is not None else None
                save_cursor(connection, stream.name, result.cursor, now)
            result.new += counts.new
            result.changed += counts.changed
            result.unchanged += counts.unchanged
            result.own_writes += counts.own_writes
            result.rejected += rejected
            result.pages += 1
            self.progress(stream.name, "pull", len(page))
            if self.stop.is_set():
                log.info("stopping after the checkpoint of %s", stream.name)
                return None
        return listing

    def _store_page(self, connection: Connection, stream: Stream, rows: list[dict[str, Any]],
                    now: datetime) -> PageCounts:
        if isinstance(stream, InteractionStream):
            matomo = self.config.sources.matomo
            return store_interactions(
                connection, stream.name, stream.channel, rows, now=now, key=self.key,
                matomo_user_id_is_email=bool(matomo and matomo.user_id_is_email),
                rules=self.rules)
        if not isinstance(stream, RecordStream):
            raise TypeError(f"stream {stream.name!r} is neither a record nor an interaction "
                            "stream")
        if stream.module in self.people:
            index_identities(connection, stream.module, rows, key=self.key,
                             primary_key=stream.primary_key, rules=self.rules)
        return store_records(connection, stream.module, without_clear_emails(rows, self.key),
                             now=now, primary_key=stream.primary_key,
                             cursor_field=stream.cursor_field,
                             run_started=self.summary.started_at, own_writes=self.own_writes)


def _not_after(cursor: CursorValue | None, started: datetime) -> CursorValue | None:
    """The cursor to save: never past the run's start.

    SuiteCRM keeps a ``date_modified`` sent by an API client or an import, so a record may
    carry a future time; a cursor saved past now would skip every ordinary change until then.
    Saving at most the run's start re-reads those few records instead (counted unchanged).
    """
    if isinstance(cursor, datetime) and cursor > started:
        return started
    return cursor


def _ids(page: list[dict[str, Any]], stream: Stream) -> list[str]:
    """The ids a page shows, its rejected rows' too (they exist in the CRM)."""
    return [str(row[stream.primary_key]) for row in page
            if row.get(stream.primary_key) not in (None, "")]


def _valid_rows(page: list[dict[str, Any]], stream: Stream) -> tuple[list[dict[str, Any]], int]:
    """The rows that carry their key and cursor; and how many did not (rejected)."""
    accepted = [row for row in page if row.get(stream.primary_key) not in (None, "")
                and row.get(stream.cursor_field) is not None]
    if len(accepted) < len(page):
        log.warning("%s: %d records without %s or %s rejected", stream.name,
                    len(page) - len(accepted), stream.primary_key, stream.cursor_field)
    return accepted, len(page) - len(accepted)
