"""An IMAP mailbox, read-only, on IMAPClient: log in, list folders, read headers and flags.

Invariants:

* Nothing is changed on the server: folders are opened with EXAMINE (read-only) and headers
  are fetched with ``BODY.PEEK``, so no message is marked read.
* TLS is verified by default (implicit TLS on 993, or STARTTLS); a private CA is trusted
  through ``ca_file`` or an injected ``ssl.SSLContext``, never by turning checks off.
* Every failure leaves as a ``ConnectorError`` decided in one place (``_failures``):
  refused credentials are ``AuthError``, dropped connections and timeouts
  ``RetriableError``, a refused certificate or command ``FatalAPIError``. No message text,
  address or secret is put in an error.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

import imapclient
from imapclient.exceptions import IMAPClientError, LoginError

from connectors.errors import AuthError, ConnectorError, FatalAPIError, RetriableError
from connectors.mail.message import HEADER_FIELDS
from connectors.mail.settings import ImapAccountSettings

__all__ = ["FetchedMessage", "FolderInfo", "ImapMailbox", "SelectedFolder", "tls_context"]

_SYSTEM = "imap"
_GMAIL = b"X-GM-EXT-1"
_SENT_NAMES = ("sent", "sent items", "sent messages", "sent mail", "inbox.sent")


@dataclass(frozen=True)
class FolderInfo:
    """A folder the server lists: its name and its flags (``\\All``, ``\\Sent``...)."""

    name: str
    flags: frozenset[str]


@dataclass(frozen=True)
class SelectedFolder:
    """What EXAMINE told about a folder."""

    name: str
    uidvalidity: int
    highest_modseq: int | None
    """None when the server does not do CONDSTORE."""
    exists: int


@dataclass(frozen=True)
class FetchedMessage:
    """One message's UID, flags, dates and header bytes."""

    uid: int
    flags: frozenset[str]
    internaldate: datetime
    modseq: int | None
    gmail_id: int | None
    header: bytes


def tls_context(settings: ImapAccountSettings) -> ssl.SSLContext:
    """The TLS context the settings ask for: verified, trusting ``ca_file`` when given."""
    context = ssl.create_default_context(
        cafile=str(settings.ca_file) if settings.ca_file else None)
    if not settings.verify_tls:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def _flag_names(values: Sequence[bytes | str]) -> frozenset[str]:
    return frozenset(v.decode("ascii", "replace") if isinstance(v, bytes) else str(v)
                     for v in values)


class ImapMailbox:
    """A read-only session with one IMAP account; a context manager that logs out on exit."""

    def __init__(self, settings: ImapAccountSettings, *,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.settings = settings
        self._ssl_context = ssl_context
        self._client: Any = None
        self._selected: str | None = None
        self.where = f"{settings.host}:{settings.port}"

    def __enter__(self) -> ImapMailbox:
        self.connect()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()

    @contextmanager
    def _failures(self, doing: str) -> Iterator[None]:
        """The one map from IMAP, socket and TLS failures to connector errors."""
        hint_tls = "trust the server's CA with ca_file, or check the host name"
        try:
            yield
        except ConnectorError:
            raise
        except LoginError:
            raise AuthError("the server refused the login", system=_SYSTEM, url=self.where,
                            hint="check username and password (or the OAuth2 token: "
                                 "access tokens expire after about an hour)") from None
        except ssl.SSLCertVerificationError as error:
            raise FatalAPIError(f"the server's TLS certificate was refused while {doing}",
                                system=_SYSTEM, url=self.where,
                                detail=str(error.verify_message), hint=hint_tls) from None
        except (imapclient.IMAPClient.AbortError, TimeoutError, ssl.SSLError, OSError,
                EOFError) as error:
            raise RetriableError(f"the connection failed while {doing}", system=_SYSTEM,
                                 url=self.where, detail=type(error).__name__) from None
        except (IMAPClientError, imapclient.IMAPClient.Error) as error:
            raise FatalAPIError(f"the server refused {doing}", system=_SYSTEM, url=self.where,
                                detail=str(error)[:200]) from None

    def connect(self) -> None:
        """Connect, secure the connection as configured and log in."""
        settings = self.settings
        secured = settings.tls or settings.starttls
        context = (self._ssl_context or tls_context(settings)) if secured else None
        with self._failures("connecting"):
            client = imapclient.IMAPClient(settings.host, port=settings.port, ssl=settings.tls,
                                           ssl_context=context if settings.tls else None,
                                           timeout=settings.timeout)
            client.normalise_times = False  # aware INTERNALDATE, not local naive time
            self._client = client
            if settings.starttls:
                client.starttls(context)
        with self._failures("logging in"):
            if settings.auth == "xoauth2":
                assert settings.oauth2_token is not None
                self._oauth2(settings.username, settings.oauth2_token.get_secret_value())
            else:
                assert settings.password is not None
                client.login(settings.username, settings.password.get_secret_value())
            if client.has_capability("CONDSTORE") and client.has_capability("ENABLE"):
                client.enable("CONDSTORE")
        self._selected = None

    def _oauth2(self, user: str, token: str) -> None:
        try:
            self._client.oauth2_login(user, token)
        except imapclient.IMAPClient.Error as error:
            if isinstance(error, imapclient.IMAPClient.AbortError):
                raise
            raise LoginError(str(error)) from None

    def close(self) -> None:
        """Log out (quietly: the connection may already be gone)."""
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.logout()
        except Exception:  # logging out of a dead connection fails; nothing to keep
            with suppress(Exception):  # already closed
                client.shutdown()

    def reconnect(self) -> None:
        """Drop the connection and log in again (after a dropped connection)."""
        self.close()
        self.connect()

    @property
    def _imap(self) -> Any:
        if self._client is None:
            self.connect()
        return self._client

    @property
    def condstore(self) -> bool:
        """The server advertises CONDSTORE (flag changes are found by MODSEQ)."""
        with self._failures("reading capabilities"):
            return bool(self._imap.has_capability("CONDSTORE"))

    @property
    def gmail(self) -> bool:
        """The server is Gmail (labels are folders; messages carry X-GM-MSGID)."""
        with self._failures("reading capabilities"):
            return _GMAIL in self._imap.capabilities()

    def folders(self) -> list[FolderInfo]:
        """Every folder the server lists, with its flags."""
        with self._failures("listing folders"):
            listed = self._imap.list_folders()
        return [FolderInfo(str(name), _flag_names(flags)) for flags, _sep, name in listed]

    def reading_folders(self) -> list[str]:
        """The folders to read: the configured ones, else found by SPECIAL-USE.

        Gmail-like servers with an ``\\All`` folder: that one only (labels are folders too
        and would repeat messages). Others: INBOX and the ``\\Sent`` folder (by flag, else
        by a usual name).
        """
        if self.settings.folders:
            return list(self.settings.folders)
        listed = self.folders()
        every = [f.name for f in listed if "\\All" in f.flags]
        if every:
            return every[:1]
        sent = [f.name for f in listed if "\\Sent" in f.flags] or [
            f.name for f in listed if f.name.lower() in _SENT_NAMES]
        return ["INBOX", *sent[:1]]

    def message_count(self, folder: str) -> int:
        """How many messages ``folder`` holds (STATUS, the folder is not opened)."""
        with self._failures("asking for a folder's size"):
            status = self._imap.folder_status(folder, [b"MESSAGES"])
        return int(status.get(b"MESSAGES", 0))

    def select(self, folder: str) -> SelectedFolder:
        """Open ``folder`` read-only (EXAMINE); with CONDSTORE its HIGHESTMODSEQ comes too."""
        with self._failures("opening a folder"):
            answer = self._imap.select_folder(folder, readonly=True)
        self._selected = folder
        modseq = answer.get(b"HIGHESTMODSEQ")
        return SelectedFolder(folder, int(answer[b"UIDVALIDITY"]),
                              int(modseq) if modseq is not None and self.condstore else None,
                              int(answer.get(b"EXISTS", 0)))

    def uids_from(self, first: int) -> list[int]:
        """UIDs at or after ``first``, ascending (``UID first:*``, the stray answer dropped)."""
        with self._failures("searching a folder"):
            found = self._imap.search(["UID", f"{max(first, 1)}:*"])
        return sorted(uid for uid in (int(u) for u in found) if uid >= first)

    def uids_changed_since(self, modseq: int) -> list[int]:
        """UIDs whose MODSEQ is above ``modseq`` (CONDSTORE servers only)."""
        with self._failures("searching for flag changes"):
            found = self._imap.search(["MODSEQ", str(modseq + 1)])
        return sorted(int(u) for u in found)

    def fetch(self, uids: Sequence[int], *, subject: bool = False) -> list[FetchedMessage]:
        """Flags, INTERNALDATE, MODSEQ and the header fields of ``uids``, in UID order."""
        if not uids:
            return []
        fields = " ".join((*HEADER_FIELDS, "SUBJECT") if subject else HEADER_FIELDS)
        wanted = ["UID", "FLAGS", "INTERNALDATE", f"BODY.PEEK[HEADER.FIELDS ({fields})]"]
        condstore, gmail = self.condstore, self.gmail
        if condstore:
            wanted.append("MODSEQ")
        if gmail:
            wanted.append("X-GM-MSGID")
        asked = set(uids)
        with self._failures("fetching messages"):
            answer = self._imap.fetch(sorted(asked), wanted)
        return sorted((self._message(uid, data) for uid, data in answer.items()
                       if int(uid) in asked), key=lambda m: m.uid)

    @staticmethod
    def _message(uid: int, data: dict[bytes, Any]) -> FetchedMessage:
        header = next((value for key, value in data.items()
                       if key.startswith(b"BODY[HEADER.FIELDS")), b"") or b""
        internal = data.get(b"INTERNALDATE")
        if not isinstance(internal, datetime):
            internal = datetime.now(UTC)
        elif internal.tzinfo is None:
            internal = internal.replace(tzinfo=UTC)
        modseq = data.get(b"MODSEQ")
        gmail_id = data.get(b"X-GM-MSGID")
        return FetchedMessage(
            uid=int(uid), flags=_flag_names(data.get(b"FLAGS", ())), internaldate=internal,
            modseq=int(modseq[0]) if modseq else None,
            gmail_id=int(gmail_id) if gmail_id is not None else None,
            header=bytes(header))
