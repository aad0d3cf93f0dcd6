"""Requests a Mailchimp sync makes: a second sync costs O(changed campaigns), not O(campaigns).

    python benchmarks/bench_mailchimp_requests.py --campaigns 500 --changed 5

A sandbox (``--customers`` contacts, default 300: modest, the machine is shared) gets
``--campaigns`` extra campaigns sent 6-89 days ago (past the 5 days in which a campaign is
always re-read), each with a few opens. ``suitepulse sync`` runs as a process three times
against it, and the sandbox counts the Mailchimp requests of each run by route:

1. the first sync (reads every campaign: sent-to and email-activity);
2. a second sync after ``--changed`` campaigns got a late click (the measured figure);
3. ``suitepulse sync --full``, which reads every campaign again: the comparator, what a sync
   that does not look at the reports' ``last_open``/``last_click`` would cost.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from sandbox import running_sandbox
from sandbox.app import sandbox_state
from sandbox.mailchimp_api import MailchimpControl


def _client_file(folder: Path, base_url: str, settings: object, store: Path) -> None:
    from sandbox import SandboxSettings

    assert isinstance(settings, SandboxSettings)
    document = {
        "client": "bench",
        "suitecrm": {"base_url": base_url, "api_layout": "7.x", "client_id": settings.client_id,
                     "client_secret": "${BENCH_SUITECRM_SECRET}", "page_size": 500},
        "sync": {"modules": ["Contacts"], "fields": {"Contacts": ["email1"]}},
        "sources": {"mailchimp": {"base_url": f"{base_url}/mailchimp/3.0",
                                  "api_key": "${BENCH_MAILCHIMP_KEY}",
                                  "audience_id": settings.mailchimp_list_id}},
        "store": {"url": f"sqlite:///{store}"},
    }
    (folder / "bench.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")


def _sync(folder: Path, env: dict[str, str], *extra: str) -> float:
    started = time.perf_counter()
    command = str(Path(sys.executable).parent / "suitepulse")  # the venv's console script
    subprocess.run([command, "--config-dir", str(folder), "-q", "sync", "bench", *extra],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaigns", type=int, default=500)
    parser.add_argument("--changed", type=int, default=5)
    parser.add_argument("--customers", type=int, default=300)
    args = parser.parse_args()
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp, running_sandbox(customers=args.customers,
                                                               seed=3) as sb:
        world = MailchimpControl(sandbox_state(sb.app).store)
        emails = world.emails("subscribed")
        ids = [f"bench{n:04d}" for n in range(args.campaigns)]
        for n, campaign in enumerate(ids):
            sent = now - timedelta(days=6 + 83 * n / max(args.campaigns, 1))
            world.add_campaign(campaign, sent_at=sent)
            for k in range(3):
                world.add_activity(campaign, emails[(n * 3 + k) % len(emails)], "open",
                                   at=sent + timedelta(hours=k + 1))
        folder = Path(tmp)
        _client_file(folder, sb.base_url, sb.settings, folder / "bench.sqlite3")
        env = {**os.environ, "BENCH_SUITECRM_SECRET": sb.client_secret,
               "BENCH_MAILCHIMP_KEY": sb.settings.mailchimp_api_key.get_secret_value()}
        figures: dict[str, object] = {"campaigns_in_window": len(
            [c for c, sent in world.campaigns() if sent >= (now - timedelta(days=90)).strftime(
                "%Y-%m-%d %H:%M:%S")])}
        runs = [("first sync", ()), ("second sync", ()), ("full sync (comparator)", ("--full",))]
        for label, extra in runs:
            if label == "second sync":
                for campaign in ids[:args.changed]:
                    world.add_activity(campaign, emails[0], "click",
                                       at=datetime.now(UTC) - timedelta(minutes=2),
                                       url="https://www.example.com/late")
            world.reset_requests()
            seconds = _sync(folder, env, *extra)
            requests = world.requests()
            figures[label] = {"requests": sum(requests.values()), "by_route": requests,
                              "seconds": round(seconds, 1)}
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
