"""Message headers into facts: addresses, dates, ids; every defect counted, none fatal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from connectors.mail.message import normalise_address, parse_headers

ARRIVED = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def test_a_clean_message_has_no_defects() -> None:
    facts = parse_headers(
        b"From: Ann Lee <Ann@Customer.example>\r\nTo: sales@ourshop.example\r\n"
        b"Cc: a@b.example, c@d.example\r\nReply-To: ann.private@mail.example\r\n"
        b"Date: Tue, 17 Nov 2026 10:00:00 +0100\r\nMessage-ID: <m1@customer.example>\r\n"
        b"In-Reply-To: <o1@ourshop.example>\r\nReferences: <o0@ourshop.example> "
        b"<o1@ourshop.example>\r\n\r\n", internaldate=ARRIVED)
    assert facts.defects == 0
    assert facts.senders == ("ann@customer.example",)
    assert facts.parties == ("ann@customer.example", "sales@ourshop.example", "a@b.example",
                             "c@d.example", "ann.private@mail.example")
    assert facts.date == datetime(2026, 11, 17, 9, 0, tzinfo=UTC)
    assert facts.message_id == "m1@customer.example"
    assert facts.in_reply_to == "o1@ourshop.example"
    assert facts.references == ("o0@ourshop.example", "o1@ourshop.example")
    assert facts.is_reply and facts.subject is None


def test_an_encoded_name_with_a_comma_does_not_split_the_address() -> None:
    facts = parse_headers(b"From: =?utf-8?q?M=C3=BCller=2C_Hans?= <hans@x.example>\r\n\r\n",
                          internaldate=ARRIVED)
    assert facts.parties == ("hans@x.example",)


@pytest.mark.parametrize("date", [b"", b"Date: garbage\r\n", b"Date: 31 Feb 2026 25:99\r\n",
                                  b"Date: Thu, 01 Jan 2099 00:00:00 +0000\r\n"])
def test_a_missing_or_garbage_date_falls_back_to_internaldate(date: bytes) -> None:
    facts = parse_headers(b"From: a@b.example\r\n" + date + b"\r\n", internaldate=ARRIVED)
    assert facts.date == ARRIVED
    assert facts.defects >= 1


def test_a_date_without_zone_is_utc() -> None:
    facts = parse_headers(b"Date: Tue, 17 Nov 2026 10:00:00 -0000\r\n\r\n", internaldate=ARRIVED)
    assert facts.date == datetime(2026, 11, 17, 10, 0, tzinfo=UTC)


def test_8bit_headers_are_read_as_utf8() -> None:
    facts = parse_headers("From: Jörg <JÖRG@bäckerei.example>\r\nSubject: Grüße\r\n\r\n"
                          .encode(), internaldate=ARRIVED, keep_subject=True)
    assert facts.parties == ("jörg@bäckerei.example",)
    assert facts.subject == "Grüße"


def test_a_malformed_address_list_keeps_what_parses_and_counts_the_rest() -> None:
    facts = parse_headers(b"To: ok@x.example, <<<@@,, ;; \"open\r\nCc: @@@\r\n\r\n",
                          internaldate=ARRIVED)
    assert facts.parties[:1] == ("ok@x.example",)
    assert facts.defects >= 2


@pytest.mark.parametrize(("raw", "expected"), [
    ("  Ann@Example.COM ", "ann@example.com"), ("<b@c.example>", "b@c.example"),
    ("mailto:x@y.example", "x@y.example"), ("no-at-sign", None), ("a@b", None), ("", None)])
def test_normalise_address(raw: str, expected: str | None) -> None:
    assert normalise_address(raw) == expected


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600))
def test_any_header_bytes_give_facts_never_an_exception(raw: bytes) -> None:
    facts = parse_headers(raw, internaldate=ARRIVED)
    assert facts.date.tzinfo is not None
    assert all(normalise_address(address) == address for address in facts.parties)
