"""The exchanges recorded from a real SuiteCRM 7.14.6 (tests/contract/data/recordings, secrets
redacted; INDEX.md there has one line each) and their replay."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import respx

__all__ = ["Recording", "Replay", "load", "recording_names", "recordings_dir"]

SITE = "http://suitecrm.test"
_DATA = Path(__file__).parent / "data"


def recordings_dir() -> Path:
    """The recordings folder shipped with the tests; a missing or empty one fails the suite."""
    folder = _DATA / "recordings"
    if not folder.is_dir() or not any(folder.glob("*.json")):
        raise FileNotFoundError(f"the SuiteCRM recordings are missing from {folder}: the "
                                "contract tests need them (restore them from git)")
    return folder


def recording_names() -> list[str]:
    """Every recording's name, sorted."""
    return sorted(p.stem for p in recordings_dir().glob("*.json"))


@dataclass(frozen=True)
class Recording:
    """One recorded exchange."""

    name: str
    method: str
    path: str
    query: list[tuple[str, str]]
    body: Any
    status: int
    headers: dict[str, str]
    response_body: Any

    @property
    def api_path(self) -> str:
        """The path below ``/Api/`` (``V8/module/Contacts``)."""
        return self.path.removeprefix("/Api/")

    def response(self) -> httpx.Response:
        """The recorded response, as the server sent it."""
        headers = {k: v for k, v in self.headers.items()
                   if k.lower() not in ("host", "connection", "content-length", "date")}
        if isinstance(self.response_body, str):
            content = self.response_body.encode()
        elif self.response_body is None:
            content = b""
        else:
            content = json.dumps(self.response_body).encode()
        return httpx.Response(self.status, headers=headers, content=content)


@cache
def load(name: str) -> Recording:
    """The recording called ``name``."""
    raw = json.loads((recordings_dir() / f"{name}.json").read_text(encoding="utf-8"))
    request, response = raw["request"], raw["response"]
    return Recording(
        name=name, method=request["method"], path=request["path"],
        query=[(k, v) for k, v in request["query"]], body=request["body"],
        status=response["status"], headers=response["headers"], response_body=response["body"],
    )


def fields_document(module: str) -> httpx.Response:
    """What ``meta/fields/<module>`` answers: recorded for Contacts and Accounts."""
    if module == "Contacts":
        return load("meta_02_fields_contacts").response()
    if module == "Accounts":
        return load("meta_03_fields_accounts").response()
    if module == "Opportunities":
        return httpx.Response(200, content=(_DATA / "meta_fields_opportunities.json").read_bytes())
    return load("meta_04_fields_bad_module").response()


def request_body(request: httpx.Request) -> Any:
    """The body as data: form fields (secrets masked as the recorder did) or JSON."""
    if not request.content:
        return None
    if request.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
        form = dict(parse_qsl(request.content.decode(), keep_blank_values=True))
        return {k: "<redacted>" if k in ("client_secret", "password") else v
                for k, v in form.items()}
    return json.loads(request.content)


@dataclass
class Replay:
    """A respx router answering one recording at its path, plus tokens and field metadata.

    ``prefix`` is where the API answers (other prefixes give 404, as a site would).
    """

    recording: Recording
    prefix: str = "/Api"
    router: respx.MockRouter = field(init=False)
    hits: list[httpx.Request] = field(default_factory=list)
    tokens: list[httpx.Request] = field(default_factory=list)
    meta: list[str] = field(default_factory=list)
    probes: list[str] = field(default_factory=list)
    answer: Callable[[httpx.Request], httpx.Response] | None = None

    def __post_init__(self) -> None:
        self.router = respx.MockRouter(assert_all_called=False, assert_all_mocked=True)
        self.router.route().mock(side_effect=self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == self.recording.path:
            self.hits.append(request)
            return self.answer(request) if self.answer else self.recording.response()
        if path == f"{self.prefix}/access_token" and request.method == "POST":
            self.tokens.append(request)
            return load("auth_01_token_client_credentials").response()
        meta = f"{self.prefix}/V8/meta/fields/"
        if path.startswith(meta) and request.method == "GET":
            self.meta.append(path.removeprefix(meta))
            return fields_document(path.removeprefix(meta))
        self.probes.append(f"{request.method} {path}")
        return httpx.Response(404, text="<html>Not Found</html>",
                              headers={"Content-Type": "text/html"})

    @property
    def transport(self) -> httpx.MockTransport:
        """The sync transport to give the client."""
        return httpx.MockTransport(self.router.handler)

    @property
    def async_transport(self) -> httpx.MockTransport:
        """The async transport to give the client."""
        return httpx.MockTransport(self.router.async_handler)
