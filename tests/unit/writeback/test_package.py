"""The fields package is a Module Loader zip whose PHP is valid and means what we mapped."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from sync.settings import FieldType
from sync.writeback.fieldspec import FieldSpec
from sync.writeback.package import PANEL_KEY, build_package
from tests.unit.writeback.conftest import SpecFactory


def _php() -> str:
    php = shutil.which("php")
    if php is None:
        pytest.fail("php-cli is needed to check the fields package: apt-get install php-cli")
    return php


def _specs(make_spec: SpecFactory) -> list[FieldSpec]:
    return [
        make_spec(FieldType.ENUM, trait="lifecycle_stage", module="Accounts",
                  name="sp_lifecycle_stage_c", label="Lifecycle stage", len=100,
                  help="It's where the customer stands \\ now.",
                  options={"new": "New", "at_risk": "At risk"}),
        make_spec(FieldType.DECIMAL, trait="clv", module="Accounts", name="sp_clv_c",
                  label="Customer value", len=18, precision=2),
        make_spec(FieldType.FLOAT, trait="churn_risk", module="Contacts", name="sp_churn_c",
                  label="Churn risk", len=18, precision=4),
        make_spec(FieldType.DATETIME, trait="enriched_at", module="Contacts",
                  name="sp_enriched_at_c", label="Enriched at"),
    ]


@pytest.fixture
def unpacked(make_spec: SpecFactory, tmp_path: Path) -> Path:
    data = build_package(_specs(make_spec), client="acme", version="1.2.0")
    with zipfile.ZipFile(BytesIO(data)) as archive:
        archive.extractall(tmp_path / "pkg")
    return tmp_path / "pkg"


def _php_json(php_code: str, cwd: Path) -> Any:
    result = subprocess.run([_php(), "-r", php_code], cwd=cwd, capture_output=True, text=True,
                            check=True, timeout=60)
    return json.loads(result.stdout)


def test_package_has_the_module_loader_layout(unpacked: Path) -> None:
    files = sorted(str(p.relative_to(unpacked)) for p in unpacked.rglob("*") if p.is_file())
    assert files == [
        "language/application/en_us.lang.php",
        "language/modules/Accounts/en_us.lang.php",
        "language/modules/Contacts/en_us.lang.php",
        "manifest.php",
        "scripts/add_panel.php",
        "scripts/remove_panel.php",
    ]


def test_every_php_file_passes_php_lint(unpacked: Path) -> None:
    for path in unpacked.rglob("*.php"):
        result = subprocess.run([_php(), "-l", str(path)], capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr


def test_manifest_creates_the_mapped_fields(unpacked: Path) -> None:
    manifest, installdefs = _php_json(
        "include 'manifest.php'; echo json_encode([$manifest, $installdefs]);", unpacked)
    assert manifest["type"] == "module"
    assert manifest["is_uninstallable"] is True
    assert manifest["version"] == "1.2.0"
    fields = {f["name"]: f for f in installdefs["custom_fields"]}
    assert set(fields) == {"sp_lifecycle_stage_c", "sp_clv_c", "sp_churn_c", "sp_enriched_at_c"}
    stage = fields["sp_lifecycle_stage_c"]
    assert (stage["module"], stage["type"], stage["options"], stage["len"]) == (
        "Accounts", "enum", "sp_lifecycle_stage_list", 100)
    assert stage["label"] == "LBL_SP_LIFECYCLE_STAGE_C"
    assert stage["help"] == "It's where the customer stands \\ now."
    assert (fields["sp_clv_c"]["type"], fields["sp_clv_c"]["len"],
            fields["sp_clv_c"]["precision"]) == ("decimal", 18, 2)
    assert fields["sp_churn_c"]["precision"] == 4
    assert fields["sp_enriched_at_c"]["type"] == "datetimecombo"
    languages = {(lang["to_module"], lang["from"]) for lang in installdefs["language"]}
    assert ("application", "<basepath>/language/application/en_us.lang.php") in languages
    assert ("Contacts", "<basepath>/language/modules/Contacts/en_us.lang.php") in languages
    for script in installdefs["post_execute"] + installdefs["pre_uninstall"]:
        assert (unpacked / script.removeprefix("<basepath>/")).is_file()


def test_language_files_hold_labels_and_dropdowns(unpacked: Path) -> None:
    lists = _php_json("include 'language/application/en_us.lang.php';"
                      "echo json_encode($app_list_strings);", unpacked)
    assert lists == {"sp_lifecycle_stage_list": {"": "", "new": "New", "at_risk": "At risk"}}
    labels = _php_json("include 'language/modules/Contacts/en_us.lang.php';"
                       "echo json_encode($mod_strings);", unpacked)
    assert labels == {PANEL_KEY: "SuitePulse", "LBL_SP_CHURN_C": "Churn risk",
                      "LBL_SP_ENRICHED_AT_C": "Enriched at"}


_PARSER_STUB = """<?php
define('MB_DETAILVIEW', 'detailview');
class StubParser {
    public $_viewdefs;
    public static $saved = [];
    public function __construct(public string $module) {
        $this->_viewdefs = ['templateMeta' => ['maxColumns' => '2', 'tabDefs' => []],
                            'panels' => ['default' => [['name', 'phone_office']]]];
        if (isset(self::$saved[$module])) { $this->_viewdefs = self::$saved[$module]; }
    }
    public function getMaxColumns() { return $this->_viewdefs['templateMeta']['maxColumns']; }
    public function handleSave($populate = true) { self::$saved[$this->module] = $this->_viewdefs; }
}
class ParserFactory {
    public static function getParser($view, $module) {
        if ($view !== MB_DETAILVIEW) { throw new Exception("view $view"); }
        return new StubParser($module);
    }
}
"""


def test_install_script_adds_a_suitepulse_panel_and_uninstall_removes_it(
    unpacked: Path,
) -> None:
    stub = unpacked / "modules/ModuleBuilder/parsers/ParserFactory.php"
    stub.parent.mkdir(parents=True)
    stub.write_text(_PARSER_STUB)
    installed = _php_json(
        "define('sugarEntry', true); include 'scripts/add_panel.php';"
        "echo json_encode(StubParser::$saved);", unpacked)
    panel = installed["Accounts"]["panels"][PANEL_KEY]
    assert panel == [[{"name": "sp_lifecycle_stage_c", "label": "LBL_SP_LIFECYCLE_STAGE_C"},
                      {"name": "sp_clv_c", "label": "LBL_SP_CLV_C"}]]
    assert installed["Accounts"]["panels"]["default"] == [["name", "phone_office"]]
    assert installed["Contacts"]["templateMeta"]["tabDefs"][PANEL_KEY]["panelDefault"] == (
        "expanded")
    removed = _php_json(
        "define('sugarEntry', true); include 'scripts/add_panel.php';"
        "include 'scripts/remove_panel.php'; echo json_encode(StubParser::$saved);", unpacked)
    assert list(removed["Accounts"]["panels"]) == ["default"]
    assert removed["Accounts"]["templateMeta"]["tabDefs"] == []


def test_scripts_refuse_to_run_outside_suitecrm(unpacked: Path) -> None:
    result = subprocess.run([_php(), "scripts/add_panel.php"], cwd=unpacked, capture_output=True,
                            text=True, timeout=60)
    assert "Not A Valid Entry Point" in result.stdout


def test_equal_input_gives_equal_bytes(make_spec: SpecFactory) -> None:
    from datetime import UTC, datetime

    when = datetime(2026, 1, 1, tzinfo=UTC)
    first = build_package(_specs(make_spec), client="acme", version="1", published=when)
    assert first == build_package(_specs(make_spec), client="acme", version="1", published=when)


def test_decimals_and_floats_carry_their_precision_in_ext1(unpacked: Path) -> None:
    _, installdefs = _php_json(
        "include 'manifest.php'; echo json_encode([$manifest, $installdefs]);", unpacked)
    fields = {f["name"]: f for f in installdefs["custom_fields"]}
    assert (fields["sp_clv_c"]["ext1"], fields["sp_clv_c"]["precision"]) == (2, 2)
    assert (fields["sp_churn_c"]["ext1"], fields["sp_churn_c"]["precision"]) == (4, 4)


# A parser that saves the layout to custom/ as SuiteCRM's does, starting from the core one.
_SAVING_STUB = _PARSER_STUB.replace(
    "public function handleSave($populate = true) { self::$saved[$this->module] = "
    "$this->_viewdefs; }",
    "public function handleSave($populate = true) { self::$saved[$this->module] = "
    "$this->_viewdefs; $f = 'custom/modules/' . $this->module . "
    "'/metadata/detailviewdefs.php'; @mkdir(dirname($f), 0775, true); "
    "file_put_contents($f, '<?php // ' . json_encode($this->_viewdefs)); }")


def _install_then_uninstall(unpacked: Path, between: str = "") -> None:
    stub = unpacked / "modules/ModuleBuilder/parsers/ParserFactory.php"
    stub.parent.mkdir(parents=True, exist_ok=True)
    stub.write_text(_SAVING_STUB)
    for module in ("Accounts", "Contacts"):  # what SuiteCRM leaves per field at install
        extension = unpacked / f"custom/Extension/modules/{module}/Ext/Vardefs"
        extension.mkdir(parents=True, exist_ok=True)
    for name, module in (("sp_clv_c", "Accounts"), ("sp_churn_c", "Contacts")):
        (unpacked / f"custom/Extension/modules/{module}/Ext/Vardefs/"
                    f"_override_sugarfield_{name}.php").write_text("<?php // merge dom")
    subprocess.run([_php(), "-r", "define('sugarEntry', true); include 'scripts/add_panel.php';"
                    + between], cwd=unpacked, check=True, timeout=60)
    subprocess.run([_php(), "-r", "define('sugarEntry', true); "
                    "include 'scripts/remove_panel.php';"], cwd=unpacked, check=True, timeout=60)


def _custom_files(unpacked: Path) -> list[str]:
    return sorted(str(p.relative_to(unpacked)) for p in (unpacked / "custom").rglob("*")
                  if p.is_file())


def test_uninstall_leaves_no_file_the_install_made(unpacked: Path) -> None:
    _install_then_uninstall(unpacked)
    assert _custom_files(unpacked) == []  # core layout again, no vardef override, no state


def test_uninstall_keeps_a_layout_that_existed_or_was_edited_without_our_panel(
        unpacked: Path) -> None:
    own = unpacked / "custom/modules/Accounts/metadata/detailviewdefs.php"
    own.parent.mkdir(parents=True)
    own.write_text("<?php // the customer's own layout")
    edit = ("file_put_contents('custom/modules/Contacts/metadata/detailviewdefs.php', "
            "' edited', FILE_APPEND);")
    _install_then_uninstall(unpacked, between=edit)
    assert _custom_files(unpacked) == ["custom/modules/Accounts/metadata/detailviewdefs.php",
                                       "custom/modules/Contacts/metadata/detailviewdefs.php"]
    for path in (own, unpacked / "custom/modules/Contacts/metadata/detailviewdefs.php"):
        assert PANEL_KEY not in path.read_text()
