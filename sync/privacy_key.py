"""The per-client key that identity keys are hashed with (see ``sync.store.key_digest``)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy.engine import make_url

from sync.config import ClientConfig, data_dir, store_url
from sync.errors import ConfigError
from sync.store.engine import sqlite_path

__all__ = ["client_key", "key_path"]

_KEY_BYTES = 32


def key_path(config: ClientConfig) -> Path:
    """The key file: beside a SQLite store, else ``<client>.key`` in the data folder."""
    path = sqlite_path(make_url(store_url(config)))
    if path is not None:
        return path.with_name(path.name + ".key")
    return data_dir() / f"{config.client}.key"


def client_key(config: ClientConfig) -> bytes:
    """``privacy.key`` when given, else the key file, created (mode 0600) when missing."""
    if config.privacy.key is not None:
        value = config.privacy.key.get_secret_value()
        if len(value) < 16:
            raise ConfigError.single("privacy.key", "too short: at least 16 characters",
                                     hint="generate one with: openssl rand -hex 32")
        return value.encode()
    path = key_path(config)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(_KEY_BYTES))
    text = path.read_text().strip()
    if len(text) < 32:
        raise ConfigError.single(str(path), "the hashing key file is damaged (too short)",
                                 hint="restore it from a backup; a new key unlinks every "
                                      "identity until the next full sync")
    return text.encode()
