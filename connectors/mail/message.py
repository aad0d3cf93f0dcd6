"""What SuitePulse keeps of one message: parsed from its headers only, never fatal.

Headers are parsed with ``email.parser`` under ``policy.default``; addresses with
``email.utils.getaddresses`` over the raw (still RFC 2047 encoded) header values, so an
encoded display name holding a comma cannot split an address. Display names are dropped:
only normalised addresses are kept. 8-bit header bytes are read as UTF-8 where they are
(SMTPUTF8), else replaced. Every problem (a defect the parser found in the header block, an
unparseable address or Message-ID, a missing or garbage Date) is counted in ``defects``;
none raises.
"""

from __future__ import annotations

import email.utils
import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

__all__ = ["HEADER_FIELDS", "MessageFacts", "normalise_address", "parse_headers"]

HEADER_FIELDS = ("FROM", "TO", "CC", "REPLY-TO", "DATE", "MESSAGE-ID", "IN-REPLY-TO",
                 "REFERENCES")
"""The header fields fetched for every message (SUBJECT is added only when subjects are kept)."""

_ADDRESS = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.[^@\s<>(),;:\"\[\]]+$")
_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_PARTIES = ("from", "to", "cc", "reply-to")
_FUTURE_SLACK = timedelta(days=1)
_PARSER = BytesParser(policy=policy.default)


@dataclass(frozen=True)
class MessageFacts:
    """The parts of one message's headers that SuitePulse uses."""

    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    date: datetime
    """Aware UTC: the Date header, or INTERNALDATE when it is missing or garbage."""
    senders: tuple[str, ...]
    """Normalised From addresses."""
    parties: tuple[str, ...]
    """Normalised addresses of From, To, Cc and Reply-To, each once, in that order."""
    subject: str | None
    defects: int
    header_digest: str
    """A digest of the address, date and id headers: a key for messages without Message-ID."""

    @property
    def is_reply(self) -> bool:
        """The message answers another one (In-Reply-To or References)."""
        return bool(self.in_reply_to or self.references)


def normalise_address(value: str) -> str | None:
    """The comparable form of an address (trimmed, lower-cased), or None if it is none."""
    text = value.strip().strip("<>").strip().lower()
    if text.startswith("mailto:"):
        text = text[7:]
    return text if _ADDRESS.match(text) else None


def _text(value: str) -> str:
    """Undo the parser's surrogate escapes: 8-bit bytes as UTF-8, else replaced."""
    try:
        raw = value.encode("ascii", "surrogateescape")
    except UnicodeEncodeError:
        return value
    return raw.decode("utf-8", "replace")


def _raw_values(message: EmailMessage, name: str) -> list[str]:
    return [_text(str(value)) for key, value in message.raw_items() if key.lower() == name]


def _addresses(message: EmailMessage, name: str) -> tuple[list[str], int]:
    """Normalised addresses of header ``name`` and how many entries did not parse."""
    values = _raw_values(message, name)
    if not values:
        return [], 0
    found: list[str] = []
    bad = 0
    try:
        pairs = email.utils.getaddresses(values)
    except Exception:  # the stdlib parser can fail on hostile input; count, go on
        return [], 1
    for _name, address in pairs:
        normal = normalise_address(address) if address else None
        if normal is None:
            bad += 1 if (address or _name) else 0
        elif normal not in found:
            found.append(normal)
    if not found and not bad and any(value.strip() for value in values):
        bad = 1  # something was there, and no address came out of it
    return found, bad


def _message_ids(values: list[str]) -> list[str]:
    return [match for value in values for match in _MESSAGE_ID.findall(value)]


def _date(message: EmailMessage, internaldate: datetime) -> tuple[datetime, int]:
    """The Date header in UTC, or ``internaldate`` (with one defect) when it is unusable."""
    try:
        header = message["date"]
        parsed = getattr(header, "datetime", None)
    except Exception:  # the policy's header classes raise on some garbage
        return internaldate, 1
    if not isinstance(parsed, datetime):
        return internaldate, 1
    if parsed.tzinfo is None:  # "-0000": no zone information; RFC 5322 says UTC
        parsed = parsed.replace(tzinfo=UTC)
    try:
        parsed = parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return internaldate, 1
    if parsed > internaldate + _FUTURE_SLACK or parsed.year < 1980:
        return internaldate, 1
    return parsed, 0


def parse_headers(raw: bytes, *, internaldate: datetime, keep_subject: bool = False
                  ) -> MessageFacts:
    """The facts of a message from its header bytes; ``internaldate`` must be aware."""
    message = _PARSER.parsebytes(raw, headersonly=True)
    assert isinstance(message, EmailMessage)
    defects = len(message.defects)  # what the parser found in the header block itself
    parties: list[str] = []
    senders: list[str] = []
    for name in _PARTIES:
        found, bad = _addresses(message, name)
        defects += bad
        if name == "from":
            senders = found
        parties.extend(address for address in found if address not in parties)
    raw_ids = _raw_values(message, "message-id")
    message_ids = _message_ids(raw_ids)
    defects += 1 if raw_ids and not message_ids else 0
    replying = _message_ids(_raw_values(message, "in-reply-to"))
    date, bad_date = _date(message, internaldate.astimezone(UTC))
    subject = None
    if keep_subject:
        values = message.get_all("subject") or []
        subject = _text(str(values[0])) if values else None
    return MessageFacts(
        message_id=message_ids[0] if message_ids else None,
        in_reply_to=replying[0] if replying else None,
        references=tuple(_message_ids(_raw_values(message, "references"))),
        date=date, senders=tuple(senders), parties=tuple(parties), subject=subject,
        defects=defects + bad_date,
        header_digest=_digest(message))


def _digest(message: EmailMessage) -> str:
    """A digest of the fetched header fields but the subject (kept or not, same digest)."""
    kept = {name.lower() for name in HEADER_FIELDS}
    text = "\n".join(f"{key.lower()}:{value}" for key, value in message.raw_items()
                     if key.lower() in kept)
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()
