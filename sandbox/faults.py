"""Fault injection (ASGI middleware): latency, 429 with Retry-After, 5xx, dropped connections.

It reads the server's FaultSettings on every request, so faults can be changed while the
server runs. Control routes under ``/sandbox/`` are never faulted.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.settings import FaultSettings

__all__ = ["ConnectionDropped", "FaultInjector", "quiet_dropped_connections"]


class ConnectionDropped(Exception):
    """Raised inside the server to break a response off mid-body."""


class FaultInjector:
    """Wraps an ASGI app and injects the faults of ``faults``."""

    def __init__(self, app: ASGIApp, faults: FaultSettings) -> None:
        self.app = app
        self.faults = faults
        self._dice = random.Random(faults.seed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).startswith("/sandbox/"):
            await self.app(scope, receive, send)
            return
        faults = self.faults
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
        await self.app(scope, receive, send)

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
    async def _drop(send: Send) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/vnd.api+json"),
                                (b"content-length", b"4096")]})
        await send({"type": "http.response.body", "body": b'{"data": [', "more_body": True})
        raise ConnectionDropped("sandbox fault: connection dropped")


class _DroppedFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, ConnectionDropped)


def quiet_dropped_connections() -> None:
    """Keep uvicorn from logging a traceback for every connection the sandbox drops."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _DroppedFilter) for f in logger.filters):
        logger.addFilter(_DroppedFilter())
