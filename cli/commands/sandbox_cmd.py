"""``suitepulse sandbox``: run the local SuiteCRM look-alike with synthetic customers."""

from __future__ import annotations

import logging
import socket
import sqlite3
from pathlib import Path

import click
import httpx
import uvicorn
from rich.markup import escape

from cli.options import json_option
from cli.output import emit_json, err_console, out_console
from sandbox import FaultSettings, SandboxSettings, connection_info, create_app, sandbox_state
from sandbox.faults import quiet_dropped_connections
from sandbox.schema import CUSTOM_FIELD_TYPES

__all__ = ["sandbox"]

log = logging.getLogger(__name__)
_RATE = click.FloatRange(0.0, 1.0)


@click.group()
def sandbox() -> None:
    """Run the local SuiteCRM V8 sandbox (with Mailchimp and Matomo look-alikes)."""


@sandbox.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--customers", default=500, show_default=True, type=click.IntRange(0, 2_000_000),
              help="Contacts to generate when the database is new.")
@click.option("--seed", default=1, show_default=True, type=int, help="Same seed, same data.")
@click.option("--db", "db_path", type=click.Path(dir_okay=False, path_type=Path),
              help="SQLite file to keep the data in (default: in memory).")
@click.option("--layout", type=click.Choice(["7", "8"]), default="7", show_default=True,
              help="7: API under /Api; 8: also under /legacy/Api, like SuiteCRM 8.")
@click.option("--latency-ms", default=0.0, type=click.FloatRange(0, 60_000),
              help="Added to every API request.")
@click.option("--rate-429", default=0.0, type=_RATE, help="Share of requests answered 429.")
@click.option("--retry-after", default=1, type=click.IntRange(0, 3600),
              help="Retry-After seconds sent with a 429.")
@click.option("--rate-5xx", default=0.0, type=_RATE, help="Share of requests answered 503.")
@click.option("--token-ttl", type=click.FloatRange(min=0.001),
              help="Access tokens stop working after this many seconds.")
@click.option("--rate-drop", default=0.0, type=_RATE,
              help="Share of connections dropped mid-response.")
@click.option("--rate-lost-answer", default=0.0, type=_RATE,
              help="Share of writes applied, then the connection dropped before the answer.")
@click.option("--rate-php-warning", default=0.0, type=_RATE,
              help="Share of write answers with a PHP warning printed before the JSON.")
@click.option("--rate-html-200", default=0.0, type=_RATE,
              help="Share of requests answered by an HTML maintenance page with status 200.")
@click.option("--refuse-id", "refuse_ids", multiple=True, metavar="ID",
              help="Refuse every write of this record with 400; repeat for several.")
@json_option
def serve(host: str, port: int, customers: int, seed: int, db_path: Path | None, layout: str,
          latency_ms: float, rate_429: float, retry_after: int, rate_5xx: float,
          token_ttl: float | None, rate_drop: float, rate_lost_answer: float,
          rate_php_warning: float, rate_html_200: float, refuse_ids: tuple[str, ...],
          as_json: bool) -> None:
    """Serve the sandbox until interrupted; prints the URL and the credentials to use.

    \b
    Examples:
      suitepulse sandbox serve
      suitepulse sandbox serve --customers 100000 --db /tmp/sandbox.sqlite3
      suitepulse sandbox serve --port 9000 --layout 8 --rate-429 0.1 --latency-ms 50
      suitepulse sandbox serve --rate-lost-answer 0.05 --rate-php-warning 0.05
    """
    faults = FaultSettings(latency_ms=latency_ms, rate_429=rate_429, retry_after_s=retry_after,
                           rate_5xx=rate_5xx, token_ttl_s=token_ttl, rate_drop=rate_drop,
                           rate_lost_answer=rate_lost_answer, rate_php_warning=rate_php_warning,
                           rate_html_200=rate_html_200, refuse_ids=list(refuse_ids))
    settings = SandboxSettings(customers=customers, seed=seed, db_path=db_path,
                               layout="8" if layout == "8" else "7", faults=faults)
    listener = _listen(host, port)  # a busy port is an error before anything else
    port = int(listener.getsockname()[1])
    kept = db_path is not None and db_path.is_file() and db_path.stat().st_size > 0
    if not kept:
        err_console.print(f"preparing the sandbox ({customers} customers, seed {seed})...",
                          highlight=False)
    try:
        app = create_app(settings)
    except (sqlite3.DatabaseError, OSError) as error:
        listener.close()
        raise click.BadParameter(f"cannot use {db_path} as the sandbox database: {error}",
                                 param_hint="--db") from error
    report = app.state.generation
    if report is not None:
        err_console.print(f"generated {report.counts} in {report.seconds:.1f} s",
                          highlight=False)
    elif kept:
        store = sandbox_state(app).store
        err_console.print(f"serving {escape(str(db_path))} as it is ({store.info('customers')} "
                          f"customers, seed {store.info('seed')}; --customers and --seed "
                          "apply to a new database only)", highlight=False)
    info = connection_info(settings, f"http://{host}:{port}")
    if as_json:
        emit_json(info)
    else:
        cc, pw = info["client_credentials"], info["password_grant"]
        out_console.print(f"SuiteCRM V8 sandbox: {escape(info['base_url'])} "
                          f"(api_layout {info['api_layout']})", highlight=False)
        out_console.print(f"  client_credentials: client_id {cc['client_id']} "
                          f"client_secret {cc['client_secret']}", highlight=False)
        out_console.print(f"  password grant: client_id {pw['client_id']} client_secret "
                          f"{pw['client_secret']} username {pw['username']} "
                          f"password {pw['password']}", highlight=False)
        out_console.print(f"  mailchimp: {escape(info['mailchimp']['base_url'])} "
                          f"api_key {info['mailchimp']['api_key']} audience "
                          f"{info['mailchimp']['audience_id']}", highlight=False)
        out_console.print(f"  matomo: {escape(info['matomo']['base_url'])} site_id "
                          f"{info['matomo']['site_id']} token_auth "
                          f"{info['matomo']['token_auth']}", highlight=False)
    quiet_dropped_connections()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    try:
        server.run(sockets=[listener])
    finally:
        listener.close()
        sandbox_state(app).store.close()


def _listen(host: str, port: int) -> socket.socket:
    """A socket listening on ``host:port`` (0: a free port), or exit 1 saying why not."""
    try:
        return socket.create_server((host, port), backlog=2048)
    except OSError as error:
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {error.strerror or error}; another server may "
            "be using it: pick another --port (0: any free port)") from None


@sandbox.group("fields")
def sandbox_fields() -> None:
    """Custom fields of a running sandbox."""


@sandbox_fields.command("add")
@click.argument("field", metavar="MODULE.NAME")
@click.argument("field_type", metavar="TYPE", type=click.Choice(sorted(CUSTOM_FIELD_TYPES)))
@click.option("--len", "length", type=click.IntRange(1, 65535), help="Length (varchar, enum).")
@click.option("--precision", type=click.IntRange(0, 30), help="Decimal places (decimal).")
@click.option("--url", default="http://127.0.0.1:8080", show_default=True,
              help="The running sandbox.")
@json_option
def add_field(field: str, field_type: str, length: int | None, precision: int | None,
              url: str, as_json: bool) -> None:
    """Declare a custom field (as Studio would) in a running sandbox.

    \b
    Examples:
      suitepulse sandbox fields add Contacts.sp_lifecycle_stage_c enum --len 100
      suitepulse sandbox fields add Contacts.sp_clv_c decimal --precision 2 --url http://127.0.0.1:9000
    """
    module, _, name = field.partition(".")
    if not module or not name:
        raise click.BadParameter(f"{field!r}: give MODULE.NAME, e.g. Contacts.sp_clv_c",
                                 param_hint="MODULE.NAME")
    body = {"module": module, "name": name, "type": field_type, "len": length,
            "precision": precision}
    try:
        answer = httpx.post(f"{url.rstrip('/')}/sandbox/custom-fields", json=body, timeout=30)
    except httpx.TransportError as error:
        raise click.ClickException(f"no sandbox answers at {url}: {error}; start one with "
                                   "suitepulse sandbox serve (or pass --url)") from None
    if answer.status_code == 400:
        raise click.UsageError(str(answer.json().get("error", answer.text)))
    if answer.status_code != 201:
        raise click.ClickException(f"{url} answered {answer.status_code}: is it a sandbox?")
    if as_json:
        emit_json(answer.json())
    else:
        out_console.print(f"added {escape(module)}.{escape(name)} ({field_type}) to {escape(url)}",
                          highlight=False)
