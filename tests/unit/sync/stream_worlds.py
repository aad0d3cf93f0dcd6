"""A small world per source for the stream conformance suite: a config that uses the source,
the ``Connections`` that reach fakes holding known records, and those records' ids.

Every config section of ``sync.streams.SOURCES`` needs a world here (a test says so): a new
source joins the conformance suite by adding its entry to ``WORLDS``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from sync.config import ClientConfig
from sync.streams import Connections
from tests.dovecot import Dovecot
from tests.fake_crm import FakeCRM
from tests.imap_mail import account, deliver, message, unique_user

__all__ = ["CONFORMING_ELSEWHERE", "WORLDS", "MakeConfig", "World"]

MakeConfig = Callable[..., ClientConfig]


@dataclass(frozen=True)
class World:
    """A client configured for one source, how to reach it, and what each stream holds."""

    config: ClientConfig
    connections: Connections
    ids: dict[str, set[str]]
    """Stream name -> ids of every record the stream must yield."""


SUITECRM_MODULES = ["Accounts", "Contacts", "Leads", "Opportunities", "AOS_Invoices", "Cases"]


def suitecrm_world(make_config: MakeConfig, _request: pytest.FixtureRequest) -> World:
    """23 records in each of six modules; some share a second, pages of 10."""
    crm = FakeCRM(seed=3)
    ids: dict[str, set[str]] = {}
    for module in SUITECRM_MODULES:
        for number in range(23):
            ids.setdefault(module, set()).add(crm.add(module, name=f"{module}{number}"))
            crm.clock.advance(13 if number % 5 else 0)
    return World(make_config(sync={"modules": SUITECRM_MODULES}), crm.connections(), ids)


def _digest(text: str, size: int) -> str:
    return hashlib.blake2b(text.encode(), digest_size=size).hexdigest()


def imap_world(make_config: MakeConfig, request: pytest.FixtureRequest) -> World:
    """23 messages from customers in one folder of the test Dovecot, read 5 at a time.

    A message's row is identified by its Message-ID (without the brackets) and the
    counterparty's address.
    """
    dovecot: Dovecot = request.getfixturevalue("dovecot")
    user = unique_user("conformance")
    senders = {f"c{n}.{user}@mail.example": f"c{n}@customer.example" for n in range(23)}
    deliver(dovecot, user, [message(sender, message_id=f"<{mid}>")
                            for mid, sender in senders.items()])
    settings = account(dovecot, user, page_size=5)
    ids = {f"{_digest('mid:' + mid, 16)}.{_digest(sender, 8)}"
           for mid, sender in senders.items()}
    config = make_config(sources={"imap": [settings.model_dump(mode="json") | {
        "password": settings.password.get_secret_value()}]})
    return World(config, Connections(), {f"imap:{user}:INBOX": ids})


WORLDS: dict[str, Callable[[MakeConfig, pytest.FixtureRequest], World]] = {
    "suitecrm": suitecrm_world,
    "imap": imap_world,
}

CONFORMING_ELSEWHERE: dict[str, str] = {
    "mailchimp": "tests/e2e/test_mailchimp_conformance.py (against the running sandbox)",
    "matomo": "tests/e2e/test_matomo_sandbox.py (against the running sandbox)",
}
"""Sources whose streams pass the same checks (tests/stream_conformance.py) in another suite."""
