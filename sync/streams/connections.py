"""How sources reach their systems: one object the pipeline (or a test) hands to every source.

A source opener takes the client config and a ``Connections`` and is a context manager that
yields the source's streams (none when the client does not configure it) and closes its
clients on exit. Tests inject transports here instead of patching globals; ``None`` means the
real network.
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from sync.streams.contract import Stream

if TYPE_CHECKING:
    from sync.config import ClientConfig

__all__ = ["Connections", "SourceOpener"]


@dataclass(frozen=True)
class Connections:
    """Transports per outside system; each ``None`` means the real network."""

    suitecrm: httpx.BaseTransport | None = None
    suitecrm_async: httpx.AsyncBaseTransport | None = None
    mailchimp: httpx.BaseTransport | None = None
    matomo: httpx.BaseTransport | None = None
    imap_ssl_context: ssl.SSLContext | None = None
    """TLS context for IMAP (tests trust their own certificate with it)."""


SourceOpener = Callable[["ClientConfig", Connections], AbstractContextManager[list[Stream]]]
"""Opens one source (a config section) of a client: yields its streams, closes its clients."""
