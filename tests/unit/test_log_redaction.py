"""Secrets never reach a log line, whoever logs them."""

from __future__ import annotations

import io
import logging

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
