"""Value models on evidence: auto's choice rate, interval coverage, backtests, fit times.

    python benchmarks/value_models.py selection --seeds 20 --customers 2000
    python benchmarks/value_models.py coverage --customers 3000
    python benchmarks/value_models.py backtest-cdnow --datasets /path/to/lifetimes/datasets
    python benchmarks/value_models.py backtest-sandbox --customers 5000
    python benchmarks/value_models.py fit-times --customers 1000000

* selection: histories drawn from each model (truth known; 78 weeks, first purchases over the
  first 19.5 weeks, whole days); ``auto`` with a 26-week hold-out picks one; the script
  prints how often it picks the generating model, and each model's hold-out Brier of
  P(alive) (on data where one-time buyers lapse, MBG/NBD and Pareto/NBD should beat BG/NBD).
* coverage: fit on 52 weeks, predict the next 26; the share of customers whose P10-P90 band
  of expected purchases holds (a) the expectation under the true parameters and (b) the
  purchases they actually made.
* backtest-*: every model on CDNOW's sample (39 + 39 weeks, lifetimes 0.11.3's copy) and on
  the sandbox's purchase process (``sandbox.purchase_process``).
* fit-times: one process per model: summary + fit on the population of
  ``bench_enrichment.generate`` (day granularity, time in days), wall time of the fit.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from enrichment.customer_model import model_customers
from enrichment.purchase_models import MODEL_KINDS, ModelName
from enrichment.settings import Granularity, ModelChoice, TimeUnit, ValueModelSettings
from tests.unit.enrichment.btyd_simulation import transactions

TRUTH = {"bgnbd": (0.5, 5.0, 0.9, 2.5), "mbgnbd": (0.5, 5.0, 0.9, 2.5),
         "pnbd": (0.6, 5.0, 0.8, 10.0)}


def _settings(**changes: object) -> ValueModelSettings:
    base = {"time_unit": TimeUnit.WEEK, "granularity": Granularity.DAY, "interval_draws": 0,
            "holdout_weeks": 26}
    return ValueModelSettings.model_validate({**base, **changes})


def selection(args: argparse.Namespace) -> None:
    print(f"auto on {args.customers} customers, 78 weeks, hold-out 26 weeks, "
          f"{args.seeds} seeds per generating model")
    for truth, params in TRUTH.items():
        picks: dict[str, int] = {}
        brier: dict[str, list[float]] = {name.value: [] for name in ModelName}
        for seed in range(args.seeds):
            rows = transactions(truth, params, args.customers, 78, seed=1000 + seed)
            end = rows["occurred_at"].max()
            fitted = model_customers(rows["customer_id"].to_numpy(), rows["occurred_at"],
                                     rows["amount"], as_of=end, settings=_settings())
            chosen = str(fitted.report.model)
            picks[chosen] = picks.get(chosen, 0) + 1
            for b in fitted.backtests:
                brier[b.model].append(b.brier)
        shown = ", ".join(f"{k} {v}" for k, v in sorted(picks.items()))
        print(f"  truth {truth:<7} picked itself {picks.get(truth, 0)}/{args.seeds} "
              f"({shown}); mean hold-out Brier "
              + ", ".join(f"{k} {np.mean(v):.4f}" for k, v in brier.items()))


def coverage(args: argparse.Namespace) -> None:
    print(f"P10-P90 bands of expected purchases in the 26 weeks after a 52-week fit, "
          f"{args.customers} customers, 100 parameter draws, {args.seeds} data sets per "
          "model (one data set's customers share its estimation error, so the share is "
          "averaged over data sets)")
    for truth, params in TRUTH.items():
        truths, actuals, widths = [], [], []
        for seed in range(args.seeds):
            a, b, c = _coverage_once(truth, params, args.customers, seed)
            truths.append(a)
            actuals.append(b)
            widths.append(c)
        print(f"  {truth:<7} true expectation inside: {np.mean(truths):.1%} (per data set "
              f"{min(truths):.0%}..{max(truths):.0%}); actual purchases inside: "
              f"{np.mean(actuals):.1%}; median band width {np.mean(widths):.3f} purchases")


def _coverage_once(truth: str, params: tuple[float, float, float, float], customers: int,
                   seed: int) -> tuple[float, float, float]:
    rows = transactions(truth, params, customers, 78, seed=500 + seed)
    origin = pd.Timestamp("2022-01-03", tz="UTC")
    as_of = origin + pd.Timedelta(weeks=52)
    settings = _settings(model=ModelChoice(truth), interval_draws=100,
                         horizon_days=26 * 7, annual_discount_rate=0.0,
                         min_repeat_buyers=0)
    fitted = model_customers(rows["customer_id"].to_numpy(), rows["occurred_at"],
                             rows["amount"], as_of=as_of, settings=settings)
    s, bands = fitted.summary, fitted.bands
    if bands is None:
        raise SystemExit(f"no bands: {fitted.report.reasons}")
    kind = MODEL_KINDS[ModelName(truth)]
    true_theta = np.log(np.array(params))     # weeks, the time unit of the fit
    true_expected = kind.purchases_if_alive(true_theta, 26.0, s.frequency, s.T) \
        * kind.p_alive(true_theta, s.frequency, s.recency, s.T)
    later = rows.loc[rows["occurred_at"] > as_of]
    days = later.assign(day=later["occurred_at"].dt.floor("D")).drop_duplicates(
        ["customer_id", "day"])
    actual = days.groupby("customer_id").size().reindex(s.customer).fillna(0).to_numpy()
    inside_truth = np.mean((bands.purchases_p10 <= true_expected + 1e-9)
                           & (true_expected <= bands.purchases_p90 + 1e-9))
    inside_actual = np.mean((bands.purchases_p10 <= actual) & (actual <= bands.purchases_p90))
    width = float(np.median(bands.purchases_p90 - bands.purchases_p10))
    return float(inside_truth), float(inside_actual), width


def _backtest(label: str, rows: pd.DataFrame, end: pd.Timestamp, weeks: int) -> None:
    fitted = model_customers(rows["customer_id"].to_numpy(), rows["occurred_at"],
                             rows["amount"], as_of=end,
                             settings=_settings(holdout_weeks=weeks), compare_all=True)
    from cli.commands.model_output import backtest_table, model_lines

    print(f"{label}: {rows['customer_id'].nunique()} customers, hold-out {weeks} weeks")
    print(backtest_table(fitted.backtests))
    print("\n".join(model_lines(fitted.report)))


def backtest_cdnow(args: argparse.Namespace) -> None:
    raw = pd.read_csv(Path(args.datasets) / "CDNOW_sample.txt", sep=r"\s+", header=None,
                      dtype=str, names=["customer", "old_id", "date", "cds", "value"])
    rows = pd.DataFrame({"customer_id": raw["customer"].to_numpy(),
                         "occurred_at": pd.to_datetime(raw["date"], format="%Y%m%d", utc=True),
                         "amount": raw["value"].astype(float)})
    _backtest("CDNOW sample", rows, pd.Timestamp("1998-06-30 23:59:59", tz="UTC"), 39)


def backtest_sandbox(args: argparse.Namespace) -> None:
    from sandbox.purchase_process import ProcessParameters, simulate_customer

    rng = random.Random(args.seed)
    params = ProcessParameters()
    customer, day, amount = [], [], []
    for number in range(args.customers):
        history = simulate_customer(rng, rng.uniform(0, 365), 3 * 365.0, params)
        for when, value in history.purchases:
            customer.append(f"c{number}")
            day.append(int(when))
            amount.append(value)
    origin = pd.Timestamp("2022-01-01", tz="UTC")
    rows = pd.DataFrame({"customer_id": customer,
                         "occurred_at": origin + pd.to_timedelta(day, unit="D"),
                         "amount": amount})
    _backtest("sandbox purchase process (3 years, joins over the first)", rows,
              origin + pd.Timedelta(days=3 * 365), 52)


def fit_times(args: argparse.Namespace) -> None:
    print(f"fit wall time on {args.customers} customers (one process per model, after the "
          "summary; day granularity, time in days)")
    for name in ModelName:
        done = subprocess.run([sys.executable, __file__, "_fit", str(args.customers),
                               name.value], capture_output=True, text=True, check=True)
        print(f"  {name.value:<7} {done.stdout.strip()}")


def _fit_one(customers: int, name: str) -> None:
    import tempfile

    from bench_enrichment import NS_PER_DAY, START, WINDOW_DAYS, generate

    from enrichment.purchase_models import fit_purchase_model
    from enrichment.summary import summarize_purchases

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "population.npz"
        generate(customers, 1, path)
        data = np.load(path)
        end = pd.Timestamp(int(START + WINDOW_DAYS * NS_PER_DAY), tz="UTC")
        summary = summarize_purchases(data["customer"], data["time"].astype("datetime64[ns]"),
                                      data["amount"], end=end, granularity=Granularity.DAY,
                                      time_unit=TimeUnit.DAY)
    clock = time.perf_counter()
    fit = fit_purchase_model(ModelName(name), summary.frequency, summary.recency, summary.T,
                             grouped=summary.groups)
    seconds = time.perf_counter() - clock
    shown = " ".join(f"{k}={v:.4g}" for k, v in fit.params.items())
    print(f"{seconds:7.1f} s  ({summary.groups.counts.size} distinct rows; {shown})")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_fit":
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        _fit_one(int(sys.argv[2]), sys.argv[3])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    one = commands.add_parser("selection")
    one.add_argument("--seeds", type=int, default=20)
    one.add_argument("--customers", type=int, default=2000)
    one.set_defaults(run=selection)
    two = commands.add_parser("coverage")
    two.add_argument("--customers", type=int, default=2000)
    two.add_argument("--seeds", type=int, default=10)
    two.set_defaults(run=coverage)
    three = commands.add_parser("backtest-cdnow")
    three.add_argument("--datasets", required=True, help="lifetimes/datasets folder")
    three.set_defaults(run=backtest_cdnow)
    four = commands.add_parser("backtest-sandbox")
    four.add_argument("--customers", type=int, default=5000)
    four.add_argument("--seed", type=int, default=1)
    four.set_defaults(run=backtest_sandbox)
    five = commands.add_parser("fit-times")
    five.add_argument("--customers", type=int, default=100_000)
    five.set_defaults(run=fit_times)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    main()
