"""Settings that weaken a client's security: unverified TLS, plain HTTP, files others can read.

``insecure_settings`` looks at a validated config and the files that hold its secrets and
returns one ``InsecureSetting`` per finding. It names the config key or file and never a
secret value (the alerts webhook URL is a secret, so only its key is named).
"""

from __future__ import annotations

import ipaddress
import stat
from dataclasses import dataclass
from pathlib import Path

from pydantic import AnyHttpUrl
from sqlalchemy.engine import make_url

from connectors.settings import HttpSettings
from sync.config import ClientConfig, LoadedConfig, store_url
from sync.privacy_key import key_path
from sync.store.engine import sqlite_path

__all__ = ["InsecureSetting", "SecretFiles", "insecure_settings", "is_loopback",
           "secret_files", "tighten_file"]

_PRIVATE_MODE = 0o600
_SHARED_BITS = stat.S_IRWXG | stat.S_IRWXO


@dataclass(frozen=True)
class InsecureSetting:
    """One insecure setting: what is wrong, where (config key or file), and what to do."""

    what: str
    where: str
    hint: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}; {self.hint}"


@dataclass(frozen=True)
class SecretFiles:
    """The files of a client that hold secrets or personal data, where they exist."""

    env_file: Path | None = None
    store_file: Path | None = None
    key_file: Path | None = None


def secret_files(loaded: LoadedConfig) -> SecretFiles:
    """The ``.env`` beside the client file, its SQLite store and its hashing key file."""
    config = loaded.config
    return SecretFiles(
        env_file=loaded.path.parent / ".env",
        store_file=sqlite_path(make_url(store_url(config))),
        key_file=key_path(config) if config.privacy.key is None else None,
    )


def is_loopback(host: str | None) -> bool:
    """Whether ``host`` is this machine: ``localhost``, 127.0.0.0/8 or ``::1``."""
    if not host:
        return False
    name = host.strip("[]").lower().rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def insecure_settings(config: ClientConfig, paths: SecretFiles) -> list[InsecureSetting]:
    """Every insecure setting of ``config`` and of the files in ``paths``, in config order."""
    found: list[InsecureSetting] = []
    found += _http_source("suitecrm", config.suitecrm.base_url, config.suitecrm.http)
    for index, account in enumerate(config.sources.imap):
        where = f"sources.imap[{index}]"
        if not account.verify_tls:
            found.append(_unverified(f"{where}.verify_tls", "ca_file"))
        if not (account.tls or account.starttls) and not is_loopback(account.host):
            found.append(InsecureSetting(
                f"IMAP without TLS to {account.host}: the password and mail cross the "
                "network in clear", f"{where}.tls", "set tls: true (port 993) or starttls: true"))
    mailchimp = config.sources.mailchimp
    if mailchimp is not None:
        found += _http_source("sources.mailchimp", mailchimp.base_url, mailchimp.http)
    matomo = config.sources.matomo
    if matomo is not None:
        found += _http_source("sources.matomo", matomo.base_url, matomo.http)
    webhook = config.alerts.webhook_url
    if webhook is not None:
        url = AnyHttpUrl(webhook.get_secret_value())
        if url.scheme == "http" and not is_loopback(url.host):
            found.append(InsecureSetting(
                "plain http:// to a host that is not this machine: alerts and the URL's token "
                "cross the network in clear", "alerts.webhook_url", "use an https:// URL"))
    found += _shared_file(paths.env_file, "the secrets file")
    found += _shared_file(paths.store_file, "the SQLite store")
    found += _shared_file(paths.key_file, "the identity hashing key file")
    return found


def tighten_file(path: Path) -> int | None:
    """Make ``path`` readable by its owner only; return its old mode when it changed."""
    mode = _shared_mode(path)
    if mode is not None:
        path.chmod(_PRIVATE_MODE)
    return mode


def _shared_mode(path: Path | None) -> int | None:
    """The mode of ``path`` when it is a file that group or others have any right on."""
    if path is None or not path.is_file():
        return None
    mode = stat.S_IMODE(path.stat().st_mode)
    return mode if mode & _SHARED_BITS else None


def _http_source(where: str, base_url: AnyHttpUrl | None,
                 http: HttpSettings) -> list[InsecureSetting]:
    found = []
    if base_url is not None and base_url.scheme == "http" and not is_loopback(base_url.host):
        found.append(InsecureSetting(
            f"plain http:// to {base_url.host}: credentials and data cross the network in clear",
            f"{where}.base_url", "use an https:// URL"))
    if not http.verify_tls:
        found.append(_unverified(f"{where}.http.verify_tls", "the SSL_CERT_FILE variable"))
    return found


def _unverified(where: str, trust_with: str) -> InsecureSetting:
    return InsecureSetting(
        "TLS certificates are not verified: anyone on the network path can pose as the server",
        where, f"remove verify_tls: false; for a private CA, trust it with {trust_with}")


def _shared_file(path: Path | None, what: str) -> list[InsecureSetting]:
    mode = _shared_mode(path)
    if path is None or mode is None:
        return []
    return [InsecureSetting(f"{what} has mode {mode:04o}: other users can open it", str(path),
                            f"chmod 600 {path}")]
