"""Streams: every source of records or interactions, read in pages in cursor order."""

from __future__ import annotations

from sync.streams.connections import Connections, SourceOpener
from sync.streams.contract import InteractionStream, Reconcilable, RecordStream, Stream, Typed
from sync.streams.registry import SOURCES, open_sources

__all__ = ["SOURCES", "Connections", "InteractionStream", "Reconcilable", "RecordStream",
           "SourceOpener", "Stream", "Typed", "open_sources"]
