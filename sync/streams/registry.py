"""The sources sync knows: one opener per config section, and opening them all for a run.

Adding a source is one line in ``SOURCES``: its config section and its opener (a
``SourceOpener``, see ``sync.streams.connections``), which yields the source's streams (none
when the client does not configure it) and closes its clients on exit. Pull, the pipeline and
the CLI know no source by name.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from types import MappingProxyType
from typing import TYPE_CHECKING

from sync.streams.connections import Connections, SourceOpener
from sync.streams.contract import Stream
from sync.streams.imap import open_imap_streams
from sync.streams.mailchimp import open_mailchimp_streams
from sync.streams.matomo import open_matomo_streams
from sync.streams.suitecrm import open_suitecrm

if TYPE_CHECKING:
    from sync.config import ClientConfig

__all__ = ["SOURCES", "open_sources"]

SOURCES: Mapping[str, SourceOpener] = MappingProxyType({
    "suitecrm": open_suitecrm,
    "imap": open_imap_streams,
    "mailchimp": open_mailchimp_streams,
    "matomo": open_matomo_streams,
})
"""Config section -> the opener of that source, in the order their streams are pulled."""


@contextmanager
def open_sources(config: ClientConfig, connections: Connections | None = None, *,
                 sources: Mapping[str, SourceOpener] = SOURCES) -> Iterator[list[Stream]]:
    """Every configured source of the client opened; their streams, SuiteCRM's first.

    Each source's clients are closed on exit, also when opening a later one failed.
    """
    reach = connections or Connections()
    streams: list[Stream] = []
    with ExitStack() as stack:
        for opener in sources.values():
            streams.extend(stack.enter_context(opener(config, reach)))
        yield streams
