"""A stub SuiteCRM site (``suitecrm_stub/``) in which php-cli runs the fields package's scripts.

The stub holds Studio's parsers as far as the scripts use them and the core layouts of
Accounts and Contacts, abbreviated.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

STUB = Path(__file__).parent / "suitecrm_stub"
MODULES = ("Accounts", "Contacts")


def php() -> str:
    """The php-cli executable (the test fails, not skips, without it)."""
    found = shutil.which("php")
    if found is None:
        pytest.fail("php-cli is needed to check the fields package: apt-get install php-cli")
    return found


def php_json(php_code: str, cwd: Path) -> Any:
    """What ``php_code`` echoes as JSON, run in ``cwd``."""
    result = subprocess.run([php(), "-r", php_code], cwd=cwd, capture_output=True, text=True,
                            check=True, timeout=60)
    return json.loads(result.stdout)


def make_site(unpacked: Path) -> Path:
    """``unpacked`` (an extracted package) inside the stub, as Module Loader runs its scripts."""
    shutil.copytree(STUB, unpacked, dirs_exist_ok=True)
    return unpacked


def run_php(site: Path, *scripts: str, then: str = "") -> None:
    """Run the package's ``scripts/<name>.php`` in order, then the PHP in ``then``."""
    code = "define('sugarEntry', true); " + "".join(
        f"include 'scripts/{script}.php'; " for script in scripts) + then
    result = subprocess.run([php(), "-r", code], cwd=site, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and not result.stdout, result.stdout + result.stderr


def layouts(site: Path) -> dict[str, dict[str, Any]]:
    """The layouts SuiteCRM would show per module (custom/ if there, else core): ``detail``,
    ``list`` and ``search`` (``basic_search`` and ``advanced_search``)."""
    modules = ", ".join(f"'{module}'" for module in MODULES)
    return php_json(  # type: ignore[no-any-return]
        "require 'modules/ModuleBuilder/parsers/ParserFactory.php'; $out = [];"
        f"foreach ([{modules}] as $m) {{"
        "  $out[$m] = ['detail' => StubLayouts::load(MB_DETAILVIEW, $m),"
        "              'list' => StubLayouts::load(MB_LISTVIEW, $m),"
        "              'search' => StubLayouts::load(MB_BASICSEARCH, $m)['layout']]; }"
        "echo json_encode($out);", site)
