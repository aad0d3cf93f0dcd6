"""Two config folders scheduled on one job store keep each other's jobs."""

from __future__ import annotations

from pathlib import Path

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from sync.config import client_path, load_client
from sync.scheduler import _sync_jobs, _wanted_jobs, default_jobstore_url, folder_key
from tests.conftest import VALID_CLIENT

SCHEDULE = "schedule:\n  cron: '0 3 * * *'\n  timezone: Europe/Berlin\n"


def _folder(root: Path, name: str) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "acme.yaml").write_text(VALID_CLIENT + SCHEDULE, encoding="utf-8")
    return folder


def test_default_job_store_differs_per_config_folder(tmp_path: Path) -> None:
    one, two = _folder(tmp_path, "one"), _folder(tmp_path, "two")
    assert default_jobstore_url(one) != default_jobstore_url(two)
    assert default_jobstore_url(one) == default_jobstore_url(tmp_path / "two" / ".." / "one")


def test_second_folder_leaves_first_folders_jobs(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_SECRET", "s3cr3t-value-9f2")
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    for name in ("one", "two"):
        folder = _folder(tmp_path, name)
        loaded = load_client(client_path("acme", folder))
        scheduler = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(url=url)},
                                        timezone="UTC")
        scheduler.start(paused=True)
        _sync_jobs(scheduler, _wanted_jobs([loaded], str(folder)), f"{folder_key(folder)}/")
        scheduler.shutdown(wait=False)
    scheduler = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(url=url)},
                                    timezone="UTC")
    scheduler.start(paused=True)
    ids = sorted(job.id for job in scheduler.get_jobs())
    scheduler.shutdown(wait=False)
    assert ids == sorted(f"{folder_key(tmp_path / n)}/sync:acme" for n in ("one", "two"))
