"""An IMAP folder as an interaction stream: exact, incremental, and never counting twice.

Invariants:

* The cursor is the folder's state (``FolderState``: resets, UIDVALIDITY, last UID,
  HIGHESTMODSEQ, day of the last flag scan). Each row carries the state reached after its
  message, and the states of one read never go back, so a run stopped after any committed
  page resumes where it stopped.
* A changed UIDVALIDITY resets the folder: it is read again from UID 1, and rows keep the
  ids they had (built from X-GM-MSGID, Message-ID or a header digest, never the UID), so
  the store holds each message once.
* Each read first takes the flag changes of messages already read (CONDSTORE: ``SEARCH
  MODSEQ`` above the saved MODSEQ, in MODSEQ order; without CONDSTORE: a scan of every
  message once a day), then the new messages (``UID SEARCH UID last:*``, filtered locally,
  since the server answers with the last message even when there is nothing newer). The
  saved MODSEQ only reaches the folder's HIGHESTMODSEQ with the last changed message, so a
  read stopped among the changes reads the rest next time.
* Headers only, through ``BODY.PEEK`` in a read-only EXAMINE: nothing is marked read.
  A message that cannot be parsed still gives a row (its defects counted); none is fatal.
* A connection dropped during a read is opened again (``max_reconnects`` times) and the read
  goes on from the page it was at; past that the error ends the stream, and the next run
  resumes from the last committed page.
"""

from __future__ import annotations

import logging
import ssl
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from connectors.errors import RetriableError
from connectors.mail.imap import FetchedMessage, ImapMailbox, SelectedFolder
from connectors.mail.message import parse_headers
from connectors.mail.settings import ImapAccountSettings
from sync.errors import StateError
from sync.streams.connections import Connections
from sync.streams.contract import Stream
from sync.streams.cursor import CursorValue
from sync.streams.imap_rows import OwnAddresses, message_rows
from sync.streams.imap_state import FolderState

if TYPE_CHECKING:
    from sync.config import ClientConfig

__all__ = ["CURSOR_FIELD", "ImapFolderStream", "imap_streams", "open_imap_streams",
           "own_addresses"]

log = logging.getLogger(__name__)

CURSOR_FIELD = "imap_state"
_T = TypeVar("_T")


def _today() -> int:
    return int(datetime.now(UTC).strftime("%Y%m%d"))


def own_addresses(account: ImapAccountSettings) -> OwnAddresses:
    """The account's own addresses and domains; the username when none are configured."""
    addresses = list(account.own_addresses)
    if not addresses and not account.own_domains:
        addresses.append(account.username)
    return OwnAddresses.of(addresses, account.own_domains)


class ImapFolderStream:
    """The messages of one folder of one IMAP account, as e-mail interactions."""

    primary_key = "id"
    cursor_field = CURSOR_FIELD
    channel = "email"

    def __init__(self, account: ImapAccountSettings, folder: str, *,
                 ssl_context: ssl.SSLContext | None = None,
                 today: Callable[[], int] = _today) -> None:
        self.account = account
        self.folder = folder
        self.name = f"imap:{account.name}:{folder}"
        self._ssl_context = ssl_context
        self._today = today
        self._own = own_addresses(account)

    def read(self, since: CursorValue | None) -> Iterator[list[dict[str, Any]]]:
        """Pages of rows from the folder state ``since`` on (everything when None)."""
        saved = self._saved(since)
        with ImapMailbox(self.account, ssl_context=self._ssl_context) as mailbox:
            yield from _FolderRead(self, mailbox, saved).pages()

    def _saved(self, since: CursorValue | None) -> FolderState | None:
        if since is None:
            return None
        if isinstance(since, str):
            with suppress(ValueError):
                return FolderState.parse(since)
        raise StateError(f"the saved cursor of {self.name} is not an IMAP folder state",
                         hint=f"sync --full --stream {self.name} reads the folder again")

    def rows(self, messages: Sequence[FetchedMessage],
             states: Sequence[FolderState]) -> list[dict[str, Any]]:
        """The rows of ``messages``; ``states[i]`` is the folder state after message i."""
        rows: list[dict[str, Any]] = []
        defects = 0
        keep = self.account.store_subjects
        for message, state in zip(messages, states, strict=True):
            facts = parse_headers(message.header, internaldate=message.internaldate,
                                  keep_subject=keep)
            defects += facts.defects
            rows.extend(message_rows(message, facts, self._own, state=state.encode(),
                                     keep_subject=keep))
        if defects:
            log.info("%s: %d header defects in %d messages", self.name, defects, len(messages))
        return rows


class _FolderRead:
    """One read of one folder: flag changes first, then new messages."""

    def __init__(self, stream: ImapFolderStream, mailbox: ImapMailbox,
                 saved: FolderState | None) -> None:
        self.stream, self.mailbox, self.saved = stream, mailbox, saved
        self.page_size = stream.account.page_size
        self.selected = self._select()

    def _select(self) -> SelectedFolder:
        return self.mailbox.select(self.stream.folder)

    def _call(self, action: Callable[[], _T]) -> _T:
        """``action``, opening the connection again after a drop (the folder must not change)."""
        attempts = self.stream.account.max_reconnects
        for attempt in range(attempts + 1):
            try:
                return action()
            except RetriableError:
                if attempt == attempts:
                    raise
                log.warning("%s: connection lost, reconnecting (%d of %d)", self.stream.name,
                            attempt + 1, attempts)
                time.sleep(min(0.2 * 2 ** attempt, 5.0))
                try:
                    self.mailbox.reconnect()
                    again = self._select()
                except RetriableError:
                    continue
                if again.uidvalidity != self.selected.uidvalidity:
                    raise RetriableError("the folder's UIDVALIDITY changed during the read",
                                         system="imap", url=self.mailbox.where) from None
        raise AssertionError("unreachable")

    def _start(self) -> tuple[FolderState, bool]:
        """The state the read starts from, and whether the folder is read from UID 1."""
        uidvalidity = self.selected.uidvalidity
        saved = self.saved
        if saved is None:
            return FolderState(uidvalidity=uidvalidity), True
        if saved.uidvalidity != uidvalidity:
            log.warning("%s: UIDVALIDITY changed; reading the folder again (ids are kept, "
                        "nothing is counted twice)", self.stream.name)
            return FolderState(resets=saved.resets + 1, uidvalidity=uidvalidity), True
        return saved, False

    def pages(self) -> Iterator[list[dict[str, Any]]]:
        start, fresh = self._start()
        highest = self.selected.highest_modseq
        today = self.stream._today()
        after_changes = start
        if not fresh:
            if highest is not None and highest > start.modseq:
                yield from self._changes(start, highest)
            elif highest is None and start.scanned < today:
                yield from self._scan(start, today)
        if highest is not None:
            after_changes = after_changes.at(modseq=max(highest, start.modseq))
        if fresh or (highest is None and start.scanned < today):
            after_changes = after_changes.at(scanned=today)
        yield from self._new(after_changes, first=1 if fresh else start.uid)

    def _fetch(self, uids: Sequence[int]) -> list[FetchedMessage]:
        keep = self.stream.account.store_subjects
        return self._call(lambda: self.mailbox.fetch(uids, subject=keep))

    def _batches(self, uids: Sequence[int]) -> Iterator[list[FetchedMessage]]:
        for first in range(0, len(uids), self.page_size):
            batch = self._fetch(uids[first:first + self.page_size])
            if batch:
                yield batch

    def _changes(self, start: FolderState, highest: int) -> Iterator[list[dict[str, Any]]]:
        """Messages read before whose MODSEQ passed the saved one, in MODSEQ order."""
        uids = [uid for uid in self._call(lambda: self.mailbox.uids_changed_since(start.modseq))
                if uid < start.uid]
        messages = [m for batch in self._batches(uids) for m in batch]
        messages.sort(key=lambda m: (m.modseq or 0, m.uid))
        for first in range(0, len(messages), self.page_size):
            page = messages[first:first + self.page_size]
            last_page = first + self.page_size >= len(messages)
            # resuming at MODSEQ m - 1 reads message m again: ties across pages stay safe
            states = [start.at(modseq=min(max((m.modseq or 0) - 1, start.modseq), highest))
                      for m in page]
            if last_page:
                states[-1] = start.at(modseq=highest)
            yield self.stream.rows(page, states)

    def _scan(self, start: FolderState, today: int) -> Iterator[list[dict[str, Any]]]:
        """Every message read before, again, for its flags (servers without CONDSTORE)."""
        uids = [uid for uid in self._call(lambda: self.mailbox.uids_from(1)) if uid < start.uid]
        batches = list(range(0, len(uids), self.page_size))
        for number, first in enumerate(batches):
            page = self._fetch(uids[first:first + self.page_size])
            states = [start] * len(page)
            if number == len(batches) - 1 and page:
                states[-1] = start.at(scanned=today)
            if page:
                yield self.stream.rows(page, states)

    def _new(self, base: FolderState, *, first: int) -> Iterator[list[dict[str, Any]]]:
        """Messages from UID ``first`` on, in UID order."""
        uids = self._call(lambda: self.mailbox.uids_from(first))
        for page in self._batches(uids):
            yield self.stream.rows(page, [base.at(uid=m.uid) for m in page])


def imap_streams(config: ClientConfig, *,
                 ssl_context: ssl.SSLContext | None = None) -> list[Stream]:
    """One stream per folder of every IMAP account of the client.

    Accounts without configured folders are asked for theirs (SPECIAL-USE), which needs a
    login; its failure leaves as the connector's error.
    """
    streams: list[Stream] = []
    for account in config.sources.imap:
        if account.folders:
            folders = list(account.folders)
        else:
            with ImapMailbox(account, ssl_context=ssl_context) as mailbox:
                folders = mailbox.reading_folders()
        streams.extend(ImapFolderStream(account, folder, ssl_context=ssl_context)
                       for folder in folders)
    return streams


@contextmanager
def open_imap_streams(config: ClientConfig, connections: Connections) -> Iterator[list[Stream]]:
    """The ``SourceOpener`` of ``sources.imap``: a stream per account and folder.

    Each stream logs in when it is read and logs out when its read ends, so nothing stays
    open between streams.
    """
    yield imap_streams(config, ssl_context=connections.imap_ssl_context)
