"""Options and arguments used by several commands, defined once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from cli.context import AppContext

__all__ = ["client_argument", "dry_run_option", "force_option", "json_option"]

F = TypeVar("F", bound=Callable[..., Any])


def _set_json(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    app = ctx.find_object(AppContext)
    if app is not None and value:
        app.json_output = True
    return value


def json_option(func: F) -> F:
    """``--json``: print one JSON document to stdout instead of tables."""
    return click.option(
        "--json", "as_json", is_flag=True, callback=_set_json, expose_value=True,
        help="Print one JSON document on stdout.",
    )(func)


def dry_run_option(func: F) -> F:
    """``--dry-run``: show what would be written to the CRM, and write nothing."""
    return click.option(
        "--dry-run", is_flag=True, help="Show the planned changes; change nothing.",
    )(func)


def force_option(func: F) -> F:
    """``--force``: let a deletion listing flag more than ``sync.max_deleted_share``."""
    return click.option(
        "--force", is_flag=True,
        help="Flag deleted records even when more than sync.max_deleted_share of a module "
             "would be flagged.",
    )(func)


def client_argument(func: F) -> F:
    """``CLIENT``: a client name (file in the config folder) or a path to its YAML file."""
    return click.argument("client", metavar="CLIENT")(func)
