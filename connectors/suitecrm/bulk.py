"""Many calls at once: an ``httpx.AsyncClient`` with bounded concurrency, run synchronously.

Invariants:

- At most ``settings.http.concurrency`` requests are in flight (default 4); a call waiting
  for its retry's backoff holds no slot.
- Every call gets its own ``CallResult`` (answered, refused, unknown, not done); one call's
  failure never discards the others' outcomes. ``on_result`` hears each one as it arrives.
- An authentication failure or exhausted retries end the batch: calls not yet sent become
  ``NOT_DONE`` with that error, calls in flight finish. So does ``stop`` being set.
- A call that may have reached the server without a readable answer is ``UNKNOWN``: a write
  whose retries ran out after a read timeout or a lost connection, or whose success answer is
  not a clean JSON document (a PHP warning before the JSON). Calls that are not idempotent
  (POST) are never sent again once they may have reached the server.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from connectors.errors import AuthError, ConnectorError, FatalAPIError, RetriableError
from connectors.http import build_async_client, retrying_async
from connectors.suitecrm.calls import JSON_API, Call
from connectors.suitecrm.documents import SYSTEM, as_record_error
from connectors.suitecrm.outcomes import CallResult, CallStatus

if TYPE_CHECKING:
    from connectors.suitecrm.client import SuiteCRMClient

__all__ = ["ResultCallback", "run_calls"]

ResultCallback = Callable[[int, CallResult], None]
"""Called with (index of the call, its result) as each call ends, on the caller's thread."""


class _Stopped(Exception):
    """Raised inside an attempt that must not be sent: the batch is ending."""

    def __init__(self, error: ConnectorError | None) -> None:
        super().__init__("batch ended")
        self.error = error


@dataclass
class _Batch:
    stop: threading.Event | None
    ended_by: ConnectorError | None = None
    crashed: BaseException | None = None

    def ending(self) -> bool:
        return self.ended_by is not None or self.crashed is not None or bool(
            self.stop is not None and self.stop.is_set())


def _async_sleep(sleep: Callable[[float], None]) -> Callable[[float], Awaitable[None]]:
    if sleep is time.sleep:
        return asyncio.sleep

    async def injected(seconds: float) -> None:
        sleep(seconds)

    return injected


def _unreadable(call: Call, response: httpx.Response) -> ConnectorError:
    return ConnectorError(
        "the answer could not be read as a JSON:API document", system=SYSTEM,
        status=response.status_code, url=str(response.request.url), module=call.module,
        record_id=call.record_id,
        hint="SuiteCRM sites with display_errors on print PHP warnings before the JSON; the "
             "record is read back to learn whether it was written")


def _clean_write_answer(call: Call, response: httpx.Response) -> Any:
    """The document of a write's success answer, only when it is exactly one JSON object:
    the record written, or for a relationship call a ``meta.message`` (SuiteCRM answers
    those with ``{"meta": {"message": ...}, "data": []}``)."""
    try:
        body = json.loads(response.text)
    except ValueError:
        return None
    if not isinstance(body, Mapping):
        return None
    if call.answers_message:
        meta = body.get("meta")
        return body if isinstance(meta, Mapping) and isinstance(meta.get("message"), str) \
            else None
    data = body.get("data")
    if not isinstance(data, Mapping) or (call.record_id and data.get("id") != call.record_id):
        return None
    return body


class _Sender:
    """Sends the calls of one batch on one async client."""

    def __init__(self, client: SuiteCRMClient, http: httpx.AsyncClient, batch: _Batch) -> None:
        self.client, self.http, self.batch = client, http, batch
        self.settings = client.settings.http
        self.slots = asyncio.Semaphore(self.settings.concurrency)
        self.sleep = _async_sleep(client.sleep)

    async def _attempt(self, call: Call, delivered: list[bool]) -> httpx.Response:
        async with self.slots:
            if self.batch.ending():
                raise _Stopped(self.batch.ended_by)
            try:
                response = await self.http.request(call.method, self.client.root.url(call.path),
                                                   **call.request_options())
            except httpx.TransportError as exc:
                error = call.transport_error(exc)
                delivered[0] = delivered[0] or error.delivered
                raise error from None
        if not response.is_success:
            try:
                call.result(response, self.client.auth.secrets)  # raises the status's error
            except RetriableError as error:
                delivered[0] = delivered[0] or error.delivered
                raise
        return response

    async def send(self, call: Call) -> CallResult:
        delivered = [False]
        policy = retrying_async(self.settings, sleep=self.sleep,
                                retry_delivered=call.idempotent)
        try:
            response: httpx.Response = await policy(self._attempt, call, delivered)
        except _Stopped as stopped:
            return self._unfinished(delivered[0], stopped.error)
        except RetriableError as error:
            delivered[0] = delivered[0] or error.delivered
            self.batch.ended_by = self.batch.ended_by or error
            return self._unfinished(delivered[0], error)
        except AuthError as error:
            self.batch.ended_by = self.batch.ended_by or error
            return CallResult(CallStatus.NOT_DONE, error=error)
        except FatalAPIError as error:
            refused = as_record_error(error, module=call.module or "", record_id=call.record_id)
            return CallResult(CallStatus.REFUSED, error=refused)
        except ConnectorError as error:
            return CallResult(CallStatus.NOT_DONE, error=error)
        if call.method == "GET":
            try:
                return CallResult(CallStatus.ANSWERED,
                                  body=call.result(response, self.client.auth.secrets))
            except ConnectorError as error:  # a read that cannot be read did nothing
                return CallResult(CallStatus.NOT_DONE, error=error)
        body = _clean_write_answer(call, response)
        if body is None:
            return CallResult(CallStatus.UNKNOWN, error=_unreadable(call, response))
        return CallResult(CallStatus.ANSWERED, body=body)

    @staticmethod
    def _unfinished(delivered: bool, error: ConnectorError | None) -> CallResult:
        stopped = error or ConnectorError("stopped before it was sent", system=SYSTEM)
        return CallResult(CallStatus.UNKNOWN if delivered else CallStatus.NOT_DONE,
                          error=stopped)


async def _send_all(client: SuiteCRMClient, calls: Sequence[Call], batch: _Batch,
                    on_result: ResultCallback | None) -> list[CallResult]:
    results: list[CallResult | None] = [None] * len(calls)
    async with build_async_client(
        client.settings.http, auth=client.auth, headers={"Accept": JSON_API},
        transport=client.async_transport,
    ) as http:
        sender = _Sender(client, http, batch)

        async def one(index: int, call: Call) -> None:
            result = await sender.send(call)
            results[index] = result
            if on_result is not None and batch.crashed is None:
                try:
                    on_result(index, result)
                except Exception as error:  # e.g. the store is full: stop sending, re-raise
                    batch.crashed = error

        async with asyncio.TaskGroup() as group:
            for index, call in enumerate(calls):
                group.create_task(one(index, call))
    return [result for result in results if result is not None]


def run_calls(client: SuiteCRMClient, calls: Sequence[Call], *,
              stop: threading.Event | None = None,
              on_result: ResultCallback | None = None) -> list[CallResult]:
    """Send ``calls`` concurrently; one ``CallResult`` per call, in the order given.

    ``stop`` ends the batch early (calls in flight finish). An exception raised by
    ``on_result`` ends the batch too and is raised once the calls in flight are done.
    """
    if not calls:
        return []
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:
        raise RuntimeError("update_many/get_many run the client's own event loop; call them from "
                           "synchronous code (or a worker thread)")
    client.ready()
    batch = _Batch(stop)
    results = client.run_async(_send_all(client, calls, batch, on_result))
    if batch.crashed is not None:
        raise batch.crashed
    return results
