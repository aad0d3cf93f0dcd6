"""The fields package is a Module Loader zip whose PHP is valid and means what we mapped."""

from __future__ import annotations

import subprocess
import zipfile
from dataclasses import replace
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from sync.settings import FieldType, ListColumn
from sync.writeback.fieldspec import FieldSpec
from sync.writeback.package import PANEL_KEY, build_package
from tests.unit.writeback.conftest import SpecFactory
from tests.unit.writeback.stub_site import MODULES, layouts, make_site, php, php_json, run_php


def _specs(make_spec: SpecFactory) -> list[FieldSpec]:
    return [
        make_spec(FieldType.ENUM, trait="lifecycle_stage", module="Contacts",
                  name="sp_lifecycle_stage_c", label="Lifecycle stage", len=100,
                  help="It's where the customer stands \\ now.",
                  options={"new": "New", "at_risk": "At risk"}, list_column=ListColumn.SHOWN),
        make_spec(FieldType.ENUM, trait="rfm_segment", module="Contacts",
                  name="sp_rfm_segment_c", label="RFM segment", len=100,
                  options={"champions": "Champions", "hibernating": "Hibernating"}),
        make_spec(FieldType.FLOAT, trait="churn_risk", module="Contacts", name="sp_churn_c",
                  label="Churn risk", len=18, precision=4),
        make_spec(FieldType.DECIMAL, trait="clv", module="Accounts", name="sp_clv_c",
                  label="Customer value", len=18, precision=2, list_column=ListColumn.SHOWN),
        make_spec(FieldType.DATETIME, trait="enriched_at", module="Accounts",
                  name="sp_enriched_at_c", label="Enriched at"),
    ]


@pytest.fixture
def unpacked(make_spec: SpecFactory, tmp_path: Path) -> Path:
    data = build_package(_specs(make_spec), client="acme", version="1.2.0")
    with zipfile.ZipFile(BytesIO(data)) as archive:
        archive.extractall(tmp_path / "pkg")
    return tmp_path / "pkg"


def test_package_has_the_module_loader_layout(unpacked: Path) -> None:
    files = sorted(str(p.relative_to(unpacked)) for p in unpacked.rglob("*") if p.is_file())
    assert files == [
        "language/application/en_us.lang.php",
        "language/modules/Accounts/en_us.lang.php",
        "language/modules/Contacts/en_us.lang.php",
        "manifest.php",
        "scripts/add_layout.php",
        "scripts/remove_layout.php",
    ]


def test_every_php_file_passes_php_lint(unpacked: Path) -> None:
    for path in unpacked.rglob("*.php"):
        result = subprocess.run([php(), "-l", str(path)], capture_output=True, text=True,
                                timeout=60)
        assert result.returncode == 0, result.stdout + result.stderr


def test_manifest_creates_the_mapped_fields(unpacked: Path) -> None:
    manifest, installdefs = php_json(
        "include 'manifest.php'; echo json_encode([$manifest, $installdefs]);", unpacked)
    assert manifest["type"] == "module"
    assert manifest["is_uninstallable"] is True
    assert manifest["version"] == "1.2.0"
    fields = {f["name"]: f for f in installdefs["custom_fields"]}
    assert set(fields) == {"sp_lifecycle_stage_c", "sp_rfm_segment_c", "sp_clv_c", "sp_churn_c",
                           "sp_enriched_at_c"}
    stage = fields["sp_lifecycle_stage_c"]
    assert (stage["module"], stage["type"], stage["options"], stage["len"]) == (
        "Contacts", "enum", "sp_lifecycle_stage_list", 100)
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
    lists = php_json("include 'language/application/en_us.lang.php';"
                      "echo json_encode($app_list_strings);", unpacked)
    assert lists == {"sp_lifecycle_stage_list": {"": "", "new": "New", "at_risk": "At risk"},
                     "sp_rfm_segment_list": {"": "", "champions": "Champions",
                                             "hibernating": "Hibernating"}}
    labels = php_json("include 'language/modules/Accounts/en_us.lang.php';"
                       "echo json_encode($mod_strings);", unpacked)
    assert labels == {PANEL_KEY: "SuitePulse", "LBL_SP_CLV_C": "Customer value",
                      "LBL_SP_ENRICHED_AT_C": "Enriched at"}


def test_scripts_refuse_to_run_outside_suitecrm(unpacked: Path) -> None:
    result = subprocess.run([php(), "scripts/add_layout.php"], cwd=unpacked,
                            capture_output=True, text=True, timeout=60)
    assert "Not A Valid Entry Point" in result.stdout


def test_equal_input_gives_equal_bytes(make_spec: SpecFactory) -> None:
    from datetime import UTC, datetime

    when = datetime(2026, 1, 1, tzinfo=UTC)
    first = build_package(_specs(make_spec), client="acme", version="1", published=when)
    assert first == build_package(_specs(make_spec), client="acme", version="1", published=when)


def test_decimals_and_floats_carry_their_precision_in_ext1(unpacked: Path) -> None:
    _, installdefs = php_json(
        "include 'manifest.php'; echo json_encode([$manifest, $installdefs]);", unpacked)
    fields = {f["name"]: f for f in installdefs["custom_fields"]}
    assert (fields["sp_clv_c"]["ext1"], fields["sp_clv_c"]["precision"]) == (2, 2)
    assert (fields["sp_churn_c"]["ext1"], fields["sp_churn_c"]["precision"]) == (4, 4)


# -- the layout scripts, run by php-cli in a stub SuiteCRM site (stub_site.py)

@pytest.fixture
def site(unpacked: Path) -> Path:
    """The unpacked package in a stub SuiteCRM, with the vardef overrides SuiteCRM writes."""
    make_site(unpacked)
    for name, module in (("sp_clv_c", "Accounts"), ("sp_churn_c", "Contacts")):
        override = (unpacked / f"custom/Extension/modules/{module}/Ext/Vardefs/"
                               f"_override_sugarfield_{name}.php")
        override.parent.mkdir(parents=True, exist_ok=True)
        override.write_text("<?php // merge dom")
    return unpacked


def _install(site: Path) -> None:
    run_php(site, "add_layout")


def _uninstall(site: Path) -> None:
    run_php(site, "remove_layout")


def _search_names(layout: dict[str, Any], view: str) -> list[str]:
    entries = layout["search"][view]
    return [entry["name"] if isinstance(entry, dict) else entry
            for entry in (entries.values() if isinstance(entries, dict) else entries)]


def _custom_files(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes()
            for p in sorted((site / "custom").rglob("*")) if p.is_file()}


def test_install_adds_a_column_per_field_shown_or_available_as_configured(site: Path) -> None:
    before = layouts(site)
    _install(site)
    after = layouts(site)
    contacts = after["Contacts"]["list"]
    assert list(contacts) == [*before["Contacts"]["list"], "SP_LIFECYCLE_STAGE_C",
                              "SP_RFM_SEGMENT_C", "SP_CHURN_C"]
    assert contacts["SP_LIFECYCLE_STAGE_C"] == {
        "type": "enum", "label": "LBL_SP_LIFECYCLE_STAGE_C", "studio": "visible",
        "width": "10%", "default": True}
    assert contacts["SP_RFM_SEGMENT_C"]["default"] is False  # available, not shown
    assert contacts["SP_CHURN_C"] == {"type": "float", "label": "LBL_SP_CHURN_C",
                                      "width": "10%", "default": False}
    accounts = after["Accounts"]["list"]
    assert (accounts["SP_CLV_C"]["default"], accounts["SP_ENRICHED_AT_C"]["default"]) == (
        True, False)
    assert accounts["SP_ENRICHED_AT_C"]["type"] == "datetimecombo"
    for module in MODULES:  # the site's columns as they were
        assert {k: v for k, v in after[module]["list"].items() if not k.startswith("SP_")} == (
            before[module]["list"])


def test_install_adds_every_field_to_the_search_and_filter_with_dropdowns_for_enums(
        site: Path) -> None:
    _install(site)
    shown = layouts(site)
    mapped = {"Contacts": ["sp_lifecycle_stage_c", "sp_rfm_segment_c", "sp_churn_c"],
              "Accounts": ["sp_clv_c", "sp_enriched_at_c"]}
    for module, names in mapped.items():
        for view in ("basic_search", "advanced_search"):
            assert _search_names(shown[module], view)[-len(names):] == names
    advanced = shown["Contacts"]["search"]["advanced_search"]
    for enum in ("sp_lifecycle_stage_c", "sp_rfm_segment_c"):  # drawn as a multi-select
        assert (advanced[enum]["type"], advanced[enum]["studio"]) == ("enum", "visible")
    assert advanced["sp_churn_c"] == {"type": "float", "label": "LBL_SP_CHURN_C",
                                      "width": "10%", "default": True, "name": "sp_churn_c"}
    assert _search_names(shown["Contacts"], "basic_search")[:2] == [
        "search_name", "current_user_only"]


def test_install_adds_a_suitepulse_panel_to_the_detail_view(site: Path) -> None:
    before = layouts(site)
    _install(site)
    detail = layouts(site)["Contacts"]["detail"]
    assert detail["panels"][PANEL_KEY] == [
        [{"name": "sp_lifecycle_stage_c", "label": "LBL_SP_LIFECYCLE_STAGE_C"},
         {"name": "sp_rfm_segment_c", "label": "LBL_SP_RFM_SEGMENT_C"}],
        [{"name": "sp_churn_c", "label": "LBL_SP_CHURN_C"}]]
    assert detail["templateMeta"]["tabDefs"][PANEL_KEY]["panelDefault"] == "expanded"
    assert {k: v for k, v in detail["panels"].items() if k != PANEL_KEY} == (
        before["Contacts"]["detail"]["panels"])


def test_installing_twice_adds_nothing_twice(site: Path) -> None:
    _install(site)
    once = layouts(site)
    _install(site)
    assert layouts(site) == once
    _uninstall(site)
    assert _custom_files(site) == {}  # still the core layouts after uninstall


def test_uninstall_leaves_no_file_the_install_made(site: Path) -> None:
    _install(site)
    assert "custom/modules/Contacts/metadata/listviewdefs.php" in _custom_files(site)
    _uninstall(site)
    assert _custom_files(site) == {}  # core layouts again, no vardef override, no state


def test_uninstall_gives_back_the_sites_own_layouts_byte_for_byte(site: Path) -> None:
    # the site's own list view and search, as Studio saved them
    run_php(site, then="require 'modules/ModuleBuilder/parsers/ParserFactory.php';"
         "$p = ParserFactory::getParser(MB_LISTVIEW, 'Contacts');"
         "$p->_viewdefs['phone_work']['default'] = true; $p->handleSave(false);"
         "$p = ParserFactory::getParser(MB_ADVANCEDSEARCH, 'Accounts');"
         "unset($p->_viewdefs['industry']); $p->handleSave(false);")
    own = {k: v for k, v in _custom_files(site).items() if "/Vardefs/" not in k}
    assert sorted(own) == ["custom/modules/Accounts/metadata/searchdefs.php",
                           "custom/modules/Contacts/metadata/listviewdefs.php"]
    _install(site)
    _uninstall(site)
    assert _custom_files(site) == own


def test_uninstall_keeps_what_the_site_changed_after_the_install(site: Path) -> None:
    _install(site)
    # after the install, someone shows phone_work, widens our column and drops email from
    # the filter in Studio
    run_php(site, then="require 'modules/ModuleBuilder/parsers/ParserFactory.php';"
         "$p = ParserFactory::getParser(MB_LISTVIEW, 'Contacts');"
         "$p->_viewdefs['phone_work']['default'] = true;"
         "$p->_viewdefs['sp_churn_c']['width'] = '20%'; $p->handleSave(false);"
         "$p = ParserFactory::getParser(MB_ADVANCEDSEARCH, 'Contacts');"
         "unset($p->_viewdefs['email']); $p->handleSave(false);")
    _uninstall(site)
    contacts = layouts(site)["Contacts"]
    assert list(contacts["list"]) == ["NAME", "TITLE", "EMAIL1", "PHONE_WORK"]
    assert contacts["list"]["PHONE_WORK"]["default"] is True
    assert _search_names(contacts, "advanced_search") == ["first_name"]
    assert _search_names(contacts, "basic_search") == ["search_name", "current_user_only"]
    assert PANEL_KEY not in contacts["detail"]["panels"]
    # Accounts, untouched since the install, is back to the core layout
    assert "custom/modules/Accounts/metadata/listviewdefs.php" not in _custom_files(site)


def test_a_new_version_applies_list_column_again_and_keeps_a_columns_width(
        make_spec: SpecFactory, site: Path) -> None:
    _install(site)
    run_php(site, then="require 'modules/ModuleBuilder/parsers/ParserFactory.php';"
         "$p = ParserFactory::getParser(MB_LISTVIEW, 'Contacts');"
         "$p->_viewdefs['sp_churn_c']['width'] = '20%'; $p->handleSave(false);")
    shown = [replace(spec, list_column=ListColumn.SHOWN) for spec in _specs(make_spec)]
    with zipfile.ZipFile(BytesIO(build_package(shown, client="acme", version="1.3.0"))) as zipped:
        zipped.extractall(site)
    _install(site)
    churn = layouts(site)["Contacts"]["list"]["SP_CHURN_C"]
    assert (churn["default"], churn["width"]) == (True, "20%")


def test_a_layout_noted_by_an_earlier_package_is_still_given_back(site: Path) -> None:
    # an earlier package added only the panel, and noted only whether a custom layout existed
    run_php(site, then="require 'modules/ModuleBuilder/parsers/ParserFactory.php';"
         "foreach (['Accounts', 'Contacts'] as $m) {"
         "  $p = ParserFactory::getParser(MB_DETAILVIEW, $m);"
         f"  $p->_viewdefs['panels']['{PANEL_KEY}'] = [[['name' => 'sp_clv_c']]];"
         "  $p->handleSave(false); $f = \"custom/modules/$m/metadata/detailviewdefs.php\";"
         "  file_put_contents(\"custom/modules/$m/metadata/suitepulse_layout.json\","
         "    json_encode(['had_custom_layout' => false, 'installed_md5' => md5_file($f)])); }")
    _install(site)
    _uninstall(site)
    assert _custom_files(site) == {}


def test_uninstall_clears_the_cached_templates_of_a_layout_it_gave_back(site: Path) -> None:
    _install(site)
    cached = site / "cache/modules/Contacts/SearchForm_advanced_search.tpl"
    cached.parent.mkdir(parents=True)
    cached.write_text("{* the filter as drawn with SuitePulse's fields *}")
    _uninstall(site)
    assert not cached.exists()  # else SuiteCRM keeps drawing the removed filter fields
