"""The SuiteCRM Module Loader package that creates the mapped custom fields.

The zip holds, at its root:

* ``manifest.php``: ``$manifest`` (SuiteCRM 7.x / 8.x legacy, uninstallable) and
  ``$installdefs`` with ``custom_fields`` (type, len, precision, dropdown list, label, help),
  ``language`` (labels and dropdown lists) and the layout scripts;
* ``language/application/en_us.lang.php``: the dropdown lists (``$app_list_strings``);
* ``language/modules/<Module>/en_us.lang.php``: field labels and the panel title
  (``$mod_strings``);
* ``scripts/add_layout.php`` (``post_execute``) and ``scripts/remove_layout.php``
  (``pre_uninstall``): ``sync.writeback.layout_scripts``.

Why scripts for the layout: Module Loader's ``custom_fields`` creates the fields (rows in
``fields_meta_data`` and columns in ``<table>_cstm``, ``ModuleInstaller::install_custom_fields``)
but no layout, and its ``layoutfields`` key only appends single fields to the first panel of the
edit and detail views (``ModuleInstaller::addFieldsToLayout``). The scripts add the detail-view
panel, the list-view columns and the search and filter fields the way Studio does, and take
them out again at uninstall.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from sync.writeback.fieldspec import FieldSpec
from sync.writeback.layout_scripts import PANEL_KEY, install_script, uninstall_script
from sync.writeback.php import GENERATED_HEADER, php_assign, php_literal

__all__ = ["PANEL_KEY", "build_package", "package_files", "write_package"]

_LANGUAGE = "en_us"
_INSTALL_SCRIPT = "scripts/add_layout.php"
_UNINSTALL_SCRIPT = "scripts/remove_layout.php"


def package_files(
    specs: Sequence[FieldSpec], *, client: str, version: str, published: datetime | None = None
) -> dict[str, str]:
    """The package's files by path inside the zip."""
    if not specs:
        raise ValueError("no mapped fields to package")
    modules = sorted({spec.module for spec in specs})
    files = {
        "manifest.php": _manifest(specs, modules, client, version, published),
        f"language/application/{_LANGUAGE}.lang.php": _app_strings(specs),
        _INSTALL_SCRIPT: install_script(specs),
        _UNINSTALL_SCRIPT: uninstall_script(specs),
    }
    for module in modules:
        files[f"language/modules/{module}/{_LANGUAGE}.lang.php"] = _mod_strings(
            [spec for spec in specs if spec.module == module])
    return files


def build_package(
    specs: Sequence[FieldSpec], *, client: str, version: str, published: datetime | None = None
) -> bytes:
    """The Module Loader zip, as bytes (file times fixed, so equal input gives equal bytes)."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in package_files(
            specs, client=client, version=version, published=published
        ).items():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, text)
    return buffer.getvalue()


def write_package(
    specs: Sequence[FieldSpec], out: Path, *, client: str, version: str
) -> Path:
    """Write the package to ``out`` and return it."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(build_package(specs, client=client, version=version))
    return out


def _manifest(
    specs: Sequence[FieldSpec],
    modules: list[str],
    client: str,
    version: str,
    published: datetime | None,
) -> str:
    when = (published or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M:%S")
    manifest = {
        "acceptable_sugar_versions": {"regex_matches": ["^6\\.5\\."]},
        "acceptable_suitecrm_versions": {"regex_matches": ["^7\\.", "^8\\."]},
        "acceptable_sugar_flavors": ["CE"],
        "name": f"SuitePulse fields ({client})",
        "description": "Custom fields that SuitePulse fills with customer traits: "
                       + ", ".join(spec.qualified for spec in specs),
        "author": "SuitePulse",
        "published_date": when,
        "version": version,
        "type": "module",
        "is_uninstallable": True,
        "remove_tables": "prompt",
        "key": "suitepulse",
    }
    installdefs: dict[str, Any] = {
        "id": f"suitepulse_fields_{_identifier(client)}",
        "custom_fields": [_custom_field(spec) for spec in specs],
        "language": [
            {"from": f"<basepath>/language/application/{_LANGUAGE}.lang.php",
             "to_module": "application", "language": _LANGUAGE},
            *({"from": f"<basepath>/language/modules/{module}/{_LANGUAGE}.lang.php",
               "to_module": module, "language": _LANGUAGE} for module in modules),
        ],
        "post_execute": [f"<basepath>/{_INSTALL_SCRIPT}"],
        "pre_uninstall": [f"<basepath>/{_UNINSTALL_SCRIPT}"],
    }
    return GENERATED_HEADER + php_assign("$manifest", manifest) + "\n" + php_assign(
        "$installdefs", installdefs)


def _custom_field(spec: FieldSpec) -> dict[str, Any]:
    field: dict[str, Any] = {
        "name": spec.name,
        "label": spec.label_key,
        "type": spec.type.value,
        "module": spec.module,
        "help": spec.help,
        "comments": f"SuitePulse trait {spec.trait}",
        "required": False,
        "default_value": "",
        "mass_update": False,
        "duplicate_merge": False,
        "reportable": True,
        "importable": "true",
        "audited": False,
        "inline_edit": False,
    }
    if spec.len is not None:
        field["len"] = spec.len
    if spec.precision is not None:
        field["precision"] = spec.precision
        # TemplateFloat and TemplateDecimal keep the precision in ext1: without it SuiteCRM
        # reports 8 decimals and shows 3,464.31000000
        field["ext1"] = spec.precision
    if spec.options_list is not None:
        field["options"] = spec.options_list
        field["ext1"] = spec.options_list
    return field


def _app_strings(specs: Sequence[FieldSpec]) -> str:
    text = GENERATED_HEADER
    for spec in specs:
        if spec.options_list is not None and spec.options is not None:
            text += php_assign(
                f"$app_list_strings[{php_literal(spec.options_list)}]",
                {"": "", **spec.options},
            )
    return text


def _mod_strings(specs: Sequence[FieldSpec]) -> str:
    text = GENERATED_HEADER + php_assign(f"$mod_strings[{php_literal(PANEL_KEY)}]", "SuitePulse")
    for spec in specs:
        text += php_assign(f"$mod_strings[{php_literal(spec.label_key)}]", spec.label)
    return text


def _identifier(text: str) -> str:
    return "".join(char if char.isalnum() else "_" for char in text.lower())
