"""The checks every Stream passes (DESIGN: conformance), for any stream a test can read twice.

``assert_conforms`` reads a stream from the beginning, then again from the cursor a pull would
save, and checks: every record has its key and cursor; no page goes back from the one before;
the cursor survives the store's encoding; the re-read yields nothing from before the saved
cursor less the stream's documented overlap, and nothing that differs from the first read.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sync.streams.contract import InteractionStream, Stream
from sync.streams.cursor import CursorValue, decode_cursor, encode_cursor, later

__all__ = ["assert_conforms"]


def _pages(stream: Stream, since: CursorValue | None) -> list[list[dict[str, Any]]]:
    pages = list(stream.read(since))
    assert all(pages), f"{stream.name}: an empty page"
    return pages


def assert_conforms(stream: Stream, *, overlap: timedelta = timedelta(0)) -> int:
    """Run the checks on ``stream``; the number of records of the first read."""
    pages = _pages(stream, None)
    rows = [row for page in pages for row in page]
    assert rows, f"{stream.name}: nothing to check on"
    for row in rows:
        assert row.get(stream.primary_key) not in (None, ""), f"{stream.name}: no key"
        assert row.get(stream.cursor_field) is not None, f"{stream.name}: no cursor"
        if isinstance(stream, InteractionStream):
            assert row["occurred_at"].utcoffset() == timedelta(0)
            assert row.get("kind") and any(row.get(k) for k in (
                "email", "mailchimp_email", "matomo_user_id")), f"{stream.name}: no person"
    high: CursorValue | None = None
    for page in pages:
        low = min(row[stream.cursor_field] for row in page)
        assert high is None or low >= high, f"{stream.name}: a page went back"
        high = later(high, max(row[stream.cursor_field] for row in page))
    assert high is not None
    saved = decode_cursor(encode_cursor(high))
    assert saved == high
    first = {row[stream.primary_key]: row for row in rows}
    assert len(first) == len(rows), f"{stream.name}: a record was read twice"
    for row in (row for page in _pages(stream, saved) for row in page):
        assert row[stream.cursor_field] >= saved - overlap, f"{stream.name}: re-read old data"
        key = row[stream.primary_key]
        assert key not in first or first[key] == row, f"{stream.name}: {key} read differently"
    return len(rows)
