"""``suitepulse check``: what the config needs from SuiteCRM, and what is missing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import httpx
import pytest
import respx
from click.testing import Result

CLIENT = """\
client: acme
suitecrm:
  base_url: https://crm.example.com
  api_layout: auto
  client_id: 10c94ee0-623a-0c4d-b9aa-6b03f65b345c
  client_secret: ${ACME_SECRET}
sync:
  modules: [Accounts, Contacts, Opportunities]
writeback:
  fields:
    lifecycle_stage: Accounts.sp_lifecycle_stage_c
    clv: Accounts.sp_clv_c
"""
OPPORTUNITY_FIELDS = ["amount", "date_closed", "sales_stage", "currency_id", "account_id"]


def _fields(*names: str) -> dict[str, object]:
    return {"data": {"type": "fields", "attributes": {
        name: {"type": "varchar", "dbType": "varchar", **(
            {"source": "custom_fields"} if name.endswith("_c") else {})} for name in names}}}


@pytest.fixture
def crm() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url="https://crm.example.com", assert_all_called=False) as router:
        router.post("/Api/access_token").respond(
            200, json={"token_type": "Bearer", "expires_in": 3600, "access_token": "jwt"})
        router.get("/Api/V8/meta/modules").respond(200, json={"data": {
            "type": "modules", "attributes": {"Accounts": {}, "Contacts": {},
                                              "Opportunities": {}}}})
        router.get("/Api/V8/meta/fields/Opportunities").respond(
            200, json=_fields(*OPPORTUNITY_FIELDS))
        router.get("/Api/V8/meta/fields/Contacts").respond(200, json=_fields("last_name"))
        router.get("/Api/V8/current-user").respond(
            200, json={"data": {"type": "User", "id": "1", "attributes": {"user_name": "admin"}}})
        yield router


def _run(run_cli: Callable[..., Result], write_client: Callable[[str, str], object],
         *args: str) -> Result:
    write_client("acme", CLIENT)
    return run_cli("check", "acme", *args, env={"ACME_SECRET": "secret-value-1"})


def test_reports_missing_custom_fields_and_fails(
    crm: respx.MockRouter, run_cli: Callable[..., Result],
    write_client: Callable[[str, str], object],
) -> None:
    crm.get("/Api/V8/meta/fields/Accounts").respond(200, json=_fields("name",
                                                                      "sp_lifecycle_stage_c"))
    result = _run(run_cli, write_client, "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["missing"] == ["Accounts.sp_clv_c"]
    assert report["api_prefix"] == "/Api" and report["acting_user_id"] == "1"
    found = {r["name"]: r["found"] for r in report["requirements"]}
    assert found["Opportunities.amount"] and found["Accounts.sp_lifecycle_stage_c"]
    assert "secret-value-1" not in result.stdout + result.stderr


def test_everything_present_exits_zero(
    crm: respx.MockRouter, run_cli: Callable[..., Result],
    write_client: Callable[[str, str], object],
) -> None:
    crm.get("/Api/V8/meta/fields/Accounts").respond(
        200, json=_fields("name", "sp_lifecycle_stage_c", "sp_clv_c"))
    result = _run(run_cli, write_client)
    assert result.exit_code == 0, result.stdout
    assert "everything the config needs is there" in result.stdout


def test_refused_credentials_exit_one_with_the_reason(
    crm: respx.MockRouter, run_cli: Callable[..., Result],
    write_client: Callable[[str, str], object],
) -> None:
    crm.post("/Api/access_token").mock(return_value=httpx.Response(401, json={
        "error": "invalid_client", "error_description": "Client authentication failed",
        "message": "Client authentication failed"}))
    result = _run(run_cli, write_client, "--json")
    assert result.exit_code == 1
    error = json.loads(result.stdout)["error"]
    assert error["type"] == "AuthError" and "Client authentication failed" in error["message"]


MAILCHIMP = """\
sources:
  mailchimp:
    api_key: ${ACME_MAILCHIMP}
    audience_ids: [57afe96172, gone000000]
"""


def test_shows_mailchimp_audiences_counts_and_data_centre(
    crm: respx.MockRouter, run_cli: Callable[..., Result],
    write_client: Callable[[str, str], object],
) -> None:
    crm.get("/Api/V8/meta/fields/Accounts").respond(
        200, json=_fields("name", "sp_lifecycle_stage_c", "sp_clv_c"))
    # https://mailchimp.com/developer/marketing/api/lists/get-lists-info/
    crm.get("https://us21.api.mailchimp.com/3.0/lists").respond(200, json={"lists": [
        {"id": "57afe96172", "name": "Newsletter", "stats": {"member_count": 1234}}],
        "total_items": 1})
    write_client("acme", CLIENT + MAILCHIMP)
    env = {"ACME_SECRET": "secret-value-1", "ACME_MAILCHIMP": "0123abcd-us21"}
    shown = run_cli("check", "acme", env=env)
    assert "data centre us21; Newsletter (57afe96172): 1,234 members" in shown.stdout
    result = run_cli("check", "acme", "--json", env=env)
    assert result.exit_code == 1  # the second audience is not in the account
    report = json.loads(result.stdout)
    assert report["missing"] == ["Mailchimp.gone000000"]
    assert report["mailchimp"]["datacenter"] == "us21"
    assert "0123abcd" not in result.stdout + result.stderr
