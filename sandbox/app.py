"""``create_app``: the sandbox as one Starlette app (V8 API, Mailchimp, Matomo, control routes)."""

from __future__ import annotations

import json
import logging
from collections import Counter
from datetime import UTC, datetime

from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.custom_fields import declare_custom_field
from sandbox.faults import FaultInjector
from sandbox.generator import GenerationReport, generate
from sandbox.mailchimp_api import mailchimp
from sandbox.matomo_api import matomo
from sandbox.responses import not_found
from sandbox.router import api_prefixes, dispatch
from sandbox.schema import Schema
from sandbox.settings import FaultSettings, SandboxSettings
from sandbox.state import SandboxState
from sandbox.storage import Store

__all__ = ["create_app", "sandbox_state"]

log = logging.getLogger(__name__)
_ALL = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]


def sandbox_state(app: Starlette) -> SandboxState:
    """The state of an app made by ``create_app``."""
    state: SandboxState = app.state.sandbox
    return state


def _open_store(settings: SandboxSettings) -> tuple[Store, GenerationReport | None]:
    store = Store(Schema(), settings.db_path)
    report = None
    if store.info("seed") is None and settings.customers > 0:
        anchor = settings.anchor or datetime.now(UTC).date()
        report = generate(store, customers=settings.customers, seed=settings.seed,
                          anchor=anchor)
    store.analyze()
    return store, report


async def _faults(request: Request) -> Response:
    state = sandbox_state(request.app)
    if request.method == "PUT":
        try:
            changes = FaultSettings.model_validate({**state.settings.faults.model_dump(),
                                                    **json.loads(await request.body())})
        except (ValueError, ValidationError) as error:
            return JSONResponse({"error": str(error)}, status_code=400)
        for name in FaultSettings.model_fields:
            setattr(state.settings.faults, name, getattr(changes, name))
    return JSONResponse(state.settings.faults.model_dump())


async def _custom_fields(request: Request) -> Response:
    state = sandbox_state(request.app)
    try:
        body = json.loads(await request.body())
        meta = declare_custom_field(
            state, str(body["module"]), str(body["name"]), str(body["type"]),
            length=body.get("len"), precision=body.get("precision"),
            default=body.get("default"), comments=str(body.get("comments", "")))
    except (ValueError, KeyError, TypeError) as error:
        return JSONResponse({"error": f"bad custom field: {error}"}, status_code=400)
    return JSONResponse({"module": body["module"], "name": body["name"], "field": meta},
                        status_code=201)


async def _info(request: Request) -> Response:
    state = sandbox_state(request.app)
    report = request.app.state.generation
    return JSONResponse({
        "seed": state.store.info("seed"), "anchor": state.store.info("anchor"),
        "customers": state.store.info("customers"), "layout": state.settings.layout,
        "counts": report.counts if report else None,
        "generation_seconds": round(report.seconds, 2) if report else None,
        "requests": dict(request.app.state.request_counts),  # API requests by method so far
    })


async def _email_messages(request: Request) -> Response:
    """The synthetic e-mail messages (for loading into a test mailbox), oldest first."""
    state = sandbox_state(request.app)
    try:
        limit = min(int(request.query_params.get("limit", "1000")), 10_000)
        offset = max(int(request.query_params.get("offset", "0")), 0)
    except ValueError:
        return JSONResponse({"error": "limit and offset must be integers"}, status_code=400)
    since = request.query_params.get("since", "")
    rows = state.store.query(
        "SELECT id, contact_id, email, direction, subject, sent_at FROM sandbox_email_messages "
        "WHERE sent_at >= ? ORDER BY sent_at, id LIMIT ? OFFSET ?", (since, limit, offset))
    keys = ("id", "contact_id", "email", "direction", "subject", "sent_at")
    return JSONResponse({"messages": [dict(zip(keys, row, strict=True)) for row in rows]})


def _catch_all(prefixes: list[str]) -> Route:
    async def endpoint(request: Request) -> Response:
        state = sandbox_state(request.app)
        path = request.url.path
        if path == "/matomo/index.php":
            return await matomo(request, state)
        if path.startswith("/mailchimp/3.0/"):
            return await mailchimp(request, state, path[len("/mailchimp/3.0"):])
        for prefix in prefixes:
            if path.startswith(prefix + "/"):
                return await dispatch(request, state, path[len(prefix):])
        return not_found()

    return Route("/{path:path}", endpoint, methods=_ALL)


def create_app(settings: SandboxSettings) -> Starlette:
    """The sandbox app; generates the data first when the store is new (seeded)."""
    store, report = _open_store(settings)
    routes = [
        Route("/sandbox/faults", _faults, methods=["GET", "PUT"]),
        Route("/sandbox/custom-fields", _custom_fields, methods=["POST"]),
        Route("/sandbox/info", _info, methods=["GET"]),
        Route("/sandbox/email-messages", _email_messages, methods=["GET"]),
        _catch_all(api_prefixes(settings.layout)),
    ]
    counts: Counter[str] = Counter()
    app = Starlette(routes=routes,
                    middleware=[Middleware(FaultInjector, faults=settings.faults, counts=counts)])
    app.state.request_counts = counts  # API requests by method
    app.state.sandbox = SandboxState(settings, store)
    app.state.generation = report
    return app

