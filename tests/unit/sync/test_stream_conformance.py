"""The Stream contract, checked for every stream of every source the registry knows.

Each source is opened through its registry entry (``sync.streams.SOURCES``) over a small
world of known records (``stream_worlds.WORLDS``), and every stream it yields must: be a
record or an interaction stream, yield each record with its id, never go back in cursor
order, save a cursor that round-trips, and yield nothing older when read from a saved cursor.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from sync.streams import SOURCES, InteractionStream, RecordStream, Stream
from sync.streams.cursor import decode_cursor, encode_cursor, later
from tests.unit.sync.conftest import MakeConfig
from tests.unit.sync.stream_worlds import CONFORMING_ELSEWHERE, WORLDS, World

PERSON_KEYS = ("email", "mailchimp_email", "matomo_user_id")


def _all(stream: Stream, since: Any) -> Iterator[dict[str, Any]]:
    for page in stream.read(since):
        yield from page


@pytest.fixture(params=sorted(WORLDS))
def opened(request: pytest.FixtureRequest,
           make_config: MakeConfig) -> Iterator[tuple[World, list[Stream]]]:
    """One source of the registry, opened over its world: the world and the streams."""
    world = WORLDS[request.param](make_config, request)
    with SOURCES[request.param](world.config, world.connections) as streams:
        yield world, streams


def test_every_source_of_the_registry_has_a_world() -> None:
    assert set(WORLDS) | set(CONFORMING_ELSEWHERE) == set(SOURCES)
    assert not set(WORLDS) & set(CONFORMING_ELSEWHERE)


def test_a_source_yields_a_stream_for_every_part_of_its_world(
        opened: tuple[World, list[Stream]]) -> None:
    world, streams = opened
    assert {stream.name for stream in streams} == set(world.ids)
    for stream in streams:
        assert isinstance(stream, Stream)
        assert isinstance(stream, RecordStream | InteractionStream), stream.name


def test_records_carry_their_id(opened: tuple[World, list[Stream]]) -> None:
    world, streams = opened
    for stream in streams:
        rows = list(_all(stream, None))  # boundary records may come twice; the store de-dupes
        assert {row[stream.primary_key] for row in rows} == world.ids[stream.name]
        assert all(isinstance(row[stream.primary_key], str) and row[stream.primary_key]
                   for row in rows)


def test_interaction_records_carry_time_kind_and_a_person_key(
        opened: tuple[World, list[Stream]]) -> None:
    _, streams = opened
    for stream in streams:
        if not isinstance(stream, InteractionStream):
            continue
        for row in _all(stream, None):
            assert isinstance(row["occurred_at"], datetime) and row["occurred_at"].tzinfo
            assert row["kind"]
            assert sum(row.get(key) is not None for key in PERSON_KEYS) == 1, stream.name


def test_cursor_never_goes_back(opened: tuple[World, list[Stream]]) -> None:
    _, streams = opened
    for stream in streams:
        previous = None
        for page in stream.read(None):
            for row in page:
                value = row[stream.cursor_field]
                assert previous is None or value >= previous, stream.name
                previous = value


def test_state_round_trips(opened: tuple[World, list[Stream]]) -> None:
    _, streams = opened
    for stream in streams:
        cursor = None
        for row in _all(stream, None):
            cursor = later(cursor, row[stream.cursor_field])
        assert cursor is not None
        assert decode_cursor(encode_cursor(cursor)) == cursor


def test_reread_from_saved_state_yields_nothing_old(opened: tuple[World, list[Stream]]) -> None:
    _, streams = opened
    for stream in streams:
        rows = list(_all(stream, None))
        middle = sorted(row[stream.cursor_field] for row in rows)[len(rows) // 2]
        saved = decode_cursor(encode_cursor(middle))
        again = list(_all(stream, saved))
        assert again, f"{stream.name}: records at the saved cursor are read again"
        assert all(row[stream.cursor_field] >= saved for row in again)
        newer = {row[stream.primary_key] for row in rows if row[stream.cursor_field] >= saved}
        assert {row[stream.primary_key] for row in again} == newer
