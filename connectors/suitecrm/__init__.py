"""The SuiteCRM V8 JSON:API client.

``SuiteCRMClient`` reads and writes records, relationships and metadata; ``Filter`` and
``Condition`` build list filters; results are ``Record``, ``FieldMeta`` and ``SearchFields``.
"""

from __future__ import annotations

from connectors.errors import RecordError
from connectors.suitecrm.client import SuiteCRMClient
from connectors.suitecrm.filters import OPERATORS, Condition, Filter
from connectors.suitecrm.records import FieldMeta, Record
from connectors.suitecrm.search_defs import SearchFields
from connectors.suitecrm.settings import ApiLayout, GrantType, SuiteCRMSettings

__all__ = [
    "OPERATORS",
    "ApiLayout",
    "Condition",
    "FieldMeta",
    "Filter",
    "GrantType",
    "Record",
    "RecordError",
    "SearchFields",
    "SuiteCRMClient",
    "SuiteCRMSettings",
]
