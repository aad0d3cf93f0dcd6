"""One fetched message as interaction rows: who it was with, which way, and of what kind.

A message gives one row per counterparty (every address of From, To, Cc and Reply-To that
is not one of ours), each with the person key ``email``; a message with no counterparty
(internal mail, or no usable address) gives one row without a key, so it is still counted.
Kinds: ``sent`` (outbound), ``received`` (inbound), ``replied`` (inbound and answered by us:
the ``\\Answered`` flag). Row ids derive from the message key (X-GM-MSGID on Gmail, else
Message-ID, else a digest of the headers), never from the UID: a folder read again after a
UIDVALIDITY change gives the same ids, so nothing is counted twice.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from connectors.mail.imap import FetchedMessage
from connectors.mail.message import MessageFacts, normalise_address

__all__ = ["OwnAddresses", "message_key", "message_rows"]


@dataclass(frozen=True)
class OwnAddresses:
    """The client's own addresses and domains: the side of a message that is not a customer."""

    addresses: frozenset[str]
    domains: frozenset[str]

    @classmethod
    def of(cls, addresses: Iterable[str], domains: Iterable[str]) -> OwnAddresses:
        """From config values (normalised; a leading ``@`` on a domain is dropped)."""
        return cls(frozenset(a for a in (normalise_address(v) for v in addresses) if a),
                   frozenset(d.strip().lstrip("@").lower() for d in domains if d.strip()))

    def __contains__(self, address: object) -> bool:
        if not isinstance(address, str):
            return False
        return address in self.addresses or address.rpartition("@")[2] in self.domains


def message_key(message: FetchedMessage, facts: MessageFacts) -> str:
    """What identifies a message across folders and UIDVALIDITY changes."""
    if message.gmail_id is not None:
        return f"gm:{message.gmail_id}"
    if facts.message_id:
        return f"mid:{facts.message_id}"
    return f"hdr:{facts.header_digest}"


def _short(text: str, size: int) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogateescape"),
                           digest_size=size).hexdigest()


def message_rows(message: FetchedMessage, facts: MessageFacts, own: OwnAddresses, *,
                 state: str, keep_subject: bool) -> list[dict[str, Any]]:
    """The interaction rows of one message; ``state`` is the folder state after it."""
    outbound = any(sender in own for sender in facts.senders)
    answered = "\\Answered" in message.flags
    kind = "sent" if outbound else "replied" if answered else "received"
    key = message_key(message, facts)
    base: dict[str, Any] = {
        "occurred_at": facts.date, "kind": kind, "imap_state": state,
        "direction": "outbound" if outbound else "inbound", "message_key": key,
        "message_id": facts.message_id, "in_reply_to": facts.in_reply_to,
        "is_reply": facts.is_reply, "seen": "\\Seen" in message.flags, "answered": answered,
        "defects": facts.defects,
    }
    if keep_subject:
        base["subject"] = facts.subject
    others = [address for address in facts.parties if address not in own]
    if not others:
        return [{**base, "id": _short(key, 16), "email": None}]
    return [{**base, "id": f"{_short(key, 16)}.{_short(address, 8)}", "email": address}
            for address in others]
