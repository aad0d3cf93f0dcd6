"""Benchmark: purchase summary + BG/NBD and Gamma-Gamma fit + predictions, ours vs lifetimes.

Generates (seeded) a repeat-buy-and-dropout population: customers join uniformly over the
first year of a two-year window, buy as Poisson processes with Gamma-distributed rates, drop
out after each purchase with a Beta-distributed probability, and spend Gamma-Gamma amounts.
Each engine runs in its own process (so peak memory is its own) on the same data and the
same day granularity; the script prints wall times, peak RSS and the fitted parameters.

    python benchmarks/bench_enrichment.py --customers 1000000 \\
        --lifetimes-python /path/to/venv-with-lifetimes/bin/python
    python benchmarks/bench_enrichment.py --customers 100000 --engines ours
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

NS_PER_DAY = 86_400 * 10**9
START = np.datetime64("2022-01-01T00:00:00", "ns").astype(np.int64)
WINDOW_DAYS = 730
HORIZON_DAYS = 365
ANNUAL_RATE = 0.10


def generate(customers: int, seed: int, path: Path) -> None:
    """Write customer, time (epoch ns) and amount arrays of a simulated population."""
    rng = np.random.default_rng(seed)
    join = rng.uniform(0, 365, customers)
    rate = rng.gamma(0.9, 1 / 22.0, customers)             # purchases/day (r=0.9, alpha=22)
    drop = rng.beta(0.6, 4.5, customers)                    # dropout after each purchase
    repeats_alive = rng.geometric(np.clip(drop, 1e-6, 1)) - 1
    cap = np.minimum(repeats_alive, 400)
    owner = np.repeat(np.arange(customers), cap)
    gaps = rng.exponential(1.0, owner.size) / rate[owner]
    offsets = np.repeat(np.cumsum(cap) - cap, cap)
    clock = np.cumsum(gaps)
    starts = np.concatenate(([0.0], clock))[offsets]
    when = join[owner] + clock - starts
    keep = when < WINDOW_DAYS
    owner, when = owner[keep], when[keep]
    owner = np.concatenate((np.arange(customers), owner))
    when = np.concatenate((join, when))
    spend_rate = rng.gamma(3.5, 1 / 60.0, customers)           # q=3.5, gamma=60
    amount = np.round(rng.gamma(6.0, 1.0, owner.size) / spend_rate[owner], 2)
    order = rng.permutation(owner.size)
    np.savez(path, customer=owner[order].astype(np.int64),
             time=(START + (when[order] * NS_PER_DAY).astype(np.int64)),
             amount=amount[order])


def run_ours(path: Path) -> dict[str, Any]:
    import pandas as pd

    from enrichment.settings import Granularity, TimeUnit
    from enrichment.summary import summarize_purchases
    from enrichment.value import fit_models, params_document, predict_value

    data = np.load(path)
    customer, moments, amount = data["customer"], data["time"], data["amount"]
    end = pd.Timestamp(int(START + WINDOW_DAYS * NS_PER_DAY), tz="UTC")
    clock = time.perf_counter()
    summary = summarize_purchases(customer, moments.astype("datetime64[ns]"), amount,
                                  end=end, granularity=Granularity.DAY,
                                  time_unit=TimeUnit.DAY)
    facts = time.perf_counter()
    models = fit_models(summary, TimeUnit.DAY)
    fitted = time.perf_counter()
    value = predict_value(models, summary, horizon_days=HORIZON_DAYS,
                          annual_discount_rate=ANNUAL_RATE)
    done = time.perf_counter()
    return {"facts_s": facts - clock, "fit_s": fitted - facts, "predict_s": done - fitted,
            "total_s": done - clock, "customers": len(summary), "rows": int(customer.size),
            "params": params_document(models), "clv_sum": float(value.clv.sum())}


def run_lifetimes(path: Path) -> dict[str, Any]:
    import pandas as pd
    from lifetimes import BetaGeoFitter, GammaGammaFitter
    from lifetimes.utils import summary_data_from_transaction_data

    data = np.load(path)
    frame = pd.DataFrame({"customer": data["customer"],
                          "date": data["time"].astype("datetime64[ns]"),
                          "amount": data["amount"]})
    end = pd.Timestamp(int(START + WINDOW_DAYS * NS_PER_DAY))
    clock = time.perf_counter()
    summary = summary_data_from_transaction_data(frame, "customer", "date",
                                                 monetary_value_col="amount",
                                                 observation_period_end=end, freq="D")
    facts = time.perf_counter()
    bgf = BetaGeoFitter(penalizer_coef=0.0)
    bgf.fit(summary["frequency"], summary["recency"], summary["T"])
    repeat = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    ggf = GammaGammaFitter(penalizer_coef=0.0)
    ggf.fit(repeat["frequency"], repeat["monetary_value"])
    fitted = time.perf_counter()
    f, r, t_ = summary["frequency"], summary["recency"], summary["T"]
    bgf.conditional_expected_number_of_purchases_up_to_time(HORIZON_DAYS, f, r, t_)
    bgf.conditional_probability_alive(f, r, t_)
    ggf.conditional_expected_average_profit(f, summary["monetary_value"])
    monthly = (1 + ANNUAL_RATE) ** (1 / 12) - 1
    clv = ggf.customer_lifetime_value(bgf, f, r, t_, summary["monetary_value"], time=12,
                                      discount_rate=monthly, freq="D")
    done = time.perf_counter()
    p = bgf.params_
    g = ggf.params_
    return {"facts_s": facts - clock, "fit_s": fitted - facts, "predict_s": done - fitted,
            "total_s": done - clock, "customers": len(summary), "rows": len(frame),
            "params": {"bgnbd": {"r": p["r"], "alpha": p["alpha"], "a": p["a"], "b": p["b"]},
                       "gamma_gamma": {"p": g["p"], "q": g["q"], "gamma": g["v"]}},
            "clv_sum": float(clv.sum())}


def _child(engine: str, path: Path) -> None:
    result = run_ours(path) if engine == "ours" else run_lifetimes(path)
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result, default=float))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--data", type=Path, default=None, help="Cache file (.npz).")
    parser.add_argument("--engines", default="ours,lifetimes")
    parser.add_argument("--lifetimes-python", default=sys.executable)
    parser.add_argument("--blas-threads", type=int, default=None,
                        help="Set OPENBLAS/OMP/MKL_NUM_THREADS for both engines.")
    parser.add_argument("--child", choices=["ours", "lifetimes"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    path = args.data or Path(f"/tmp/suitepulse-bench-{args.customers}-{args.seed}.npz")
    if args.child:
        _child(args.child, path)
        return
    if not path.exists():
        clock = time.perf_counter()
        generate(args.customers, args.seed, path)
        print(f"generated {path} in {time.perf_counter() - clock:.1f}s", file=sys.stderr)
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "PYTHONPATH": str(root)}
    if args.blas_threads:
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[name] = str(args.blas_threads)
    results = {}
    for engine in args.engines.split(","):
        python = args.lifetimes_python if engine == "lifetimes" else sys.executable
        clock = time.perf_counter()
        done = subprocess.run([python, __file__, "--child", engine, "--data", str(path),
                               "--customers", str(args.customers)], capture_output=True,
                              text=True, cwd=root, env=env, check=False)
        if done.returncode:
            print(f"{engine} failed:\n{done.stderr[-3000:]}", file=sys.stderr)
            continue
        results[engine] = json.loads(done.stdout.strip().splitlines()[-1])
        results[engine]["process_s"] = time.perf_counter() - clock
        print(f"{engine}: {json.dumps(results[engine], indent=1)}", flush=True)
    print(f"\n{'engine':<10} {'rows':>11} {'customers':>10} {'facts s':>8} {'fit s':>8} "
          f"{'predict s':>9} {'total s':>8} {'peak MB':>8}  r / alpha / a / b   p / q / gamma")
    for engine, res in results.items():
        b, g = res["params"]["bgnbd"], res["params"]["gamma_gamma"] or {}
        print(f"{engine:<10} {res['rows']:>11,} {res['customers']:>10,} {res['facts_s']:>8.1f} "
              f"{res['fit_s']:>8.1f} {res['predict_s']:>9.1f} {res['total_s']:>8.1f} "
              f"{res['peak_rss_mb']:>8.0f}  {b['r']:.4f} / {b['alpha']:.4f} / {b['a']:.4f} / "
              f"{b['b']:.4f}   {g.get('p', 0):.4f} / {g.get('q', 0):.4f} / "
              f"{g.get('gamma', 0):.4f}")
    if {"ours", "lifetimes"} <= results.keys():
        speedup = results["lifetimes"]["total_s"] / results["ours"]["total_s"]
        print(f"\nspeed-up end to end: {speedup:.1f}x")


if __name__ == "__main__":
    main()
