"""Benchmark: `suitepulse analyze` as a process vs lifetimes' pipeline as a process, same file.

Writes (once, cached in benchmarks/out/) a transaction CSV of a simulated repeat-buy-and-
dropout population (the generator of bench_enrichment.py; ids like ``C123``, ISO timestamps,
amounts with two decimals), then runs, each in its own process on that file:

- ours: ``suitepulse analyze FILE --customer-col customer --date-col occurred_at
  --amount-col amount --granularity day --out OUT``;
- lifetimes 0.11.3: read with pandas (dates parsed), ``summary_data_from_transaction_data``
  (daily), BG/NBD and Gamma-Gamma fits (Gamma-Gamma with ``penalizer_coef=1e-4``: without it
  lifetimes raises ConvergenceError on this data although the gradient is ~1e-7), expected
  purchases and P(alive), 12-month CLV, the per-customer table written to CSV.

It prints wall time and peak RSS of each process and the ratio. lifetimes needs its own
environment (it pins old numpy/pandas):

    python3 -m venv /tmp/lt
    /tmp/lt/bin/pip install lifetimes 'pandas<2.2' 'numpy<2' 'scipy<1.12'
    python benchmarks/bench_analyze.py --customers 100000 1000000 \
        --lifetimes-python /tmp/lt/bin/python
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from bench_enrichment import generate

OUT = Path(__file__).resolve().parent / "out"

LIFETIMES = """
import sys
import pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.utils import summary_data_from_transaction_data
path, out = sys.argv[1], sys.argv[2]
orders = pd.read_csv(path, parse_dates=["occurred_at"])
summary = summary_data_from_transaction_data(orders, "customer", "occurred_at",
                                             monetary_value_col="amount", freq="D")
bg = BetaGeoFitter(penalizer_coef=0.0).fit(summary["frequency"], summary["recency"], summary["T"])
repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
gg = GammaGammaFitter(penalizer_coef=1e-4).fit(repeat["frequency"], repeat["monetary_value"])
summary["expected_purchases"] = bg.conditional_expected_number_of_purchases_up_to_time(
    365, summary["frequency"], summary["recency"], summary["T"])
summary["p_alive"] = bg.conditional_probability_alive(summary["frequency"], summary["recency"],
                                                      summary["T"])
summary["clv"] = gg.customer_lifetime_value(bg, summary["frequency"], summary["recency"],
                                            summary["T"], summary["monetary_value"], time=12,
                                            freq="D", discount_rate=1.10 ** (1 / 12) - 1)
summary.to_csv(out)
"""


def transactions_csv(customers: int, seed: int) -> Path:
    """The cached CSV for this size and seed (written on first use)."""
    OUT.mkdir(exist_ok=True)
    path = OUT / f"transactions-{customers}-{seed}.csv"
    if path.exists():
        return path
    with tempfile.TemporaryDirectory() as folder:
        arrays = Path(folder) / "t.npz"
        generate(customers, seed, arrays)
        data = np.load(arrays)
    table = pa.table({
        "customer": pa.array(np.char.add("C", data["customer"].astype(str))),
        "occurred_at": pa.array(data["time"].astype("datetime64[ns]").astype("datetime64[s]")),
        "amount": pa.array(data["amount"]),
    })
    pacsv.write_csv(table, path.with_suffix(".tmp"),
                    pacsv.WriteOptions(quoting_style="none"))
    path.with_suffix(".tmp").rename(path)
    return path


def measured(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, nargs="+", default=[100_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--lifetimes-python", help="A Python with lifetimes 0.11.3.")
    parser.add_argument("--repeat", type=int, default=1, help="Runs per engine (best kept).")
    args = parser.parse_args()
    suitepulse = shutil.which("suitepulse") or str(Path(sys.executable).with_name("suitepulse"))
    for customers in args.customers:
        path = transactions_csv(customers, args.seed)
        rows = sum(1 for _ in path.open("rb")) - 1
        print(f"{customers:,} customers, {rows:,} transactions, "
              f"{path.stat().st_size / 2**20:.0f} MB CSV")
        with tempfile.TemporaryDirectory() as folder:
            ours = [suitepulse, "analyze", str(path), "--customer-col", "customer",
                    "--date-col", "occurred_at", "--amount-col", "amount",
                    "--granularity", "day", "--out", str(Path(folder) / "ours.csv")]
            results = {"suitepulse analyze": min(measured(ours) for _ in range(args.repeat))}
            if args.lifetimes_python:
                theirs = [args.lifetimes_python, "-c", LIFETIMES, str(path),
                          str(Path(folder) / "lifetimes.csv")]
                results["lifetimes 0.11.3"] = min(measured(theirs) for _ in range(args.repeat))
        for name, (seconds, rss) in results.items():
            print(f"  {name:<20} {seconds:8.1f} s  {rss:8.0f} MB peak RSS")
        if len(results) == 2:
            ours_s, theirs_s = results["suitepulse analyze"][0], results["lifetimes 0.11.3"][0]
            print(f"  speed-up: {theirs_s / ours_s:.1f}x")


if __name__ == "__main__":
    main()
