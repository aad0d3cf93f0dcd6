"""The sandbox's SQLite uses its indexes, so large sandboxes answer as fast as small ones."""

from __future__ import annotations

from sandbox import SandboxSettings
from sandbox.app import _open_store


def test_relate_lookup_by_related_id_uses_the_index() -> None:
    store, _ = _open_store(SandboxSettings(customers=50, seed=3))
    plan = store.query(
        "EXPLAIN QUERY PLAN SELECT b_id, a_id FROM sandbox_links WHERE relationship = ? "
        "AND b_module = ? AND a_module = ? AND b_id IN (?)",
        ["accounts_contacts", "Contacts", "Accounts", "some-contact-id"],
    )
    assert "sandbox_links_b" in " ".join(str(step[-1]) for step in plan)
