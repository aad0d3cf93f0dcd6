"""What SuiteCRM streams need from SuiteCRM, and its implementation over the V8 connector."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from connectors.suitecrm import SuiteCRMClient

__all__ = ["Condition", "RecordSource", "SourceRecord", "SuiteCRMSource"]

Condition = tuple[str, str, Any]  # (field, op, value); op in eq neq gt gte lt lte like


class SourceRecord(Protocol):
    """A record as the connector returns it."""

    @property
    def id(self) -> str: ...

    @property
    def attributes(self) -> dict[str, Any]: ...


class RecordSource(Protocol):
    """The first page of a filtered, sorted listing; and field types."""

    def first_page(self, module: str, *, fields: Sequence[str] | None,
                   conditions: Sequence[Condition], sort: str,
                   page_size: int) -> Sequence[SourceRecord]:
        """Page 1 of ``module`` where all ``conditions`` hold, sorted by ``sort``."""
        ...

    def field_types(self, module: str) -> dict[str, str]:
        """Field name -> SuiteCRM field type of ``module``."""
        ...


class SuiteCRMSource:
    """A ``RecordSource`` over a ``connectors.suitecrm.SuiteCRMClient``."""

    def __init__(self, client: SuiteCRMClient) -> None:
        self._client = client

    def first_page(self, module: str, *, fields: Sequence[str] | None,
                   conditions: Sequence[Condition], sort: str,
                   page_size: int) -> Sequence[SourceRecord]:
        from connectors.suitecrm import (
            Condition as ApiCondition,
        )
        from connectors.suitecrm import Filter

        query_filter = Filter.all(*(ApiCondition(f, op, v) for f, op, v in conditions)) \
            if conditions else None
        pages = self._client.iter_pages(module, fields=fields, filter=query_filter, sort=sort,
                                        page_size=page_size)
        try:
            return list(next(iter(pages), []))
        finally:
            close = getattr(pages, "close", None)
            if close is not None:
                close()

    def field_types(self, module: str) -> dict[str, str]:
        return {name: str(meta.type) for name, meta in self._client.fields(module).items()}
