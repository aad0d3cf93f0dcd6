"""A small world per source for the stream conformance suite: a config that uses the source,
the ``Connections`` that reach fakes holding known records, and those records' ids.

Every config section of ``sync.streams.SOURCES`` needs a world here (a test says so): a new
source joins the conformance suite by adding its entry to ``WORLDS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sync.config import ClientConfig
from sync.streams import Connections
from tests.fake_crm import FakeCRM

__all__ = ["WORLDS", "MakeConfig", "World"]

MakeConfig = Callable[..., ClientConfig]


@dataclass(frozen=True)
class World:
    """A client configured for one source, how to reach it, and what each stream holds."""

    config: ClientConfig
    connections: Connections
    ids: dict[str, set[str]]
    """Stream name -> ids of every record the stream must yield."""


SUITECRM_MODULES = ["Accounts", "Contacts", "Leads", "Opportunities", "AOS_Invoices", "Cases"]


def suitecrm_world(make_config: MakeConfig) -> World:
    """23 records in each of six modules; some share a second, pages of 10."""
    crm = FakeCRM(seed=3)
    ids: dict[str, set[str]] = {}
    for module in SUITECRM_MODULES:
        for number in range(23):
            ids.setdefault(module, set()).add(crm.add(module, name=f"{module}{number}"))
            crm.clock.advance(13 if number % 5 else 0)
    return World(make_config(sync={"modules": SUITECRM_MODULES}), crm.connections(), ids)


WORLDS: dict[str, Callable[[MakeConfig], World]] = {
    "suitecrm": suitecrm_world,
}
