"""A private Dovecot IMAP server for tests: throw-away maildirs, static passdb, loopback port.

``running_dovecot`` writes a config into a temporary folder, starts ``dovecot -F`` as
whoever runs the tests (root or not), waits for its port and stops it afterwards. Any user
name logs in with ``PASSWORD``; each user gets its own maildir, so tests stay apart by
using their own user name. Plaintext is allowed on loopback only; ``tls=True`` adds an
IMAPS port with a freshly generated self-signed certificate.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSWORD = "test-secret"
DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
_CAPABILITY_NO_CONDSTORE = (
    "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT LITERAL+ UIDPLUS NAMESPACE "
    "SPECIAL-USE MOVE UNSELECT CHILDREN LIST-EXTENDED LIST-STATUS")


@dataclass(frozen=True)
class Dovecot:
    """A running server: where it listens and where its mail lives."""

    host: str
    port: int
    tls_port: int | None
    certificate: Path | None
    root: Path
    config: Path

    def maildir(self, user: str) -> Path:
        """The maildir of ``user`` (created on its first login)."""
        return self.root / "home" / user / "Maildir"

    def kick(self, user: str) -> None:
        """Drop every connection of ``user`` (as a network failure would)."""
        subprocess.run(["doveadm", "-c", str(self.config), "kick", user], check=True,
                       capture_output=True, timeout=20)


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "server.crt", folder / "server.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True,
                   timeout=60)
    return cert, key


def _mail_user() -> tuple[str, str]:
    """Who owns the mail: the test runner, or ``nobody`` under root (Dovecot refuses root)."""
    if os.getuid() == 0:
        entry = pwd.getpwnam("nobody")
        return entry.pw_name, grp.getgrgid(entry.pw_gid).gr_name
    return pwd.getpwuid(os.getuid()).pw_name, grp.getgrgid(os.getgid()).gr_name


def _config(root: Path, *, port: int, tls_port: int | None, condstore: bool,
            cert: tuple[Path, Path] | None) -> str:
    user, group = _mail_user()
    as_root = os.getuid() == 0
    lines = [
        f"base_dir = {root / 'run'}",
        f"state_dir = {root / 'state'}",
        f"instance_name = suitepulse-test-{uuid.uuid4().hex[:8]}",
        f"log_path = {root / 'dovecot.log'}",
        f"info_log_path = {root / 'dovecot.log'}",
        "protocols = imap",
        "listen = 127.0.0.1",
        "disable_plaintext_auth = no",
        "auth_failure_delay = 0",
        "auth_mechanisms = plain login",
        "first_valid_uid = 0",
        "first_valid_gid = 0",
        "mail_location = maildir:~/Maildir",
        f"mail_uid = {user}",
        f"mail_gid = {group}",
        "passdb {\n  driver = static\n  args = password=" + PASSWORD + "\n}",
        "userdb {\n  driver = static\n  args = home=" + str(root / "home") + "/%u\n}",
        "namespace inbox {\n  inbox = yes\n  separator = /\n"
        "  mailbox Sent {\n    special_use = \\Sent\n    auto = create\n  }\n}",
        "service imap-login {\n  chroot =\n  inet_listener imap {\n    address = 127.0.0.1\n"
        f"    port = {port}\n  }}\n  inet_listener imaps {{\n    address = 127.0.0.1\n"
        f"    port = {tls_port or 0}\n    ssl = yes\n  }}\n}}",
        "service anvil {\n  chroot =\n}",
        "service stats {\n  unix_listener stats-writer {\n    mode = 0666\n  }\n}",
    ]
    if not as_root:
        lines += [f"default_internal_user = {user}", f"default_internal_group = {group}",
                  f"default_login_user = {user}"]
    if cert is not None:
        lines += ["ssl = yes", f"ssl_cert = <{cert[0]}", f"ssl_key = <{cert[1]}"]
    else:
        lines.append("ssl = no")
    if not condstore:
        lines.append(f"protocol imap {{\n  imap_capability = {_CAPABILITY_NO_CONDSTORE}\n}}")
    return "\n".join(lines) + "\n"


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            text = log.read_text(errors="replace") if log.exists() else ""
            raise RuntimeError(f"dovecot exited with {process.returncode}: {text[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as probe:
                if probe.recv(64).startswith(b"* OK"):
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("dovecot did not answer in 20 s")


@contextmanager
def running_dovecot(*, tls: bool = False, condstore: bool = True) -> Iterator[Dovecot]:
    """Start a private Dovecot with its data in a new temporary folder; stop it, remove it."""
    if not Path(DOVECOT).exists():
        if os.environ.get("CI"):
            raise RuntimeError("dovecot is not installed (apt-get install -y dovecot-imapd)")
        pytest.skip("dovecot is not installed (apt-get install -y dovecot-imapd)")
    # its own folder under the system temp: the mail user must be able to reach it
    folder = Path(tempfile.mkdtemp(prefix="suitepulse-dovecot-"))
    folder.chmod(0o755)
    for sub in ("run", "state", "home"):
        (folder / sub).mkdir()
    if os.getuid() == 0:
        entry = pwd.getpwnam(_mail_user()[0])
        os.chown(folder / "home", entry.pw_uid, entry.pw_gid)
    cert = _certificate(folder) if tls else None
    port, tls_port = free_port(), (free_port() if tls else None)
    config = folder / "dovecot.conf"
    config.write_text(_config(folder, port=port, tls_port=tls_port, condstore=condstore,
                              cert=cert), encoding="utf-8")
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    try:
        _wait_for(port, process, folder / "dovecot.log")
        yield Dovecot(host="127.0.0.1", port=port, tls_port=tls_port,
                      certificate=cert[0] if cert else None, root=folder, config=config)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)
        shutil.rmtree(folder, ignore_errors=True)
