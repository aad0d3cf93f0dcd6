"""The fields of a module's search layouts, from ``GET /V8/search-defs/module/{module}``.

SuiteCRM (7.10+) answers ``{"data": {"type": "SearchDefs", "attributes": {"module",
"templateMeta", "basic", "advanced", "fields"}}}`` (``Api/V8/Service/ListViewSearchService``):
``basic`` and ``advanced`` are the entries of the ``basic_search`` and ``advanced_search``
layouts of ``searchdefs.php``, which the list view shows as its quick filter and its filter
dialog. An entry is a definition with a ``name``, or just the name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["SearchFields"]


@dataclass(frozen=True)
class SearchFields:
    """The field names of a module's basic search (quick filter) and advanced search (filter)."""

    basic: frozenset[str]
    advanced: frozenset[str]

    @classmethod
    def from_attributes(cls, attributes: Mapping[str, Any]) -> SearchFields:
        """From the answer's attributes; entries that name no field are left out."""
        return cls(basic=_names(attributes.get("basic")),
                   advanced=_names(attributes.get("advanced")))


def _names(entries: Any) -> frozenset[str]:
    if isinstance(entries, Mapping):
        entries = list(entries.values())
    if not isinstance(entries, list):
        return frozenset()
    names = (entry.get("name") if isinstance(entry, Mapping) else entry for entry in entries)
    return frozenset(name for name in names if isinstance(name, str) and name)
