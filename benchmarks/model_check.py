"""Model check: our BG/NBD and Gamma-Gamma fits on the CDNOW sample vs the published values.

The CDNOW sample (2,357 customers of the first-quarter-1997 cohort; calibration period
1997-01-01 .. 1997-09-30, 39 weeks) ships with lifetimes 0.11.3 (``lifetimes/datasets``).
Published: Fader, Hardie & Lee (2005), "Counting your customers the easy way", BG/NBD
r=0.243, alpha=4.414, a=0.793, b=2.426, LL=-9582.4 (weeks); Fader, Hardie & Lee (2005),
"RFM and CLV: using iso-value curves", Gamma-Gamma on the 946 repeat buyers p=6.25, q=3.74,
gamma=15.44 (as in lifetimes' documentation).

    python benchmarks/model_check.py --lifetimes-python /path/to/venv-with-lifetimes/bin/python
    python benchmarks/model_check.py --datasets /path/to/site-packages/lifetimes/datasets
"""

from __future__ import annotations

import argparse
import json
import subprocess
from pathlib import Path

import pandas as pd

from enrichment.bgnbd import fit_bgnbd
from enrichment.gamma_gamma import fit_gamma_gamma
from enrichment.settings import Granularity, TimeUnit
from enrichment.summary import summarize_purchases
from enrichment.value import fit_models

PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426, "LL": -9582.4,
             "p": 6.25, "q": 3.74, "gamma": 15.44}
LIFETIMES_FIT = """
import json, pandas as pd
from lifetimes import BetaGeoFitter, GammaGammaFitter
from lifetimes.datasets import load_cdnow_summary, load_cdnow_summary_data_with_monetary_value
s = load_cdnow_summary(index_col=[0])
b = BetaGeoFitter().fit(s["frequency"], s["recency"], s["T"])
m = load_cdnow_summary_data_with_monetary_value()
m = m[m["frequency"] > 0]
g = GammaGammaFitter().fit(m["frequency"], m["monetary_value"])
print(json.dumps({**{k: float(v) for k, v in b.params_.items()},
                  "p": float(g.params_["p"]), "q": float(g.params_["q"]),
                  "gamma": float(g.params_["v"])}))
"""


def datasets_dir(args: argparse.Namespace) -> Path:
    if args.datasets:
        return Path(args.datasets)
    found = subprocess.run([args.lifetimes_python, "-c", "import lifetimes.datasets as d, "
                            "os; print(os.path.dirname(d.__file__))"], capture_output=True,
                           text=True, check=True)
    return Path(found.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", help="lifetimes/datasets folder")
    parser.add_argument("--lifetimes-python", default="python",
                        help="A Python with lifetimes 0.11.3 (also fitted for comparison).")
    args = parser.parse_args()
    folder = datasets_dir(args)

    raw = pd.read_csv(folder / "CDNOW_sample.txt", sep=r"\s+", header=None, dtype=str,
                      names=["customer", "old_id", "date", "cds", "value"])
    summary = summarize_purchases(raw["customer"], pd.to_datetime(raw["date"], format="%Y%m%d"),
                                  raw["value"].astype(float),
                                  end=pd.Timestamp("1997-09-30 23:59:59"),
                                  granularity=Granularity.DAY, time_unit=TimeUnit.WEEK)
    from_transactions = fit_models(summary, TimeUnit.WEEK)
    shipped = pd.read_csv(folder / "cdnow_customers_summary.csv")
    bg = fit_bgnbd(shipped["frequency"], shipped["recency"], shipped["T"])
    spend = pd.read_csv(folder / "cdnow_customers_summary_with_transactions.csv")
    gg = fit_gamma_gamma(spend["x"], spend["zbar"])
    assert gg is not None and from_transactions.gamma_gamma is not None

    columns = {
        "published": PUBLISHED,
        "ours: raw transactions": {
            **from_transactions.purchases.params,
            "LL": from_transactions.purchases.log_likelihood,
            **{k: getattr(from_transactions.gamma_gamma, k) for k in ("p", "q", "gamma")}},
        "ours: shipped summary": {"r": bg.r, "alpha": bg.alpha, "a": bg.a, "b": bg.b,
                                  "LL": bg.log_likelihood, "p": gg.p, "q": gg.q,
                                  "gamma": gg.gamma},
    }
    try:
        done = subprocess.run([args.lifetimes_python, "-c", LIFETIMES_FIT],
                              capture_output=True, text=True, check=True)
        columns["lifetimes 0.11.3: shipped summary"] = json.loads(done.stdout)
    except (OSError, subprocess.CalledProcessError):
        pass
    print(f"CDNOW sample: {raw['customer'].nunique()} customers, {len(raw)} transactions, "
          f"{int((summary.frequency > 0).sum())} repeat buyers in the 39 calibration weeks\n")
    names = list(columns)
    print(f"{'parameter':<10}" + "".join(f"{n:>34}" for n in names))
    for key in PUBLISHED:
        print(f"{key:<10}" + "".join(f"{columns[n].get(key, float('nan')):>34.4f}"
                                     for n in names))
    print("\nLL: BG/NBD log-likelihood summed over customers, time in weeks (lifetimes 0.11.3 "
          "does not report it on this scale).")


if __name__ == "__main__":
    main()
