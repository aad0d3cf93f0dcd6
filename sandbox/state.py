"""Everything one sandbox server holds: settings, schema, store, tokens, and a request context."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request

from sandbox.records import RecordRenderer
from sandbox.schema import Schema
from sandbox.settings import SandboxSettings
from sandbox.storage import Store
from sandbox.tokens import OAuthClient, TokenIssuer, User

__all__ = ["ADMIN_ID", "SYNC_USER_ID", "RequestContext", "SandboxState", "new_guid", "now_db"]

ADMIN_ID = "1"
SYNC_USER_ID = "e4f3f385-08e5-97b8-313c-6b03f7acbee7"


def now_db() -> str:
    """The current UTC time in SuiteCRM's DB format."""
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")


def new_guid() -> str:
    """A new record id shaped like SuiteCRM's ``create_guid``."""
    return str(uuid.uuid4())


def _sha(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class SandboxState:
    """One server's state; shared by its request handlers."""

    def __init__(self, settings: SandboxSettings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.schema: Schema = store.schema
        self.users = [
            User(ADMIN_ID, settings.username, settings.password.get_secret_value(),
                 "Administrator"),
            User(SYNC_USER_ID, settings.sync_username, settings.sync_password.get_secret_value(),
                 "Sync User"),
        ]
        clients = [
            OAuthClient(settings.client_id, _sha(settings.client_secret.get_secret_value()),
                        "client_credentials", ADMIN_ID),
            OAuthClient(settings.password_client_id,
                        _sha(settings.password_client_secret.get_secret_value()), "password",
                        ADMIN_ID),
        ]
        self.tokens = TokenIssuer(clients, self.users, settings.access_token_lifetime_s)
        names = {u.id: u.full_name for u in self.users}
        self.renderer = RecordRenderer(store, lambda user_id: names.get(user_id, ""))

    def label(self, module: str) -> str:
        """A module's label, as meta/modules lists it."""
        entry = self.schema.listing.get(module)
        return str(entry["label"]) if isinstance(entry, dict) else module


@dataclass
class RequestContext:
    """One API request after routing and authentication."""

    request: Request
    state: SandboxState
    path_params: dict[str, str]
    query: dict[str, Any]
    path: str
    body: Any = None
    token_id: str = ""
    user_id: str = ADMIN_ID
    extra: dict[str, Any] = field(default_factory=dict)
