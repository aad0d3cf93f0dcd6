"""Fault injection (ASGI middleware): latency, 429 with Retry-After, 5xx, dropped connections,
an HTML maintenance page with status 200, and faults that act after a write: the answer lost,
a PHP warning before the JSON, chosen records refused.

It reads the server's FaultSettings on every request, so faults can be changed while the
server runs. Control routes under ``/sandbox/`` are never faulted.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections import Counter

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.settings import FaultSettings

__all__ = ["ConnectionDropped", "FaultInjector", "quiet_dropped_connections"]


class ConnectionDropped(Exception):
    """Raised inside the server to break a response off mid-body."""


class FaultInjector:
    """Wraps an ASGI app and injects the faults of ``faults``."""

    def __init__(self, app: ASGIApp, faults: FaultSettings,
                 counts: Counter[str] | None = None) -> None:
        """``counts`` counts the API requests by method, and the relationship requests again
        as ``"<method> relationships"`` (for benchmarks and tests)."""
        self.app = app
        self.faults = faults
        self.counts = counts if counts is not None else Counter()
        self._dice = random.Random(faults.seed)
        self._seeded = faults.seed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith("/sandbox/"):
            await self.app(scope, receive, send)
            return
        self.counts[str(scope.get("method"))] += 1
        if "/relationships" in str(scope.get("path", "")):
            self.counts[f"{scope.get('method')} relationships"] += 1
        faults = self.faults
        if faults.seed != self._seeded:  # a new seed set on a running sandbox starts anew
            self._dice, self._seeded = random.Random(faults.seed), faults.seed
        if faults.latency_ms:
            await asyncio.sleep(faults.latency_ms / 1000)
        if faults.rate_drop and self._dice.random() < faults.rate_drop:
            await self._drop(send)
            return
        if faults.rate_429 and self._dice.random() < faults.rate_429:
            await self._reply(send, 429, {"message": "Too Many Requests"},
                              [(b"retry-after", str(faults.retry_after_s).encode())])
            return
        if faults.rate_5xx and self._dice.random() < faults.rate_5xx:
            await self._reply(send, 503, {"message": "Service Unavailable"}, [])
            return
        if (faults.rate_html_200 and scope.get("method") in faults.html_200_methods
                and self._dice.random() < faults.rate_html_200):
            await self._maintenance_page(send)
            return
        if scope.get("method") in _WRITES and "/V8/module" in str(scope.get("path", "")):
            await self._write(scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _write(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A write, with the faults that act on it: refused, or applied and then answered
        badly (lost, PHP warning first)."""
        faults = self.faults
        body = await _read_body(receive)
        if faults.refuse_ids and _record_id(scope, body) in faults.refuse_ids:
            await self._reply(send, 400, {"errors": {  # type: ignore[dict-item]
                "status": 400, "title": None,
                "detail": "sandbox fault: a logic hook refused the change of this record"}}, [])
            return
        lost = bool(faults.rate_lost_answer and self._dice.random() < faults.rate_lost_answer)
        warned = bool(faults.rate_php_warning and self._dice.random() < faults.rate_php_warning)
        if not (lost or warned):
            await self.app(scope, _replay(body), send)
            return
        answer = _Captured()
        await self.app(scope, _replay(body), answer.send)  # the write is applied
        if lost:
            await self._drop(send)
        await answer.forward(send, prefix=_PHP_WARNING)

    @staticmethod
    async def _reply(send: Send, status: int, body: dict[str, str],
                     headers: list[tuple[bytes, bytes]]) -> None:
        payload = json.dumps(body).encode()
        start: Message = {
            "type": "http.response.start", "status": status,
            "headers": [(b"content-type", b"application/json"),
                        (b"content-length", str(len(payload)).encode()), *headers],
        }
        await send(start)
        await send({"type": "http.response.body", "body": payload})

    @staticmethod
    async def _maintenance_page(send: Send) -> None:
        """What a proxy or a site in maintenance mode answers: HTML, status 200."""
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/html; charset=UTF-8"),
                                (b"content-length", str(len(_MAINTENANCE)).encode())]})
        await send({"type": "http.response.body", "body": _MAINTENANCE})

    @staticmethod
    async def _drop(send: Send) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/vnd.api+json"),
                                (b"content-length", b"4096")]})
        await send({"type": "http.response.body", "body": b'{"data": [', "more_body": True})
        raise ConnectionDropped("sandbox fault: connection dropped")


_WRITES = frozenset({"PATCH", "POST", "DELETE"})
_MAINTENANCE = (b"<!DOCTYPE html>\n<html><head><title>Site maintenance</title></head><body>"
                b"<h1>We&rsquo;ll be back soon</h1><p>The CRM is being upgraded.</p>"
                b"</body></html>\n")
_PHP_WARNING = (b"<br />\n<b>Warning</b>:  Undefined array key \"sp_trait\" in "
                b"<b>/var/www/html/custom/modules/Contacts/logic_hooks.php</b> on line "
                b"<b>12</b><br />\n")


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def _record_id(scope: Scope, body: bytes) -> str | None:
    try:
        data = json.loads(body)["data"]
        return str(data["id"]) if isinstance(data, dict) and "id" in data else None
    except (ValueError, KeyError, TypeError):
        parts = str(scope.get("path", "")).rstrip("/").split("/")
        return parts[-1] if scope.get("method") == "DELETE" else None


class _Captured:
    """The app's answer, kept to be sent later (or never)."""

    def __init__(self) -> None:
        self.start: Message | None = None
        self.body = b""

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.start = message
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")

    async def forward(self, send: Send, *, prefix: bytes) -> None:
        start = dict(self.start or {"type": "http.response.start", "status": 500})
        body = prefix + self.body
        start["headers"] = [(k, v) for k, v in start.get("headers", [])
                            if k.lower() != b"content-length"] + [
            (b"content-length", str(len(body)).encode())]
        await send(start)
        await send({"type": "http.response.body", "body": body})


class _DroppedFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, ConnectionDropped)


def quiet_dropped_connections() -> None:
    """Keep uvicorn from logging a traceback for every connection the sandbox drops."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _DroppedFilter) for f in logger.filters):
        logger.addFilter(_DroppedFilter())
