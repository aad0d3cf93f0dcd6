"""Streams: every source of records or interactions, read in pages in cursor order."""

from __future__ import annotations

from sync.streams.contract import InteractionStream, Reconcilable, Stream
from sync.streams.registry import build_streams, record_modules, register_stream_factory
from sync.streams.suitecrm import SuiteCRMStream

__all__ = ["InteractionStream", "Reconcilable", "Stream", "SuiteCRMStream", "build_streams",
           "record_modules", "register_stream_factory"]
