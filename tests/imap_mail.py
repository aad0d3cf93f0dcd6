"""Mail for the IMAP tests: messages built as a mail client would send them, and a client
that puts them into a test Dovecot (APPEND, STORE, EXPUNGE, DELETE)."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from imapclient import IMAPClient

from connectors.mail.settings import ImapAccountSettings
from tests.dovecot import PASSWORD, Dovecot

OURS = "sales@ourshop.example"
_SEQUENCE = itertools.count(1)


def message(sender: str = "ann@customer.example", to: str = OURS, *,
            cc: str | None = None, subject: str = "Order question",
            message_id: str | None = "auto", date: datetime | str | None = "auto",
            in_reply_to: str | None = None, extra: Sequence[bytes] = ()) -> bytes:
    """An RFC 5322 message; ``message_id``/``date`` None leave that header out."""
    number = next(_SEQUENCE)
    lines = [f"From: {sender}", f"To: {to}"]
    if cc:
        lines.append(f"Cc: {cc}")
    if date == "auto":
        date = datetime(2026, 11, 1, 9, 0, tzinfo=UTC) + timedelta(hours=number)
    if isinstance(date, datetime):
        lines.append(f"Date: {date.strftime('%a, %d %b %Y %H:%M:%S %z')}")
    elif isinstance(date, str):
        lines.append(f"Date: {date}")
    if message_id == "auto":
        message_id = f"<{uuid.uuid4().hex}@mail.example>"
    if message_id:
        lines.append(f"Message-ID: {message_id}")
    if in_reply_to:
        lines.append(f"In-Reply-To: {in_reply_to}")
    lines.append(f"Subject: {subject}")
    head = "\r\n".join(lines).encode("utf-8") + b"\r\n"
    for raw in extra:
        head += raw + b"\r\n"
    return head + b"\r\nHello, this is the body.\r\n"


def account(server: Dovecot, user: str, **overrides: Any) -> ImapAccountSettings:
    """Settings of ``user``'s mailbox on the test server, plaintext on loopback."""
    data: dict[str, Any] = {
        "name": user, "host": server.host, "port": server.port, "tls": False,
        "username": user, "password": PASSWORD, "own_addresses": [OURS],
        "folders": ["INBOX"], "page_size": 5,
    }
    data.update(overrides)
    return ImapAccountSettings.model_validate(data)


def unique_user(prefix: str) -> str:
    """A user name no other test uses (each user has its own maildir)."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@contextmanager
def mail_client(server: Dovecot, user: str) -> Iterator[IMAPClient]:
    """A logged-in client of the test server, as a person's mail program would be."""
    client = IMAPClient(server.host, port=server.port, ssl=False)
    client.login(user, PASSWORD)
    try:
        yield client
    finally:
        client.logout()


def deliver(server: Dovecot, user: str, messages: Sequence[bytes], *, folder: str = "INBOX",
            flags: Sequence[bytes] = ()) -> None:
    """APPEND ``messages`` to ``folder`` (created when missing)."""
    with mail_client(server, user) as client:
        if not client.folder_exists(folder):
            client.create_folder(folder)
        for raw in messages:
            client.append(folder, raw, flags=tuple(flags))
