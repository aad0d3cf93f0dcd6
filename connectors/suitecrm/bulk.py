"""Many calls at once: an ``httpx.AsyncClient`` with bounded concurrency, run synchronously.

At most ``settings.http.concurrency`` requests are in flight (default 4). Each call is
retried like a single one; a call the server refuses becomes a ``RecordError`` in its place
and the others go on. Authentication failures and exhausted retries end the batch.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

import httpx

from connectors.errors import ConnectorError, FatalAPIError, RecordError
from connectors.http import build_async_client, retrying_async
from connectors.suitecrm.calls import JSON_API, Call
from connectors.suitecrm.documents import as_record_error
from connectors.suitecrm.records import Record

if TYPE_CHECKING:
    from connectors.suitecrm.client import SuiteCRMClient

__all__ = ["run_calls"]


def _async_sleep(sleep: Callable[[float], None]) -> Callable[[float], Awaitable[None]]:
    if sleep is time.sleep:
        return asyncio.sleep

    async def injected(seconds: float) -> None:
        sleep(seconds)

    return injected


async def _attempt(http: httpx.AsyncClient, url: str, call: Call, secrets: Any) -> Any:
    try:
        response = await http.request(call.method, url, **call.request_options())
    except httpx.TransportError as exc:
        raise call.transport_error(exc) from None
    return call.result(response, secrets)


async def _send_all(client: SuiteCRMClient, calls: Sequence[Call]) -> list[Any]:
    settings = client.settings.http
    semaphore = asyncio.Semaphore(settings.concurrency)
    sleep = _async_sleep(client.sleep)
    results: list[Any] = [None] * len(calls)
    async with build_async_client(
        settings, auth=client.auth, headers={"Accept": JSON_API},
        transport=client.async_transport,
    ) as http:

        async def one(index: int, call: Call) -> None:
            async with semaphore:
                try:
                    results[index] = await retrying_async(settings, sleep=sleep)(
                        _attempt, http, client.root.url(call.path), call, client.auth.secrets)
                except FatalAPIError as error:
                    results[index] = error

        try:
            async with asyncio.TaskGroup() as group:
                for index, call in enumerate(calls):
                    group.create_task(one(index, call))
        except* ConnectorError as failures:
            raise failures.exceptions[0] from None
    return results


def run_calls(
    client: SuiteCRMClient, calls: Sequence[Call], module: str
) -> list[Record | RecordError]:
    """Send ``calls`` concurrently; each answer becomes a Record of ``module`` or a RecordError."""
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
    outcomes = client.run_async(_send_all(client, calls))
    results: list[Record | RecordError] = []
    for call, outcome in zip(calls, outcomes, strict=True):
        if isinstance(outcome, FatalAPIError):
            results.append(as_record_error(outcome, module=module, record_id=call.record_id))
        else:
            results.append(client.records_of(outcome, module)[0])
    return results
