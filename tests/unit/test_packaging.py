"""Our packages are imported from this project, never shadowed by a foreign package."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
PACKAGES = ["connectors", "sync", "enrichment", "sandbox", "cli"]


@pytest.mark.parametrize("name", PACKAGES)
def test_package_is_imported_from_this_project(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__file__ is not None
    assert Path(module.__file__).resolve().parent == PROJECT / name


def test_every_shipped_package_is_listed_in_pyproject() -> None:
    import tomllib

    pyproject = tomllib.loads((PROJECT / "pyproject.toml").read_text())
    assert pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"] == PACKAGES
