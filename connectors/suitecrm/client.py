"""The SuiteCRM V8 JSON:API client: records, relationships and metadata.

Every list sends ``page[size]`` and ``page[number]`` (from 1): without them SuiteCRM
silently returns 20 rows. Paging stops on an empty page or when the page number reaches
``total-pages``; the server's relative, unencoded ``links`` are never followed.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from collections.abc import Callable, Coroutine, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from connectors.errors import ConnectorError, FatalAPIError, RecordError
from connectors.http import build_client, retrying
from connectors.lifecycle import ClosesOnExit
from connectors.suitecrm.auth import SuiteCRMAuth, TokenFlow
from connectors.suitecrm.calls import JSON_API, Call, module_path, segment
from connectors.suitecrm.documents import SYSTEM, malformed, records_from
from connectors.suitecrm.filters import EMAIL_FIELDS, Condition, Filter
from connectors.suitecrm.layout import ApiRoot
from connectors.suitecrm.outcomes import CallResult, CallStatus
from connectors.suitecrm.records import FieldMeta, Record
from connectors.suitecrm.search_defs import SearchFields
from connectors.suitecrm.settings import SuiteCRMSettings
from connectors.suitecrm.values import api_value, datetime_filter_text

if TYPE_CHECKING:
    from connectors.suitecrm.bulk import ResultCallback

__all__ = ["EMAIL_FILTER_PAGE_SIZE", "OBJECT_MODULES", "SuiteCRMClient"]

log = logging.getLogger(__name__)

EMAIL_FILTER_PAGE_SIZE = 20
"""SuiteCRM's e-mail filter query never returns more than 20 rows a page (its own limit)."""

OBJECT_MODULES = {
    "Account": "Accounts", "Contact": "Contacts", "Opportunity": "Opportunities",
    "Lead": "Leads", "Case": "Cases", "User": "Users", "Call": "Calls", "Meeting": "Meetings",
    "Task": "Tasks", "Note": "Notes", "Email": "Emails", "Campaign": "Campaigns",
    "Document": "Documents", "Bug": "Bugs", "Prospect": "Prospects",
    "AOS_Invoices": "AOS_Invoices", "AOS_Quotes": "AOS_Quotes", "Project": "Project",
}
"""Singular object names (the ``type`` SuiteCRM answers with) of the stock modules."""

T = TypeVar("T")
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SORT = re.compile(r"^-?[A-Za-z_][A-Za-z0-9_]*$")
_PROBE_VALUE = "suitepulse-filter-probe"


class SuiteCRMClient(ClosesOnExit):
    """A synchronous client of one SuiteCRM instance's V8 API.

    ``transport``/``async_transport`` replace the network (tests, benchmarks). Use it as a
    context manager or call ``close()``. Bulk work (``update_many``, ``get_many``) runs on
    an ``httpx.AsyncClient`` with at most ``settings.http.concurrency`` requests in flight.
    """

    def __init__(
        self,
        settings: SuiteCRMSettings,
        *,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """``clock`` and ``sleep`` are for tests (token expiry, retry delays)."""
        self.settings = settings
        self._root = ApiRoot(str(settings.base_url), settings.api_layout)
        self._auth = SuiteCRMAuth(settings, self._root, clock=clock)
        self._http = build_client(
            settings.http, auth=self._auth, headers={"Accept": JSON_API}, transport=transport
        )
        self._async_transport = async_transport
        self._sleep = sleep
        self._runner: asyncio.Runner | None = None
        self._fields: dict[str, dict[str, FieldMeta]] = {}
        self._untyped: set[str] = set()
        self._filter_support: dict[tuple[str, str], bool] = {}

    # -- lifecycle -----------------------------------------------------------------------

    def close(self) -> None:
        """Close the connections and the event loop of bulk calls."""
        self._http.close()
        if self._runner is not None:
            self._runner.close()
            self._runner = None

    def run_async(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run a bulk call's coroutine on this client's own event loop.

        One loop serves every bulk call of the client, so an ``async_transport`` given by the
        caller, and the connections it keeps, stay valid from one call to the next.
        """
        if self._runner is None:
            self._runner = asyncio.Runner()
        return self._runner.run(coroutine)

    @property
    def api_prefix(self) -> str | None:
        """The API prefix below the site (``/Api``, ``/legacy/Api``...), once known."""
        return self._root.prefix

    @property
    def auth(self) -> SuiteCRMAuth:
        """The OAuth2 auth (shared with the async batch client)."""
        return self._auth

    @property
    def root(self) -> ApiRoot:
        """The site and API prefix."""
        return self._root

    @property
    def sleep(self) -> Callable[[float], None]:
        """How retries wait (``time.sleep`` unless a test replaced it)."""
        return self._sleep

    @property
    def async_transport(self) -> httpx.AsyncBaseTransport | None:
        """The transport the async batch client uses, if one was given."""
        return self._async_transport

    # -- sending -------------------------------------------------------------------------

    def _drive(self, make_flow: Callable[[], TokenFlow]) -> None:
        flow = make_flow()
        request = next(flow)
        while True:
            try:
                response = self._http.send(request, auth=None)
            except httpx.TransportError as exc:
                raise Call("POST", "access_token").transport_error(exc) from None
            try:
                request = flow.send(response)
            except StopIteration:
                return

    def authenticate(self) -> None:
        """Get a token now (and detect the API prefix when ``api_layout`` is auto)."""
        retrying(self.settings.http, sleep=self._sleep)(self._drive, self._auth.token_flow)

    def ready(self) -> None:
        """Authenticate unless a token and the API prefix are already known."""
        if self._root.prefix is None or self._auth.token is None:
            self.authenticate()

    def _attempt(self, call: Call) -> Any:
        url = self._root.url(call.path)
        try:
            response = self._http.request(call.method, url, **call.request_options())
        except httpx.TransportError as exc:
            raise call.transport_error(exc) from None
        return call.result(response, self._auth.secrets)

    def send(self, call: Call) -> Any:
        """Send ``call`` with retries; return its JSON document or raise its error.

        A call that is not idempotent (create, relate) is retried only after failures that
        cannot have reached the server.
        """
        self.ready()
        return retrying(self.settings.http, sleep=self._sleep,
                        retry_delivered=call.idempotent)(self._attempt, call)

    def raw(
        self,
        method: str,
        path: str,
        *,
        params: Sequence[tuple[str, str]] = (),
        body: Any = None,
    ) -> Any:
        """Any V8 route (``path`` below the API prefix, e.g. ``V8/meta/swagger.json``)."""
        return self.send(Call(method.upper(), path.lstrip("/"), tuple(params), body))

    # -- metadata ------------------------------------------------------------------------

    def modules(self) -> list[str]:
        """The module keys the API offers (``GET /V8/meta/modules``)."""
        call = Call("GET", "V8/meta/modules")
        return list(_attributes(self.send(call), url=self._root.url(call.path)))

    def fields(self, module: str) -> dict[str, FieldMeta]:
        """The fields of ``module`` with type, db_type, len, precision, source, required.

        Custom ``_c`` fields are included (``source == "custom_fields"``). Fetched once per
        module and cached. V8 metadata has no dropdown options and no labels; only the legacy
        v4_1 ``get_module_fields`` call returns those.
        """
        cached = self._fields.get(module)
        if cached is None:
            path = "V8/meta/fields/" + segment(module, what="module")
            call = Call("GET", path, module=module)
            attributes = _attributes(self.send(call), url=self._root.url(call.path),
                                     module=module)
            cached = {
                name: FieldMeta.from_vardef(name, vardef)
                for name, vardef in attributes.items()
                if isinstance(vardef, Mapping)
            }
            self._fields[module] = cached
        return cached

    def search_fields(self, module: str) -> SearchFields:
        """The fields of the module's basic and advanced search, i.e. its list view's quick
        filter and filter (``GET /V8/search-defs/module/{module}``, SuiteCRM 7.10+)."""
        call = Call("GET", "V8/search-defs/module/" + segment(module, what="module"),
                    module=module)
        return SearchFields.from_attributes(
            _attributes(self.send(call), url=self._root.url(call.path), module=module))

    def _conversion(self, module: str) -> dict[str, FieldMeta]:
        """Field metadata for converting values; untyped (a warning) if the server has none."""
        if not module or module in self._untyped:
            return {}
        try:
            return self.fields(module)
        except FatalAPIError as error:
            self._untyped.add(module)
            log.warning("no field metadata for %s (%s); its values stay text", module,
                        error.detail or error.reason)
            return {}

    def current_user(self) -> Record:
        """The user the token acts as (for client_credentials: the OAuth2 client's user).

        Values are not converted: SuiteCRM sends this record in the user's display formats.
        """
        return self._one_record(Call("GET", "V8/current-user"), "Users", convert=False)

    def filter_supported(self, module: str, field: str) -> bool:
        """Whether the server can filter ``module`` on ``field`` (probed once, cached).

        Older 7.x servers fail on e-mail filters of Contacts/Leads (#8617) and on custom
        fields (#6455, #10319); where this is False, pass the condition as ``local_filter``.
        """
        key = (module, field)
        if key not in self._filter_support:
            call = Call("GET", module_path(module), (
                (f"filter[{field}][eq]", _PROBE_VALUE), ("page[size]", "1"), ("page[number]", "1"),
            ), module=module)
            try:
                self.send(call)
                self._filter_support[key] = True
            except FatalAPIError as error:
                log.info("filter on %s.%s refused by the server: %s", module, field, error.detail)
                self._filter_support[key] = False
        return self._filter_support[key]

    # -- records -------------------------------------------------------------------------

    def _records(self, data: Any, module: str) -> list[Record]:
        return records_from(data, module, self._conversion(module),
                            url=self._root.url(module_path(module)))

    def _one_record(self, call: Call, module: str, *, convert: bool = True) -> Record:
        """Send ``call`` and read the one resource its answer must hold."""
        body = self.send(call)
        url = self._root.url(call.path)
        fields = self._conversion(module) if convert else {}
        data = _data(body, url=url, module=module, record_id=call.record_id)
        return _only(records_from(data, module, fields, url=url), url=url, module=module)

    def get(self, module: str, record_id: str, *, fields: Sequence[str] | None = None) -> Record:
        """One record (SuiteCRM answers an unknown id with 400: a ``FatalAPIError``)."""
        params = _fields_param(module, fields)
        return self._one_record(Call("GET", module_path(module, record_id), params,
                                     module=module, record_id=record_id), module)

    def iter_pages(
        self,
        module: str,
        *,
        fields: Sequence[str] | None = None,
        filter: Filter | None = None,
        sort: str | None = None,
        page_size: int | None = None,
        local_filter: Filter | None = None,
        first_page: int = 1,
    ) -> Iterator[list[Record]]:
        """Every record of ``module`` that passes ``filter``, one list per page.

        ``sort`` is one field (``-field`` descending). ``local_filter`` is applied to the
        fetched records (for conditions an older server cannot filter, see
        ``filter_supported``); pages it empties are skipped. ``first_page`` resumes paging.
        A string value for a datetime field must be DB format or ISO-8601 with an offset
        (converted to UTC): SuiteCRM would match every row on anything else.
        """
        if filter is not None:
            filter = self._checked_filter(module, filter)
        params = [*(filter.params() if filter else ()), *_sort_param(sort),
                  *_fields_param(module, fields)]
        size = self.settings.page_size if page_size is None else page_size
        if filter is not None and filter.fields & EMAIL_FIELDS:
            size = min(size, EMAIL_FILTER_PAGE_SIZE)
        path = module_path(module)
        for page in self._pages(path, module, module, params, size, first_page=first_page):
            if local_filter is not None:
                page = [record for record in page if local_filter.matches(record)]
            if page:
                yield page

    def _pages(
        self,
        path: str,
        module: str,
        record_module: str | None,
        params: Sequence[tuple[str, str]],
        size: int,
        record_id: str | None = None,
        *,
        first_page: int = 1,
    ) -> Iterator[list[Record]]:
        """Pages of ``path``; ``record_module`` None: the stock module of the answer's type."""
        if size < 1:
            raise ValueError(f"page size must be at least 1, not {size}")
        if first_page < 1:
            raise ValueError(f"pages are numbered from 1, not {first_page}")
        number = first_page
        seen: set[str] = set()
        while True:
            paging = (("page[size]", str(size)), ("page[number]", str(number)))
            body = self.send(Call("GET", path, (*params, *paging), module=module,
                                  record_id=record_id))
            url = self._root.url(path)
            if not isinstance(body, Mapping) or not isinstance(body.get("data"), list):
                raise malformed("a list page without a data list", url=url, module=module)
            data = body["data"]
            if not data:
                return
            records = self._records(data, record_module or _module_of(data))
            ids = {record.id for record in records}
            if ids <= seen:
                raise FatalAPIError(
                    "the server returned a page of records already listed", system=SYSTEM,
                    module=module, url=url,
                    hint="the server seems to ignore page[number] (pages cycle); paging stopped",
                )
            seen |= ids
            yield records
            total = (body.get("meta") or {}).get("total-pages")
            if isinstance(total, int | float) and number >= total:
                return
            number += 1

    def _checked_filter(self, module: str, filter: Filter) -> Filter:
        """``filter`` with string values of datetime fields in UTC DB format."""
        if not any(isinstance(c.value, str) for c in filter.conditions):
            return filter
        fields = self._conversion(module)
        conditions = []
        for condition in filter.conditions:
            meta = fields.get(condition.field)
            if isinstance(condition.value, str) and meta is not None and meta.is_datetime:
                text = datetime_filter_text(condition.value, what=f"filter on {condition.field}")
                condition = Condition(condition.field, condition.op, text)
            conditions.append(condition)
        return replace(filter, conditions=tuple(conditions))

    def _attributes(self, module: str, attributes: Mapping[str, Any]) -> dict[str, Any]:
        fields = self._conversion(module)
        for name in attributes:
            if not _FIELD_NAME.match(name):
                raise ValueError(f"{module}: {name!r} is not a field name")
        return {name: api_value(value, fields.get(name), what=f"{module}.{name}")
                for name, value in attributes.items()}

    def create(
        self, module: str, attributes: Mapping[str, Any], *, record_id: str | None = None
    ) -> Record:
        """Create a record (201); ``record_id`` chooses its id (a UUID)."""
        data: dict[str, Any] = {"type": module}
        if record_id is not None:
            data["id"] = record_id
        data["attributes"] = self._attributes(module, attributes)
        return self._one_record(Call("POST", "V8/module", body={"data": data}, module=module,
                                     record_id=record_id), module)

    def update_call(self, module: str, record_id: str, attributes: Mapping[str, Any]) -> Call:
        """The PATCH of ``update``, formatted (for the batch runner)."""
        if not record_id:
            raise ValueError(f"{module}: update needs the record's id")
        if not attributes:
            raise ValueError(f"{module} {record_id}: nothing to update")
        module_path(module)
        data = {"type": module, "id": record_id,
                "attributes": self._attributes(module, attributes)}
        return Call("PATCH", "V8/module", body={"data": data}, module=module,
                    record_id=record_id)

    def update(self, module: str, record_id: str, attributes: Mapping[str, Any]) -> Record:
        """Change only ``attributes`` of one record (``PATCH /V8/module``, answered 201).

        ``None`` clears a value (sent as ``""``); datetimes are sent as UTC DB format.
        """
        return self._one_record(self.update_call(module, record_id, attributes), module)

    def delete(self, module: str, record_id: str) -> None:
        """Soft-delete one record."""
        self.send(Call("DELETE", module_path(module, record_id), module=module,
                       record_id=record_id))

    def update_many(
        self, module: str, updates: Sequence[tuple[str, Mapping[str, Any]]], *,
        stop: threading.Event | None = None, on_result: ResultCallback | None = None,
    ) -> list[CallResult]:
        """PATCH many records with bounded concurrency; one ``CallResult`` each, in order.

        Each record's outcome is its own (answered, refused, unknown, not done) and is given
        to ``on_result`` as it arrives; see ``connectors.suitecrm.bulk`` for when the batch
        ends early.
        """
        calls = [self.update_call(module, record_id, attrs) for record_id, attrs in updates]
        return self.send_many(calls, stop=stop, on_result=on_result)

    def get_many(
        self, module: str, record_ids: Sequence[str], *, fields: Sequence[str] | None = None
    ) -> list[Record | RecordError]:
        """Fetch many records by id with bounded concurrency; results in the order given.

        A record the server refuses (deleted, no access) is a ``RecordError`` in its place;
        a failure that ends the batch (authentication, retries exhausted) is raised.
        """
        from connectors.suitecrm.bulk import run_calls

        params = _fields_param(module, fields)
        calls = [Call("GET", module_path(module, record_id), params, module=module,
                      record_id=record_id) for record_id in record_ids]
        found: list[Record | RecordError] = []
        for call, result in zip(calls, run_calls(self, calls), strict=True):
            if result.status is CallStatus.ANSWERED:
                url = self._root.url(call.path)
                found.append(_only(self.records_of(result.body, module, url=url), url=url,
                                   module=module))
            elif isinstance(result.error, RecordError):
                found.append(result.error)
            else:
                raise result.error or ConnectorError("no answer", system=SYSTEM)
        return found

    def records_of(self, body: Any, module: str, *, url: str | None = None) -> list[Record]:
        """Records from a response document of ``module`` (for the batch runner); ``url``
        is where it came from, for the error when it holds none."""
        return records_from(_data(body, url=url, module=module), module,
                            self._conversion(module), url=url)

    # -- relationships -------------------------------------------------------------------

    def relationships(
        self,
        module: str,
        record_id: str,
        link: str,
        *,
        related_module: str | None = None,
        page_size: int | None = None,
    ) -> Iterator[list[Record]]:
        """The records linked to one record through ``link``, one list per page.

        ``related_module`` names their module (for value conversion); by default it is
        derived from the singular ``type`` of the stock modules (``Account`` -> Accounts).
        """
        path = module_path(module, record_id, "relationships", link)
        size = page_size or self.settings.page_size
        yield from self._pages(path, module, related_module, (), size, record_id)

    def relate_call(
        self,
        module: str,
        record_id: str,
        related_module: str,
        related_id: str,
        *,
        link: str | None = None,
    ) -> Call:
        """The POST of ``relate`` (for the batch runner)."""
        parts = (record_id, "relationships", link) if link else (record_id, "relationships")
        body = {"data": {"type": related_module, "id": related_id}}
        return Call("POST", module_path(module, *parts), body=body, module=module,
                    record_id=record_id, answers_message=True)

    def relate(
        self,
        module: str,
        record_id: str,
        related_module: str,
        related_id: str,
        *,
        link: str | None = None,
    ) -> None:
        """Link two records; without ``link`` the server picks the link from the modules."""
        self.send(self.relate_call(module, record_id, related_module, related_id, link=link))

    def unrelate_call(self, module: str, record_id: str, link: str, related_id: str) -> Call:
        """The DELETE of ``unrelate`` (for the batch runner)."""
        path = module_path(module, record_id, "relationships", link, related_id)
        return Call("DELETE", path, module=module, record_id=record_id,
                    answers_message=True)

    def unrelate(self, module: str, record_id: str, link: str, related_id: str) -> None:
        """Remove the link ``link`` between two records."""
        self.send(self.unrelate_call(module, record_id, link, related_id))

    def send_many(
        self, calls: Sequence[Call], *, stop: threading.Event | None = None,
        on_result: ResultCallback | None = None,
    ) -> list[CallResult]:
        """Send prepared calls with bounded concurrency; one ``CallResult`` each, in order
        (``connectors.suitecrm.bulk`` says when the batch ends early)."""
        from connectors.suitecrm.bulk import run_calls

        return run_calls(self, calls, stop=stop, on_result=on_result)


def _module_of(data: Any) -> str:
    first = data[0] if isinstance(data, list) and data else {}
    kind = str(first.get("type", "")) if isinstance(first, Mapping) else ""
    return OBJECT_MODULES.get(kind, kind)


def _data(body: Any, *, url: str | None = None, module: str | None = None,
          record_id: str | None = None) -> Any:
    data = body.get("data") if isinstance(body, Mapping) else None
    if not isinstance(data, Mapping | list):
        raise malformed("the answer holds no data resource", url=url, module=module,
                        record_id=record_id)
    return data


def _only(records: list[Record], *, url: str | None = None,
          module: str | None = None) -> Record:
    """The one record of a single-resource answer."""
    if len(records) != 1:
        raise malformed(f"one resource expected, the answer holds {len(records)}", url=url,
                        module=module)
    return records[0]


def _attributes(body: Any, *, url: str, module: str | None = None) -> Mapping[str, Any]:
    """The attributes object of a metadata answer's one resource."""
    data = body.get("data") if isinstance(body, Mapping) else None
    attributes = data.get("attributes", {}) if isinstance(data, Mapping) else None
    if not isinstance(attributes, Mapping):
        raise malformed("a metadata answer without a data object of attributes", url=url,
                        module=module)
    return attributes


def _fields_param(module: str, fields: Sequence[str] | None) -> tuple[tuple[str, str], ...]:
    if not fields:
        return ()
    if isinstance(fields, str):
        raise TypeError("fields must be a sequence of field names, not one string")
    for name in fields:
        if not _FIELD_NAME.match(name):
            raise ValueError(f"{module}: {name!r} is not a field name")
    return ((f"fields[{module}]", ",".join(fields)),)


def _sort_param(sort: str | None) -> tuple[tuple[str, str], ...]:
    if not sort:
        return ()
    if "," in sort:
        raise ValueError(
            f"sort {sort!r}: SuiteCRM V8 sorts on one field only (the server answers 400 to "
            "more); sort on one field and order the rest locally"
        )
    if not _SORT.match(sort):
        raise ValueError(f"sort {sort!r} is not a field name (prefix '-' for descending)")
    return (("sort", sort),)
