"""``suitepulse analyze`` on CSV exports: outputs, parameters and errors."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import Result

from tests.unit.enrichment.btyd_simulation import transactions

RunCli = Callable[..., Result]
COLUMNS = ["customer_id", "frequency", "recency", "T", "monetary_value", "expected_purchases",
           "p_alive", "expected_avg_value", "clv", "r_score", "f_score", "m_score", "segment",
           "lifecycle_stage"]
OPTIONS = ["--customer-col", "cust", "--date-col", "day", "--amount-col", "total"]


def write_transactions(path: Path, customers: int = 60, seed: int = 2) -> Path:
    rng = np.random.default_rng(seed)
    rows = []
    for customer in range(customers):
        start = rng.integers(0, 100)
        for _ in range(int(rng.integers(1, 6))):
            day = pd.Timestamp("2024-01-01") + pd.Timedelta(days=int(start + rng.integers(0, 200)))
            rows.append((f"c{customer}", day.date().isoformat(), round(rng.gamma(3, 20), 2)))
    pd.DataFrame(rows, columns=["cust", "day", "total"]).to_csv(path, index=False)
    return path


def test_analyze_writes_traits_and_params(run_cli: RunCli, tmp_path: Path) -> None:
    source = write_transactions(tmp_path / "orders.csv")
    out, params = tmp_path / "traits.csv", tmp_path / "params.json"
    result = run_cli("analyze", str(source), *OPTIONS, "--out", str(out), "--params",
                     str(params), "--granularity", "day", "--time-unit", "week")
    assert result.exit_code == 0, result.stderr
    traits = pd.read_csv(out)
    assert set(COLUMNS) <= set(traits.columns)
    assert len(traits) == 60
    # 60 customers are too few to trust a value model: value columns stay empty, RFM not
    assert traits["clv"].isna().all() and traits["p_alive"].isna().all()
    assert traits["r_score"].between(1, 5).all()
    assert "value traits NOT written: only" in result.stderr
    document = json.loads(params.read_text())
    assert document["model"] in {"bgnbd", "mbgnbd", "pnbd"}
    key = {"bgnbd": "bgnbd", "mbgnbd": "mbgnbd", "pnbd": "pareto_nbd"}[document["model"]]
    assert {"r", "alpha", "log_likelihood", "standard_errors"} <= set(document[key])
    assert {"bgnbd", "mbgnbd", "pareto_nbd", "gamma_gamma", "model"} <= set(document)
    assert set(document["gamma_gamma"]) == {"p", "q", "gamma", "log_likelihood"}
    assert document["time_unit"] == "week"
    orders = pd.read_csv(source)
    first = orders.groupby("cust")["day"].min()
    last_day = pd.Timestamp(orders["day"].max())
    row = traits.set_index("customer_id").loc["c0"]
    assert row["T"] == pytest.approx((last_day - pd.Timestamp(first["c0"])).days / 7)
    assert row["frequency"] == orders.loc[orders.cust == "c0", "day"].nunique() - 1


@pytest.mark.parametrize("model", ["bgnbd", "mbgnbd", "pnbd"])
def test_enough_data_gives_finite_values_and_bands(run_cli: RunCli, tmp_path: Path,
                                                   model: str) -> None:
    source = tmp_path / "orders.csv"
    transactions("mbgnbd", (0.5, 6.0, 0.8, 2.5), 1200, 78, seed=5).rename(columns={
        "customer_id": "cust", "occurred_at": "day", "amount": "total"}).to_csv(source,
                                                                              index=False)
    out = tmp_path / "traits.csv"
    result = run_cli("analyze", str(source), *OPTIONS, "--out", str(out), "--time-unit",
                     "week", "--model", model, "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)["value_model"]
    assert report["model"] == model and report["chosen_by"] == "configured"
    assert report["value_traits_written"] is True, report["reasons"]
    traits = pd.read_csv(out)
    numeric = traits.select_dtypes("number").to_numpy(dtype=float)
    assert np.isfinite(numeric).all()
    assert (traits["clv_p10"] <= traits["clv"] + 1e-6).all()
    assert (traits["clv"] <= traits["clv_p90"] + 1e-6).all()


def test_backtest_compares_every_model(run_cli: RunCli, tmp_path: Path) -> None:
    source = tmp_path / "orders.csv"
    transactions("pnbd", (0.6, 5.0, 0.8, 10.0), 1000, 78, seed=7).rename(columns={
        "customer_id": "cust", "occurred_at": "day", "amount": "total"}).to_csv(source,
                                                                              index=False)
    result = run_cli("analyze", str(source), *OPTIONS, "--time-unit", "week", "--backtest",
                     "26", "--out", str(tmp_path / "t.csv"))
    assert result.exit_code == 0, result.stderr
    assert "value model: " in result.stderr and "auto: " in result.stderr
    lines = {line.split()[0]: line.split() for line in result.stderr.splitlines() if line}
    assert {"bgnbd", "mbgnbd", "pnbd"} <= set(lines)
    as_json = run_cli("analyze", str(source), *OPTIONS, "--time-unit", "week", "--backtest",
                      "26", "--json", "--out", str(tmp_path / "t.csv"))
    backtests = json.loads(as_json.stdout)["backtest"]
    assert [b["model"] for b in backtests] == ["bgnbd", "mbgnbd", "pnbd"]
    for b in backtests:
        assert b["holdout_length"] == 26 and b["customers"] > 900
        assert 0 <= b["brier"] <= 1 and 0 <= b["auc"] <= 1 and b["rmse"] < b["naive_rmse"]


def test_end_ignores_later_transactions_and_json(run_cli: RunCli, tmp_path: Path) -> None:
    source = tmp_path / "t.csv"
    source.write_text("cust,day,total\na,2024-01-01,10\na,2024-01-11,20\nb,2024-01-05,5\n"
                      "b,2024-03-01,7\n", encoding="utf-8")
    result = run_cli("analyze", str(source), *OPTIONS, "--end", "2024-01-31", "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["ok"] is True and document["customers"] == 2
    assert document["end"].startswith("2024-01-31")
    csv = run_cli("analyze", str(source), *OPTIONS, "--end", "2024-01-31",
                  "--granularity", "day")
    frame = pd.read_csv(pd.io.common.StringIO(csv.stdout)).set_index("customer_id")
    assert frame.loc["b", "frequency"] == 0          # the March purchase is after --end
    assert frame.loc["a", "T"] == 30 and frame.loc["a", "recency"] == 10


@pytest.mark.parametrize(("content", "message"), [
    ("", "bad.csv: the file is empty"),
    ("cust,day,total\n", "bad.csv: the file has a header but no transactions"),
    ("cust,date,total\na,2024-01-01,1\n", "bad.csv, column 'day': there is no such column"),
    ("cust,day,total\na,2024-01-01,1\nb,yesterday-ish,2\n", "bad.csv, line 3, column 'day': "
                                                             "unparsable date"),
    ("cust,day,total\na,2024-01-01,1\nb,2024-01-02,twelve\n", "bad.csv, line 3, column "
                                                              "'total': unparsable amount"),
    ("cust,day,total\n,2024-01-01,1\n", "bad.csv, line 2, column 'cust': missing customer id"),
    ("cust,day,total,note\na,2024-01-01,1,\"two\nlines\"\n\nb,2024-01-02,twelve,\n",
     "bad.csv, line 5, column 'total': unparsable amount 'twelve'"),
])
def test_bad_files_give_one_clear_error(run_cli: RunCli, tmp_path: Path, content: str,
                                        message: str) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(content, encoding="utf-8")
    result = run_cli("analyze", str(source), *OPTIONS)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    as_json = run_cli("analyze", str(source), *OPTIONS, "--json")
    assert json.loads(as_json.stdout)["error"]["type"] == "EnrichmentError"


def test_missing_column_suggests_the_close_name(run_cli: RunCli, tmp_path: Path) -> None:
    source = tmp_path / "t.csv"
    source.write_text("cust,days,total\na,2024-01-01,1\n", encoding="utf-8")
    result = run_cli("analyze", str(source), *OPTIONS)
    assert "did you mean 'days'?" in result.stderr


def test_bad_end_and_missing_file(run_cli: RunCli, tmp_path: Path) -> None:
    source = write_transactions(tmp_path / "orders.csv", customers=5)
    result = run_cli("analyze", str(source), *OPTIONS, "--end", "soon")
    assert result.exit_code == 2 and "--end 'soon' is not a date" in result.stderr
    result = run_cli("analyze", str(source), *OPTIONS, "--end", "2020-01-01")
    assert result.exit_code == 2 and "after the end" in result.stderr
    result = run_cli("analyze", str(tmp_path / "nope.csv"), *OPTIONS)
    assert result.exit_code == 2 and "no such file" in result.stderr
