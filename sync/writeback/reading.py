"""Reading what the CRM holds now: chosen records (by id, or by paging the module) and the
members of a target list.

SuiteCRM's V8 filters have no ``in``: records are read either one GET each (``get_many``,
``http.concurrency`` at a time) or by listing the whole module in sparse pages and keeping
the wanted ones. The listing is chosen when it takes fewer requests: when more records are
wanted than the module has pages. A wanted record the listing does not show is reported as
not found (deleted, or not visible to the API user), as a GET of it would be.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from connectors.errors import RecordError
from sync.writeback.destination import CRMClient
from sync.writeback.membership import LIST_LINKS, LIST_MODULE

__all__ = ["listing_is_cheaper", "read_members", "read_records"]

_SYSTEM = "suitecrm"


def listing_is_cheaper(wanted: int, module_size: int | None, page_size: int) -> bool:
    """Whether paging a module of ``module_size`` records takes fewer requests than
    ``wanted`` GETs (unknown size: never)."""
    if module_size is None or page_size < 1:
        return False
    pages = module_size // page_size + 1
    return pages < wanted


def read_records(client: CRMClient, module: str, ids: Sequence[str], fields: Sequence[str], *,
                 module_size: int | None = None, page_size: int = 500) -> list[Any]:
    """The records ``ids`` of ``module`` with ``fields``, in that order; a ``RecordError`` in
    place of each one that cannot be read."""
    if not listing_is_cheaper(len(ids), module_size, page_size):
        return client.get_many(module, ids, fields=fields)
    wanted = set(ids)
    found: dict[str, Any] = {}
    for page in client.iter_pages(module, fields=list(fields), page_size=page_size):
        found.update((record.id, record) for record in page if record.id in wanted)
    return [found.get(record_id) or RecordError(
        "not found", system=_SYSTEM, module=module, record_id=record_id,
        detail="not found in the module's listing (deleted, or not visible to the API user)")
        for record_id in ids]


def read_members(client: CRMClient, list_id: str, module: str, *,
                 page_size: int = 500) -> set[str]:
    """The ids of the ``module`` records in target list ``list_id`` (its link's pages)."""
    return {record.id
            for page in client.relationships(LIST_MODULE, list_id, LIST_LINKS[module],
                                             related_module=module, page_size=page_size)
            for record in page}
