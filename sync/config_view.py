"""The resolved client config as people may see it: every secret redacted."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import make_url

from connectors.http import redact_url
from sync.config import ClientConfig, store_url
from sync.field_selection import needed_fields

__all__ = ["redacted_view", "stored_fields_view"]


def redacted_view(config: ClientConfig) -> dict[str, Any]:
    """The config as plain data, with secrets masked and the store URL resolved.

    Pydantic renders every set ``SecretStr`` as ``**********``; URLs lose their passwords.
    """
    view = config.model_dump(mode="json")
    view["suitecrm"]["base_url"] = redact_url(str(config.suitecrm.base_url))
    view["store"]["url"] = make_url(store_url(config)).render_as_string(hide_password=True)
    return view


def stored_fields_view(config: ClientConfig) -> dict[str, dict[str, str]]:
    """Per pulled SuiteCRM module, each field the store keeps and why (data minimisation)."""
    return {module: {name: str(need) for name, need in fields.items()}
            for module, fields in needed_fields(config).items()}
