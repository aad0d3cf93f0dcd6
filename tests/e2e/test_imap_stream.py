"""IMAP folders as interaction streams, against a real Dovecot started by the test session."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.errors import AuthError, FatalAPIError, RetriableError
from connectors.mail.imap import ImapMailbox
from sync.streams.connections import Connections
from sync.streams.cursor import CursorValue, decode_cursor, encode_cursor, later
from sync.streams.imap import ImapFolderStream, open_imap_streams
from sync.streams.imap_state import FolderState
from tests.dovecot import Dovecot
from tests.imap_mail import OURS, account, deliver, mail_client, message, unique_user

pytestmark = pytest.mark.e2e


def _read(stream: ImapFolderStream, since: CursorValue | None = None
          ) -> tuple[list[dict[str, Any]], CursorValue | None]:
    """Every row of one read, and the cursor saved after it (round-tripped as the store does)."""
    cursor = since
    rows: list[dict[str, Any]] = []
    for page in stream.read(since):
        rows.extend(page)
        for row in page:
            cursor = later(cursor, row[stream.cursor_field])
    return rows, decode_cursor(encode_cursor(cursor)) if cursor is not None else None


def _stream(server: Dovecot, user: str, folder: str = "INBOX", **overrides: Any
            ) -> ImapFolderStream:
    return ImapFolderStream(account(server, user, **overrides), folder)


def _by_email(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["email"]: row for row in rows}


def test_new_mail_is_read_once_and_the_next_read_brings_only_what_is_new(
        dovecot: Dovecot) -> None:
    user = unique_user("new")
    deliver(dovecot, user, [message(f"c{n}@customer.example") for n in range(3)])
    deliver(dovecot, user, [message(OURS, "c0@customer.example", in_reply_to="<x@y>")])
    stream = _stream(dovecot, user)
    rows, cursor = _read(stream)
    assert [(r["email"], r["kind"], r["direction"]) for r in rows] == [
        ("c0@customer.example", "received", "inbound"),
        ("c1@customer.example", "received", "inbound"),
        ("c2@customer.example", "received", "inbound"),
        ("c0@customer.example", "sent", "outbound")]
    assert all(r["occurred_at"].tzinfo is not None for r in rows)
    assert rows[3]["is_reply"] and "subject" not in rows[0]

    again, same = _read(stream, cursor)
    assert [r["id"] for r in again] == [rows[-1]["id"]]  # the last one is read again, only it
    assert same == cursor

    deliver(dovecot, user, [message("c7@customer.example"), message("c8@customer.example")])
    newer, moved = _read(stream, cursor)
    assert [r["email"] for r in newer] == ["c0@customer.example", "c7@customer.example",
                                           "c8@customer.example"]
    assert moved is not None and cursor is not None and moved > cursor


def test_reading_marks_nothing_read(dovecot: Dovecot) -> None:
    user = unique_user("peek")
    deliver(dovecot, user, [message()])
    _read(_stream(dovecot, user))
    with mail_client(dovecot, user) as client:
        client.select_folder("INBOX", readonly=True)
        flags = client.get_flags(client.search(["ALL"]))
    assert all(b"\\Seen" not in value for value in flags.values())


def test_a_flag_change_is_read_again_by_its_modseq(dovecot: Dovecot) -> None:
    user = unique_user("flags")
    deliver(dovecot, user, [message(f"c{n}@customer.example") for n in range(4)])
    stream = _stream(dovecot, user)
    rows, cursor = _read(stream)
    with mail_client(dovecot, user) as client:
        client.select_folder("INBOX")
        first = min(client.search(["ALL"]))
        client.add_flags([first], [b"\\Answered", b"\\Seen"])
    changed, after = _read(stream, cursor)
    by_email = _by_email(changed)
    assert by_email["c0@customer.example"]["kind"] == "replied"
    assert by_email["c0@customer.example"]["seen"]
    assert by_email["c0@customer.example"]["id"] == rows[0]["id"]
    assert set(by_email) == {"c0@customer.example", "c3@customer.example"}  # + the last, again
    assert FolderState.parse(str(after)).modseq > FolderState.parse(str(cursor)).modseq
    quiet, _ = _read(stream, after)
    assert [r["email"] for r in quiet] == ["c3@customer.example"]


def test_expunged_messages_leave_no_gap_and_no_error(dovecot: Dovecot) -> None:
    user = unique_user("expunge")
    deliver(dovecot, user, [message(f"c{n}@customer.example") for n in range(3)])
    stream = _stream(dovecot, user)
    _, cursor = _read(stream)
    with mail_client(dovecot, user) as client:
        client.select_folder("INBOX")
        uids = sorted(client.search(["ALL"]))
        client.delete_messages(uids[-2:])  # the last one too: UID last:* then answers lower
        client.expunge()
    rows, after = _read(stream, cursor)
    assert rows == []
    assert after == cursor
    deliver(dovecot, user, [message("c9@customer.example")])
    rows, _ = _read(stream, after)
    assert [r["email"] for r in rows] == ["c9@customer.example"]


def test_a_recreated_folder_is_read_again_with_the_same_ids(dovecot: Dovecot) -> None:
    user = unique_user("uidvalidity")
    kept = [message(f"c{n}@customer.example") for n in range(3)]
    deliver(dovecot, user, kept, folder="Projects")
    stream = _stream(dovecot, user, "Projects")
    rows, cursor = _read(stream)
    with mail_client(dovecot, user) as client:
        client.delete_folder("Projects")
    deliver(dovecot, user, [*kept, message("c5@customer.example")], folder="Projects")
    again, after = _read(stream, cursor)
    assert {r["id"] for r in again} == {r["id"] for r in rows} | {again[-1]["id"]}
    assert len(again) == 4
    before_state, after_state = FolderState.parse(str(cursor)), FolderState.parse(str(after))
    assert after_state.resets == before_state.resets + 1
    assert after_state.uidvalidity != before_state.uidvalidity
    assert after is not None and cursor is not None and after > cursor


def test_messages_without_date_or_message_id_are_kept_under_a_stable_key(
        dovecot: Dovecot) -> None:
    user = unique_user("bare")
    arrived = datetime(2026, 10, 5, 14, 30, tzinfo=UTC)
    with mail_client(dovecot, user) as client:
        client.append("INBOX", message(message_id=None, date=None), msg_time=arrived)
        client.append("INBOX", message("bob@customer.example", date="not a date at all"),
                      msg_time=arrived)
    stream = _stream(dovecot, user)
    rows, _ = _read(stream)
    assert [r["occurred_at"] for r in rows] == [arrived, arrived]  # INTERNALDATE
    assert rows[0]["message_id"] is None and rows[0]["message_key"].startswith("hdr:")
    assert all(r["defects"] >= 1 for r in rows)
    again, _ = _read(stream)
    assert [r["id"] for r in again] == [r["id"] for r in rows]


def test_encoded_names_8bit_headers_and_malformed_lists_give_their_addresses(
        dovecot: Dovecot) -> None:
    user = unique_user("headers")
    raw_8bit = ("From: Jörg Bäcker <jörg@bäckerei.example>\r\nTo: " + OURS +
                "\r\nSubject: Brötchen\r\nMessage-ID: <8bit@x>\r\n\r\nBody\r\n").encode()
    deliver(dovecot, user, [
        message("=?utf-8?q?M=C3=BCller=2C_Hans?= <Hans.Mueller@Customer.EXAMPLE>"),
        raw_8bit,
        message("ann@customer.example", f"{OURS}, <<<@@,, ;; \"unterminated"),
        message("@@@", "<<>>"),
    ])
    rows, _ = _read(_stream(dovecot, user))
    emails = [r["email"] for r in rows]
    assert emails == ["hans.mueller@customer.example", "jörg@bäckerei.example",
                      "ann@customer.example", None]
    assert rows[2]["defects"] >= 1 and rows[3]["defects"] >= 1


def test_subjects_are_kept_only_when_asked(dovecot: Dovecot) -> None:
    user = unique_user("subjects")
    deliver(dovecot, user, [message(subject="=?utf-8?q?Gr=C3=BC=C3=9Fe?=")])
    plain, _ = _read(_stream(dovecot, user))
    kept, _ = _read(_stream(dovecot, user, store_subjects=True))
    assert "subject" not in plain[0]
    assert kept[0]["subject"] == "Grüße"
    assert kept[0]["id"] == plain[0]["id"]


def test_without_condstore_flags_are_scanned_once_a_day(
        dovecot_without_condstore: Dovecot) -> None:
    server = dovecot_without_condstore
    user = unique_user("nocondstore")
    deliver(server, user, [message(f"c{n}@customer.example") for n in range(3)])
    day = [20261203]
    stream = ImapFolderStream(account(server, user), "INBOX", today=lambda: day[0])
    _, cursor = _read(stream)
    assert FolderState.parse(str(cursor)).modseq == 0
    with mail_client(server, user) as client:
        client.select_folder("INBOX")
        client.add_flags([min(client.search(["ALL"]))], [b"\\Answered"])
    same_day, cursor = _read(stream, cursor)
    assert [r["email"] for r in same_day] == ["c2@customer.example"]
    day[0] = 20261204
    next_day, cursor = _read(stream, cursor)
    assert _by_email(next_day)["c0@customer.example"]["kind"] == "replied"
    assert len(next_day) == 3  # two scanned, the last one read again
    assert FolderState.parse(str(cursor)).scanned == 20261204


def test_a_wrong_password_is_a_clear_auth_error(dovecot: Dovecot) -> None:
    settings = account(dovecot, unique_user("wrong"), password="not-the-password")
    with pytest.raises(AuthError) as caught:
        ImapMailbox(settings).connect()
    text = str(caught.value)
    assert "refused the login" in text and "not-the-password" not in text
    assert caught.value.system == "imap"


def test_tls_with_a_self_signed_certificate_is_refused_unless_trusted(
        dovecot: Dovecot) -> None:
    assert dovecot.tls_port is not None and dovecot.certificate is not None
    user = unique_user("tls")
    deliver(dovecot, user, [message()])
    over_tls = {"port": dovecot.tls_port, "tls": True}
    with pytest.raises(FatalAPIError, match="certificate was refused"):
        _read(_stream(dovecot, user, **over_tls))
    rows, _ = _read(_stream(dovecot, user, ca_file=str(dovecot.certificate), **over_tls))
    assert len(rows) == 1
    trusted = ssl.create_default_context(cafile=str(dovecot.certificate))
    config_streams = open_imap_streams(_config(account(dovecot, user, **over_tls)),
                                       Connections(imap_ssl_context=trusted))
    with config_streams as streams:
        (stream,) = streams
        assert isinstance(stream, ImapFolderStream)
        assert len(_read(stream)[0]) == 1
    starttls = _stream(dovecot, user, starttls=True, ca_file=str(dovecot.certificate))
    assert len(_read(starttls)[0]) == 1


def _config(*accounts: Any) -> Any:
    from sync.config import ClientConfig

    return ClientConfig.model_validate({
        "client": "acme",
        "suitecrm": {"base_url": "https://crm.example.com", "client_id": "x",
                     "client_secret": "s"},
        "sources": {"imap": [a.model_dump(mode="json") | {
            "password": a.password.get_secret_value()} for a in accounts]}})


def test_folders_are_found_by_special_use_when_none_are_configured(dovecot: Dovecot) -> None:
    user = unique_user("auto")
    deliver(dovecot, user, [message()])
    deliver(dovecot, user, [message(OURS, "ann@customer.example")], folder="Sent")
    with open_imap_streams(_config(account(dovecot, user, folders=[])),
                           Connections()) as streams:
        assert [s.name for s in streams] == [f"imap:{user}:INBOX", f"imap:{user}:Sent"]
        assert isinstance(streams[1], ImapFolderStream)
        rows, _ = _read(streams[1])
    assert [(r["email"], r["kind"]) for r in rows] == [("ann@customer.example", "sent")]


def _kick_after_first_page(server: Dovecot, user: str, stream: ImapFolderStream,
                           since: CursorValue | None = None) -> Iterator[list[dict[str, Any]]]:
    for number, page in enumerate(stream.read(since)):
        yield page
        if number == 0:
            server.kick(user)


def test_a_connection_dropped_mid_read_is_resumed_with_nothing_lost(dovecot: Dovecot) -> None:
    user = unique_user("drop")
    deliver(dovecot, user, [message(f"c{n}@customer.example") for n in range(12)])
    stream = _stream(dovecot, user, page_size=4)
    rows = [row for page in _kick_after_first_page(dovecot, user, stream) for row in page]
    assert [r["email"] for r in rows] == [f"c{n}@customer.example" for n in range(12)]


def test_a_read_that_gives_up_resumes_from_its_last_page_next_time(dovecot: Dovecot) -> None:
    user = unique_user("giveup")
    deliver(dovecot, user, [message(f"c{n}@customer.example") for n in range(8)])
    stream = _stream(dovecot, user, page_size=3, max_reconnects=0)
    seen: list[dict[str, Any]] = []
    cursor: CursorValue | None = None
    with pytest.raises(RetriableError, match="connection failed"):
        for page in _kick_after_first_page(dovecot, user, stream):
            seen.extend(page)  # committed with its cursor, as pull does
            cursor = later(cursor, max(r["imap_state"] for r in page))
    assert len(seen) == 3
    rest, _ = _read(stream, cursor)
    assert {r["email"] for r in seen + rest} == {f"c{n}@customer.example" for n in range(8)}
    assert rest[0]["email"] == "c2@customer.example"  # the boundary, once more
