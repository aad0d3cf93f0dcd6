"""A message as interaction rows: direction from our addresses, one row per counterparty."""

from __future__ import annotations

from datetime import UTC, datetime

from connectors.mail.imap import FetchedMessage
from connectors.mail.message import parse_headers
from connectors.mail.settings import ImapAccountSettings
from sync.streams.imap import own_addresses
from sync.streams.imap_rows import OwnAddresses, message_rows

ARRIVED = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def _rows(header: bytes, own: OwnAddresses, *, flags: frozenset[str] = frozenset(),
          gmail_id: int | None = None) -> list[dict[str, object]]:
    fetched = FetchedMessage(uid=7, flags=flags, internaldate=ARRIVED, modseq=None,
                             gmail_id=gmail_id, header=header)
    facts = parse_headers(header, internaldate=ARRIVED)
    return message_rows(fetched, facts, own, state="s", keep_subject=False)


OWN = OwnAddresses.of(["Sales@OurShop.example"], ["@ourshop.example", "ourshop.de"])


def test_mail_from_our_domain_is_outbound_to_every_other_party() -> None:
    rows = _rows(b"From: joe@ourshop.de\r\nTo: a@x.example, sales@ourshop.example\r\n"
                 b"Cc: b@y.example\r\nMessage-ID: <1@ourshop.de>\r\n\r\n", OWN)
    assert [(r["email"], r["kind"], r["direction"]) for r in rows] == [
        ("a@x.example", "sent", "outbound"), ("b@y.example", "sent", "outbound")]
    assert len({r["id"] for r in rows}) == 2


def test_inbound_mail_we_answered_is_replied() -> None:
    header = b"From: a@x.example\r\nTo: sales@ourshop.example\r\nMessage-ID: <2@x>\r\n\r\n"
    assert [r["kind"] for r in _rows(header, OWN)] == ["received"]
    answered = _rows(header, OWN, flags=frozenset({"\\Answered", "\\Seen"}))
    assert [(r["kind"], r["seen"]) for r in answered] == [("replied", True)]
    assert answered[0]["id"] == _rows(header, OWN)[0]["id"]


def test_internal_mail_gives_one_row_without_a_person() -> None:
    rows = _rows(b"From: sales@ourshop.example\r\nTo: joe@ourshop.de\r\n\r\n", OWN)
    assert [(r["email"], r["kind"]) for r in rows] == [(None, "sent")]


def test_gmail_messages_are_keyed_by_their_gmail_id() -> None:
    header = b"From: a@x.example\r\nMessage-ID: <3@x>\r\n\r\n"
    assert _rows(header, OWN, gmail_id=1234)[0]["message_key"] == "gm:1234"
    assert _rows(header, OWN)[0]["message_key"] == "mid:3@x"


def test_the_username_is_our_address_when_none_is_configured() -> None:
    account = ImapAccountSettings(name="a", host="h", username="Me@Shop.example",
                                  password="p")  # type: ignore[arg-type]
    assert "me@shop.example" in own_addresses(account)
    with_domains = account.model_copy(update={"own_domains": ["shop.example"]})
    assert "me@shop.example" in own_addresses(with_domains)
    assert "x@shop.example" in own_addresses(with_domains)
