"""The Stream contract every source of records or interactions follows, and the capabilities
a stream may have besides (each a protocol that pull checks for, never a concrete class).

A stream is either a ``RecordStream`` (its records are kept by id under ``module``) or an
``InteractionStream`` (e-mails, campaign activity, web visits linked to people). A record
stream may also be ``Typed`` (it tells the field types of its module, used to type the frames
built from the store) and ``Reconcilable`` (it lists the ids it holds now, to find deletions).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol, runtime_checkable

from sync.streams.cursor import CursorValue

__all__ = ["InteractionStream", "Reconcilable", "RecordStream", "Stream", "Typed"]


@runtime_checkable
class Stream(Protocol):
    """A named source read in pages in cursor order.

    ``read(since)`` yields every record whose ``cursor_field`` is at or after ``since``
    (everything when ``since`` is None), in pages, each page in cursor order and no page
    going back from the one before. Each record is a dict holding ``primary_key``.
    """

    name: str
    primary_key: str
    cursor_field: str

    def read(self, since: CursorValue | None) -> Iterator[list[dict[str, Any]]]:
        """Pages of records from ``since`` on."""
        ...


@runtime_checkable
class RecordStream(Stream, Protocol):
    """A stream of records kept in the store by id under ``module`` (e.g. a SuiteCRM module)."""

    module: str


@runtime_checkable
class Typed(RecordStream, Protocol):
    """A record stream that knows the field types of its module."""

    def field_types(self) -> dict[str, str]:
        """Field name -> type name (SuiteCRM's type names), for typing store frames."""
        ...


@runtime_checkable
class Reconcilable(RecordStream, Protocol):
    """A record stream that can list the ids it holds now, to find deleted records."""

    def list_ids(self) -> Iterator[list[str]]:
        """Pages of the ids of every record that exists now."""
        ...


@runtime_checkable
class InteractionStream(Stream, Protocol):
    """A stream of interactions (e-mails, campaign activity, web visits) with people.

    Each record holds ``id``, ``occurred_at`` (aware UTC datetime), ``kind`` and one key that
    identifies the person: ``email``, ``mailchimp_email`` or ``matomo_user_id``.
    """

    channel: str
