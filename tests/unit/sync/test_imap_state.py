"""The IMAP folder state as a cursor: it round-trips, and text order is state order."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync.streams.cursor import decode_cursor, encode_cursor
from sync.streams.imap_state import FolderState, describe_state

states = st.builds(FolderState, st.integers(0, 10**6 - 1), st.integers(0, 2**32 - 1),
                   st.integers(0, 2**32 - 1), st.integers(0, 2**63 - 1),
                   st.integers(0, 99991231))


@given(states)
def test_a_state_round_trips_through_the_store_encoding(state: FolderState) -> None:
    saved = decode_cursor(encode_cursor(state.encode()))
    assert isinstance(saved, str)
    assert FolderState.parse(saved) == state


@given(states, states)
def test_text_order_is_the_order_of_the_parts(a: FolderState, b: FolderState) -> None:
    assert (a.encode() < b.encode()) == (a < b)


def test_a_reset_sorts_after_everything_before_it_even_with_a_smaller_uidvalidity() -> None:
    before = FolderState(resets=0, uidvalidity=1_900_000_000, uid=9_000, modseq=10**9)
    after = FolderState(resets=1, uidvalidity=5, uid=1)
    assert after.encode() > before.encode()


@pytest.mark.parametrize("text", ["", "imap1", "str:x", "imap1 r1 v1 u1 m1 d1"])
def test_other_text_is_not_a_state(text: str) -> None:
    with pytest.raises(ValueError, match="not an IMAP folder state"):
        FolderState.parse(text)
    assert describe_state(text) is None


def test_a_state_is_described_for_people() -> None:
    state = FolderState(resets=1, uidvalidity=17, uid=120, modseq=455, scanned=20261203)
    assert describe_state(state.encode()) == (
        "uidvalidity 17, last uid 120, modseq 455, flags scanned 2026-12-03, "
        "1 UIDVALIDITY reset(s)")


def test_out_of_range_parts_are_refused() -> None:
    with pytest.raises(ValueError, match="uid"):
        FolderState(uid=10**10)


def test_a_stream_refuses_a_saved_cursor_that_is_not_a_folder_state() -> None:
    from connectors.mail.settings import ImapAccountSettings
    from sync.errors import StateError
    from sync.streams.imap import ImapFolderStream

    account = ImapAccountSettings(name="a", host="127.0.0.1", port=1, username="u",
                                  password="p")  # type: ignore[arg-type]
    stream = ImapFolderStream(account, "INBOX")
    for saved in ("2026-01-01", 42):
        with pytest.raises(StateError, match="not an IMAP folder state") as caught:
            next(stream.read(saved))
        assert "sync --full --stream imap:a:INBOX" in str(caught.value)
