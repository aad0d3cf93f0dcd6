"""The resolved client config as people may see it: every secret redacted."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import make_url

from connectors.http import redact_url
from sync.config import ClientConfig, store_url

__all__ = ["REDACTED", "redacted_view"]

REDACTED = "**********"


def redacted_view(config: ClientConfig) -> dict[str, Any]:
    """The config as plain data, with secrets masked and the store URL resolved."""
    view = config.model_dump(mode="json")
    view["suitecrm"]["base_url"] = redact_url(str(config.suitecrm.base_url))
    view["store"]["url"] = make_url(store_url(config)).render_as_string(hide_password=True)
    _mask_secret_strings(view)
    return view


def _mask_secret_strings(value: Any) -> None:
    """Pydantic renders SecretStr as asterisks already; keep one fixed mask for empty ones too."""
    if isinstance(value, dict):
        for key, item in value.items():
            if item == REDACTED or (isinstance(item, str) and item.startswith("*") and
                                    set(item) == {"*"}):
                value[key] = REDACTED
            else:
                _mask_secret_strings(item)
    elif isinstance(value, list):
        for item in value:
            _mask_secret_strings(item)
