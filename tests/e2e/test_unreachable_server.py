"""A sync against a server it cannot reach ends at once, naming the cause and the attempts."""

from __future__ import annotations

import json
import socket
import ssl
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from sandbox import RunningSandbox, running_sandbox
from sandbox.server import free_port
from tests.e2e.sandbox_sync import SECRET_ENV, write_client_file

pytestmark = pytest.mark.e2e


@pytest.fixture
def sb(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSandbox]:
    with running_sandbox(customers=20, seed=3) as running:
        monkeypatch.setenv(SECRET_ENV, running.client_secret)
        yield running


def _sync_errors(run_cli: Callable[..., Result]) -> tuple[Result, list[dict[str, str]]]:
    result = run_cli("sync", "acme", "--json")
    document = json.loads(result.stdout)
    return result, [s for s in document["streams"] if s.get("error")]


def _point_at(clients_dir: Path, sb: RunningSandbox, tmp_path: Path, base_url: str) -> None:
    path = write_client_file(clients_dir, sb, f"sqlite:///{tmp_path / 'store.sqlite3'}")
    path.write_text(path.read_text(encoding="utf-8").replace(sb.base_url, base_url),
                    encoding="utf-8")


def test_a_refused_connection_ends_the_sync_after_two_attempts(
        sb: RunningSandbox, clients_dir: Path, tmp_path: Path,
        run_cli: Callable[..., Result]) -> None:
    _point_at(clients_dir, sb, tmp_path, f"http://127.0.0.1:{free_port('127.0.0.1')}")
    result, failed = _sync_errors(run_cli)
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    assert len(failed) == 1  # the first stream's failure ends the run: Accounts not tried
    assert "connection refused (2 attempts)" in failed[0]["error"]
    assert "check the base URL" in failed[0]["error"]


def test_https_to_a_plain_http_port_is_a_tls_handshake_failure(
        sb: RunningSandbox, clients_dir: Path, tmp_path: Path,
        run_cli: Callable[..., Result]) -> None:
    _point_at(clients_dir, sb, tmp_path, sb.base_url.replace("http://", "https://"))
    result, failed = _sync_errors(run_cli)
    assert result.exit_code == 1
    assert len(failed) == 1 and "TLS handshake failed (2 attempts)" in failed[0]["error"]


@pytest.fixture
def self_signed_server(tmp_path: Path) -> Iterator[str]:
    """An HTTPS port whose certificate nobody trusts (it only does the handshake)."""
    cert, key = tmp_path / "server.crt", tmp_path / "server.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True,
                   timeout=60)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.2)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            try:
                with context.wrap_socket(connection, server_side=True):
                    pass
            except (ssl.SSLError, OSError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()


def test_an_untrusted_certificate_is_named(
        sb: RunningSandbox, clients_dir: Path, tmp_path: Path, self_signed_server: str,
        run_cli: Callable[..., Result]) -> None:
    _point_at(clients_dir, sb, tmp_path, self_signed_server)
    result, failed = _sync_errors(run_cli)
    assert result.exit_code == 1
    assert len(failed) == 1
    assert "TLS certificate not trusted (2 attempts)" in failed[0]["error"]
    assert "trust store" in failed[0]["error"]
