"""Does the engagement score add to RFM in predicting a purchase in the next 90 days?

    python benchmarks/bench_engagement_auc.py [--customers 3000] [--seeds 1 2 3]

For each seed a sandbox is generated with its history ending today and served in this
process; ``suitepulse sync`` (its own process) pulls Contacts, Accounts, AOS_Invoices and the
Matomo visits (with goals and orders) into a fresh store. E-mail and campaign interactions
are read from the sandbox's own tables (inbound mail as ``received``, outbound as ``sent``,
Mailchimp opens and clicks), since their streams are not part of this branch. Traits are
computed as of today - 90 days from what was known then (``compute_traits`` ignores later
rows), for the contacts that existed then (``date_entered``); the label is whether the
customer bought in the 90 days after.

Two logistic regressions are fitted with 2-fold cross-fitting over the customers: RFM alone
(r, f, m scores) and RFM + engagement_score; printed are their out-of-fold AUCs, and the
AUCs of the engagement score and of r+f+m as plain rankings, and a 95% paired bootstrap
interval of the gain. Sizes are modest on purpose (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import yaml
from scipy.optimize import minimize
from scipy.stats import rankdata

from enrichment import EnrichmentSettings, compute_traits
from sandbox import running_sandbox
from sync.config import load_client
from sync.frames import load_frames
from sync.store import Store

HORIZON = timedelta(days=90)
FloatArray = npt.NDArray[np.float64]


def auc(score: FloatArray, label: npt.NDArray[np.bool_]) -> float:
    """The area under the ROC curve (Mann-Whitney, ties counted half)."""
    ranks = rankdata(score)
    positives = int(label.sum())
    negatives = label.size - positives
    return float((ranks[label].sum() - positives * (positives + 1) / 2)
                 / (positives * negatives))


def _fit_predict(train_x: FloatArray, train_y: FloatArray, test_x: FloatArray) -> FloatArray:
    """A logistic regression (standardised inputs, small L2) fitted by L-BFGS."""
    mean, scale = train_x.mean(axis=0), train_x.std(axis=0) + 1e-9
    a = np.column_stack([np.ones(len(train_x)), (train_x - mean) / scale])
    b = np.column_stack([np.ones(len(test_x)), (test_x - mean) / scale])

    def loss(w: FloatArray) -> tuple[float, FloatArray]:
        z = a @ w
        p = 1 / (1 + np.exp(-z))
        value = np.sum(np.logaddexp(0, z) - train_y * z) + 0.5e-2 * w[1:] @ w[1:]
        grad = a.T @ (p - train_y) + np.concatenate([[0.0], 1e-2 * w[1:]])
        return float(value), grad

    fitted = minimize(loss, np.zeros(a.shape[1]), jac=True, method="L-BFGS-B")
    return np.asarray(b @ fitted.x, dtype=np.float64)


def cross_fitted(x: FloatArray, y: npt.NDArray[np.bool_], seed: int) -> FloatArray:
    """Out-of-fold predictions of a logistic regression over 2 folds."""
    fold = np.random.default_rng(seed).permutation(len(y)) % 2
    out = np.empty(len(y))
    for k in (0, 1):
        train, test = fold != k, fold == k
        out[test] = _fit_predict(x[train], y[train].astype(float), x[test])
    return out


def gain_interval(base: FloatArray, richer: FloatArray, y: npt.NDArray[np.bool_],
                  seed: int, rounds: int = 400) -> tuple[float, float]:
    """95% paired bootstrap interval (customers resampled) of AUC(richer) - AUC(base)."""
    rng = np.random.default_rng(seed)
    gains = []
    for _ in range(rounds):
        pick = rng.integers(0, len(y), len(y))
        if y[pick].all() or not y[pick].any():
            continue
        gains.append(auc(richer[pick], y[pick]) - auc(base[pick], y[pick]))
    low, high = np.percentile(gains, [2.5, 97.5])
    return float(low), float(high)


def _client_file(folder: Path, base_url: str, secrets: dict[str, str], store: Path) -> Path:
    document = {
        "client": "bench",
        "suitecrm": {"base_url": base_url, "api_layout": "7.x", "client_id": secrets["id"],
                     "client_secret": secrets["secret"], "page_size": 200},
        "sources": {"matomo": {"base_url": f"{base_url}/matomo", "site_id": 1,
                               "token_auth": secrets["matomo"], "user_id_is_email": True}},
        "sync": {"modules": ["Contacts", "Accounts"], "fields": {
            "Contacts": ["first_name", "last_name", "email1", "account_id", "date_entered"],
            "Accounts": ["name"],
            "AOS_Invoices": ["billing_contact_id", "total_amount", "invoice_date", "status"]}},
        "enrichment": {"customer_entity": "Contacts", "purchases": {
            "module": "AOS_Invoices", "customer_field": "billing_contact_id",
            "amount_field": "total_amount", "date_field": "invoice_date",
            "status_field": "status", "won_values": ["Paid", "Unpaid"]}},
        "store": {"url": f"sqlite:///{store}"},
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def _mail_and_campaign(db: Path) -> pd.DataFrame:
    with sqlite3.connect(db) as connection:
        mail = pd.read_sql_query(
            "SELECT contact_id AS customer_id, sent_at AS occurred_at, 'email' AS channel, "
            "CASE direction WHEN 'inbound' THEN 'received' ELSE 'sent' END AS kind "
            "FROM sandbox_email_messages", connection)
        campaign = pd.read_sql_query(
            "SELECT contact_id AS customer_id, occurred_at, 'campaign' AS channel, "
            "action AS kind FROM sandbox_campaign_activity", connection)
    frame = pd.concat([mail, campaign], ignore_index=True)
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"], utc=True)
    return frame


def run(customers: int, seed: int, work: Path) -> dict[str, object]:
    db = work / f"sandbox-{seed}.sqlite3"
    today = datetime.now(UTC).date()
    with running_sandbox(customers=customers, seed=seed, anchor=today, db_path=db) as sb:
        config_dir, data_dir = work / f"clients-{seed}", work / f"data-{seed}"
        path = _client_file(config_dir, sb.base_url, {
            "id": sb.client_id, "secret": sb.client_secret,
            "matomo": sb.settings.matomo_token.get_secret_value()}, work / f"store-{seed}.db")
        env = {**os.environ, "SUITEPULSE_CONFIG_DIR": str(config_dir),
               "SUITEPULSE_DATA_DIR": str(data_dir)}
        began = time.perf_counter()
        subprocess.run([sys.executable, "-c", "from cli.main import main; main()", "-q", "sync",
                        "bench", "--json"],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        sync_seconds = time.perf_counter() - began
        config = load_client(path).config
        with Store.for_config(config) as store:
            frames = load_frames(store, config)
        touches = pd.concat([frames.interactions, _mail_and_campaign(db)], ignore_index=True)
    now = pd.Timestamp(datetime.now(UTC))
    as_of = (now - HORIZON).to_pydatetime()
    known = frames.customers[pd.to_datetime(frames.customers["date_entered"], utc=True)
                             <= pd.Timestamp(as_of)]  # who could be scored then
    traits = compute_traits(known, frames.purchases, touches, EnrichmentSettings(),
                            as_of=as_of).set_index("id")
    bought = frames.purchases[(frames.purchases["occurred_at"] > pd.Timestamp(as_of))
                              & (frames.purchases["occurred_at"] <= now)]
    label = traits.index.isin(bought["customer_id"]).astype(bool)
    rfm = traits[["r_score", "f_score", "m_score"]].to_numpy(dtype=np.float64)
    engagement = traits["engagement_score"].to_numpy(dtype=np.float64)
    base = cross_fitted(rfm, label, seed)
    richer = cross_fitted(np.column_stack([rfm, engagement]), label, seed)
    low, high = gain_interval(base, richer, label, seed)
    return {
        "seed": seed, "customers": len(traits), "buyers_next_90d": int(label.sum()),
        "web_interactions": int((frames.interactions["channel"] == "web").sum()),
        "sync_seconds": round(sync_seconds, 1),
        "auc_rfm_sum": round(auc(rfm.sum(axis=1), label), 3),
        "auc_engagement_alone": round(auc(engagement, label), 3),
        "auc_rfm_logit": round(auc(base, label), 3),
        "auc_rfm_plus_engagement_logit": round(auc(richer, label), 3),
        "gain_95pct_interval": [round(low, 3), round(high, 3)],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=3000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        rows = [run(args.customers, seed, Path(folder)) for seed in args.seeds]
    for row in rows:
        print(json.dumps(row))
    gain = [float(r["auc_rfm_plus_engagement_logit"]) - float(r["auc_rfm_logit"])
            for r in rows]
    print(json.dumps({"mean_auc_gain_from_engagement": round(float(np.mean(gain)), 3),
                      "min": round(min(gain), 3), "max": round(max(gain), 3)}))


if __name__ == "__main__":
    main()
