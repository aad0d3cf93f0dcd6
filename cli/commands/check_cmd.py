"""``suitepulse check``: can SuitePulse reach the client's SuiteCRM, and has it what we need?"""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from cli.context import AppContext, pass_app
from cli.exit_codes import ExitCode
from cli.options import client_argument, json_option
from cli.output import emit_json, out_console
from sync.crm_check import CheckReport, check_client
from sync.imap_check import ImapCheck, check_imap
from sync.insecure_settings import InsecureSetting, insecure_settings, secret_files

__all__ = ["check"]


def _document(report: CheckReport) -> dict[str, object]:
    return {
        "ok": report.ok,
        "client": report.client,
        "base_url": report.base_url,
        "api_prefix": report.api_prefix,
        "acting_user_id": report.acting_user_id,
        "requirements": [
            {"name": r.name, "module": r.module, "field": r.field, "needed_by": r.needed_by,
             "found": r.found, "hint": r.hint}
            for r in report.requirements
        ],
        "missing": [r.name for r in report.missing],
        "mailchimp": None if report.mailchimp is None else {
            "datacenter": report.mailchimp.datacenter,
            "audiences": [{"id": a.id, "name": a.name, "member_count": a.member_count}
                          for a in report.mailchimp.audiences]},
    }


def _print_imap(checks: list[ImapCheck]) -> None:
    if not checks:
        return
    table = Table("IMAP account", "folder", "messages")
    for check in checks:
        if check.error:
            table.add_row(escape(check.account), "[red]FAILED[/]", escape(check.error))
        for folder in check.folders:
            table.add_row(escape(check.account), escape(folder.name), str(folder.messages))
    out_console.print(table)


def _print_insecure(findings: list[InsecureSetting]) -> None:
    if not findings:
        out_console.print("[green]no insecure settings[/]")
        return
    out_console.print(f"[yellow]{len(findings)} insecure setting(s):[/]")
    for finding in findings:
        out_console.print(f"  {escape(str(finding))}", highlight=False)


def _print(report: CheckReport) -> None:
    out_console.print(f"{escape(report.client)}: connected to {escape(report.base_url)}"
                      f"{escape(report.api_prefix or '')} as user id "
                      f"{escape(report.acting_user_id or '?')}", highlight=False)
    table = Table("needed", "by", "found")
    for requirement in report.requirements:
        table.add_row(escape(requirement.name), escape(requirement.needed_by),
                      "[green]yes[/]" if requirement.found else "[red]MISSING[/]")
    out_console.print(table)
    if report.mailchimp is not None:
        audiences = ", ".join(f"{a.name} ({a.id}): {a.member_count:,} members"
                              for a in report.mailchimp.audiences) or "no audiences"
        out_console.print(f"mailchimp: data centre {report.mailchimp.datacenter or '?'}; "
                          f"{escape(audiences)}", highlight=False)
    if report.ok:
        out_console.print("[green]everything the config needs is there[/]")
    else:
        out_console.print(f"[red]{len(report.missing)} missing:[/] "
                          + escape(", ".join(r.name for r in report.missing)), highlight=False)
        for requirement in report.missing:
            if requirement.hint:
                out_console.print(f"  {escape(requirement.name)}: {escape(requirement.hint)}",
                                  highlight=False)


@click.command()
@client_argument
@json_option
@pass_app
def check(app: AppContext, client: str, as_json: bool) -> None:
    """Connect to the client's SuiteCRM and report the modules and fields it lacks.

    Authenticates with the configured OAuth2 grant, detects the API layout when it is
    auto, and looks up every module and field named by sync.modules,
    enrichment.purchases and writeback.fields; logs in to every IMAP account and counts
    the messages of the folders it reads; with sources.matomo, asks Matomo's visits log for
    one visit per site. Lists the insecure settings (unverified TLS, plain http:// to
    another host, secret or store files other users can read); they do not change the exit
    code. Exit 0 when all are there, 1 otherwise.

    \b
    Examples:
      suitepulse check acme
      suitepulse check acme --json
    """
    loaded = app.load(client)
    report = check_client(loaded.config)
    mail = check_imap(loaded.config)
    ok = report.ok and all(check.ok for check in mail)
    insecure = insecure_settings(loaded.config, secret_files(loaded))
    if as_json:
        emit_json({**_document(report), "ok": ok, "imap": [check.as_dict() for check in mail],
                   "insecure": [vars(finding) for finding in insecure]})
    else:
        _print(report)
        _print_imap(mail)
        _print_insecure(insecure)
    click.get_current_context().exit(int(ExitCode.OK if ok else ExitCode.FAILED))
