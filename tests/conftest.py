"""Fixtures shared by every test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli.main import cli
from tests.dovecot import Dovecot, running_dovecot

VALID_CLIENT = """\
client: acme
suitecrm:
  base_url: https://crm.example.com
  client_id: 10c94ee0-623a-0c4d-b9aa-6b03f65b345c
  client_secret: ${ACME_SECRET}
"""


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the user's config or writes to the user's data folder."""
    monkeypatch.setenv("SUITEPULSE_CONFIG_DIR", str(tmp_path / "clients"))
    monkeypatch.setenv("SUITEPULSE_DATA_DIR", str(tmp_path / "data"))


@pytest.fixture
def clients_dir(tmp_path: Path) -> Path:
    """The config folder the CLI reads in this test."""
    path = tmp_path / "clients"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def write_client(clients_dir: Path) -> Callable[[str, str], Path]:
    """Write a client file into the config folder and return its path."""

    def write(name: str, text: str) -> Path:
        path = clients_dir / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def run_cli() -> Iterator[Callable[..., Result]]:
    """Run ``suitepulse`` in-process; stdout and stderr are kept apart."""
    runner = CliRunner()

    def run(*args: str, env: dict[str, str] | None = None) -> Result:
        return runner.invoke(cli, list(args), env=env, catch_exceptions=False)

    yield run


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    """A private Dovecot for the whole session: plaintext and TLS ports, CONDSTORE on."""
    with running_dovecot(tls=True) as server:
        yield server


@pytest.fixture(scope="session")
def dovecot_without_condstore() -> Iterator[Dovecot]:
    """A private Dovecot that does not advertise CONDSTORE."""
    with running_dovecot(condstore=False) as server:
        yield server
