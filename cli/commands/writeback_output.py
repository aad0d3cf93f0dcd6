"""How push and undo reports are shown: a table of changes and a summary, or one JSON document."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.table import Table

from cli.exit_codes import ExitCode, exit_code_of, status_fields
from cli.output import emit_json, err_console, out_console
from sync.run_summary import Outcome
from sync.writeback.membership import MembershipChange
from sync.writeback.plan import RecordChange
from sync.writeback.push import PushReport
from sync.writeback.undo import UndoReport

__all__ = ["render_report", "report_exit_code"]

_TABLE_LIMIT = 200


def report_exit_code(report: PushReport) -> ExitCode:
    """The exit code of a push or undo report (``exit_code_of`` its outcome)."""
    return exit_code_of(report.outcome)


def render_report(report: PushReport, *, as_json: bool,
                  show_below_threshold: bool = False) -> None:
    """Print the changes (planned or made), rejections and conflicts, then a summary;
    with ``show_below_threshold`` also the moves too small to write (``min_change``)."""
    if as_json:
        emit_json(_document(report, show_below_threshold=show_below_threshold))
        return
    if report.changes:
        _print_changes(f"changes {'planned' if report.dry_run else 'written'}", report.changes)
    if report.memberships:
        _print_memberships(f"target list members {'planned' if report.dry_run else 'changed'}",
                           report.memberships)
    if show_below_threshold and report.below_threshold:
        _print_changes("below min_change: not written", report.below_threshold)
    if isinstance(report, UndoReport) and report.conflicts:
        table = Table("record", "field", "we wrote", "holds now", "changed by",
                      title="changed since the run: left as they are")
        for conflict in report.conflicts:
            table.add_row(f"{conflict.module}/{conflict.record_id}", conflict.field,
                          _shown(conflict.written), _shown(conflict.current),
                          f"run {conflict.by_run}" if conflict.by_run else "someone else")
        out_console.print(table)
    for label, rejections in (("rejected", report.rejected), ("failed", report.failed)):
        for rejection in rejections:
            where = f"{rejection.module}/{rejection.record_id}"
            if rejection.field:
                where += f" {rejection.field}"
            err_console.print(f"[red]{label}:[/] {escape(where)}: {escape(rejection.reason)}",
                              highlight=False)
    for error in report.errors:
        err_console.print(f"[red]error:[/] {escape(error)}", highlight=False)
    out_console.print(_summary_line(report), highlight=False)


def _print_changes(title: str, changes: list[RecordChange]) -> None:
    table = Table("record", "field", "old", "", "new", title=title)
    rows = [(c.module, c.record_id, f) for c in changes for f in c.changes]
    for module, record_id, change in rows[:_TABLE_LIMIT]:
        table.add_row(f"{module}/{record_id}", change.field, _shown(change.old), "->",
                      _shown(change.new))
    out_console.print(table)
    if len(rows) > _TABLE_LIMIT:
        out_console.print(f"... and {len(rows) - _TABLE_LIMIT} more (use --json for all)")


def _print_memberships(title: str, changes: list[MembershipChange]) -> None:
    table = Table("target list", "record", "", title=title)
    for change in changes[:_TABLE_LIMIT]:
        table.add_row(escape(change.list_name), f"{change.module}/{change.record_id}",
                      "added" if change.add else "removed")
    out_console.print(table)
    if len(changes) > _TABLE_LIMIT:
        out_console.print(f"... and {len(changes) - _TABLE_LIMIT} more (use --json for all)")


def _summary_line(report: PushReport) -> str:
    prefix = "dry run, nothing written: " if report.dry_run else ""
    verb = "would change" if report.dry_run else "changed"
    text = (f"{prefix}run {report.run_id}: {report.compared} records compared, {verb} "
            f"{report.fields_written} fields of {report.records_written} records, "
            f"{len(report.rejected)} rejected")
    if report.memberships or report.lists_created:
        added = sum(1 for change in report.memberships if change.add)
        text += (f", {verb} target lists: {added} members added, "
                 f"{len(report.memberships) - added} removed")
        if report.lists_created:
            made = "to create" if report.dry_run else "created"
            text += f", {len(report.lists_created)} lists {made}"
    if report.failed or report.not_sent:
        text += f", {len(report.failed)} failed, {report.not_sent} not sent"
    small = sum(len(change.changes) for change in report.below_threshold)
    if small:
        text += f", {small} smaller moves below min_change left as they are"
    if isinstance(report, UndoReport):
        text += f", {len(report.conflicts)} left as changed since (undoing {report.undone_run})"
    if report.outcome in (Outcome.INTERRUPTED, Outcome.FAILED):
        text += f"; {report.outcome.value}: every write sent is in the audit log, run it again " \
                "to finish"
    return text


def _shown(value: object) -> str:
    return '""' if value == "" else escape(str(value))


def _change_rows(changes: list[RecordChange]) -> list[dict[str, Any]]:
    return [{"module": c.module, "record_id": c.record_id, "field": f.field, "old": f.old,
             "new": f.new} for c in changes for f in c.changes]


def _document(report: PushReport, *, show_below_threshold: bool) -> dict[str, Any]:
    code = report_exit_code(report)
    document: dict[str, Any] = {
        **status_fields(code),
        **report.summary(),
        "changes": _change_rows(report.changes),
        "memberships": [{"list": m.list_name, "list_id": m.list_id, "module": m.module,
                         "record_id": m.record_id, "change": "add" if m.add else "remove"}
                        for m in report.memberships],
        "rejected": [vars(rejection) for rejection in report.rejected],
        "failed": [vars(rejection) for rejection in report.failed],
    }
    if show_below_threshold:
        document["below_threshold"] = _change_rows(report.below_threshold)
    if isinstance(report, UndoReport):
        document["conflicts"] = [vars(conflict) for conflict in report.conflicts]
    return document
