"""suitepulse fields package writes an installable zip; bad mappings exit 2 saying where."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from tests.conftest import VALID_CLIENT

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
