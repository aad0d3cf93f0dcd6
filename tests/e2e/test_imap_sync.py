"""IMAP mailboxes through the whole sync: into the store once, linked to contacts, and into
the engagement score and last interaction date."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from sync.config import ClientConfig
from sync.enrich_step import enrich_client
from sync.pull import sync_client
from sync.run_summary import Outcome
from sync.store import Store
from sync.store.schema import INTERACTIONS
from tests.dovecot import Dovecot
from tests.fake_crm import FakeCRM
from tests.imap_mail import OURS, account, deliver, mail_client, message, unique_user

pytestmark = pytest.mark.e2e


def _config(tmp_path: Path, *accounts: Any) -> ClientConfig:
    return ClientConfig.model_validate({
        "client": "acme",
        "suitecrm": {"base_url": "https://crm.example.com", "client_id": "x",
                     "client_secret": "s", "page_size": 10},
        "sync": {"modules": ["Contacts"]},
        "enrichment": {"customer_entity": "Contacts",
                       "purchases": {"module": "Opportunities", "customer_field": "contact_id"}},
        "store": {"url": f"sqlite:///{tmp_path / 'acme.sqlite3'}"},
        "sources": {"imap": [a.model_dump(mode="json") | {
            "password": a.password.get_secret_value()} for a in accounts]},
    })


def _interactions(store: Store) -> list[tuple[str, str, str, str | None]]:
    with store.transaction() as connection:
        rows = connection.execute(select(
            INTERACTIONS.c.stream, INTERACTIONS.c.id, INTERACTIONS.c.kind,
            INTERACTIONS.c.person_id).order_by(INTERACTIONS.c.stream, INTERACTIONS.c.id))
        return [(r.stream, r.id, r.kind, r.person_id) for r in rows]


def _count(store: Store) -> int:
    with store.transaction() as connection:
        return int(connection.execute(select(func.count()).select_from(INTERACTIONS)).scalar())


@pytest.fixture
def crm() -> FakeCRM:
    crm = FakeCRM()
    crm.add("Contacts", "c-ann", last_name="Lee", email1="Ann@Customer.example")
    crm.add("Contacts", "c-bob", last_name="Roe", email1="bob@customer.example")
    return crm


def test_a_mailbox_synced_twice_yields_each_message_once_and_feeds_engagement(
        dovecot: Dovecot, tmp_path: Path, crm: FakeCRM) -> None:
    user = unique_user("sync")
    recent = datetime.now(UTC).replace(microsecond=0)
    deliver(dovecot, user, [message("ann@customer.example", date=recent),
                            message("bob@customer.example", cc="stranger@else.example")])
    deliver(dovecot, user, [message(OURS, "ann@customer.example", date=recent)],
            folder="Sent")
    config = _config(tmp_path, account(dovecot, user, folders=["INBOX", "Sent"]))
    with Store.for_config(config) as store:
        first = sync_client(config, store=store, connections=crm.connections())
        assert first.outcome is Outcome.OK
        inbox, sent = f"imap:{user}:INBOX", f"imap:{user}:Sent"
        assert first.streams[inbox].new == 3 and first.streams[sent].new == 1
        stored = _interactions(store)
        assert sorted((kind, person or "") for _s, _i, kind, person in stored) == [
            ("received", ""), ("received", "c-ann"), ("received", "c-bob"), ("sent", "c-ann")]

        second = sync_client(config, store=store, connections=crm.connections())
        assert second.streams[inbox].new == 0 and second.streams[sent].new == 0
        assert _interactions(store) == stored

        traits = enrich_client(config, store, save=False)
    assert traits["c-ann"]["engagement_score"] > traits["c-bob"]["engagement_score"] > 0
    assert traits["c-ann"]["last_interaction_date"] == recent.date()


def test_a_recreated_folder_does_not_double_count(dovecot: Dovecot, tmp_path: Path,
                                                   crm: FakeCRM) -> None:
    user = unique_user("recreate")
    kept = [message("ann@customer.example"), message("bob@customer.example")]
    deliver(dovecot, user, kept, folder="Support")
    config = _config(tmp_path, account(dovecot, user, folders=["Support"]))
    with Store.for_config(config) as store:
        sync_client(config, store=store, connections=crm.connections())
        before = _interactions(store)
        with mail_client(dovecot, user) as client:
            client.delete_folder("Support")
        deliver(dovecot, user, kept, folder="Support")
        again = sync_client(config, store=store, connections=crm.connections())
        assert again.outcome is Outcome.OK
        assert again.streams[f"imap:{user}:Support"].new == 0
        assert _interactions(store) == before


def test_a_run_cut_off_by_a_dropped_connection_is_completed_by_the_next(
        dovecot: Dovecot, tmp_path: Path, crm: FakeCRM) -> None:
    user = unique_user("cutoff")
    deliver(dovecot, user, [message(f"c{n}@customer.example") for n in range(9)])
    config = _config(tmp_path, account(dovecot, user, page_size=3, max_reconnects=0))
    stream = f"imap:{user}:INBOX"

    def kick_once(name: str, _phase: str, _count: int) -> None:
        if name == stream and not kicked:
            kicked.append(True)
            dovecot.kick(user)

    kicked: list[bool] = []
    with Store.for_config(config) as store:
        cut = sync_client(config, store=store, connections=crm.connections(), progress=kick_once)
        assert cut.outcome is Outcome.FAILED
        assert cut.streams[stream].new == 3 and cut.streams[stream].error
        done = sync_client(config, store=store, connections=crm.connections())
        assert done.outcome is Outcome.OK
        assert done.streams[stream].new == 6
        assert _count(store) == 9
