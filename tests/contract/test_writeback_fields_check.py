"""suitepulse fields check against the field metadata recorded from SuiteCRM 7.14."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import httpx
import pytest
import respx
from click.testing import Result

from tests.contract.recorded import fields_document, load

# The recorded site has Contacts clv_c decimal(18,2), churn_risk_c float(18,4),
# lifecycle_stage_c enum and enriched_at_c datetimecombo.
CLIENT = """\
client: acme
suitecrm:
  base_url: https://crm.example.com
  api_layout: 7.x
  client_id: 10c94ee0-623a-0c4d-b9aa-6b03f65b345c
  client_secret: ${ACME_SECRET}
enrichment:
  customer_entity: Contacts
writeback:
  fields:
    clv: {field: Contacts.clv_c, type: decimal, precision: 2}
    churn_risk: {field: Contacts.churn_risk_c, type: float, precision: 3}
    rule_segment: {field: Contacts.lifecycle_stage_c, type: enum, options: [vip, regular]}
    engagement_score: {field: Contacts.sp_engagement_c, type: decimal, precision: 1}
"""


MAPPED = ["clv_c", "churn_risk_c", "lifecycle_stage_c", "sp_engagement_c"]


def search_defs(basic: list[str], advanced: list[str]) -> httpx.Response:
    """The answer of GET /V8/search-defs/module/Contacts as FACTS-FROM-SOURCE.md section 3.3
    and EXAMPLES.md 9.7 give it (no recording holds one): entries with name, translated label."""
    def entries(names: list[str]) -> list[dict[str, object]]:
        return [{"name": name, "label": name.title(), "default": True, "width": "10%"}
                for name in names]

    return httpx.Response(200, json={"data": {"type": "SearchDefs", "attributes": {
        "module": "Contacts", "templateMeta": {"maxColumns": "3"},
        "basic": entries(["search_name", "current_user_only", *basic]),
        "advanced": entries(["first_name", "email", *advanced]),
        "fields": {}}}})


@pytest.fixture
def crm() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url="https://crm.example.com", assert_all_called=False) as router:
        router.post("/Api/access_token").mock(
            return_value=load("auth_01_token_client_credentials").response())
        router.get("/Api/V8/meta/fields/Contacts").mock(
            side_effect=lambda _request: fields_document("Contacts"))
        router.get("/Api/V8/search-defs/module/Contacts", name="search").mock(
            return_value=search_defs(MAPPED, MAPPED))
        yield router


def test_fields_check_lists_missing_and_mismatched_fields(
    crm: respx.MockRouter, run_cli: Callable[..., Result],
    write_client: Callable[[str, str], object],
) -> None:
    write_client("acme", CLIENT)
    result = run_cli("fields", "check", "acme", "--json", env={"ACME_SECRET": "secret-value-1"})
    assert result.exit_code == 1, result.stderr
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert document["checked"] == 4
    assert [(p["field"], p["problem"], p["expected"], p["actual"])
            for p in document["problems"]] == [
        ("churn_risk_c", "other precision", "3", "4"),
        ("sp_engagement_c", "missing; install the fields package (suitepulse fields package)",
         None, None),
    ]
    assert "secret-value-1" not in result.stdout + result.stderr


def test_fields_check_passes_when_the_mapping_matches(
    crm: respx.MockRouter, run_cli: Callable[..., Result],
    write_client: Callable[[str, str], object],
) -> None:
    matching = CLIENT.replace("precision: 3", "precision: 4").replace(
        "    engagement_score: {field: Contacts.sp_engagement_c, type: decimal, precision: 1}\n",
        "")
    write_client("acme", matching)
    result = run_cli("fields", "check", "acme", env={"ACME_SECRET": "secret-value-1"})
    assert result.exit_code == 0, result.stderr
    assert "all 3 mapped fields are present as mapped" in result.stdout
    assert "not checked: list view columns" in result.stdout
    assert crm.routes["search"].call_count == 1


def test_fields_check_lists_a_field_missing_from_the_filter(
    crm: respx.MockRouter, run_cli: Callable[..., Result],
    write_client: Callable[[str, str], object],
) -> None:
    crm.routes["search"].mock(return_value=search_defs(
        MAPPED, [name for name in MAPPED if name != "lifecycle_stage_c"]))
    write_client("acme", CLIENT)
    result = run_cli("fields", "check", "acme", "--json", env={"ACME_SECRET": "secret-value-1"})
    assert result.exit_code == 1, result.stderr
    problems = json.loads(result.stdout)["problems"]
    assert [(p["field"], p["problem"]) for p in problems][-1] == (
        "lifecycle_stage_c",
        "not in the filter (advanced search); install the fields package again")


def test_a_server_without_search_defs_says_the_filters_were_not_checked(
    crm: respx.MockRouter, run_cli: Callable[..., Result],
    write_client: Callable[[str, str], object],
) -> None:
    crm.routes["search"].mock(return_value=load("err_08_unknown_route").response())
    write_client("acme", CLIENT.replace(
        "    engagement_score: {field: Contacts.sp_engagement_c, type: decimal, precision: 1}\n",
        "").replace("precision: 3", "precision: 4"))
    result = run_cli("fields", "check", "acme", "--json", env={"ACME_SECRET": "secret-value-1"})
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["ok"], document["problems"]) == (True, [])
    assert document["not_checked"][-1].startswith(
        "Contacts quick filter and filter: the server does not show its search layouts")
