"""Secrets never reach a log line, whoever logs them."""

from __future__ import annotations

import io
import logging
from pathlib import Path

from cli.logging_setup import SecretFilter


def test_registered_secrets_and_bearer_tokens_are_masked() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    secrets = SecretFilter()
    secrets.add("hunter2-secret", None, "abc")  # too short to mask safely: ignored
    handler.addFilter(secrets)
    logger = logging.getLogger("tests.log_redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("token refused for %s; header Bearer eyJhbGciOi.payload.sig",
                       "hunter2-secret")
    finally:
        logger.removeHandler(handler)
    line = stream.getvalue()
    assert "hunter2-secret" not in line
    assert "eyJhbGciOi" not in line
    assert line.startswith("token refused for ***; header Bearer ***")


def test_imap_passwords_and_tokens_are_registered_when_a_client_loads(
        tmp_path: Path) -> None:
    from cli.context import AppContext
    from cli.logging_setup import secret_filter

    (tmp_path / "acme.yaml").write_text(
        "client: acme\nsuitecrm:\n  base_url: https://crm.example.com\n  client_id: x\n"
        "  client_secret: crm-secret-1\nsources:\n  imap:\n"
        "    - {name: a, host: h, username: u, password: imap-password-1}\n"
        "    - {name: b, host: h, username: u, auth: xoauth2, oauth2_token: imap-token-1}\n",
        encoding="utf-8")
    AppContext(config_dir=tmp_path).load("acme")
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%s %s", (
        "imap-password-1", "imap-token-1"), None)
    secret_filter.filter(record)
    assert record.getMessage() == "*** ***"
