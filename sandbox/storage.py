"""SQLite storage of the sandbox: one table per module, a link table, custom fields.

Module tables are ``WITHOUT ROWID`` tables keyed by ``id``, so the default (id) order and
offset paging walk the primary key; ``date_modified`` is indexed for sync-style filters.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sandbox.schema import ModuleDef, Schema
from sandbox.values import column_affinity

__all__ = ["Store"]

_SIDE_TABLES = """
CREATE TABLE IF NOT EXISTS sandbox_links (
    relationship TEXT NOT NULL, a_module TEXT NOT NULL, a_id TEXT NOT NULL,
    b_module TEXT NOT NULL, b_id TEXT NOT NULL, date_modified TEXT,
    PRIMARY KEY (relationship, a_id, b_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sandbox_links_b ON sandbox_links (relationship, b_id);
CREATE TABLE IF NOT EXISTS sandbox_custom_fields (
    module TEXT NOT NULL, name TEXT NOT NULL, meta TEXT NOT NULL, PRIMARY KEY (module, name)
);
CREATE TABLE IF NOT EXISTS sandbox_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sandbox_campaigns (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, sent_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS sandbox_email_messages (
    id TEXT PRIMARY KEY, contact_id TEXT NOT NULL, email TEXT NOT NULL, direction TEXT NOT NULL,
    subject TEXT NOT NULL, sent_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sandbox_email_messages_at ON sandbox_email_messages (sent_at);
CREATE TABLE IF NOT EXISTS sandbox_campaign_activity (
    campaign_id TEXT NOT NULL, contact_id TEXT NOT NULL, email TEXT NOT NULL,
    action TEXT NOT NULL, occurred_at TEXT NOT NULL, url TEXT
);
CREATE INDEX IF NOT EXISTS sandbox_campaign_activity_c
    ON sandbox_campaign_activity (campaign_id, email);
CREATE TABLE IF NOT EXISTS sandbox_web_visits (
    id INTEGER PRIMARY KEY, contact_id TEXT, user_id TEXT, visitor_id TEXT NOT NULL,
    started_at TEXT NOT NULL, duration_s INTEGER NOT NULL, pages TEXT NOT NULL,
    referrer_type TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS sandbox_web_visits_at ON sandbox_web_visits (started_at);
"""


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Store:
    """The sandbox's database; safe to share between threads (one lock)."""

    def __init__(self, schema: Schema, path: Path | None = None) -> None:
        self.schema = schema
        self.path = path
        target = str(path) if path is not None else ":memory:"
        self._db = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL" if path else "PRAGMA journal_mode=MEMORY")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("PRAGMA cache_size=-200000")
        self.lock = threading.RLock()
        with self.lock:
            self._db.executescript(_SIDE_TABLES)
            self._load_custom_fields()
            for module in schema.modules.values():
                self._create_table(module)

    # -- schema ---------------------------------------------------------------------------

    def _load_custom_fields(self) -> None:
        rows = self._db.execute(
            "SELECT module, name, meta FROM sandbox_custom_fields ORDER BY rowid"
        ).fetchall()
        for module, name, meta in rows:
            if module in self.schema.modules:
                self.schema.add_custom_field(module, name, json.loads(meta))

    def _create_table(self, module: ModuleDef) -> None:
        columns = [f"{_q(n)} {column_affinity(module.fields.get(n, {}))}"
                   for n in module.stored_fields if n != "id"]
        self._db.execute(
            f"CREATE TABLE IF NOT EXISTS {_q(module.table)} "
            f"(id TEXT PRIMARY KEY, {', '.join(columns)}) WITHOUT ROWID"
        )
        existing = {row[1] for row in self._db.execute(f"PRAGMA table_info({_q(module.table)})")}
        for name in module.stored_fields:
            if name not in existing:
                affinity = column_affinity(module.fields[name])
                self._db.execute(
                    f"ALTER TABLE {_q(module.table)} ADD COLUMN {_q(name)} {affinity}"
                )
        # Small covering indexes, so paging in id order (the default) and date_modified
        # windows walk an index instead of the wide rows.
        self._db.execute(f"CREATE INDEX IF NOT EXISTS {_q(module.table + '_live')} "
                         f"ON {_q(module.table)} (deleted, id)")
        if "date_modified" in module.fields:
            self._db.execute(
                f"CREATE INDEX IF NOT EXISTS {_q(module.table + '_dm')} "
                f"ON {_q(module.table)} (deleted, date_modified, id)"
            )

    def add_custom_field(self, module: str, name: str, meta: dict[str, Any]) -> None:
        """Declare a ``_c`` field (as installing a fields package would) and add its column."""
        with self.lock:
            self.schema.add_custom_field(module, name, meta)
            self._db.execute(
                "INSERT OR REPLACE INTO sandbox_custom_fields (module, name, meta) VALUES (?,?,?)",
                (module, name, json.dumps(meta)),
            )
            self._create_table(self.schema.modules[module])

    # -- generic SQL ----------------------------------------------------------------------

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a SELECT and return every row."""
        with self.lock:
            return self._db.execute(sql, params).fetchall()

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it changed."""
        with self.lock:
            return self._db.execute(sql, params).rowcount

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Run one statement for many rows in one transaction."""
        with self.lock, self.transaction():
            self._db.executemany(sql, rows)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN ... COMMIT (ROLLBACK on error); nested use joins the outer transaction."""
        with self.lock:
            if self._db.in_transaction:
                yield
                return
            self._db.execute("BEGIN")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def info(self, key: str) -> str | None:
        """A value of the sandbox_info table."""
        rows = self.query("SELECT value FROM sandbox_info WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def set_info(self, key: str, value: str) -> None:
        """Set a value of the sandbox_info table."""
        self.execute("INSERT OR REPLACE INTO sandbox_info (key, value) VALUES (?, ?)", (key, value))

    # -- records --------------------------------------------------------------------------

    def insert(self, module: ModuleDef, values: dict[str, Any]) -> None:
        """Insert one row; ``values`` holds stored columns only, ``id`` included."""
        names = list(values)
        self.execute(
            f"INSERT INTO {_q(module.table)} ({', '.join(_q(n) for n in names)}) "
            f"VALUES ({', '.join('?' for _ in names)})",
            [values[n] for n in names],
        )

    def insert_many(self, module: ModuleDef, names: Sequence[str],
                    rows: Iterable[Sequence[Any]]) -> None:
        """Bulk insert rows whose columns are ``names``."""
        self.executemany(
            f"INSERT INTO {_q(module.table)} ({', '.join(_q(n) for n in names)}) "
            f"VALUES ({', '.join('?' for _ in names)})",
            rows,
        )

    def update(self, module: ModuleDef, record_id: str, values: dict[str, Any]) -> None:
        """Set some columns of one row."""
        if not values:
            return
        assignments = ", ".join(f"{_q(n)} = ?" for n in values)
        self.execute(
            f"UPDATE {_q(module.table)} SET {assignments} WHERE id = ?",
            [*values.values(), record_id],
        )

    def fetch_many(self, module: ModuleDef, ids: Sequence[str], *,
                   columns: Sequence[str] | None = None,
                   include_deleted: bool = False) -> list[dict[str, Any]]:
        """Rows by id, in the order of ``ids``."""
        if not ids:
            return []
        names = ["id", *(c for c in (columns or module.stored_fields) if c != "id")]
        deleted = "" if include_deleted else " AND deleted = 0"
        placeholders = ", ".join("?" for _ in ids)
        rows = self.query(
            f"SELECT {', '.join(_q(n) for n in names)} FROM {_q(module.table)} "
            f"WHERE id IN ({placeholders}){deleted}",
            list(ids),
        )
        by_id = {row[0]: dict(zip(names, row, strict=True)) for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    def exists(self, module: ModuleDef, record_id: str, *, include_deleted: bool) -> bool:
        """Whether a row with this id exists."""
        deleted = "" if include_deleted else " AND deleted = 0"
        rows = self.query(
            f"SELECT 1 FROM {_q(module.table)} WHERE id = ?{deleted}", (record_id,)
        )
        return bool(rows)

    # -- links ----------------------------------------------------------------------------

    def link(self, relationship: str, a_module: str, a_id: str, b_module: str, b_id: str,
             date_modified: str) -> None:
        """Relate two records (idempotent)."""
        if self.related_ids(relationship, a_module, a_id, b_module, only=b_id):
            return
        self.execute(
            "INSERT OR REPLACE INTO sandbox_links VALUES (?, ?, ?, ?, ?, ?)",
            (relationship, a_module, a_id, b_module, b_id, date_modified),
        )

    def unlink(self, relationship: str, module: str, record_id: str, other: str) -> int:
        """Remove the relation between two records, whichever side they are on."""
        return self.execute(
            "DELETE FROM sandbox_links WHERE relationship = ? AND "
            "((a_module = ? AND a_id = ? AND b_id = ?) "
            "OR (b_module = ? AND b_id = ? AND a_id = ?))",
            (relationship, module, record_id, other, module, record_id, other),
        )

    def related_ids(self, relationship: str, module: str, record_id: str, other_module: str,
                    *, only: str | None = None) -> list[str]:
        """Ids of ``other_module`` related to one record, in id order."""
        extra_a = " AND b_id = ?" if only else ""
        extra_b = " AND a_id = ?" if only else ""
        params_a: list[Any] = [relationship, module, record_id, other_module]
        params_b: list[Any] = [relationship, module, record_id, other_module]
        if only:
            params_a.append(only)
            params_b.append(only)
        rows = self.query(
            "SELECT b_id FROM sandbox_links WHERE relationship = ? AND a_module = ? AND a_id = ? "
            f"AND b_module = ?{extra_a} UNION "
            "SELECT a_id FROM sandbox_links WHERE relationship = ? AND b_module = ? AND b_id = ? "
            f"AND a_module = ?{extra_b} ORDER BY 1",
            [*params_a, *params_b],
        )
        return [str(r[0]) for r in rows]

    def first_related(self, relationship: str, module: str, ids: Sequence[str],
                      other_module: str) -> dict[str, str]:
        """For each id, the first related id of ``other_module`` (as relate fields show it)."""
        result: dict[str, str] = {}
        if not ids:
            return result
        placeholders = ", ".join("?" for _ in ids)
        rows = self.query(
            f"SELECT a_id, b_id FROM sandbox_links WHERE relationship = ? AND a_module = ? "
            f"AND b_module = ? AND a_id IN ({placeholders}) UNION ALL "
            f"SELECT b_id, a_id FROM sandbox_links WHERE relationship = ? AND b_module = ? "
            f"AND a_module = ? AND b_id IN ({placeholders}) ORDER BY 1, 2",
            [relationship, module, other_module, *ids, relationship, module, other_module, *ids],
        )
        for own, other in rows:
            result.setdefault(str(own), str(other))
        return result

    def analyze(self) -> None:
        """Gather the planner's statistics where they are missing.

        Without them SQLite walks a whole relationship by primary key instead of using the
        (relationship, b_id) index, which made every PATCH of a large sandbox take 10-25 ms.
        """
        if not self.query("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"):
            self.execute("ANALYZE")

    def close(self) -> None:
        """Close the database."""
        with self.lock:
            self._db.close()
