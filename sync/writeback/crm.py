"""Opening the client's SuiteCRM connection for write-back."""

from __future__ import annotations

import importlib
from contextlib import AbstractContextManager
from typing import Any, cast

import httpx

from sync.config import ClientConfig
from sync.errors import StateError
from sync.writeback.destination import CRMClient

__all__ = ["open_crm"]


def open_crm(
    config: ClientConfig, *, transport: httpx.BaseTransport | None = None
) -> AbstractContextManager[CRMClient]:
    """A ``SuiteCRMClient`` for the client's SuiteCRM (``with open_crm(config) as crm:``)."""
    module = importlib.import_module("connectors.suitecrm")
    client_class: Any = getattr(module, "SuiteCRMClient", None)
    if client_class is None:
        raise StateError("the SuiteCRM connector is not available in this installation")
    return cast(AbstractContextManager[CRMClient],
                client_class(config.suitecrm, transport=transport))
