"""The hold-out split and the backtest's measures, checked by hand on a few customers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from enrichment.backtest import auc, backtest_model, spend_frequency_correlation
from enrichment.holdout import split_history
from enrichment.purchase_models import ModelName, fit_purchase_model
from enrichment.settings import Granularity, TimeUnit

ROWS = [  # customer, day, amount
    ("a", "2024-01-01", 10), ("a", "2024-02-05", 10), ("a", "2024-03-04", 10),
    ("a", "2024-03-05", -10),                        # a refund: no occasion
    ("a", "2024-03-11", 10), ("a", "2024-03-12", 5),  # hold-out weeks 1 and 2
    ("b", "2024-02-20", 20), ("b", "2024-02-27", 20),
    ("c", "2024-03-08", 30),                          # first bought in the hold-out: no cohort
]


def split() -> object:
    frame = pd.DataFrame(ROWS, columns=["customer", "day", "amount"])
    return split_history(frame["customer"].to_numpy(), pd.to_datetime(frame["day"], utc=True),
                         frame["amount"].to_numpy(float),
                         end=pd.Timestamp("2024-03-14 23:59", tz="UTC"),
                         holdout=pd.Timedelta(weeks=2), granularity=Granularity.DAY,
                         time_unit=TimeUnit.WEEK)


def test_split_counts_hold_out_and_naive_purchases_by_hand() -> None:
    s = split()
    assert s is not None
    order = list(s.calibration.customer)
    assert sorted(order) == ["a", "b"]
    at = {name: order.index(name) for name in order}
    # hold-out 2024-03-01 .. 03-14: a bought on the 4th, 11th, 12th; b not
    assert s.actual[at["a"]] == 3 and s.actual[at["b"]] == 0
    # the two weeks before (02-16 .. 02-29): a nothing; b first bought on the 20th, then 27th
    assert s.naive[at["a"]] == 0 and s.naive[at["b"]] == 1
    assert s.length == pytest.approx(2.0)
    assert list(s.weekly_actual) == [1.0, 3.0]


def test_backtest_measures_by_hand() -> None:
    s = split()
    assert s is not None
    cal = s.calibration
    model = fit_purchase_model(ModelName.MBGNBD, cal.frequency, cal.recency, cal.T)
    result = backtest_model(model, s)
    predicted = model.expected_purchases(2.0, cal.frequency, cal.recency, cal.T)
    assert result.mae == pytest.approx(np.mean(np.abs(predicted - s.actual)))
    assert result.naive_mae == pytest.approx(np.mean(np.abs(s.naive - s.actual)))
    assert result.bias == pytest.approx((predicted.sum() - 3) / 3)
    alive = model.p_alive(cal.frequency, cal.recency, cal.T)
    assert result.brier == pytest.approx(np.mean((alive - (s.actual > 0)) ** 2))
    assert result.tracking[-1].actual == 3.0
    assert result.tracking[-1].predicted == pytest.approx(predicted.sum())


def test_auc_and_the_independence_check() -> None:
    assert auc([0.9, 0.8, 0.3, 0.1], [True, False, True, False]) == pytest.approx(0.75)
    assert auc([0.5, 0.5], [True, False]) == pytest.approx(0.5)
    assert auc([0.2, 0.3], [True, True]) is None
    assert spend_frequency_correlation([1, 2, 3, 0], [10.0, 20.0, 30.0, 0.0]) == \
        pytest.approx(1.0)
    assert spend_frequency_correlation([1, 2], [10.0, 20.0]) is None
