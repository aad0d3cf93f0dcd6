"""Behaviour of the sandbox's V8 API that the recordings imply but do not replay one by one."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from sandbox import RunningSandbox

Api = Callable[..., httpx.Response]


def _all_ids(api: Api, module: str, size: int, **params: str) -> list[str]:
    ids: list[str] = []
    number = 1
    while True:
        query = {"page[size]": str(size), "page[number]": str(number),
                 f"fields[{module}]": "date_modified", **params}
        body = api("GET", f"/module/{module}", params=query).json()
        if not body["data"]:
            return ids
        ids += [item["id"] for item in body["data"]]
        number += 1


def test_paging_returns_every_contact_once_in_id_order(api: Api) -> None:
    ids = _all_ids(api, "Contacts", 37)
    assert len(ids) == 200
    assert ids == sorted(set(ids))


def test_without_page_parameters_only_twenty_rows_and_no_meta(api: Api) -> None:
    body = api("GET", "/module/Contacts").json()
    assert len(body["data"]) == 20
    assert "meta" not in body and "links" not in body


def test_filter_window_on_date_modified_matches_python(api: Api) -> None:
    everything = api("GET", "/module/Contacts", params={
        "page[size]": "500", "page[number]": "1",
        "fields[Contacts]": "date_modified"}).json()["data"]
    stamps = sorted(item["attributes"]["date_modified"] for item in everything)
    cut = stamps[len(stamps) // 2][:10]
    newer = _all_ids(api, "Contacts", 50, **{"filter[date_modified][gte]": cut})
    expected = [item["id"] for item in everything
                if item["attributes"]["date_modified"][:10] >= cut]
    assert sorted(newer) == sorted(expected)


def test_or_filter_and_like(api: Api) -> None:
    sample = api("GET", "/module/Contacts", params={
        "page[size]": "2", "page[number]": "1",
        "fields[Contacts]": "last_name,primary_address_country"}).json()["data"]
    first, second = (item["attributes"] for item in sample)
    body = api("GET", "/module/Contacts", params={
        "filter[operator]": "or", "filter[last_name][eq]": first["last_name"],
        "filter[primary_address_country][eq]": second["primary_address_country"],
        "page[size]": "500", "page[number]": "1",
        "fields[Contacts]": "last_name,primary_address_country"}).json()["data"]
    assert all(item["attributes"]["last_name"] == first["last_name"]
               or item["attributes"]["primary_address_country"]
               == second["primary_address_country"] for item in body)
    prefix = first["last_name"][:2]
    like = api("GET", "/module/Contacts", params={
        "filter[last_name][like]": f"{prefix}%", "page[size]": "500", "page[number]": "1",
        "fields[Contacts]": "last_name"}).json()["data"]
    assert like and all(i["attributes"]["last_name"].lower().startswith(prefix.lower())
                        for i in like)


def test_sort_puts_nulls_first_and_descending_reverses(api: Api) -> None:
    ascending = api("GET", "/module/Opportunities", params={
        "sort": "amount", "page[size]": "1000", "page[number]": "1",
        "fields[Opportunities]": "amount"}).json()["data"]
    amounts = [float(i["attributes"]["amount"]) for i in ascending]
    assert amounts == sorted(amounts)
    created = api("POST", "/module", json={"data": {"type": "Opportunities", "attributes": {
        "name": "No amount yet"}}}).json()["data"]["id"]
    first = api("GET", "/module/Opportunities", params={
        "sort": "amount", "page[size]": "1", "page[number]": "1",
        "fields[Opportunities]": "amount"}).json()["data"][0]
    assert first["id"] == created and first["attributes"]["amount"] == ""
    last = api("GET", "/module/Opportunities", params={
        "sort": "-amount", "page[size]": "1", "page[number]": "1",
        "fields[Opportunities]": "amount"}).json()["data"][0]
    assert float(last["attributes"]["amount"]) == max(amounts)


def test_create_patch_and_read_back_values(api: Api) -> None:
    response = api("POST", "/module", json={"data": {"type": "Contacts", "attributes": {
        "first_name": "Zoë", "last_name": "O'Neil <x>", "clv_c": 1234.5, "nps_score_c": "7",
        "enriched_at_c": "2026-11-20 09:30:15", "marketing_opt_in_c": True,
        "churn_risk_c": 0.125}}})
    assert response.status_code == 201
    record = response.json()["data"]
    attributes = record["attributes"]
    assert record["type"] == "Contact"
    assert attributes["last_name"] == "O&#039;Neil &lt;x&gt;"
    assert (attributes["clv_c"], attributes["nps_score_c"]) == ("1234.50", "7")
    assert attributes["churn_risk_c"] == "0.1250"
    assert attributes["enriched_at_c"] == "2026-11-20T09:30:00+00:00"
    assert attributes["marketing_opt_in_c"] == "1"
    patched = api("PATCH", "/module", json={"data": {"type": "Contact", "id": record["id"],
                                                     "attributes": {"clv_c": "",
                                                                    "title": None,
                                                                    "segment_c": "vip"}}})
    assert patched.status_code == 201
    after = patched.json()["data"]["attributes"]
    assert (after["clv_c"], after["segment_c"], after["nps_score_c"]) == ("", "vip", "7")
    iso = api("PATCH", "/module", json={"data": {"type": "Contacts", "id": record["id"],
                                                 "attributes": {
                                                     "enriched_at_c": "2026-11-23T10:00:00Z"}}})
    assert iso.json()["data"]["attributes"]["enriched_at_c"] == ""


def test_patch_keeps_a_sent_date_modified(api: Api) -> None:
    record_id = api("GET", "/module/Contacts", params={"page[size]": "1", "page[number]": "1"}
                    ).json()["data"][0]["id"]
    body = api("PATCH", "/module", json={"data": {"type": "Contacts", "id": record_id,
                                                  "attributes": {
                                                      "description": "kept",
                                                      "date_modified": "2024-01-02 03:04:05"}}}
               ).json()
    assert body["data"]["attributes"]["date_modified"] == "2024-01-02T03:04:00+00:00"
    matched = api("GET", "/module/Contacts", params={
        "filter[id][eq]": record_id, "filter[date_modified][gt]": "2024-01-02 03:04:04"}).json()
    assert [i["id"] for i in matched["data"]] == [record_id]


def test_delete_is_soft_and_listing_deleted_rows_fails(api: Api) -> None:
    record_id = api("POST", "/module", json={"data": {"type": "Leads", "attributes": {
        "last_name": "Gone"}}}).json()["data"]["id"]
    assert api("DELETE", f"/module/Leads/{record_id}").status_code == 200
    again = api("GET", f"/module/Leads/{record_id}")
    assert again.status_code == 400
    assert again.json()["errors"]["detail"] == f"Leads module with id {record_id} is not found"
    listed = api("GET", "/module/Leads", params={"filter[deleted][eq]": "1"})
    assert listed.status_code == 400


def test_relationships_follow_relate_fields(api: Api) -> None:
    accounts = api("GET", "/module/Accounts", params={"page[size]": "2", "page[number]": "1",
                                                      "fields[Accounts]": "name"}).json()["data"]
    contact = api("POST", "/module", json={"data": {"type": "Contacts", "attributes": {
        "last_name": "Linked", "account_id": accounts[0]["id"]}}}).json()["data"]
    assert contact["attributes"]["account_name"] == accounts[0]["attributes"]["name"]
    related = api("GET", f"/module/Accounts/{accounts[0]['id']}/relationships/contacts").json()
    assert contact["id"] in [item["id"] for item in related["data"]]
    assert related["meta"]["total-records"] == len(related["data"])
    moved = api("POST", f"/module/Contacts/{contact['id']}/relationships/accounts",
                json={"data": {"type": "Accounts", "id": accounts[1]["id"]}})
    assert moved.status_code == 201
    removed = api("DELETE", f"/module/Contacts/{contact['id']}/relationships/accounts/"
                  f"{accounts[0]['id']}")
    assert removed.status_code == 200
    now = api("GET", f"/module/Contacts/{contact['id']}",
              params={"fields[Contacts]": "account_id"}).json()["data"]["attributes"]
    assert now["account_id"] == accounts[1]["id"]


def test_declared_custom_field_is_listed_written_and_filtered(sb: RunningSandbox,
                                                             api: Api) -> None:
    declared = httpx.post(f"{sb.base_url}/sandbox/custom-fields", json={
        "module": "Contacts", "name": "value_tier_c", "type": "enum", "len": 100})
    assert declared.status_code == 201
    sb.add_custom_field("Contacts", "clv_score_c", "decimal", length=18, precision=2)
    fields = api("GET", "/meta/fields/Contacts").json()["data"]["attributes"]
    assert fields["value_tier_c"]["source"] == "custom_fields"
    assert (fields["clv_score_c"]["type"], fields["clv_score_c"]["precision"]) == ("decimal", "2")
    record_id = api("GET", "/module/Contacts", params={"page[size]": "1", "page[number]": "1"}
                    ).json()["data"][0]["id"]
    api("PATCH", "/module", json={"data": {"type": "Contacts", "id": record_id, "attributes": {
        "value_tier_c": "gold", "clv_score_c": 99.5}}})
    found = api("GET", "/module/Contacts", params={
        "filter[value_tier_c][eq]": "gold", "fields[Contacts]": "value_tier_c,clv_score_c"}
                ).json()["data"]
    assert [(i["id"], i["attributes"]["clv_score_c"]) for i in found] == [(record_id, "99.50")]
    bad = httpx.post(f"{sb.base_url}/sandbox/custom-fields", json={
        "module": "Contacts", "name": "Bad Name", "type": "enum"})
    assert bad.status_code == 400


def test_legacy_layout_only_when_asked(sb: RunningSandbox) -> None:
    response = httpx.post(f"{sb.base_url}/legacy/Api/access_token", data={
        "grant_type": "client_credentials", "client_id": sb.client_id,
        "client_secret": sb.client_secret})
    assert response.status_code == 404


def test_suitecrm_settings_point_at_the_sandbox(sb: RunningSandbox) -> None:
    settings = sb.suitecrm_settings(grant_type="password")
    assert str(settings.base_url).rstrip("/") == sb.base_url
    assert settings.username == sb.username
    assert settings.client_id == sb.password_client_id


def test_id_only_keyset_listing_as_reconciliation_sends_it(api: Api) -> None:
    # fields[X]=id leaves no attribute: SuiteCRM's AttributeObjectHelper unsets id and PHP
    # encodes the empty array as [] (not {}); filter[id][gt] and sort=id page by key.
    ids: list[str] = []
    while True:
        query = {"fields[Contacts]": "id", "sort": "id", "page[size]": "45",
                 "page[number]": "1", **({"filter[id][gt]": ids[-1]} if ids else {})}
        body = api("GET", "/module/Contacts", params=query).json()
        if not body["data"]:
            break
        assert all(item["attributes"] == [] for item in body["data"])
        ids += [item["id"] for item in body["data"]]
    assert ids == sorted(set(ids))
    assert ids == _all_ids(api, "Contacts", 200)


def test_two_conditions_on_date_modified_make_a_range(api: Api) -> None:
    # as recorded in filter_04_range_gte_lt_same_field: gte and lt on one field, ANDed
    everything = api("GET", "/module/Contacts", params={
        "page[size]": "500", "page[number]": "1", "sort": "date_modified",
        "fields[Contacts]": "date_modified"}).json()["data"]
    shown = [item["attributes"]["date_modified"] for item in everything]
    low, high = shown[len(shown) // 4], shown[3 * len(shown) // 4]

    def db(value: str) -> str:
        return f"{value[:10]} {value[11:19]}"

    window = _all_ids(api, "Contacts", 25, **{"filter[date_modified][gte]": db(low),
                                              "filter[date_modified][lt]": db(high),
                                              "sort": "id"})
    expected = [item["id"] for item, stamp in zip(everything, shown, strict=True)
                if low <= stamp < high]
    assert 0 < len(window) < len(everything) // 2 + 5
    assert sorted(window) == sorted(expected)
