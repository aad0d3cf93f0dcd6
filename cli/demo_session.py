"""The demo: a sandbox CRM, a client config for it, one pipeline run, and the report.

``run_demo`` starts the sandbox in this process (its data in a SQLite file in the demo
folder), declares the mapped custom fields as installing the fields package would, writes the
``demo`` client file (secret in ``.env`` beside it, mode 0600), runs sync -> enrich -> push
through the real connectors, and writes the HTML report from the store. The server is stopped
before it returns. It lives in ``cli`` because it joins the sandbox with the sync engine,
which do not know each other.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sandbox import RunningSandbox, running_sandbox
from sync.config import LoadedConfig, data_dir, load_client
from sync.config_template import env_prefix
from sync.pipeline import PipelineResult, run
from sync.report import ReportData, render_report
from sync.report.gather import report_data
from sync.store import Store
from sync.writeback.fieldspec import specs_for

__all__ = ["DEMO_CLIENT", "DemoResult", "default_folder", "run_demo"]

log = logging.getLogger(__name__)

DEMO_CLIENT = "demo"
_PREFIX = env_prefix(DEMO_CLIENT)
_CONFIG = """\
# The demo client, written by `suitepulse demo`: the sandbox started by that command, with
# synthetic customers. Secrets are in the .env file beside this one.
client: {client}

suitecrm:
  base_url: {base_url}
  api_layout: 7.x
  grant_type: client_credentials
  client_id: ${{{prefix}_SUITECRM_CLIENT_ID}}
  client_secret: ${{{prefix}_SUITECRM_CLIENT_SECRET}}
  page_size: 500
  http:
    concurrency: 4

sync:
  modules: [Contacts, AOS_Invoices]
  lookback_seconds: 120
  fields:                   # only what the models need: no names or e-mail addresses
    Contacts: [birthdate, primary_address_city, primary_address_country, lead_source,
               account_id]
    AOS_Invoices: [billing_contact_id, total_amount, invoice_date, status, currency_id]

sources:
  mailchimp:                # the sandbox's Mailchimp look-alike: members, consent, campaigns
    base_url: {base_url}/mailchimp/3.0
    api_key: ${{{prefix}_MAILCHIMP_API_KEY}}
    audience_id: {audience}

enrichment:
  customer_entity: Contacts
  purchases:
    module: AOS_Invoices
    amount_field: total_amount
    date_field: invoice_date
    status_field: status
    won_values: [Paid, Unpaid]
    customer_field: billing_contact_id
  value_model:
    horizon_days: 365
    annual_discount_rate: 0.10

writeback:
  read_page_size: 500
  fields:
    lifecycle_stage: Contacts.sp_lifecycle_stage_c
    rfm_segment: Contacts.sp_rfm_segment_c
    clv: Contacts.sp_clv_c
    churn_risk: Contacts.sp_churn_risk_c

store:
  url: sqlite:///{store}
"""
_STORE = f"{DEMO_CLIENT}.sqlite3"
_SANDBOX_DB = "sandbox.sqlite3"
_REPORT = "report.html"


@dataclass
class DemoResult:
    """What the demo made: where its files are, what the run did, what the report shows."""

    folder: Path
    config_path: Path
    report_path: Path
    sandbox_db: Path
    result: PipelineResult
    report: ReportData
    seconds: dict[str, float] = field(default_factory=dict)


def default_folder() -> Path:
    """``<data dir>/demo``: where the demo keeps its files unless told otherwise."""
    return data_dir() / "demo"


def run_demo(*, customers: int, seed: int, folder: Path,
             step: Callable[[str], None] | None = None) -> DemoResult:
    """Run the whole demo in ``folder`` (files of an earlier demo there are replaced)."""
    say = step or (lambda _text: None)
    timer = _Timer()
    _prepare(folder)
    say(f"generating {customers:,} synthetic customers (seed {seed})")
    with running_sandbox(customers=customers, seed=seed,
                         db_path=folder / _SANDBOX_DB) as sandbox:
        timer.lap("sandbox")
        loaded = _write_client(folder, sandbox)
        _declare_fields(loaded, sandbox)
        say(f"sandbox at {sandbox.base_url}: sync, enrich, push")
        result = run(loaded.config, trigger="demo", path=loaded.path)
        timer.lap("pipeline")
    say("writing the report")
    with Store.for_config(loaded.config) as store:
        report = report_data(store, loaded.config, now=datetime.now(UTC))
    report_path = folder / _REPORT
    report_path.write_text(render_report(report), encoding="utf-8")
    timer.lap("report")
    return DemoResult(folder=folder, config_path=loaded.path, report_path=report_path,
                      sandbox_db=folder / _SANDBOX_DB, result=result, report=report,
                      seconds=timer.laps)


def _prepare(folder: Path) -> None:
    """Create the folder (0700) and remove what an earlier demo left there."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name in (_SANDBOX_DB, _STORE, _REPORT):
        for suffix in ("", "-wal", "-shm", "-journal"):
            (folder / f"{name}{suffix}").unlink(missing_ok=True)


def _write_client(folder: Path, sandbox: RunningSandbox) -> LoadedConfig:
    """The demo client file and its ``.env`` (mode 0600), loaded as any client is."""
    env_file = folder / ".env"
    descriptor = os.open(env_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(f"# the sandbox's synthetic credentials, written by suitepulse demo\n"
                     f"{_PREFIX}_SUITECRM_CLIENT_ID={sandbox.client_id}\n"
                     f"{_PREFIX}_SUITECRM_CLIENT_SECRET={sandbox.client_secret}\n"
                     f"{_PREFIX}_MAILCHIMP_API_KEY="
                     f"{sandbox.settings.mailchimp_api_key.get_secret_value()}\n")
    env_file.chmod(0o600)
    path = folder / f"{DEMO_CLIENT}.yaml"
    path.write_text(_CONFIG.format(client=DEMO_CLIENT, base_url=sandbox.base_url,
                                   prefix=_PREFIX, store=(folder / _STORE).resolve(),
                                   audience=sandbox.settings.mailchimp_list_id),
                    encoding="utf-8")
    return load_client(path)


def _declare_fields(loaded: LoadedConfig, sandbox: RunningSandbox) -> None:
    """Create the mapped custom fields in the sandbox, as the fields package would."""
    for spec in specs_for(loaded.config, loaded.path):
        sandbox.add_custom_field(spec.module, spec.name, spec.type.value, length=spec.len,
                                 precision=spec.precision)


class _Timer:
    """Seconds spent in each named step."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = round(now - self._last, 2)
        self._last = now
