"""Write-back that survives being killed, stopped, run twice at once and answered badly.

Each test ends with the CRM's mapped fields equal to those one clean ``run`` writes to a
sandbox of the same seed, and with ``writes`` holding exactly one ``written`` row per value
SuitePulse wrote (none pending). Kill points are random (seeded; printed when a test fails).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import socket
import subprocess
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from connectors.suitecrm import SuiteCRMClient
from sandbox import RunningSandbox
from sync import pipeline
from sync.config import load_client
from sync.enrich_step import enrich_client
from sync.store import Store
from tests.e2e.sandbox_sync import SECRET_ENV
from tests.e2e.writeback_world import (
    FIELDS,
    CrmView,
    client_env,
    crm_view,
    last_seq,
    mapped_sandbox,
    run_outcomes,
    start,
    wait_for_writes,
    write_rows,
    writeback_client,
)

pytestmark = pytest.mark.e2e

DICE = random.Random(20261203)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> CrmView:
    """The mapped fields after one uninterrupted run on a sandbox of the same seed."""
    folder = tmp_path_factory.mktemp("clean")
    with mapped_sandbox() as sb, pytest.MonkeyPatch.context() as patch:
        patch.setenv(SECRET_ENV, sb.client_secret)
        path = writeback_client(folder, sb, f"sqlite:///{folder / 'store.sqlite3'}")
        result = pipeline.run(load_client(path).config, trigger="cli", path=path)
        assert result.push is not None and result.push.records_written > 20
        return crm_view(sb)


@pytest.fixture
def sb(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningSandbox]:
    with mapped_sandbox() as running:
        monkeypatch.setenv(SECRET_ENV, running.client_secret)
        yield running


@pytest.fixture
def url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite3'}"


@pytest.fixture
def env(sb: RunningSandbox, url: str, clients_dir: Path, tmp_path: Path) -> dict[str, str]:
    writeback_client(clients_dir, sb, url)
    return client_env(clients_dir, sb, tmp_path / "data")


def _json(result: Result | str) -> dict[str, object]:
    document = json.loads(result if isinstance(result, str) else result.stdout)
    assert isinstance(document, dict)
    return document


def assert_exact_audit(url: str, view: CrmView, *, before: CrmView | None = None) -> None:
    """One ``written`` row per value the CRM holds from us, none pending."""
    rows = write_rows(url)
    assert [r for r in rows if r[3] == "pending"] == []
    written = Counter((record, field) for _, record, field, state in rows if state == "written")
    assert [key for key, count in written.items() if count > 1] == []
    ours = {(record, FIELDS[i]) for record, values in view.items()
            for i, value in enumerate(values)
            if value != (before[record][i] if before else "None")}
    assert set(written) == ours


def test_push_killed_at_random_points_then_run_again_is_clean(
        sb: RunningSandbox, env: dict[str, str], url: str, clean: CrmView,
        run_cli: Callable[..., Result]) -> None:
    assert run_cli("sync", "acme").exit_code == 0
    sb.faults.latency_ms = 30
    points = DICE.sample(range(2, 50), 2)
    for point in points:
        after = last_seq(url)
        process = start(env, "push", "acme")
        wait_for_writes(process, url, point, after=after)
        process.send_signal(signal.SIGKILL)
        process.communicate()
    sb.faults.latency_ms = 0
    assert run_outcomes(url)["running"] == 1, (run_outcomes(url), points, len(write_rows(url)))
    final = run_cli("push", "acme", "--json")
    assert final.exit_code == 0, (points, final.stderr)
    assert crm_view(sb) == clean, points
    assert_exact_audit(url, clean)
    outcomes = run_outcomes(url)
    assert outcomes["interrupted"] == 2 and outcomes["running"] == 0


def test_run_killed_in_its_push_then_run_again_is_clean(
        sb: RunningSandbox, env: dict[str, str], url: str, clean: CrmView,
        run_cli: Callable[..., Result]) -> None:
    sb.faults.latency_ms = 30
    point = DICE.randrange(4, 80)
    process = start(env, "run", "acme")
    wait_for_writes(process, url, point)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    sb.faults.latency_ms = 0
    final = run_cli("run", "acme", "--json")
    assert final.exit_code == 0, (point, final.stderr)
    assert crm_view(sb) == clean, point
    assert_exact_audit(url, clean)
    assert run_outcomes(url)["interrupted"] == 1  # the killed run's push; its sync ended


def test_undo_killed_then_run_again_restores_everything_without_conflicts(
        sb: RunningSandbox, env: dict[str, str], url: str, clean: CrmView,
        run_cli: Callable[..., Result]) -> None:
    before = crm_view(sb)
    pushed = run_cli("run", "acme", "--json")
    assert pushed.exit_code == 0, pushed.stderr
    run_id = _json(pushed)["push"]["run_id"]  # type: ignore[index]
    written = len(write_rows(url))
    sb.faults.latency_ms = 30
    point = DICE.randrange(4, written // 2)
    process = start(env, "undo", str(run_id), "--client", "acme")
    wait_for_writes(process, url, point, after=written)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    sb.faults.latency_ms = 0
    again = run_cli("undo", str(run_id), "--client", "acme", "--json")
    assert again.exit_code == 0, (point, again.stderr)
    document = _json(again)
    assert document["conflicts"] == [] and document["already_restored"] > 0
    assert crm_view(sb) == before
    rows = write_rows(url)
    assert [r for r in rows if r[3] == "pending"] == []
    undone = Counter((rec, f) for run, rec, f, state in rows
                     if run != run_id and state == "written")
    assert set(undone) == {(rec, f) for run, rec, f, state in rows
                           if run == run_id and state == "written"}
    assert max(undone.values()) == 1


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_or_ctrl_c_during_push_finishes_records_and_exits_1(
        signum: signal.Signals, sb: RunningSandbox, env: dict[str, str], url: str,
        clean: CrmView, run_cli: Callable[..., Result]) -> None:
    assert run_cli("sync", "acme").exit_code == 0
    sb.faults.latency_ms = 30
    process = start(env, "push", "acme", "--json")
    wait_for_writes(process, url, DICE.randrange(4, 40))
    process.send_signal(signum)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 1, stderr
    assert "Traceback" not in stderr
    document = _json(stdout)
    assert document["outcome"] == "interrupted" and document["exit_code"] == 1
    view = crm_view(sb)
    changed = sum(1 for values in clean.values() if values != ("None", "None"))
    assert 0 < document["records_changed"] < changed  # type: ignore[operator]
    assert_exact_audit(url, view)
    sb.faults.latency_ms = 0
    assert run_cli("push", "acme").exit_code == 0
    assert crm_view(sb) == clean
    assert_exact_audit(url, clean)
    assert run_outcomes(url)["interrupted"] == 1


def test_a_second_run_is_refused_naming_the_holder_or_waits_its_turn(
        sb: RunningSandbox, env: dict[str, str], url: str, clean: CrmView,
        clients_dir: Path, run_cli: Callable[..., Result]) -> None:
    sb.faults.latency_ms = 20
    first = start(env, "run", "acme")
    wait_for_writes(first, url, 5)
    second = run_cli("run", "acme")
    assert second.exit_code == 1
    assert f"held by {socket.gethostname()} pid {first.pid}" in second.stderr
    push = run_cli("push", "acme")
    assert push.exit_code == 1 and "another run of 'run:acme'" in push.stderr

    writeback_client(clients_dir, sb, url, lock_wait_seconds=120)
    waiting = run_cli("run", "acme", "--json")  # returns once the first run let go
    assert first.wait(timeout=5) == 0
    assert waiting.exit_code == 0, waiting.stderr
    assert _json(waiting)["push"]["records_changed"] == 0  # type: ignore[index]
    assert crm_view(sb) == clean
    assert_exact_audit(url, clean)


@pytest.mark.parametrize("fault", ["rate_lost_answer", "rate_php_warning"])
def test_writes_answered_badly_are_read_back_and_audited_once(
        fault: str, sb: RunningSandbox, env: dict[str, str], url: str, clean: CrmView,
        run_cli: Callable[..., Result]) -> None:
    assert run_cli("sync", "acme").exit_code == 0
    setattr(sb.faults, fault, 0.3)
    result = run_cli("push", "acme", "--json")
    assert result.exit_code == 0, result.stderr
    assert _json(result)["outcome"] == "ok"
    assert crm_view(sb) == clean
    assert_exact_audit(url, clean)


def test_writes_answered_by_a_maintenance_page_are_read_back_and_sent_next_time(
        sb: RunningSandbox, env: dict[str, str], url: str, clean: CrmView,
        run_cli: Callable[..., Result]) -> None:
    assert run_cli("sync", "acme").exit_code == 0
    sb.faults.html_200_methods = ["PATCH"]
    sb.faults.rate_html_200 = 0.3  # the page, status 200, and the write never applied
    result = run_cli("push", "acme", "--json")
    sb.faults.rate_html_200 = 0.0
    assert result.exit_code == 1, result.stderr
    document = _json(result)
    assert document["outcome"] == "failed"
    failed = document["failed"]
    assert isinstance(failed, list) and failed
    assert all("not written" in str(f["reason"]) for f in failed)
    view = crm_view(sb)
    assert all(view[f["record_id"]] == ("None", "None") for f in failed)
    assert_exact_audit(url, view)
    again = run_cli("push", "acme", "--json")
    assert again.exit_code == 0, again.stderr
    assert _json(again)["records_changed"] == len(failed)
    assert crm_view(sb) == clean
    assert_exact_audit(url, clean)


def test_undo_of_many_records_reads_them_by_pages_not_one_get_each(
        sb: RunningSandbox, env: dict[str, str], url: str, clean: CrmView,
        run_cli: Callable[..., Result]) -> None:
    assert run_cli("sync", "acme").exit_code == 0
    pushed = _json(run_cli("push", "acme", "--json"))
    written = [r for r, values in clean.items() if values != ("None", "None")]
    assert pushed["records_changed"] == len(written) > 20
    gone = written[0]
    with SuiteCRMClient(sb.suitecrm_settings()) as client:
        client.delete("Contacts", gone)
    counts = sb.app.state.request_counts
    counts.clear()
    result = run_cli("undo", str(pushed["run_id"]), "--json")
    assert result.exit_code == 3, result.stderr  # the deleted record cannot be restored
    document = _json(result)
    assert [(r["record_id"], "not found" in r["reason"]) for r in document["rejected"]] == [
        (gone, True)]
    assert counts["GET"] <= len(clean) // 25 + 2  # pages of 25 (and field metadata)
    assert counts["PATCH"] == len(written) - 1
    assert all(values == ("None", "None") for values in crm_view(sb).values())


def test_records_the_crm_refuses_exit_3_and_the_others_are_written(
        sb: RunningSandbox, env: dict[str, str], url: str, clean: CrmView,
        run_cli: Callable[..., Result]) -> None:
    assert run_cli("sync", "acme").exit_code == 0
    refused = sorted(record for record, values in clean.items()
                     if values != ("None", "None"))[:3]
    sb.faults.refuse_ids = refused
    result = run_cli("push", "acme", "--json")
    assert result.exit_code == 3, result.stderr
    document = _json(result)
    assert sorted(r["record_id"] for r in document["rejected"]) == refused  # type: ignore[union-attr]
    view = crm_view(sb)
    assert {r: v for r, v in view.items() if r not in refused} == {
        r: v for r, v in clean.items() if r not in refused}
    assert all(view[r] == ("None", "None") for r in refused)
    assert_exact_audit(url, view)
    assert run_outcomes(url)["rejected"] == 1


def test_retries_running_out_end_the_push_with_what_it_wrote_audited(
        sb: RunningSandbox, url: str, clean: CrmView, clients_dir: Path,
        run_cli: Callable[..., Result]) -> None:
    writeback_client(clients_dir, sb, url, http={"max_retries": 1})
    assert run_cli("sync", "acme").exit_code == 0
    sb.faults.rate_429 = 0.3
    sb.faults.retry_after_s = 0
    result = run_cli("push", "acme", "--json")
    assert result.exit_code == 1, result.stderr
    document = _json(result)
    if "error" in document:  # the retries ran out on reading a page, before any write
        assert "rate limited" in str(document["error"])
    else:
        assert document["outcome"] == "failed" and "rate limited" in str(document["errors"])
    assert_exact_audit(url, crm_view(sb))
    sb.faults.rate_429 = 0
    assert run_cli("push", "acme").exit_code == 0
    assert crm_view(sb) == clean
    assert_exact_audit(url, clean)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 6 MB tmpfs of its own (needs root)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs to fill it needs root")
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(folder)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _fill(folder: Path, leave: int) -> Path:
    """Fill ``folder``'s file system up to ``leave`` bytes."""
    filler = folder / "filler"
    free = shutil.disk_usage(folder).free
    with filler.open("wb") as handle:
        handle.write(b"\0" * max(free - leave, 0))
    return filler


def test_disk_full_during_push_is_one_error_and_the_next_push_is_clean(
        small_disk: Path, sb: RunningSandbox, clients_dir: Path, clean: CrmView,
        run_cli: Callable[..., Result], tmp_path: Path) -> None:
    url = f"sqlite:///{small_disk / 'store.sqlite3'}"
    path = writeback_client(clients_dir, sb, url)
    assert run_cli("sync", "acme").exit_code == 0
    with Store(url) as store:
        enrich_client(load_client(path).config, store)  # traits saved: push saves none
    filler = _fill(small_disk, leave=48 * 1024)
    full = start(client_env(clients_dir, sb, small_disk / "data"), "push", "acme", "--json")
    stdout, stderr = full.communicate(timeout=120)
    assert full.returncode == 1, stderr
    assert "Traceback" not in stderr
    assert "error: the state store failed" in stderr and "full" in stderr
    assert _json(stdout)["error"]["type"] == "StateError"  # type: ignore[index]
    filler.unlink()
    again = run_cli("push", "acme")
    assert again.exit_code == 0, again.stderr
    assert crm_view(sb) == clean
    assert_exact_audit(url, clean)

    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    for command in (["status"], ["report", "--out", str(tmp_path / "report.html")]):
        shown = run_cli(*command, "acme")
        assert shown.exit_code == 0, (command, shown.stderr)
    refused = run_cli("push", "acme")
    assert refused.exit_code == 1 and "read-only" in refused.stderr
    assert "Traceback" not in refused.stderr
