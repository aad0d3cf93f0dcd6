"""The commented client file that ``suitepulse init`` writes."""

from __future__ import annotations

import os
import re
from pathlib import Path

from dotenv import dotenv_values

__all__ = ["PLACEHOLDER", "env_prefix", "render_template", "write_env_placeholders"]

PLACEHOLDER = "change-me"

_TEMPLATE = """\
# SuitePulse client configuration for {client}.
# Check it with:   suitepulse config validate {client}
# Then connect:    suitepulse check {client}
#
# Secrets are ${{VAR}} references (or ${{VAR:-default}}), resolved from the environment or
# from the .env file beside this one. Never write a secret here literally.

client: {client}

suitecrm:
  # The site URL as users open it (without /Api or /legacy).
  base_url: https://crm.example.com
  # Where the V8 API lives: 7.x (/Api), 8.x (/legacy/Api) or auto (detected).
  api_layout: auto
  # In SuiteCRM: Admin > OAuth2 Clients and Tokens. Each OAuth2 client allows one grant:
  # client_credentials (recommended) or password.
  grant_type: client_credentials
  client_id: ${{{prefix}_SUITECRM_CLIENT_ID}}
  client_secret: ${{{prefix}_SUITECRM_CLIENT_SECRET}}
  # For grant_type: password, add the API user:
  # username: suitepulse
  # password: ${{{prefix}_SUITECRM_PASSWORD}}
  page_size: 100            # rows per list request
  http:
    verify_tls: true
    connect_timeout: 10     # seconds
    read_timeout: 60        # seconds
    max_retries: 5          # for timeouts, 429 and 502-504
    concurrency: 4          # requests in flight at once

# Mail and web analytics sources; all optional.
sources:
  imap: []
  # imap:
  #   - name: sales-inbox
  #     host: imap.example.com
  #     username: sales@example.com
  #     password: ${{{prefix}_IMAP_PASSWORD}}
  #     folders: [INBOX, Sent]   # optional: found by SPECIAL-USE (Gmail: All Mail only)
  #     own_addresses: [sales@example.com]
  #     own_domains: [example.com]
  # mailchimp:
  #   api_key: ${{{prefix}_MAILCHIMP_API_KEY}}
  #   audience_id: a1b2c3d4e5
  # matomo:
  #   base_url: https://stats.example.com
  #   site_id: 1
  #   token_auth: ${{{prefix}_MATOMO_TOKEN}}

sync:
  modules: [Accounts, Contacts, Opportunities]
  lookback_seconds: 120     # overlap below the saved cursor (the API shows minutes only)
  reconcile_every_hours: 24 # how often deleted records are looked for

enrichment:
  customer_entity: Accounts # or Contacts
  # Which records are purchases. For AOS invoices: module AOS_Invoices,
  # amount_field total_amount, date_field invoice_date, status_field status, won_values [Paid].
  purchases:
    module: Opportunities
    amount_field: amount
    date_field: date_closed
    status_field: sales_stage
    won_values: [Closed Won]
    customer_field: account_id
  value_model:
    horizon_days: 365
    annual_discount_rate: 0.10

# Which trait goes into which CRM field: trait: Module.field_c
writeback:
  allow_core_fields: false
  preserve_date_modified: false
  fields: {{}}
  # fields:
  #   lifecycle_stage: Accounts.sp_lifecycle_stage_c
  #   clv: Accounts.sp_clv_c
  #   churn_risk: {{field: Accounts.sp_churn_risk_c, policy: overwrite}}

# When `suitepulse schedule` runs this client (crontab fields, IANA timezone).
schedule:
  cron: "0 2 * * *"
  timezone: UTC

# The state store. Default: a SQLite file per client in the data folder.
store: {{}}
  # url: postgresql://suitepulse@db.example.com/suitepulse
"""


def env_prefix(client: str) -> str:
    """The prefix of a client's environment variables: ``acme-eu`` -> ``ACME_EU``."""
    return re.sub(r"[^A-Z0-9]", "_", client.upper())


def render_template(client: str) -> str:
    """The commented configuration of a new client."""
    return _TEMPLATE.format(client=client, prefix=env_prefix(client))


def write_env_placeholders(env_file: Path, client: str) -> list[str]:
    """Add the client's secret variables to ``.env`` (mode 0600) where missing; return them."""
    prefix = env_prefix(client)
    names = [f"{prefix}_SUITECRM_CLIENT_ID", f"{prefix}_SUITECRM_CLIENT_SECRET"]
    present = dotenv_values(env_file) if env_file.exists() else {}
    missing = [name for name in names if name not in present and name not in os.environ]
    if missing:
        fd = os.open(env_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a", encoding="utf-8") as handle:
            handle.write(f"# {client}: replace the placeholders with the real values\n")
            handle.writelines(f"{name}={PLACEHOLDER}\n" for name in missing)
    return missing
