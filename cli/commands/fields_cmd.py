"""``suitepulse fields``: the SuiteCRM fields package, and a check of the server's fields."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from cli.context import AppContext, pass_app
from cli.exit_codes import ExitCode
from cli.options import client_argument, json_option
from cli.output import emit_json, out_console
from sync.config import LoadedConfig
from sync.writeback.crm import open_crm
from sync.writeback.field_check import check_mapping
from sync.writeback.fieldspec import FieldSpec, specs_for
from sync.writeback.package import write_package

__all__ = ["fields"]


@click.group()
def fields() -> None:
    """The SuiteCRM custom fields that traits are written to."""


def _mapped(app: AppContext, client: str) -> tuple[LoadedConfig, list[FieldSpec]]:
    loaded = app.load(client)
    specs = specs_for(loaded.config, loaded.path)
    if not specs:
        raise click.UsageError(f"{loaded.path}: writeback.fields maps no trait to a field")
    return loaded, specs


@fields.command()
@client_argument
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The zip file to write.")
@click.option("--version", "version", default=None,
              help="Package version (default: the date and time, e.g. 2026.05.03.1407).")
@json_option
@pass_app
def package(app: AppContext, client: str, out: Path, version: str | None, as_json: bool) -> None:
    """Build a Module Loader package that creates the mapped custom fields.

    \b
    Install it in SuiteCRM under Admin > Module Loader. It creates each mapped
    field (type, length, precision, dropdown list, label, help), a "SuitePulse"
    panel on the detail view of each module, a list view column per field
    (hidden unless the mapping says list_column: shown) and a field in the quick
    filter and filter (a dropdown for enum fields).

    \b
    Examples:
      suitepulse fields package acme --out acme-fields.zip
      suitepulse fields package acme --out acme-fields.zip --version 1.1.0 --json
    """
    loaded, specs = _mapped(app, client)
    version = version or f"{datetime.now(UTC):%Y.%m.%d.%H%M}"
    path = write_package(specs, out, client=loaded.config.client, version=version)
    if as_json:
        emit_json({"ok": True, "path": str(path), "version": version,
                   "fields": [_field_document(spec) for spec in specs]})
        return
    modules = ", ".join(sorted({spec.module for spec in specs}))
    out_console.print(f"wrote {escape(str(path))}: {len(specs)} fields in {modules}",
                      highlight=False)
    out_console.print("install it in SuiteCRM: Admin > Module Loader > Upload", highlight=False)


@fields.command()
@client_argument
@json_option
@pass_app
def check(app: AppContext, client: str, as_json: bool) -> None:
    """Compare the mapping with the fields the SuiteCRM server has; exit 1 on any difference.

    \b
    Each mapped field must exist as mapped and be in its module's quick filter
    and filter (the search layouts the fields package adds it to). The list
    view columns and the detail view panel cannot be seen through the V8 API:
    they are listed as not checked.

    \b
    Examples:
      suitepulse fields check acme
      suitepulse fields check acme --json
    """
    loaded, specs = _mapped(app, client)
    with open_crm(loaded.config) as crm:
        result = check_mapping(specs, crm.fields, crm.search_fields)
    problems = result.problems
    if as_json:
        emit_json({"ok": not problems, "checked": result.checked,
                   "problems": [vars(problem) for problem in problems],
                   "not_checked": result.not_checked})
    else:
        if problems:
            table = Table("field", "trait", "problem", "expected", "server has")
            for problem in problems:
                table.add_row(f"{problem.module}.{problem.field}", problem.trait,
                              problem.problem, problem.expected or "", problem.actual or "")
            out_console.print(table)
        else:
            out_console.print(f"all {len(specs)} mapped fields are present as mapped",
                              highlight=False)
        for what in result.not_checked:
            out_console.print(f"not checked: {escape(what)}", highlight=False)
    if problems:
        raise click.exceptions.Exit(int(ExitCode.FAILED))


def _field_document(spec: FieldSpec) -> dict[str, object]:
    return {"trait": spec.trait, "module": spec.module, "field": spec.name,
            "type": spec.type.value, "len": spec.len, "precision": spec.precision,
            "options": dict(spec.options) if spec.options else None, "label": spec.label,
            "list_column": spec.list_column.value}
