"""What the Mailchimp e2e tests share: a client with a Mailchimp source, and the store's view.

The client syncs the sandbox's SuiteCRM (Contacts, the people interactions link to) and its
Mailchimp look-alike; ``interactions_view`` is what a user would compare between two stores.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from sandbox import RunningSandbox
from sandbox.app import sandbox_state
from sandbox.mailchimp_api import MailchimpControl
from sync.config import ClientConfig
from sync.store import Store
from sync.store.schema import INTERACTIONS
from tests.e2e.sandbox_sync import FAST_HTTP, client_config, write_client_file

__all__ = ["control", "interactions_view", "mailchimp_client"]


def control(sb: RunningSandbox) -> MailchimpControl:
    """The sandbox's Mailchimp data, to change as a Mailchimp user would."""
    return MailchimpControl(sandbox_state(sb.app).store)


def mailchimp_client(folder: Path, sb: RunningSandbox, store_url: str, *,
                     writeback: dict[str, str] | None = None, **mailchimp: Any) -> ClientConfig:
    """A client of ``sb`` with ``sources.mailchimp`` (fast retries; overrides in kwargs)."""
    path = write_client_file(folder, sb, store_url, page_size=200)
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["sync"]["modules"] = ["Contacts"]
    document["sources"] = {"mailchimp": {
        "base_url": f"{sb.base_url}/mailchimp/3.0",
        "api_key": sb.settings.mailchimp_api_key.get_secret_value(),
        "audience_id": sb.settings.mailchimp_list_id, "http": FAST_HTTP, **mailchimp}}
    if writeback:
        document["writeback"] = {"fields": writeback}
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return client_config(path)


def interactions_view(store: Store) -> dict[tuple[str, str], tuple[Any, ...]]:
    """(stream, id) -> (occurred_at, kind, key, content hash, person) of every interaction."""
    with store.transaction() as connection:
        rows = connection.execute(select(INTERACTIONS)).all()
    return {(row.stream, row.id): (row.occurred_at, row.kind, row.key_value, row.content_hash,
                                   row.person_id) for row in rows}
