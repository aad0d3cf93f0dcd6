"""Identity resolution: normalised e-mail keys, ambiguous and unmatched counted, not guessed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from sync.identity import IdentityRules, normalise_email, record_emails
from sync.identity_settings import IdentitySettings
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
                                "ambiguous_keys": 1, "unmatched_keys": 1, "quarantined": 0,
                                "quarantined_keys": 0, "blocked": 0}
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


def test_role_and_blocklisted_addresses_never_link_and_a_crowded_key_is_quarantined(
        store: Store) -> None:
    rules = IdentityRules.of(IdentitySettings(blocklist=[r".*@example\.net"],
                                              max_people_per_key=2))
    when = datetime(2026, 3, 1, tzinfo=UTC)
    with store.transaction() as connection:
        index_identities(connection, "Contacts", [
            {"id": "c1", "email1": "info@acme.example", "email2": "ann@acme.example"},
            {"id": "c2", "email1": "bob@example.net"},
            *({"id": f"f{i}", "email1": "family@home.example"} for i in range(3)),
        ], key=KEY, rules=rules)
        store_interactions(connection, "imap:inbox", "email", [
            {"id": "m1", "occurred_at": when, "kind": "received", "email": "INFO@acme.example"},
            {"id": "m2", "occurred_at": when, "kind": "received", "email": "bob@example.net"},
            {"id": "m3", "occurred_at": when, "kind": "received", "email": "ann@acme.example"},
            {"id": "m4", "occurred_at": when, "kind": "sent", "email": "family@home.example"},
        ], now=when, key=KEY, rules=rules)
        report = resolve_interactions(connection, ["Contacts"], max_people_per_key=2)
        states = {row.id: (row.match, row.person_id) for row in connection.execute(
            select(INTERACTIONS.c.id, INTERACTIONS.c.match, INTERACTIONS.c.person_id))}
    assert states == {"m1": ("blocked", None), "m2": ("blocked", None),
                      "m3": ("matched", "c1"), "m4": ("quarantined", None)}
    assert (report.blocked, report.quarantined, report.quarantined_keys) == (2, 1, 1)


def test_gmail_dots_and_tags_only_with_the_switch() -> None:
    on = IdentityRules.of(IdentitySettings(gmail_normalise=True))
    assert on.email("J.Doe+news@GoogleMail.com") == "jdoe@gmail.com"
    assert on.email("j.doe+news@example.com") == "j.doe+news@example.com"
    assert IdentityRules.of(IdentitySettings()).email("j.doe@gmail.com") == "j.doe@gmail.com"


ADDRESSES = st.builds(lambda local, domain, pad: f"{pad}{local}@{domain}{pad}",
                      st.from_regex(r"[A-Za-z0-9._+\u00e9\u0065\u0301-]{1,12}", fullmatch=True),
                      st.sampled_from(["gmail.com", "GoogleMail.com", "example.org", "xn--e.de"]),
                      st.sampled_from(["", " ", "\t"]))


@given(address=ADDRESSES, gmail=st.booleans())
def test_normalising_is_idempotent(address: str, gmail: bool) -> None:
    once = normalise_email(address, gmail=gmail)
    assert once is None or normalise_email(once, gmail=gmail) == once


@given(address=ADDRESSES, pattern=st.sampled_from([r".*", r".*@gmail\.com", r"[a-z]+@.*"]))
def test_a_blocked_address_never_links_a_record(address: str, pattern: str) -> None:
    rules = IdentityRules.of(IdentitySettings(blocklist=[pattern]))
    email = rules.email(address)
    if email is not None and rules.blocked(email):
        assert email not in record_emails({"id": "x", "email1": address}, rules)
