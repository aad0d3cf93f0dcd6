"""``suitepulse demo``: what it prints is what the sandbox CRM holds afterwards."""

from __future__ import annotations

import json
import stat
import threading
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from click.testing import Result
from sqlalchemy import create_engine, select

from connectors.suitecrm import SuiteCRMClient
from sandbox import running_sandbox
from sync.report.page import CHART_IDS
from sync.store.schema import WRITES
from sync.writeback.reading import read_members

pytestmark = pytest.mark.e2e

FIELDS = ["sp_lifecycle_stage_c", "sp_rfm_segment_c", "sp_clv_c", "sp_churn_risk_c"]


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    from click.testing import CliRunner

    from cli.main import cli

    folder = tmp_path_factory.mktemp("demo")
    data_dir = tmp_path_factory.mktemp("data")
    result: Result = CliRunner().invoke(
        cli, ["demo", "--customers", "500", "--seed", "3", "--keep", str(folder), "--json"],
        env={"SUITEPULSE_DATA_DIR": str(data_dir)}, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout), folder


def crm_contacts(folder: Path) -> list[dict[str, Any]]:
    """The demo's customers as the sandbox API shows them, served again from its file."""
    with running_sandbox(db_path=folder / "sandbox.sqlite3") as sandbox, \
            SuiteCRMClient(sandbox.suitecrm_settings()) as client:
        return [record.attributes | {"id": record.id}
                for page in client.iter_pages("Contacts", fields=FIELDS, page_size=200)
                for record in page]


def test_the_crm_fields_hold_what_the_summary_printed(
        demo_run: tuple[dict[str, Any], Path]) -> None:
    document, folder = demo_run
    contacts = crm_contacts(folder)
    assert document["customers"] == len(contacts) == 500
    stages = Counter(c["sp_lifecycle_stage_c"] for c in contacts)
    assert stages == {row["stage"]: row["customers"] for row in document["lifecycle"]}
    segments = Counter(c["sp_rfm_segment_c"] for c in contacts)
    assert segments == {row["name"]: row["customers"] for row in document["segments"]}
    predicted = sum(row["predicted_value"] for row in document["segments"])
    valued = [c for c in contacts if c["sp_clv_c"] not in ("", None)]  # prospects: empty
    assert 0 < len(valued) < len(contacts)
    assert all(c["sp_churn_risk_c"] not in ("", None) for c in valued)
    assert float(sum(Decimal(str(c["sp_clv_c"])) for c in valued)) == pytest.approx(
        predicted, abs=0.005 * len(contacts))
    at_risk = sum(1 for c in valued if Decimal(str(c["sp_churn_risk_c"])) >= Decimal("0.6"))
    assert at_risk == document["at_risk_customers"]
    assert sum(band["customers"] for band in document["value_deciles"]) == len(contacts)


def test_every_write_is_in_the_crm_and_counted(demo_run: tuple[dict[str, Any], Path]) -> None:
    document, folder = demo_run
    writes = document["writes"]
    assert writes["rejected"] == 0
    assert writes["records_changed"] == document["customers"]
    valued = sum(1 for c in crm_contacts(folder) if c["sp_clv_c"] not in ("", None))
    # prospects' value fields stay empty (nothing to write); everyone gets stage and segment
    assert writes["by_field"] == {"sp_lifecycle_stage_c": document["customers"],
                                  "sp_rfm_segment_c": document["customers"],
                                  "sp_clv_c": valued, "sp_churn_risk_c": valued}
    engine = create_engine(f"sqlite:///{folder / 'demo.sqlite3'}")
    with engine.connect() as connection:
        audit = connection.execute(select(WRITES.c.record_id, WRITES.c.field,
                                          WRITES.c.new_value)).all()
    engine.dispose()
    fields = [row for row in audit if not row.field.startswith("prospect_lists:")]
    assert len(fields) == writes["fields_changed"]
    assert len(audit) - len(fields) == sum(writes["target_lists"].values())
    crm = {c["id"]: c for c in crm_contacts(folder)}
    for record_id, field, new_value in fields:
        written, held = json.loads(new_value), crm[record_id][field]
        if isinstance(written, str):
            assert held == written, (record_id, field)
        else:
            assert Decimal(str(held)) == Decimal(str(written)), (record_id, field)


def test_the_two_target_lists_hold_exactly_their_segments(
        demo_run: tuple[dict[str, Any], Path]) -> None:
    document, folder = demo_run
    contacts = crm_contacts(folder)
    champions = {c["id"] for c in contacts if c["sp_rfm_segment_c"] == "Champions"}
    at_risk = {c["id"] for c in contacts if c["sp_churn_risk_c"] not in ("", None)
               and Decimal(str(c["sp_churn_risk_c"])) >= Decimal("0.7")}
    assert champions and at_risk
    with running_sandbox(db_path=folder / "sandbox.sqlite3") as sandbox, \
            SuiteCRMClient(sandbox.suitecrm_settings()) as client:
        lists = {r.attributes["name"]: r.id for page in client.iter_pages(
            "ProspectLists", fields=["name"]) for r in page}
        members = {name: read_members(client, list_id, "Contacts")
                   for name, list_id in lists.items()}
    assert members == {"SuitePulse - Champions": champions, "SuitePulse - At risk": at_risk}
    assert document["writes"]["target_lists"] == {
        "SuitePulse - At risk": len(at_risk), "SuitePulse - Champions": len(champions)}


def test_the_report_has_every_chart_and_nothing_is_left_running(
        demo_run: tuple[dict[str, Any], Path]) -> None:
    document, folder = demo_run
    html = Path(document["report"]).read_text(encoding="utf-8")
    for chart_id in CHART_IDS:
        assert f'<section id="{chart_id}">' in html
    base_url = yaml.safe_load((folder / "demo.yaml").read_text())["suitecrm"]["base_url"]
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{base_url}/sandbox/info", timeout=2)
    assert not [t for t in threading.enumerate() if t.name.startswith("sandbox-")]
    assert stat.S_IMODE((folder / ".env").stat().st_mode) == 0o600


def test_the_demo_client_works_with_the_other_commands(
        demo_run: tuple[dict[str, Any], Path], tmp_path: Path,
        run_cli: Callable[..., Result]) -> None:
    document, folder = demo_run
    out = tmp_path / "again.html"
    result = run_cli("--config-dir", str(folder), "report", "demo", "--out", str(out),
                     "--json")
    assert result.exit_code == 0, result.output
    again = json.loads(result.stdout)
    assert again["lifecycle"] == document["lifecycle"]
    assert [r["kind"] for r in again["runs"]] == ["push", "sync"]
    assert again["runs"][0]["writes"] == document["writes"]["fields_changed"] + sum(
        document["writes"]["target_lists"].values())  # field writes and list memberships
    assert out.is_file()
