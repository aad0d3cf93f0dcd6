"""Who may do what, read from the imports: SQL on the store's tables is written only in
sync/store, and pull knows no concrete source, stream or write-back."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
PACKAGES = ["connectors", "sync", "enrichment", "sandbox", "cli"]
STORE = PROJECT / "sync" / "store"

ALLOWED_SQLALCHEMY = {
    "sqlalchemy.exc": None,  # error types: catching a store failure issues no SQL
    "sqlalchemy.engine": {"make_url"},  # parsing a store URL (redaction, validation)
}
"""sqlalchemy modules (and names from them) any module may import."""

PENDING = {
    "sync/writeback/audit.py": "its SQL moves into sync/store/writes.py (issue 11)",
}
"""Modules allowed to reach the store's tables for now, and why."""


def _imports(path: Path) -> Iterator[tuple[str, str | None]]:
    """(module, imported name or None) of every import in ``path``, nested ones too."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, None
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                yield node.module, alias.name


def _modules_outside_the_store() -> list[Path]:
    return [path for package in PACKAGES for path in sorted((PROJECT / package).rglob("*.py"))
            if STORE not in path.parents]


def _offends(module: str, name: str | None) -> bool:
    if module == "sync.store.schema" or (module == "sync.store" and name == "schema"):
        return True
    if module != "sqlalchemy" and not module.startswith("sqlalchemy."):
        return False
    for allowed, names in ALLOWED_SQLALCHEMY.items():
        if module == allowed or module.startswith(allowed + "."):
            return names is not None and name not in names
    return True


@pytest.mark.parametrize("path", _modules_outside_the_store(),
                         ids=lambda path: str(path.relative_to(PROJECT)))
def test_no_module_outside_the_store_issues_sql_on_its_tables(path: Path) -> None:
    relative = str(path.relative_to(PROJECT))
    offending = [f"{module}.{name}" if name else module
                 for module, name in _imports(path) if _offends(module, name)]
    if relative in PENDING:
        return
    assert not offending, (f"{relative} imports {', '.join(offending)}: store SQL belongs in "
                           "sync/store/")


def test_the_store_is_where_sql_is_written() -> None:
    """The check above looks at the right thing: the store's modules do import sqlalchemy."""
    assert any(_offends(module, name) for path in STORE.glob("*.py")
               for module, name in _imports(path))


def test_pull_imports_no_concrete_stream_source_or_write_back() -> None:
    imported = list(_imports(PROJECT / "sync" / "pull.py"))
    modules = {module for module, _ in imported}
    assert not {m for m in modules if m.startswith(("connectors", "sync.writeback"))
                and m != "connectors.errors"}  # error types only
    stream_modules = {m for m in modules if m.startswith("sync.streams")}
    assert stream_modules <= {"sync.streams", "sync.streams.cursor", "sync.streams.contract",
                              "sync.streams.connections", "sync.streams.registry"}
    from sync import streams

    for module, name in imported:
        if module == "sync.streams" and name is not None:
            value = getattr(streams, name)
            assert not isinstance(value, type) or getattr(value, "_is_protocol", False) \
                or name == "Connections", f"pull imports {name} from sync.streams"
