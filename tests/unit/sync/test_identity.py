"""Identity resolution: normalised e-mail keys, ambiguous and unmatched counted, not guessed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from sync.identity import normalise_email
from sync.store import Store
from sync.store.identities import index_identities, resolve_interactions
from sync.store.interactions import store_interactions
from sync.store.schema import INTERACTIONS

KEY = b"k" * 32


@pytest.mark.parametrize(("raw", "expected"), [
    ("  Ann.Lee@Example.COM ", "ann.lee@example.com"),
    ("mailto:<bob+news@example.org>", "bob+news@example.org"),
    ("not an address", None),
    ("two@@example.com", None),
    ("", None),
    (None, None),
])
def test_normalise_email(raw: object, expected: str | None) -> None:
    assert normalise_email(raw) == expected


def test_interactions_link_by_email_and_report_the_rest(store: Store) -> None:
    when = datetime(2026, 3, 1, tzinfo=UTC)
    with store.transaction() as connection:
        index_identities(connection, "Contacts", [
            {"id": "c1", "email1": "Ann@Example.com"},
            {"id": "c2", "email1": "shared@example.com"},
            {"id": "c3", "email1": "shared@example.com", "email2": "c3@example.com"},
        ], key=KEY)
        store_interactions(connection, "imap:inbox", "email", [
            {"id": "m1", "occurred_at": when, "kind": "received", "email": "ann@example.com"},
            {"id": "m2", "occurred_at": when, "kind": "received", "email": "SHARED@example.com"},
            {"id": "m3", "occurred_at": when, "kind": "sent", "email": "nobody@example.com"},
            {"id": "m4", "occurred_at": when, "kind": "sent"},
        ], now=when, key=KEY)
        store_interactions(connection, "matomo", "web", [
            {"id": "v1", "occurred_at": when, "kind": "visit", "matomo_user_id": "C3@example.com"},
        ], now=when, key=KEY, matomo_user_id_is_email=True)
        report = resolve_interactions(connection, ["Contacts"])
        links = {row.id: row.person_id for row in connection.execute(
            select(INTERACTIONS.c.id, INTERACTIONS.c.person_id))}
    assert report.as_dict() == {"matched": 2, "ambiguous": 1, "unmatched": 1, "without_key": 1,
                                "ambiguous_keys": 1, "unmatched_keys": 1}
    assert links == {"m1": "c1", "m2": None, "m3": None, "m4": None, "v1": "c3"}


def test_a_contact_that_appears_later_resolves_an_unmatched_interaction(store: Store) -> None:
    when = datetime(2026, 3, 1, tzinfo=UTC)
    with store.transaction() as connection:
        store_interactions(connection, "mailchimp", "campaign", [
            {"id": "a1", "occurred_at": when, "kind": "open", "mailchimp_email": "new@example.com"},
        ], now=when, key=KEY)
        assert resolve_interactions(connection, ["Contacts"]).unmatched == 1
        index_identities(connection, "Contacts", [{"id": "c9", "email1": "new@example.com"}],
                         key=KEY)
        assert resolve_interactions(connection, ["Contacts"]).matched == 1


def test_no_identity_key_is_stored_in_clear(store: Store) -> None:
    when = datetime(2026, 3, 1, tzinfo=UTC)
    with store.transaction() as connection:
        index_identities(connection, "Contacts", [{"id": "c1", "email1": "ann@example.com"}],
                         key=KEY)
        store_interactions(connection, "matomo", "web", [
            {"id": "v1", "occurred_at": when, "kind": "visit", "matomo_user_id": "u-77"},
            {"id": "m1", "occurred_at": when, "kind": "open", "email": "Ann@example.com"},
        ], now=when, key=KEY)
        assert resolve_interactions(connection, ["Contacts"]).matched == 1
        stored = [tuple(row) for row in connection.execute(select(
            INTERACTIONS.c.key_value, INTERACTIONS.c.detail, INTERACTIONS.c.content_hash))]
    text = repr(stored)
    assert "ann@example.com" not in text.lower()
    assert "u-77" not in text


def test_another_key_does_not_match(store: Store) -> None:
    when = datetime(2026, 3, 1, tzinfo=UTC)
    with store.transaction() as connection:
        index_identities(connection, "Contacts", [{"id": "c1", "email1": "ann@example.com"}],
                         key=KEY)
        store_interactions(connection, "imap:inbox", "email", [
            {"id": "m1", "occurred_at": when, "kind": "received", "email": "ann@example.com"},
        ], now=when, key=b"other" * 8)
        assert resolve_interactions(connection, ["Contacts"]).matched == 0
