"""RFM scores and the segment grid."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from enrichment.rfm import quintile_scores, rfm_segments
from enrichment.settings import DEFAULT_RFM_GRID, RfmSettings

NAMES = {"Champions", "Loyal", "Potential Loyalist", "New", "Promising", "Need Attention",
         "About to Sleep", "At Risk", "Can't Lose Them", "Hibernating", "Lost"}


def test_quintiles_of_distinct_values() -> None:
    assert list(quintile_scores(range(10))) == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert list(quintile_scores([50, 40, 30, 20, 10])) == [5, 4, 3, 2, 1]
    assert list(quintile_scores([50, 40, 30, 20, 10], higher_is_better=False)) == [
        1, 2, 3, 4, 5]


def test_ties_share_a_score_whatever_the_row_order() -> None:
    values = [1, 1, 1, 1, 1, 1, 2, 3, 4, 5]
    scores = quintile_scores(values)
    assert len(set(scores[:6])) == 1
    assert list(scores) == [2, 2, 2, 2, 2, 2, 4, 4, 5, 5]   # mid-rank 3.5 of 10 -> 2
    assert list(quintile_scores(values[::-1])) == list(scores[::-1])


def test_one_customer_and_all_equal_values_score_three() -> None:
    assert list(quintile_scores([42.0])) == [3]
    assert list(quintile_scores([7, 7, 7, 7])) == [3, 3, 3, 3]
    assert list(quintile_scores([])) == []


def test_every_grid_cell_has_exactly_one_of_the_eleven_names() -> None:
    seen = set()
    for r in range(1, 6):
        for f in range(1, 6):
            for m in range(1, 6):
                [name] = rfm_segments([r], [f], [m], DEFAULT_RFM_GRID)
                assert name in NAMES
                seen.add(name)
    assert seen == NAMES


def test_segments_use_r_and_the_rounded_mean_of_f_and_m() -> None:
    names = rfm_segments([5, 5, 1, 1, 3, 0], [5, 1, 5, 1, 3, 0], [5, 1, 4, 1, 2, 0],
                         DEFAULT_RFM_GRID)
    # FM = (F + M + 1) // 2: (5,4) -> 5, (3,2) -> 3
    assert list(names) == ["Champions", "New", "Can't Lose Them", "Lost", "Need Attention",
                           "Prospect"]


def test_grid_override_and_its_validation() -> None:
    grid = {r: [f"R{r}F{fm}" for fm in range(1, 6)] for r in range(1, 6)}
    settings = RfmSettings(grid=grid)
    assert list(rfm_segments([2], [4], [4], settings.grid)) == ["R2F4"]
    with pytest.raises(ValidationError, match="five non-empty names"):
        RfmSettings(grid={**grid, 3: ["a", "b"]})
    with pytest.raises(ValidationError, match="one row for each R score"):
        RfmSettings(grid={r: grid[r] for r in (1, 2, 3, 4)})
