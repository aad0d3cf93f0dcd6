"""The purchase summary: BTYD frequency, recency, T and monetary value, by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from enrichment.settings import Granularity, TimeUnit
from enrichment.summary import summarize_purchases


def summary_of(rows: list[tuple[str, str, float]], end: str,
               granularity: Granularity = Granularity.DAY,
               unit: TimeUnit = TimeUnit.DAY) -> pd.DataFrame:
    customer, when, amount = zip(*rows, strict=True)
    s = summarize_purchases(list(customer), pd.to_datetime(list(when), utc=True),
                            list(amount), end=pd.Timestamp(end, tz="UTC"),
                            granularity=granularity, time_unit=unit)
    return pd.DataFrame({"frequency": s.frequency, "recency": s.recency, "T": s.T,
                         "monetary_value": s.monetary_value, "total": s.total_value,
                         "occasions": s.occasions}, index=s.customer)


def test_repeat_purchases_follow_the_btyd_convention() -> None:
    frame = summary_of([("a", "2024-01-01", 10.0), ("a", "2024-01-11", 30.0),
                        ("a", "2024-01-21", 50.0), ("b", "2024-01-05", 20.0)],
                       end="2024-01-31")
    assert frame.loc["a"].to_dict() == {"frequency": 2, "recency": 20, "T": 30,
                                        "monetary_value": 40.0, "total": 90.0,
                                        "occasions": 3}
    assert frame.loc["b"].to_dict() == {"frequency": 0, "recency": 0, "T": 26,
                                        "monetary_value": 0.0, "total": 20.0,
                                        "occasions": 1}


def test_weeks_divide_days_by_seven() -> None:
    frame = summary_of([("a", "2024-01-01", 1.0), ("a", "2024-01-15", 1.0)],
                       end="2024-01-29", unit=TimeUnit.WEEK)
    assert frame.loc["a", "recency"] == 2
    assert frame.loc["a", "T"] == 4


def test_same_day_purchases_merge_by_day_but_not_exactly() -> None:
    rows = [("a", "2024-01-01 09:00", 10.0), ("a", "2024-01-01 15:00", 5.0),
            ("a", "2024-01-03 09:00", 7.0)]
    by_day = summary_of(rows, end="2024-01-05")
    assert by_day.loc["a", "frequency"] == 1
    assert by_day.loc["a", "monetary_value"] == 7.0
    exact = summary_of(rows, end="2024-01-05", granularity=Granularity.EXACT)
    assert exact.loc["a", "frequency"] == 2
    assert exact.loc["a", "recency"] == pytest.approx(2.0)
    assert exact.loc["a", "monetary_value"] == pytest.approx(6.0)
    hourly = summary_of([*rows, ("a", "2024-01-01 15:30", 1.0)], end="2024-01-05",
                        granularity=Granularity.HOUR)
    assert hourly.loc["a", "frequency"] == 2


def test_refunds_net_off_on_their_day_and_refund_only_days_are_no_purchase() -> None:
    frame = summary_of([("a", "2024-01-01", 100.0), ("a", "2024-01-10", 60.0),
                        ("a", "2024-01-10", -20.0), ("a", "2024-01-20", -30.0),
                        ("r", "2024-01-02", -5.0)], end="2024-01-31")
    assert frame.loc["a", "frequency"] == 1          # the refund-only day is not a purchase
    assert frame.loc["a", "recency"] == 9
    assert frame.loc["a", "monetary_value"] == 40.0  # 60 - 20
    assert frame.loc["a", "total"] == 110.0          # every amount, refunds included
    assert "r" not in frame.index                    # refunds only: never bought


def test_zero_amounts_are_purchases_and_missing_amounts_count_as_zero() -> None:
    frame = summary_of([("a", "2024-01-01", 0.0), ("a", "2024-01-02", float("nan"))],
                       end="2024-01-03")
    assert frame.loc["a", "frequency"] == 1
    assert frame.loc["a", "monetary_value"] == 0.0


def test_transactions_after_the_end_are_ignored() -> None:
    frame = summary_of([("a", "2024-01-01", 10.0), ("a", "2024-03-01", 10.0),
                        ("late", "2024-05-01", 10.0)], end="2024-02-01")
    assert list(frame.index) == ["a"]
    assert frame.loc["a", "frequency"] == 0
    assert frame.loc["a", "T"] == 31


def test_integer_customer_ids_and_single_customer() -> None:
    s = summarize_purchases(np.array([7, 7]), pd.to_datetime(["2024-01-01", "2024-01-04"]),
                            np.array([1.0, 2.0]), end=pd.Timestamp("2024-01-04"),
                            granularity=Granularity.DAY, time_unit=TimeUnit.DAY)
    assert list(s.customer) == [7]
    assert (s.frequency[0], s.recency[0], s.T[0]) == (1, 3, 3)
