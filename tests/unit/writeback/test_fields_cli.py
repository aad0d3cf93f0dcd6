"""suitepulse fields package writes an installable zip; bad mappings exit 2 saying where."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from tests.conftest import VALID_CLIENT
from tests.unit.writeback.stub_site import layouts, make_site, run_php

MAPPING = """\
enrichment:
  customer_entity: Accounts
writeback:
  fields:
    rule_segment:
      field: Accounts.sp_segment_c
      type: enum
      options: {new: New, active: Active}
      label: Stage
    clv: {field: Accounts.sp_clv_c, type: decimal, precision: 2}
"""


def test_fields_package_writes_the_zip(
    write_client: Callable[[str, str], Path], run_cli: Callable[..., Result], tmp_path: Path,
) -> None:
    write_client("acme", VALID_CLIENT + MAPPING)
    out = tmp_path / "out" / "acme-fields.zip"
    result = run_cli("fields", "package", "acme", "--out", str(out), "--version", "1.0.0",
                     "--json", env={"ACME_SECRET": "s3cret-value"})
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["path"] == str(out)
    assert [f["field"] for f in document["fields"]] == ["sp_segment_c", "sp_clv_c"]
    with zipfile.ZipFile(out) as archive:
        assert "manifest.php" in archive.namelist()
        manifest = archive.read("manifest.php").decode()
    assert "'version' => '1.0.0'" in manifest
    assert "'name' => 'sp_clv_c'" in manifest


def test_a_mapping_outside_the_customer_module_exits_2_with_file_and_line(
    write_client: Callable[[str, str], Path], run_cli: Callable[..., Result], tmp_path: Path,
) -> None:
    write_client("acme", VALID_CLIENT + MAPPING.replace("Accounts.sp_clv_c", "Contacts.sp_clv_c"))
    result = run_cli("fields", "package", "acme", "--out", str(tmp_path / "x.zip"),
                     env={"ACME_SECRET": "s3cret-value"})
    assert result.exit_code == 2
    assert "acme.yaml:15 writeback.fields.clv: Contacts.sp_clv_c: traits are computed per " \
           "Accounts record" in result.stderr
    assert not (tmp_path / "x.zip").exists()


def test_no_mapping_is_a_usage_error(
    write_client: Callable[[str, str], Path], run_cli: Callable[..., Result], tmp_path: Path,
) -> None:
    write_client("acme", VALID_CLIENT)
    result = run_cli("fields", "package", "acme", "--out", str(tmp_path / "x.zip"),
                     env={"ACME_SECRET": "s3cret-value"})
    assert result.exit_code == 2
    assert "maps no trait" in result.stderr


def test_list_column_shown_makes_the_installed_column_a_default_one(
    write_client: Callable[[str, str], Path], run_cli: Callable[..., Result], tmp_path: Path,
) -> None:
    shown = MAPPING.replace("label: Stage\n", "label: Stage\n      list_column: shown\n")
    write_client("acme", VALID_CLIENT + shown)
    out = tmp_path / "acme-fields.zip"
    result = run_cli("fields", "package", "acme", "--out", str(out),
                     env={"ACME_SECRET": "s3cret-value"})
    assert result.exit_code == 0, result.stderr
    with zipfile.ZipFile(out) as archive:
        archive.extractall(tmp_path / "site")
    site = make_site(tmp_path / "site")
    run_php(site, "add_layout")
    columns = layouts(site)["Accounts"]["list"]
    assert (columns["SP_SEGMENT_C"]["default"], columns["SP_CLV_C"]["default"]) == (True, False)


def test_a_bad_list_column_exits_2_with_file_line_and_choices(
    write_client: Callable[[str, str], Path], run_cli: Callable[..., Result], tmp_path: Path,
) -> None:
    bad = MAPPING.replace("label: Stage\n", "label: Stage\n      list_column: show\n")
    write_client("acme", VALID_CLIENT + bad)
    result = run_cli("fields", "package", "acme", "--out", str(tmp_path / "x.zip"),
                     env={"ACME_SECRET": "s3cret-value"})
    assert result.exit_code == 2
    assert ("acme.yaml:15 writeback.fields.rule_segment.list_column: input should be 'shown' "
            "or 'hidden'") in result.stderr
    assert not (tmp_path / "x.zip").exists()
