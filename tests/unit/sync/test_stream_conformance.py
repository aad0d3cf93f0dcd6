"""The Stream contract, checked for every stream a client can have."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from sync.streams import Stream, build_streams
from sync.streams.cursor import decode_cursor, encode_cursor, later
from sync.streams.imap import ImapFolderStream
from tests.dovecot import Dovecot
from tests.fake_crm import FakeCRM
from tests.imap_mail import account, deliver, message, unique_user
from tests.unit.sync.conftest import MakeConfig

MODULES = ["Accounts", "Contacts", "Leads", "Opportunities", "AOS_Invoices", "Cases"]


def _crm() -> FakeCRM:
    crm = FakeCRM(seed=3)
    for module in MODULES:
        for number in range(23):
            crm.add(module, name=f"{module}{number}")
            crm.clock.advance(13 if number % 5 else 0)  # some share a second
    return crm


def _streams(make_config: MakeConfig, crm: FakeCRM) -> list[Stream]:
    return build_streams(make_config(sync={"modules": MODULES}), crm)


def _all(stream: Stream, since: Any) -> Iterator[dict[str, Any]]:
    for page in stream.read(since):
        yield from page


@pytest.fixture(scope="module")
def imap_folder(dovecot: Dovecot) -> ImapFolderStream:
    """An IMAP folder of 23 messages on the test Dovecot, read 5 at a time."""
    user = unique_user("conformance")
    deliver(dovecot, user, [message(f"c{n}@customer.example") for n in range(23)])
    return ImapFolderStream(account(dovecot, user, page_size=5), "INBOX")


@pytest.fixture(params=[*MODULES, "imap"])
def stream(request: pytest.FixtureRequest, make_config: MakeConfig) -> Stream:
    if request.param == "imap":  # a real server: see tests/dovecot.py
        folder: ImapFolderStream = request.getfixturevalue("imap_folder")
        return folder
    crm = _crm()
    (found,) = [s for s in _streams(make_config, crm) if s.name == request.param]
    return found


def test_every_module_is_a_stream(make_config: MakeConfig) -> None:
    streams = _streams(make_config, _crm())
    assert [s.name for s in streams] == MODULES
    assert all(isinstance(s, Stream) for s in streams)


def test_records_carry_their_id(stream: Stream) -> None:
    rows = list(_all(stream, None))  # boundary records may come twice; the store de-duplicates
    assert len({row[stream.primary_key] for row in rows}) == 23
    assert all(isinstance(row[stream.primary_key], str) and row[stream.primary_key]
               for row in rows)


def test_cursor_never_goes_back(stream: Stream) -> None:
    previous = None
    for page in stream.read(None):
        for row in page:
            value = row[stream.cursor_field]
            assert previous is None or value >= previous
            previous = value


def test_state_round_trips(stream: Stream) -> None:
    cursor = None
    for row in _all(stream, None):
        cursor = later(cursor, row[stream.cursor_field])
    assert cursor is not None
    assert decode_cursor(encode_cursor(cursor)) == cursor


def test_reread_from_saved_state_yields_nothing_old(stream: Stream) -> None:
    rows = list(_all(stream, None))
    middle = sorted(row[stream.cursor_field] for row in rows)[len(rows) // 2]
    saved = decode_cursor(encode_cursor(middle))
    again = list(_all(stream, saved))
    assert again, "records at the saved cursor are read again"
    assert all(row[stream.cursor_field] >= saved for row in again)
    newer = {row[stream.primary_key] for row in rows if row[stream.cursor_field] >= saved}
    assert {row[stream.primary_key] for row in again} == newer
    assert isinstance(saved, datetime if stream.name in MODULES else str)
