"""Records are read back by pages only when that takes fewer requests than one GET each."""

from __future__ import annotations

import pytest

from sync.writeback.reading import listing_is_cheaper, read_records
from tests.unit.writeback.fake_crm import FakeCRM


@pytest.mark.parametrize(("wanted", "size", "page", "cheaper"), [
    (2483, 3000, 500, True),  # the live undo: 7 pages instead of 2,483 GETs
    (600, 1_000_000, 500, False),  # 2,001 pages for 600 records: GET each
    (3, 3, 500, True),
    (1, 3, 500, False),
    (10, None, 500, False),  # size unknown (no store): GET each
])
def test_listing_is_chosen_by_request_count(wanted: int, size: int | None, page: int,
                                            cheaper: bool) -> None:
    assert listing_is_cheaper(wanted, size, page) is cheaper


def test_read_by_listing_keeps_order_and_names_the_missing() -> None:
    records = {f"id-{i}": {"f": str(i)} for i in range(10)}
    crm = FakeCRM(records={"Contacts": records})
    found = read_records(crm, "Contacts", ["id-7", "id-x", "id-2"], ["f"], module_size=10,
                         page_size=4)
    assert [getattr(r, "id", None) for r in found] == ["id-7", None, "id-2"]
    assert "not found" in str(found[1])
