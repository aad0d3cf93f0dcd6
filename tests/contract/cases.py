"""How the client is driven for each recording, and what it must make of the answer.

A case sends what the recording shows unless ``why`` explains a deliberate difference (the
client never sends what SuiteCRM mishandles: no refresh grant, no ISO datetimes, always
page parameters...); ``query``/``body``/``method`` then say what it sends instead.
Recordings of requests the client cannot make at all are replayed through ``client.raw``,
so the answer still has to parse into the right result or error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from connectors.errors import AuthError, FatalAPIError
from connectors.suitecrm import (
    ApiLayout,
    Condition,
    FieldMeta,
    Filter,
    GrantType,
    Record,
    SuiteCRMClient,
)
from tests.contract.expect import assert_records_match
from tests.contract.recorded import Recording

__all__ = ["CASES", "SAME", "Case"]

SAME: Any = object()
Pairs = list[tuple[str, str]]
CONTACT = "54b32ee3-ce1d-de2e-41dd-6b03f7fb03c0"
ACCOUNT = "afea567a-c2c6-730a-cd00-6b03f7f36ea5"
NOT_FOUND = "00000000-0000-0000-0000-000000000000"
PASSWORD_CLIENT = "1799b9d0-defe-4410-80b8-6b03f681cc03"


@dataclass(frozen=True)
class Case:
    """How to drive the client for one recording and what must come of it."""

    drive: Callable[[SuiteCRMClient, Recording], Any]
    check: Callable[[Any, Recording], None] | None = None
    error: type[Exception] | None = None
    detail: str | None = None
    why: str = ""
    query: Pairs | None = None
    body: Any = SAME
    method: str | None = None
    grant: GrantType = GrantType.CLIENT_CREDENTIALS
    username: str = "admin"
    layout: ApiLayout = ApiLayout.V7
    prefix: str = "/Api"
    hits: int = 1

    def deviates_silently(self) -> bool:
        """A changed request must say why."""
        changed = self.query is not None or self.body is not SAME or self.method is not None
        return changed and not self.why


# -- drivers ----------------------------------------------------------------------------


def replay(client: SuiteCRMClient, rec: Recording) -> Any:
    """Send the recorded request as it is, through the client's raw call."""
    body = rec.body if not isinstance(rec.body, str) else None
    return client.raw(rec.method, rec.api_path, params=rec.query, body=body)


def replay_list(module: str) -> Callable[[SuiteCRMClient, Recording], Any]:
    """Replay a list request; its answer is parsed into Records of ``module``."""
    return lambda client, rec: client.records_of(replay(client, rec), module)


def refused_then_replay(
    call: Callable[[SuiteCRMClient], Any], match: str, module: str | None = None
) -> Callable[[SuiteCRMClient, Recording], Any]:
    """The client refuses the request itself; the recorded answer must still parse."""

    def drive(client: SuiteCRMClient, rec: Recording) -> Any:
        with pytest.raises(ValueError, match=match):
            call(client)
        body = replay(client, rec)
        return client.records_of(body, module) if module else body

    return drive


def authenticate(client: SuiteCRMClient, rec: Recording) -> Any:
    client.authenticate()
    return client.auth.token


def first_page(module: str, **options: Any) -> Callable[[SuiteCRMClient, Recording], Any]:
    return lambda client, rec: next(client.iter_pages(module, **options), [])


def all_pages(module: str, **options: Any) -> Callable[[SuiteCRMClient, Recording], Any]:
    return lambda client, rec: [r for page in client.iter_pages(module, **options) for r in page]


def related(module: str, record_id: str, link: str, **options: Any) -> Callable[
        [SuiteCRMClient, Recording], Any]:
    return lambda client, rec: [
        r for page in client.relationships(module, record_id, link, **options) for r in page]


def get(module: str, record_id: str, **options: Any) -> Callable[[SuiteCRMClient, Recording], Any]:
    return lambda client, rec: client.get(module, record_id, **options)


def create(module: str, attributes: dict[str, Any], **options: Any) -> Callable[
        [SuiteCRMClient, Recording], Any]:
    return lambda client, rec: client.create(module, attributes, **options)


def update(module: str, record_id: str, attributes: dict[str, Any]) -> Callable[
        [SuiteCRMClient, Recording], Any]:
    return lambda client, rec: client.update(module, record_id, attributes)


def body_of(rec: Recording) -> dict[str, Any]:
    body = rec.body
    assert isinstance(body, dict)
    return body


def attrs_of(rec_body: dict[str, Any]) -> dict[str, Any]:
    return dict(rec_body["data"]["attributes"])


# -- checks -----------------------------------------------------------------------------


def records(module: str, count: int | None = None) -> Callable[[Any, Recording], None]:
    """The result is the recorded resources as Records of ``module``."""

    def check(result: Any, rec: Recording) -> None:
        found = result if isinstance(result, list) else [result]
        assert all(isinstance(r, Record) for r in found)
        if count is not None:
            assert len(found) == count
        assert_records_match(found, rec.response_body, module)

    return check


def token(result: Any, rec: Recording) -> None:
    assert result is not None and result.access_token == rec.response_body["access_token"]


def empty(result: Any, rec: Recording) -> None:
    assert result == []


def meta_message(result: Any, rec: Recording) -> None:
    assert result is None or result == rec.response_body


def values(**expected: Any) -> Callable[[Any, Recording], None]:
    def check(result: Any, rec: Recording) -> None:
        record = result[0] if isinstance(result, list) else result
        for name, value in expected.items():
            assert record.attributes[name] == value, name

    return check


def entity_decoded(result: Any, rec: Recording) -> None:
    assert "O&#039;Brien" in str(rec.response_body)
    assert "O'Brien" in [record["last_name"] for record in result]


def both(*checks: Callable[[Any, Recording], None]) -> Callable[[Any, Recording], None]:
    def check(result: Any, rec: Recording) -> None:
        for one in checks:
            one(result, rec)

    return check


def modules(result: Any, rec: Recording) -> None:
    assert result == list(rec.response_body["data"]["attributes"])
    assert "Contacts" in result and "Accounts" in result


def contact_fields(result: Any, rec: Recording) -> None:
    assert isinstance(result["clv_c"], FieldMeta)
    assert (result["clv_c"].type, result["clv_c"].len, result["clv_c"].precision) == (
        "decimal", 18, 2)
    assert result["clv_c"].is_custom and result["enriched_at_c"].db_type == "datetime"
    assert result["id"].required and not result["last_name"].is_custom
    custom = {name for name, meta in result.items() if meta.is_custom}
    assert {"lifecycle_stage_c", "segment_c", "churn_risk_c", "nps_score_c",
            "marketing_opt_in_c"} <= custom


def account_fields(result: Any, rec: Recording) -> None:
    assert result["arr_c"].source == "custom_fields" and result["tier_c"].type == "enum"
    assert result["external_ref_c"].len == 64 and result["name"].type == "name"


def user(result: Any, rec: Recording) -> None:
    assert isinstance(result, Record) and result.id == rec.response_body["data"]["id"]


def document(key: str) -> Callable[[Any, Recording], None]:
    def check(result: Any, rec: Recording) -> None:
        assert isinstance(result, dict) and key in result

    return check


# -- cases ------------------------------------------------------------------------------

def paged(size: int, number: int = 1) -> Pairs:
    return [("page[size]", str(size)), ("page[number]", str(number))]


ALWAYS_PAGES = "the client always sends page[size] and page[number] (without them: 20 rows)"
OAUTH_401 = "a 401 from a resource: the token is renewed once, then AuthError"
NO_REFRESH = "the client renews with the configured grant, never with refresh_token"
CC_FORM = {"grant_type": "client_credentials",
           "client_id": "10c94ee0-623a-0c4d-b9aa-6b03f65b345c", "client_secret": "<redacted>"}
PASSWORD_FORM = {"grant_type": "password", "client_id": PASSWORD_CLIENT,
                 "client_secret": "<redacted>", "username": "admin", "password": "<redacted>"}
FILTER_FIELDS = ("last_name", "date_modified", "lifecycle_stage_c")
T_1306 = datetime(2026, 11, 13, 6, 46, 56, tzinfo=UTC)
T_2102 = datetime(2026, 11, 21, 2, 53, 27, tzinfo=UTC)
ID_7C = "7ceee276-10f3-4851-074d-6b03f7015fac"
TIME_FIELDS = ("last_name", "date_modified")


def time_filter(value: Any, op: str = "gt") -> Callable[[SuiteCRMClient, Recording], Any]:
    flt = Filter.all(Condition("id", "eq", ID_7C), Condition("date_modified", op, value))
    return lambda client, rec: next(client.iter_pages("Contacts", filter=flt, fields=TIME_FIELDS,
                                                      page_size=20), [])


TIME_QUERY = [("filter[id][eq]", ID_7C), ("filter[date_modified][gt]", "2026-11-21 02:53:27"),
              ("fields[Contacts]", "last_name,date_modified"), *paged(20)]


def unauthorised(detail: str) -> Case:
    return Case(replay, error=AuthError, detail=detail, why=OAUTH_401, hits=2)


CASES: dict[str, Case] = {
    # -- authentication ------------------------------------------------------------------
    "auth_01_token_client_credentials": Case(authenticate, token),
    "auth_02_token_password": Case(authenticate, token, grant=GrantType.PASSWORD),
    "auth_03_token_refresh": Case(authenticate, token, grant=GrantType.PASSWORD,
                                  why=NO_REFRESH, body=PASSWORD_FORM),
    "auth_04_token_refresh_reused": Case(authenticate, error=AuthError, detail="revoked",
                                         grant=GrantType.PASSWORD, why=NO_REFRESH,
                                         body=PASSWORD_FORM),
    "auth_05_token_bad_secret": Case(authenticate, error=AuthError,
                                     detail="Client authentication failed"),
    "auth_06_token_unknown_client": Case(authenticate, error=AuthError, detail="not found"),
    "auth_07_token_password_bad_user_password": Case(
        authenticate, error=AuthError, detail="The password is invalid: ***",
        grant=GrantType.PASSWORD),
    "auth_08_token_grant_not_allowed_for_client": Case(authenticate, error=AuthError,
                                                       detail="invalid_client"),
    "auth_09_token_json_body": Case(authenticate, token),  # same fields, form-encoded
    "auth_10_token_missing_grant_type": Case(
        authenticate, error=AuthError, detail="unsupported_grant_type",
        why="the client always sends grant_type", body=CC_FORM),
    "auth_11_token_get_method": Case(
        authenticate, error=FatalAPIError, detail=None, method="POST", body=CC_FORM,
        why="the token is always requested with POST; a non-OAuth answer means no API there"),
    "auth_12_old_access_token_after_refresh": unauthorised("Access token has been revoked"),
    "auth_13_refresh_with_other_client": Case(
        authenticate, error=AuthError, detail="Token is not linked to client", why=NO_REFRESH,
        body=CC_FORM),
    "auth_14_lowercase_bearer_scheme": unauthorised("Error while decoding from JSON"),
    "auth_15_accept_application_json": Case(
        first_page("Contacts", fields=["last_name"], page_size=1), records("Contacts", 1),
        why=ALWAYS_PAGES, query=[("fields[Contacts]", "last_name"), *paged(1)]),
    "auth_16_token_via_index_php_prefix": Case(authenticate, token, layout=ApiLayout.AUTO,
                                               prefix="/Api/index.php"),
    "auth_17_token_with_scope": Case(authenticate, error=AuthError, detail="invalid_scope",
                                     why="the client never sends a scope", body=CC_FORM),
    # -- create --------------------------------------------------------------------------
    "create_01_contact": Case(
        lambda c, r: c.create("Contacts", {**attrs_of(body_of(r)), "marketing_opt_in_c": True}),
        records("Contacts"), why="bool values are sent as 1/0",
        body={"data": {"type": "Contacts", "attributes": {
            "first_name": "Grace", "last_name": "Hopper", "title": "Rear Admiral",
            "email1": "grace.hopper@example.com", "phone_work": "+1-555-010-1906",
            "lifecycle_stage_c": "mql", "segment_c": "public-sector", "clv_c": "15999.95",
            "churn_risk_c": 0.125, "enriched_at_c": "2026-11-20 09:30:15", "nps_score_c": 9,
            "marketing_opt_in_c": 1, "account_id": ACCOUNT}}}),
    "create_02_contact_application_json": Case(
        create("Contacts", {"first_name": "Alan", "last_name": "Turing",
                            "lifecycle_stage_c": "lead"}), records("Contacts")),
    "create_03_contact_client_id": Case(
        create("Contacts", {"first_name": "Ada", "last_name": "Lovelace"},
               record_id="7c9e6679-7425-40de-944b-e07fc1f90ae7"), records("Contacts")),
    "create_04_duplicate_id": Case(
        create("Contacts", {"first_name": "Ada", "last_name": "Lovelace"},
               record_id="7c9e6679-7425-40de-944b-e07fc1f90ae7"),
        error=FatalAPIError, detail="already exist"),
    "create_05_iso8601_datetime_dropped": Case(
        create("Contacts", {"first_name": "Iso", "last_name": "Datetime",
                            "enriched_at_c": "2026-11-20T09:30:15+00:00"}),
        records("Contacts"), why="an ISO datetime string is sent in UTC DB format",
        body={"data": {"type": "Contacts", "attributes": {
            "first_name": "Iso", "last_name": "Datetime",
            "enriched_at_c": "2026-11-20 09:30:15"}}}),
    "create_06_invalid_enum_and_numbers": Case(
        create("Contacts", {"first_name": "Bad", "last_name": "Enum",
                            "lifecycle_stage_c": "not_in_list", "nps_score_c": "ten",
                            "clv_c": "abc"}),
        both(records("Contacts"), values(nps_score_c=0, clv_c=Decimal("0.00")))),
    "create_07_missing_type": Case(replay, error=FatalAPIError, detail='"type" is missing'),
    "create_08_bad_module": Case(create("NoSuchModule", {"name": "x"}), error=FatalAPIError,
                                 detail="Module NoSuchModule does not exist"),
    "create_09_unknown_attribute": Case(
        create("Contacts", {"last_name": "Unknown", "no_such_field_c": "x"}),
        error=FatalAPIError, detail="Property no_such_field_c in Contact module is invalid"),
    "create_10_malformed_json": Case(
        create("Contacts", {"last_name": "Broken"}), error=FatalAPIError,
        detail='"data" is missing', why="the client sends well-formed JSON",
        body={"data": {"type": "Contacts", "attributes": {"last_name": "Broken"}}}),
    "create_11_text_plain_content_type": Case(
        create("Contacts", {"last_name": "PlainText"}), error=FatalAPIError,
        detail='"data" is missing'),  # same body; the client's Content-Type is JSON:API
    "create_12_account_with_cc_token": Case(
        create("Accounts", {"name": "Client Credentials Created Co", "tier_c": "smb"}),
        both(records("Accounts"), values(created_by="1"))),
    # -- delete --------------------------------------------------------------------------
    "delete_01_contact": Case(
        lambda c, r: c.delete("Contacts", "7c9e6679-7425-40de-944b-e07fc1f90ae7"),
        lambda result, rec: None),
    "delete_02_get_deleted": Case(get("Contacts", "7c9e6679-7425-40de-944b-e07fc1f90ae7"),
                                  error=FatalAPIError, detail="is not found"),
    "delete_03_delete_again": Case(
        lambda c, r: c.delete("Contacts", "7c9e6679-7425-40de-944b-e07fc1f90ae7"),
        error=FatalAPIError, detail="is not found"),
    "delete_04_list_deleted": Case(
        all_pages("Contacts", filter=Filter.all(Condition("deleted", "eq", 1)),
                  fields=["first_name", "last_name", "deleted", "date_modified"], page_size=50),
        error=FatalAPIError, detail="is not found", why=ALWAYS_PAGES,
        query=[("filter[deleted][eq]", "1"),
               ("fields[Contacts]", "first_name,last_name,deleted,date_modified"), *paged(50)]),
    "delete_05_unknown_id": Case(lambda c, r: c.delete("Contacts", NOT_FOUND),
                                 error=FatalAPIError, detail="is not found"),
    # -- errors --------------------------------------------------------------------------
    "err_01_missing_token": unauthorised('Missing "Authorization" header'),
    "err_02_garbage_token": unauthorised("two dots"),
    "err_03_expired_token": unauthorised("could not be verified"),
    "err_04_bad_signature": unauthorised("could not be verified"),
    "err_05_basic_auth": unauthorised("two dots"),
    "err_06_logout": Case(replay, meta_message),
    "err_07_revoked_token_after_logout": unauthorised("Access token has been revoked"),
    "err_08_unknown_route": Case(replay, error=FatalAPIError, detail="Not found"),
    "err_09_wrong_prefix_modules": Case(replay, error=FatalAPIError, detail="Not found"),
    "err_10_put_method": Case(replay, error=FatalAPIError, detail="Method not allowed"),
    # -- filters -------------------------------------------------------------------------
    "filter_01_date_modified_gt_db_format": Case(
        all_pages("Contacts", filter=Filter.all(Condition("date_modified", "gt", T_1306)),
                  fields=FILTER_FIELDS, page_size=20), records("Contacts", 9)),
    "filter_02_date_modified_gt_iso8601": Case(
        all_pages("Contacts", filter=Filter.all(
            Condition("date_modified", "gt", "2026-11-13T06:46:56+00:00")),
            fields=FILTER_FIELDS, page_size=20),
        records("Contacts", 9), why="ISO datetimes are sent in UTC DB format",
        query=[("filter[date_modified][gt]", "2026-11-13 06:46:56"),
               ("fields[Contacts]", ",".join(FILTER_FIELDS)), *paged(20)]),
    "filter_03_operator_and_single": Case(
        all_pages("Contacts", filter=Filter.all(Condition("date_modified", "gt", T_1306),
                                                explicit=True),
                  fields=FILTER_FIELDS, page_size=20), records("Contacts")),
    "filter_04_range_gte_lt_same_field": Case(
        all_pages("Contacts", filter=Filter.all(
            Condition("date_modified", "gte", datetime(2026, 10, 1, tzinfo=UTC)),
            Condition("date_modified", "lt", T_1306), explicit=True),
            fields=FILTER_FIELDS, page_size=50), records("Contacts")),
    "filter_05_operator_or": Case(
        all_pages("Contacts", filter=Filter.any(Condition("lifecycle_stage_c", "eq", "customer"),
                                                Condition("last_name", "eq", "Patel")),
                  fields=FILTER_FIELDS, page_size=50), records("Contacts")),
    "filter_06_default_and_two_fields": Case(
        all_pages("Contacts", filter=Filter.all(
            Condition("lifecycle_stage_c", "eq", "customer"),
            Condition("date_modified", "gt", datetime(2026, 10, 20, tzinfo=UTC))),
            fields=FILTER_FIELDS, page_size=50), records("Contacts")),
    "filter_07_like": Case(
        all_pages("Contacts", filter=Filter.all(Condition("last_name", "like", "N%")),
                  fields=FILTER_FIELDS, page_size=50), records("Contacts")),
    "filter_08_neq_custom": Case(
        all_pages("Contacts", filter=Filter.all(Condition("lifecycle_stage_c", "neq",
                                                          "customer")),
                  fields=FILTER_FIELDS, page_size=50), records("Contacts")),
    "filter_09_email1_eq": Case(
        all_pages("Contacts", filter=Filter.all(Condition("email1", "eq",
                                                          "yuki.nakamura32@example.com")),
                  fields=["first_name", "last_name", "email1"], page_size=5),
        records("Contacts", 1)),
    "filter_10_unknown_field": Case(
        all_pages("Contacts", filter=Filter.all(Condition("no_such_field", "eq", "x"))),
        error=FatalAPIError, detail="Filter field no_such_field in Contact module is not found",
        why=ALWAYS_PAGES, query=[("filter[no_such_field][eq]", "x"), *paged(100)]),
    "filter_11_bad_operator": Case(
        refused_then_replay(lambda c: Condition("date_modified", "between", "2026-01-01"),
                            "not one of"),
        error=FatalAPIError, detail="Filter operator between is invalid"),
    "filter_12_not_array": Case(replay, error=FatalAPIError, detail="must be an array"),
    "filter_13_bad_combinator": Case(replay, error=FatalAPIError,
                                     detail="Filter operator xor is invalid"),
    "filter_14_uppercase_operator": Case(
        first_page("Contacts", filter=Filter.all(Condition("date_modified", "GT", T_1306)),
                   fields=FILTER_FIELDS, page_size=3),
        records("Contacts", 3), why="operators are sent in lower case",
        query=[("filter[date_modified][gt]", "2026-11-13 06:46:56"),
               ("fields[Contacts]", ",".join(FILTER_FIELDS)), *paged(3)]),
    "filter_15_custom_datetime_gt": Case(
        all_pages("Contacts", filter=Filter.all(
            Condition("enriched_at_c", "gt", datetime(2026, 11, 10, tzinfo=UTC))),
            fields=["last_name", "enriched_at_c"], page_size=50), records("Contacts")),
    "filter_16_filter_sort_paged": Case(
        first_page("Contacts", filter=Filter.all(Condition("date_modified", "gt", T_1306)),
                   sort="-date_modified", fields=FILTER_FIELDS, page_size=4, first_page=2),
        records("Contacts", 4)),
    "filter_17_accounts_custom_enum": Case(
        all_pages("Accounts", filter=Filter.all(Condition("tier_c", "eq", "enterprise")),
                  fields=["name", "tier_c", "arr_c", "health_score_c"], page_size=20),
        records("Accounts")),
    "filter_18_relate_field": Case(
        all_pages("Contacts", filter=Filter.all(Condition("account_name", "eq",
                                                          "Northwind Traders"))),
        error=FatalAPIError, detail="Database failure", why=ALWAYS_PAGES,
        query=[("filter[account_name][eq]", "Northwind Traders"), *paged(100)]),
    # -- lists ---------------------------------------------------------------------------
    "list_01_contacts_page1_size5": Case(first_page("Contacts", page_size=5),
                                         both(records("Contacts", 5), entity_decoded)),
    "list_02_contacts_page2_size5": Case(first_page("Contacts", page_size=5, first_page=2),
                                         records("Contacts", 5)),
    "list_03_contacts_last_page": Case(all_pages("Contacts", page_size=5, first_page=9),
                                       records("Contacts", 5)),
    "list_04_contacts_page_beyond_last": Case(all_pages("Contacts", page_size=5, first_page=10),
                                              empty),
    "list_05_contacts_size_without_number": Case(
        refused_then_replay(lambda c: list(c.iter_pages("Contacts", page_size=5, first_page=0)),
                            "numbered from 1", "Contacts"), records("Contacts", 5)),
    "list_06_contacts_no_paging": Case(replay_list("Contacts"), records("Contacts", 20)),
    "list_07_contacts_page_size_1000": Case(all_pages("Contacts", page_size=1000),
                                            records("Contacts", 45)),
    "list_08_contacts_page_size_0": Case(
        refused_then_replay(lambda c: list(c.iter_pages("Contacts", page_size=0)), "at least 1"),
        error=FatalAPIError, detail='"size" with value "0" is invalid'),
    "list_09_contacts_page_size_negative": Case(
        refused_then_replay(lambda c: list(c.iter_pages("Contacts", page_size=-1)),
                            "at least 1"), error=FatalAPIError, detail='"page" with value'),
    "list_10_contacts_page_size_non_numeric": Case(replay, error=FatalAPIError,
                                                   detail='"page" with value'),
    "list_11_contacts_page_number_0": Case(
        refused_then_replay(lambda c: list(c.iter_pages("Contacts", page_size=3, first_page=0)),
                            "numbered from 1"),
        error=FatalAPIError, detail='"number" with value "0" is invalid'),
    "list_12_contacts_sparse_fields": Case(
        first_page("Contacts", fields=["first_name", "last_name", "email1", "date_modified",
                                       "lifecycle_stage_c", "clv_c", "account_name",
                                       "account_id"], page_size=3), records("Contacts", 3)),
    "list_13_contacts_fields_unknown": Case(
        first_page("Contacts", fields=["first_name", "no_such_field"], page_size=3),
        error=FatalAPIError, detail="not found: no_such_field"),
    "list_14_contacts_fields_other_module_key": Case(replay_list("Contacts"),
                                                      records("Contacts", 2)),
    "list_15_sort_date_modified_asc": Case(
        first_page("Contacts", sort="date_modified", fields=TIME_FIELDS, page_size=5),
        records("Contacts", 5)),
    "list_16_sort_date_modified_desc": Case(
        first_page("Contacts", sort="-date_modified", fields=TIME_FIELDS, page_size=5),
        records("Contacts", 5)),
    "list_17_sort_multiple": Case(
        refused_then_replay(
            lambda c: list(c.iter_pages("Contacts", sort="last_name,-date_modified")),
            "one field only"),
        error=FatalAPIError, detail='"sort" with value'),
    "list_18_sort_unknown_field": Case(
        all_pages("Contacts", sort="no_such_field"), error=FatalAPIError,
        detail="Sort field no_such_field", why=ALWAYS_PAGES,
        query=[("sort", "no_such_field"), *paged(100)]),
    "list_19_sort_custom_field": Case(
        first_page("Contacts", sort="clv_c", fields=["last_name", "clv_c"], page_size=5),
        records("Contacts", 5)),
    "list_20_bad_module": Case(all_pages("NoSuchModule"), error=FatalAPIError,
                               detail="Module NoSuchModule does not exist", why=ALWAYS_PAGES,
                               query=paged(100)),
    "list_21_lowercase_module": Case(all_pages("contacts", page_size=2), error=FatalAPIError,
                                     detail="Module contacts does not exist", why=ALWAYS_PAGES,
                                     query=paged(2)),
    "list_22_object_name_instead_of_module": Case(
        first_page("Contact", page_size=2), records("Contact", 2), why=ALWAYS_PAGES,
        query=paged(2)),
    "list_23_accounts_page": Case(first_page("Accounts", page_size=3), records("Accounts", 3)),
    "list_24_opportunities_page": Case(first_page("Opportunities", sort="-amount", page_size=3),
                                       records("Opportunities", 3)),
    "list_25_custom_filter_paged_counts": Case(
        first_page("Contacts", filter=Filter.all(Condition("lifecycle_stage_c", "eq",
                                                           "customer")),
                   fields=["last_name", "lifecycle_stage_c"], page_size=2),
        records("Contacts", 2)),
    "list_26_percent_encoded_brackets": Case(
        first_page("Contacts", fields=["last_name"], page_size=2, first_page=2),
        records("Contacts", 2)),
    "list_27_default_order": Case(first_page("Contacts", fields=TIME_FIELDS, page_size=5),
                                  records("Contacts", 5)),
    # -- metadata ------------------------------------------------------------------------
    "meta_01_modules": Case(lambda c, r: c.modules(), modules),
    "meta_02_fields_contacts": Case(lambda c, r: c.fields("Contacts"), contact_fields),
    "meta_03_fields_accounts": Case(lambda c, r: c.fields("Accounts"), account_fields),
    "meta_04_fields_bad_module": Case(lambda c, r: c.fields("NoSuchModule"),
                                      error=FatalAPIError, detail="[Not Allowed]"),
    "meta_05_current_user_password_token": Case(lambda c, r: c.current_user(), user,
                                                grant=GrantType.PASSWORD),
    "meta_06_current_user_cc_token": Case(lambda c, r: c.current_user(), user),
    "meta_07_modules_via_index_php_prefix": Case(lambda c, r: c.modules(), modules,
                                                 layout=ApiLayout.AUTO,
                                                 prefix="/Api/index.php"),
    "meta_08_swagger": Case(replay, document("openapi")),
    # -- single records ------------------------------------------------------------------
    "record_01_get_contact": Case(
        get("Contacts", "b0edb366-87f2-7bb5-e907-6b03f713d6e0"),
        both(records("Contacts"), values(
            clv_c=Decimal("198134.27"), churn_risk_c=0.8014, nps_score_c=9,
            marketing_opt_in_c=True, birthdate=date(1963, 2, 9),
            enriched_at_c=datetime(2026, 11, 13, 21, 41, tzinfo=UTC)))),
    "record_02_get_contact_sparse": Case(
        get("Contacts", "b0edb366-87f2-7bb5-e907-6b03f713d6e0",
            fields=["first_name", "last_name", "lifecycle_stage_c", "enriched_at_c",
                    "account_id", "account_name"]), records("Contacts")),
    "record_03_get_contact_empty_custom_fields": Case(
        get("Contacts", "2d4b79d2-b878-10ee-7d9f-6b03f72a96e7"),
        both(records("Contacts"), values(clv_c=None, nps_score_c=None, enriched_at_c=None,
                                         marketing_opt_in_c=False))),
    "record_04_get_account": Case(get("Accounts", ACCOUNT), both(
        records("Accounts"), values(arr_c=Decimal("700000.00"), health_score_c=34))),
    "record_05_get_unknown_id": Case(get("Contacts", NOT_FOUND), error=FatalAPIError,
                                     detail="is not found"),
    "record_06_get_malformed_id": Case(get("Contacts", "not a uuid"), error=FatalAPIError,
                                       detail='"id" with value "not a uuid" is invalid'),
    "record_07_get_opportunity": Case(
        get("Opportunities", "bf455822-8ab4-b5b0-fd19-6b03f7875e46"),
        both(records("Opportunities"), values(amount=Decimal(153000),
                                              date_closed=date(2027, 2, 24), probability=60))),
    "record_08_get_by_object_name": Case(get("Account", ACCOUNT, fields=["name", "tier_c"]),
                                         records("Account")),
    # -- relationships -------------------------------------------------------------------
    "rel_01_get_contact_accounts": Case(
        related("Contacts", "b0edb366-87f2-7bb5-e907-6b03f713d6e0", "accounts"),
        records("Accounts"), why=ALWAYS_PAGES, query=paged(100)),
    "rel_02_get_account_contacts": Case(related("Accounts", ACCOUNT, "contacts"),
                                        records("Contacts"), why=ALWAYS_PAGES,
                                        query=paged(100)),
    "rel_03_get_account_contacts_paged": Case(
        lambda c, r: next(c.relationships("Accounts", ACCOUNT, "contacts", page_size=2)),
        records("Contacts", 2)),
    "rel_04_get_account_opportunities": Case(
        related("Accounts", ACCOUNT, "opportunities", related_module="Opportunities"),
        records("Opportunities"), why=ALWAYS_PAGES, query=paged(100)),
    "rel_05_get_empty": Case(related("Contacts", ID_7C, "accounts"), empty, why=ALWAYS_PAGES,
                             query=paged(100)),
    "rel_06_get_bad_link": Case(
        related("Contacts", "b0edb366-87f2-7bb5-e907-6b03f713d6e0", "no_such_link"),
        error=FatalAPIError, detail="Cannot load relationship no_such_link", why=ALWAYS_PAGES,
        query=paged(100)),
    "rel_07_post_contact_to_account": Case(
        lambda c, r: c.relate("Contacts", "64d1eb9a-9d59-b44a-c934-6b03f7cb6d17", "Accounts",
                              "e1ba1f29-63b3-a0a5-594b-6b03f7ffb9e8"), lambda res, rec: None),
    "rel_08_post_by_link_name": Case(
        lambda c, r: c.relate("Accounts", ACCOUNT, "Contacts",
                              "8664821c-dad5-2ecf-4971-6b03f7ca14a8", link="contacts"),
        lambda res, rec: None),
    "rel_09_post_unknown_related_id": Case(
        lambda c, r: c.relate("Contacts", "64d1eb9a-9d59-b44a-c934-6b03f7cb6d17", "Accounts",
                              NOT_FOUND), error=FatalAPIError, detail="is not found"),
    "rel_10_relate_field_after_link": Case(
        get("Contacts", "64d1eb9a-9d59-b44a-c934-6b03f7cb6d17",
            fields=["last_name", "account_id", "account_name"]), records("Contacts")),
    "rel_11_delete": Case(
        lambda c, r: c.unrelate("Accounts", ACCOUNT, "contacts",
                                "8664821c-dad5-2ecf-4971-6b03f7ca14a8"), lambda res, rec: None),
    "rel_12_delete_again": Case(
        lambda c, r: c.unrelate("Accounts", ACCOUNT, "contacts",
                                "8664821c-dad5-2ecf-4971-6b03f7ca14a8"),
        error=FatalAPIError, detail="is not related to Account"),
    # -- time ----------------------------------------------------------------------------
    "time_01_seconds_truncated_in_response": Case(
        get("Contacts", ID_7C, fields=list(TIME_FIELDS)),
        both(records("Contacts"),
             values(date_modified=datetime(2026, 11, 21, 2, 53, tzinfo=UTC)))),
    "time_02_filter_gt_response_value_still_matches": Case(
        time_filter(datetime(2026, 11, 21, 2, 53, tzinfo=UTC)), records("Contacts", 1),
        why=ALWAYS_PAGES,
        query=[("filter[id][eq]", ID_7C), ("filter[date_modified][gt]", "2026-11-21 02:53:00"),
               ("fields[Contacts]", "last_name,date_modified"), *paged(20)]),
    "time_03_filter_gt_seconds_precision_db_format": Case(
        time_filter(T_2102), records("Contacts", 1), why=ALWAYS_PAGES, query=TIME_QUERY),
    "time_04_filter_gt_iso8601_utc": Case(
        time_filter("2026-11-21T02:53:27+00:00"), records("Contacts", 1),
        why="ISO filter values are sent in UTC DB format; " + ALWAYS_PAGES, query=TIME_QUERY),
    "time_05_filter_gt_iso8601_offset_ignored": Case(
        time_filter(datetime(2026, 11, 21, 4, 53, 27, tzinfo=timezone(timedelta(hours=2)))),
        empty, why="the client converts to UTC, so it asks for 02:53:27 (the server would have "
                   "ignored the +02:00 offset); " + ALWAYS_PAGES, query=TIME_QUERY),
    "time_06_filter_gt_iso8601_z": Case(
        time_filter("2026-11-21T02:53:27Z"), records("Contacts", 1),
        why="ISO filter values are sent in UTC DB format; " + ALWAYS_PAGES, query=TIME_QUERY),
    "time_07_filter_gte_date_only": Case(
        time_filter(date(2026, 11, 21), "gte"), records("Contacts", 1), why=ALWAYS_PAGES,
        query=[("filter[id][eq]", ID_7C), ("filter[date_modified][gte]", "2026-11-21"),
               ("fields[Contacts]", "last_name,date_modified"), *paged(20)]),
    "time_08_filter_gt_unix_epoch": Case(
        refused_then_replay(lambda c: time_filter("1795229617")(c, None),
                            "not a date or datetime", "Contacts"), records("Contacts", 1)),
    "time_09_filter_gt_user_format": Case(
        refused_then_replay(lambda c: time_filter("11/21/2026 02:53")(c, None),
                            "not a date or datetime", "Contacts"), records("Contacts", 1)),
    "time_10_token_password_non_admin_user": Case(authenticate, token, grant=GrantType.PASSWORD,
                                                  username="sync.user"),
    "time_11_get_as_user_in_new_york": Case(
        get("Contacts", ID_7C, fields=["last_name", "date_modified", "date_entered",
                                       "enriched_at_c", "birthdate"]), records("Contacts")),
    "time_12_filter_as_user_in_new_york": Case(time_filter(T_2102), records("Contacts", 1),
                                               why=ALWAYS_PAGES, query=TIME_QUERY),
    "time_13_create_as_user_in_new_york": Case(
        create("Contacts", {"first_name": "Tz", "last_name": "Probe",
                            "enriched_at_c": datetime(2026, 11, 20, 9, 30, 15, tzinfo=UTC),
                            "birthdate": date(1990, 7, 4)}), records("Contacts")),
    "time_14_current_user_non_admin": Case(lambda c, r: c.current_user(), user,
                                           grant=GrantType.PASSWORD, username="sync.user"),
    "time_15_user_preferences": Case(replay, document("data")),
    "time_16_filter_gt_unparseable_value": Case(
        refused_then_replay(
            lambda c: list(c.iter_pages("Contacts", filter=Filter.all(
                Condition("date_modified", "gt", "garbage")))), "not a date or datetime",
            "Contacts"), records("Contacts", 2)),
    "time_17_dates_as_admin": Case(
        get("Contacts", "180262dc-1ba1-97ac-c48e-6b03f7e3c9cd",
            fields=["date_modified", "birthdate", "enriched_at_c"]),
        both(records("Contacts"), values(birthdate=date(1991, 1, 27)))),
    "time_18_dates_as_new_york_user": Case(
        get("Contacts", "180262dc-1ba1-97ac-c48e-6b03f7e3c9cd",
            fields=["date_modified", "birthdate", "enriched_at_c"]), records("Contacts")),
    # -- update --------------------------------------------------------------------------
    "update_01_patch_custom_fields": Case(
        update("Contacts", CONTACT, {"lifecycle_stage_c": "customer", "clv_c": "20500.00",
                                     "churn_risk_c": 0.05}),
        both(records("Contacts"), values(clv_c=Decimal("20500.00"), churn_risk_c=0.05))),
    "update_02_patch_clear_values": Case(
        update("Contacts", CONTACT, {"segment_c": None}), records("Contacts"),
        why="None clears (sent as \"\"); null ('leave as it is') is never sent: leave it out",
        body={"data": {"type": "Contacts", "id": CONTACT, "attributes": {"segment_c": ""}}}),
    "update_03_patch_iso_datetime": Case(
        update("Contacts", CONTACT, {"enriched_at_c": "2026-11-23T10:00:00Z"}),
        records("Contacts"), why="an ISO datetime string is sent in UTC DB format",
        body={"data": {"type": "Contacts", "id": CONTACT,
                       "attributes": {"enriched_at_c": "2026-11-23 10:00:00"}}}),
    "update_04_patch_db_datetime": Case(
        update("Contacts", CONTACT, {"enriched_at_c": datetime(2026, 11, 23, 10, tzinfo=UTC)}),
        both(records("Contacts"),
             values(enriched_at_c=datetime(2026, 11, 23, 10, tzinfo=UTC)))),
    "update_05_patch_unknown_attribute": Case(
        update("Contacts", CONTACT, {"no_such_field_c": "x"}), error=FatalAPIError,
        detail="Property no_such_field_c in Contact module is invalid"),
    "update_06_patch_unknown_id": Case(update("Contacts", NOT_FOUND, {"last_name": "Ghost"}),
                                       error=FatalAPIError, detail="is not found"),
    "update_07_patch_missing_id": Case(
        refused_then_replay(lambda c: c.update("Contacts", "", {"last_name": "NoId"}),
                            "needs the record's id"),
        error=FatalAPIError, detail='"id" is missing'),
    "update_08_patch_on_record_url": Case(replay, error=FatalAPIError,
                                          detail="Must be one of: GET, DELETE"),
    "update_09_patch_explicit_date_modified": Case(
        update("Contacts", CONTACT, {"description": "Set date_modified explicitly",
                                     "date_modified": datetime(2026, 1, 2, 3, 4, 5,
                                                               tzinfo=UTC)}),
        records("Contacts")),
    "update_10_patch_touch": Case(update("Contacts", CONTACT, {"description": "touch"}),
                                  records("Contacts")),
    "update_11_patch_with_object_name_type": Case(
        update("Contact", CONTACT, {"segment_c": "government"}), records("Contact")),
}
