"""The config commands as an admin uses them: init, validate, show, with and without --json."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import VALID_CLIENT

RunCli = Callable[..., Result]
SECRET = "s3cr3t-value-9f2"


@pytest.fixture(autouse=True)
def _secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_SECRET", SECRET)


def test_init_writes_a_file_that_validates(run_cli: RunCli, clients_dir: Path) -> None:
    result = run_cli("init", "acme-eu")
    assert result.exit_code == 0, result.output
    assert (clients_dir / "acme-eu.yaml").is_file()
    dotenv = clients_dir / ".env"
    assert "ACME_EU_SUITECRM_CLIENT_SECRET=change-me" in dotenv.read_text()
    assert stat.S_IMODE(dotenv.stat().st_mode) == 0o600
    result = run_cli("config", "validate", "acme-eu")
    assert result.exit_code == 0, result.output
    assert "ok" in result.stdout
    assert "placeholder" in result.stderr


def test_init_refuses_to_overwrite(run_cli: RunCli) -> None:
    assert run_cli("init", "acme").exit_code == 0
    result = run_cli("init", "acme")
    assert result.exit_code == 2
    assert "--force" in result.stderr
    assert run_cli("init", "acme", "--force").exit_code == 0


def test_init_rejects_a_bad_name(run_cli: RunCli) -> None:
    result = run_cli("init", "Acme Corp")
    assert result.exit_code == 2
    assert "lower-case" in result.stderr


def test_validate_reports_problems_with_exit_2(run_cli: RunCli, write_client: Callable[..., Path]
                                               ) -> None:
    write_client("acme", VALID_CLIENT + "  pagesize: 5\n")
    result = run_cli("config", "validate", "acme")
    assert result.exit_code == 2
    assert "acme.yaml:6 suitecrm.pagesize: unknown key" in result.stderr
    assert "Traceback" not in result.output


def test_validate_all_as_json(run_cli: RunCli, write_client: Callable[..., Path]) -> None:
    write_client("acme", VALID_CLIENT)
    write_client("broken", "client: broken\n")
    result = run_cli("config", "validate", "--all", "--json")
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["ok"] is False
    by_name = {entry["client"]: entry for entry in document["clients"]}
    assert by_name["acme"]["valid"] is True
    assert by_name["broken"]["problems"][0]["path"] == "suitecrm"


def test_validate_needs_a_client_or_all(run_cli: RunCli) -> None:
    assert run_cli("config", "validate").exit_code == 2


def test_unknown_client_suggests_a_name(run_cli: RunCli, write_client: Callable[..., Path]
                                        ) -> None:
    write_client("acme", VALID_CLIENT)
    result = run_cli("config", "show", "acm")
    assert result.exit_code == 2
    assert "did you mean 'acme'?" in result.stderr


def test_unknown_client_as_json_is_one_document(run_cli: RunCli) -> None:
    result = run_cli("config", "show", "nobody", "--json")
    assert result.exit_code == 2
    document = json.loads(result.stdout)
    assert document["ok"] is False and document["error"]["type"] == "ConfigError"


def test_show_redacts_secrets(run_cli: RunCli, write_client: Callable[..., Path]) -> None:
    text = VALID_CLIENT + (
        "  grant_type: password\n  username: api\n  password: ${ACME_SECRET}\n"
        "store:\n  url: postgresql://sp:dbpass-77@db.example.com/sp\n"
    )
    write_client("acme", text)
    for args in (("config", "show", "acme"), ("config", "show", "acme", "--json")):
        result = run_cli(*args)
        assert result.exit_code == 0, result.output
        assert SECRET not in result.output
        assert "dbpass-77" not in result.output
    document = json.loads(run_cli("config", "show", "acme", "--json").stdout)
    assert document["suitecrm"]["client_secret"] == "**********"
    assert document["suitecrm"]["password"] == "**********"
    assert document["store"]["url"] == "postgresql://sp:***@db.example.com/sp"


def test_show_resolves_the_default_store(run_cli: RunCli, write_client: Callable[..., Path],
                                         tmp_path: Path) -> None:
    write_client("acme", VALID_CLIENT)
    document = json.loads(run_cli("config", "show", "acme", "--json").stdout)
    assert document["store"]["url"] == f"sqlite:///{tmp_path / 'data' / 'acme.sqlite3'}"


def test_config_dir_option_and_client_path(run_cli: RunCli, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "acme.yaml").write_text(VALID_CLIENT)
    assert run_cli("--config-dir", str(other), "config", "validate", "acme").exit_code == 0
    assert run_cli("config", "validate", str(other / "acme.yaml")).exit_code == 0


MAPPING_MISTAKES = VALID_CLIENT + """\
enrichment:
  customer_entity: Contacts
writeback:
  fields:
    no_such_trait: {field: Contacts.sp_x_c, type: varchar}
    clv: {field: Accounts.sp_clv_c, type: decimal}
    rfm_segment: {field: Contacts.sp_seg_c, type: int}
    churn_risk: {field: Contacts.sp_same_c, type: decimal}
    p_alive: {field: Contacts.sp_same_c, type: decimal}
    lifecycle_stage: {field: Contacts.sp_stage_c, type: enum, options: [reach, engagement]}
"""


def test_validate_runs_the_write_back_mapping_checks_of_push(
        run_cli: RunCli, write_client: Callable[[str, str], Path]) -> None:
    write_client("acme", MAPPING_MISTAKES)
    result = run_cli("config", "validate", "--all", "--json")
    assert result.exit_code == 2
    problems = json.loads(result.stdout)["clients"][0]["problems"]
    assert [(p["line"], p["path"]) for p in problems] == [
        (10, "writeback.fields.no_such_trait"), (11, "writeback.fields.clv"),
        (12, "writeback.fields.rfm_segment"), (14, "writeback.fields.p_alive"),
        (15, "writeback.fields.lifecycle_stage")]
    messages = " | ".join(p["message"] for p in problems)
    for words in ("unknown trait", "only be written to Contacts fields",
                  "cannot be written to a int field", "already written by churn_risk",
                  "options lack values"):
        assert words in messages


def test_show_lists_the_stored_fields_of_each_module_and_why(
        run_cli: RunCli, write_client: Callable[..., Path]) -> None:
    write_client("acme", VALID_CLIENT + "enrichment:\n  segments:\n    - name: Seniors\n"
                 "      rule: {field: age, gte: 65}\n")
    text = run_cli("config", "show", "acme").stdout
    section = text[text.index("# Stored fields"):]
    assert "#   Accounts:" in section
    assert "#     birthdate      rule segment 'Seniors' (age) (enrichment.segments)" in section
    assert "last_name" not in text and "first_name" not in text
    document = json.loads(run_cli("config", "show", "acme", "--json").stdout)
    assert document["stored_fields"]["Opportunities"]["amount"] == \
        "purchases: amount (enrichment.purchases.amount_field)"
    assert "birthdate" not in document["stored_fields"]["Contacts"]
