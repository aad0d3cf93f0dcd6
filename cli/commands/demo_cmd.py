"""``suitepulse demo``: the whole pipeline against a sandbox CRM, in one command."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import click

from cli.commands.report_output import (
    numbers_table,
    print_summary_tables,
    report_document,
)
from cli.context import AppContext, pass_app
from cli.demo_session import DemoResult, default_folder, run_demo
from cli.exit_codes import ExitCode, exit_code_of, status_fields
from cli.options import json_option
from cli.output import emit_json, err_console, out_console
from sync.report.charts import number

__all__ = ["demo"]


@click.command()
@click.option("--customers", default=5000, show_default=True, type=click.IntRange(1, 200_000),
              help="Synthetic customers (contacts) to generate.")
@click.option("--seed", default=1, show_default=True, type=int, help="Same seed, same data.")
@click.option("--keep", "folder", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the demo's files (default: <data dir>/demo).")
@json_option
@pass_app
def demo(app: AppContext, customers: int, seed: int, folder: Path | None,
         as_json: bool) -> None:
    """Run SuitePulse end to end against a local sandbox CRM with synthetic customers.

    \b
    Starts the sandbox in this process, writes the `demo` client (config, .env, state
    store), runs sync -> enrich -> push through the real connectors, prints what it found
    and wrote, and writes the HTML report. Nothing is left running. Afterwards:
      suitepulse --config-dir FOLDER status demo
      suitepulse --config-dir FOLDER report demo --out demo.html
      suitepulse sandbox serve --db FOLDER/sandbox.sqlite3   (browse the written fields)

    \b
    Examples:
      suitepulse demo
      suitepulse demo --customers 500 --seed 7 --keep ./demo
      suitepulse demo --customers 500 --json
    """
    chatty = not as_json and app.verbosity >= 0

    def step(text: str) -> None:
        if chatty:
            err_console.print(f"[dim]demo:[/] {text}", highlight=False)

    result = run_demo(customers=customers, seed=seed, folder=folder or default_folder(),
                      step=step)
    code = _exit_code(result)
    if as_json:
        emit_json(_document(result, code))
    else:
        _print(result)
    raise click.exceptions.Exit(int(code))


def _exit_code(result: DemoResult) -> ExitCode:
    return exit_code_of(result.result.outcome)


def _writes(result: DemoResult) -> dict[str, Any]:
    push = result.result.push
    if push is None:
        return {"records_changed": 0, "fields_changed": 0, "rejected": 0, "by_field": {},
                "target_lists": {}}
    by_field = Counter(change.field for record in push.changes for change in record.changes)
    members = Counter(change.list_name for change in push.memberships if change.add)
    summary = push.summary()
    return {"run_id": summary["run_id"], "compared": summary["compared"],
            "records_changed": summary["records_changed"],
            "fields_changed": summary["fields_changed"], "rejected": summary["rejected"],
            "by_field": dict(sorted(by_field.items())),
            "target_lists": dict(sorted(members.items()))}


def _document(result: DemoResult, code: ExitCode) -> dict[str, Any]:
    sync = result.result.sync
    return {
        **status_fields(code),
        "outcome": result.result.outcome.value,
        "folder": str(result.folder.resolve()),
        "config": str(result.config_path.resolve()),
        "report": str(result.report_path.resolve()),
        "sandbox_db": str(result.sandbox_db.resolve()),
        "seconds": result.seconds,
        "sync": {"run_id": sync.run_id, "outcome": sync.outcome.value, "records": sync.read,
                 "streams": [s.as_dict() for s in sync.streams.values()]},
        "writes": _writes(result),
        **{key: value for key, value in report_document(result.report).items()
           if key != "runs"},
    }


def _print(result: DemoResult) -> None:
    sync = result.result.sync
    out_console.print(f"sync {sync.outcome.value}: {number(sync.read)} records read from "
                      f"{', '.join(sync.streams)}", highlight=False)
    print_summary_tables(result.report)
    writes = _writes(result)
    table = numbers_table(
        f"writes made: {number(writes['fields_changed'])} fields of "
        f"{number(writes['records_changed'])} records, {writes['rejected']} rejected",
        "field", "records written")
    for name, count in writes["by_field"].items():
        table.add_row(name, number(count))
    out_console.print(table)
    lists = numbers_table("target lists", "list", "members added")
    for name, count in writes["target_lists"].items():
        lists.add_row(name, number(count))
    if writes["target_lists"]:
        out_console.print(lists)
    seconds = ", ".join(f"{name} {value:.1f} s" for name, value in result.seconds.items())
    out_console.print(f"time: {seconds}", highlight=False)
    out_console.print(f"demo client: {result.config_path.resolve()}", highlight=False)
    out_console.print(f"report: {result.report_path.resolve()}", highlight=False)
