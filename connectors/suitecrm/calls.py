"""One API call, described once and sent by the sync client or the async batch runner."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

from connectors.errors import RetriableError
from connectors.http import error_for_transport
from connectors.suitecrm.documents import SYSTEM, error_for_response, malformed, read_json

__all__ = ["JSON_API", "Call", "module_path", "segment"]

JSON_API = "application/vnd.api+json"
_MODULE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def segment(value: str, *, what: str) -> str:
    """``value`` as one URL path segment (percent-encoded; never empty)."""
    if not value:
        raise ValueError(f"{what} is empty")
    return quote(value, safe="")


def module_path(module: str, *rest: str) -> str:
    """``V8/module/<Module>/...`` with the module name checked and the rest encoded."""
    if not _MODULE.match(module):
        raise ValueError(
            f"{module!r} is not a SuiteCRM module name (the module key, e.g. 'Contacts')"
        )
    return "/".join(("V8/module", module, *(segment(part, what="id") for part in rest)))


@dataclass(frozen=True)
class Call:
    """Method, path below the API prefix, query, JSON body, and which records it concerns."""

    method: str
    path: str
    params: Sequence[tuple[str, str]] = ()
    body: Any = None
    module: str | None = None
    record_id: str | None = None
    answers_message: bool = False
    """Whether success answers with ``meta.message`` and no record (relationship calls)."""

    @property
    def idempotent(self) -> bool:
        """Whether sending it twice does no more than once (all but POST: create, relate).

        A call that is not is never sent again once it may have reached the server.
        """
        return self.method != "POST"

    def request_options(self) -> dict[str, Any]:
        """Keyword arguments for ``httpx.Client.request`` (apart from method and URL)."""
        options: dict[str, Any] = {"params": list(self.params)}
        if self.body is not None:
            options["content"] = json.dumps(self.body).encode()
            options["headers"] = {"Content-Type": JSON_API}
        return options

    def result(self, response: httpx.Response, secrets: Iterable[str | None]) -> Any:
        """The response's JSON document (an object), or the connector error for it.

        Every V8 success answer is a JSON object; anything else (an HTML maintenance page
        with 200, an empty body) is a ``MalformedResponseError`` naming the URL.
        """
        if not response.is_success:
            raise error_for_response(
                response, secrets=secrets, module=self.module, record_id=self.record_id
            )
        document = read_json(response)
        if not isinstance(document, Mapping):
            raise malformed("the answer is not a JSON document", url=response.request.url,
                            module=self.module, record_id=self.record_id)
        return document

    def transport_error(self, exc: httpx.TransportError) -> RetriableError:
        """A timeout or connection failure of this call."""
        return error_for_transport(
            exc, system=SYSTEM, module=self.module, record_id=self.record_id
        )
