"""Every secret of a client's config is masked in logs from the moment the config loads."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from cli.context import AppContext
from cli.logging_setup import secret_filter

SECRETS = {
    "ACME_SECRET": "suitecrm-client-secret",
    "SMTP_PASSWORD": "smtp-pass-word",
    "WEBHOOK_URL": "https://hooks.example.com/T000/B000/hook-token-xyz",
    "MAILCHIMP_KEY": "0123456789abcdef-us21",
    "MATOMO_TOKEN": "matomo-token-auth-value",
    "IMAP_PASSWORD": "imap-mailbox-password",
    "STORE_PASSWORD": "store-db-password",
}

CLIENT = """\
client: acme
suitecrm:
  base_url: https://crm.example.com
  client_id: 10c94ee0-623a-0c4d-b9aa-6b03f65b345c
  client_secret: ${ACME_SECRET}
sources:
  imap:
    - name: sales
      host: imap.example.com
      username: sales@example.com
      password: ${IMAP_PASSWORD}
  mailchimp:
    api_key: ${MAILCHIMP_KEY}
    audience_id: a1b2c3
  matomo:
    base_url: https://stats.example.com
    site_id: 1
    token_auth: ${MATOMO_TOKEN}
store:
  url: postgresql://suitepulse:${STORE_PASSWORD}@127.0.0.1:5432/acme
alerts:
  webhook_url: ${WEBHOOK_URL}
  smtp:
    host: smtp.example.com
    username: alerts
    password: ${SMTP_PASSWORD}
    sender: alerts@example.com
    recipients: [ops@example.com]
"""


def test_every_secret_of_every_section_is_masked_once_the_config_loads(
        write_client: Callable[[str, str], Path], clients_dir: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)
    write_client("acme", CLIENT)
    loaded = AppContext(config_dir=clients_dir).load("acme")
    assert set(SECRETS.values()) <= set(loaded.secrets)

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(secret_filter)
    logger = logging.getLogger("tests.config_secrets")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        for value in SECRETS.values():
            logger.warning("request failed: %s", value)
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue()
    assert lines.count("request failed: ***") == len(SECRETS)
    assert not any(value in lines for value in SECRETS.values())
