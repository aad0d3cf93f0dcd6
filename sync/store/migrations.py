"""Schema versions of the store and the upgrades between them, applied in place, in order.

Each migration takes a connection inside the upgrade's transaction. A migration that alters
a table created earlier must not rely on ``schema`` for the old shape: version 1 is frozen here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Final

from sqlalchemy import Column, Connection, Index, MetaData, Table, func, inspect, select

from sync.errors import StateError
from sync.store import schema
from sync.store.types import utc_now

__all__ = ["LATEST_VERSION", "MIGRATIONS", "current_version", "upgrade"]

log = logging.getLogger(__name__)

_V1_TABLES: Final = ("schema_version", "cursors", "identities", "interactions", "traits",
                     "runs", "locks")
_V2_TABLES: Final = ("module_fields", "trait_history", "ticks", "alerts_sent")
_LATER_RECORD_COLUMNS: Final = ("listed_at", "changed_at")
_LATER_WRITES_COLUMNS: Final = ("state",)
_LATER_INTERACTION_COLUMNS: Final = ("amount", "currency", "detail")


def _v1(connection: Connection) -> None:
    """Records, cursors, identities, interactions, traits, writes, runs, locks."""
    frozen = MetaData()
    for name in _V1_TABLES:
        if name != "interactions":
            schema.METADATA.tables[name].to_metadata(frozen)
    interactions = Table("interactions", frozen, *(
        Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
        for c in schema.INTERACTIONS.columns if c.name not in _LATER_INTERACTION_COLUMNS))
    Index("ix_interactions_match", interactions.c.match)
    Table("records", frozen, *(
        Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable)
        for c in schema.RECORDS.columns if c.name not in _LATER_RECORD_COLUMNS))
    Table("writes", frozen, *(
        Column(c.name, c.type, primary_key=c.primary_key, nullable=c.nullable,
               autoincrement=c.autoincrement)
        for c in schema.WRITES.columns if c.name not in _LATER_WRITES_COLUMNS))
    Index("ix_writes_run", frozen.tables["writes"].c.run_id)
    frozen.create_all(connection)


def _add_record_column(connection: Connection, name: str, table: Table = schema.RECORDS
                       ) -> None:
    column_type = table.c[name].type.compile(dialect=connection.dialect)
    connection.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {name} {column_type}")


def _v2(connection: Connection) -> None:
    """Deletion reconciliation (records.listed_at), field types, trait history, ticks, alerts."""
    _add_record_column(connection, "listed_at")
    schema.METADATA.create_all(
        connection, tables=[schema.METADATA.tables[name] for name in _V2_TABLES])


def _v3(connection: Connection) -> None:
    """records.changed_at: a record is counted once per run, however often it changes."""
    _add_record_column(connection, "changed_at")


def _v4(connection: Connection) -> None:
    """writes.state: intents are committed before a write is sent, then settled."""
    connection.exec_driver_sql(
        "ALTER TABLE writes ADD COLUMN state VARCHAR(12) NOT NULL DEFAULT 'written'")
    connection.exec_driver_sql("CREATE INDEX ix_writes_state ON writes (state)")


def _v5(connection: Connection) -> None:
    """value_models: each value-model fit (model, parameters, backtest, gate) of a run."""
    schema.METADATA.create_all(connection, tables=[schema.VALUE_MODELS])


def _v6(connection: Connection) -> None:
    """interactions.amount, .currency (revenue of web goals and orders) and .detail."""
    for name in _LATER_INTERACTION_COLUMNS:
        _add_record_column(connection, name, schema.INTERACTIONS)


def _v7(connection: Connection) -> None:
    """erasures: one entry per person erased (record id, when, what), for the audit."""
    schema.METADATA.create_all(connection, tables=[schema.ERASURES])


def _v8(connection: Connection) -> None:
    """target_lists: the SuiteCRM target lists SuitePulse created and keeps, by name."""
    schema.METADATA.create_all(connection, tables=[schema.TARGET_LISTS])


MIGRATIONS: Final[tuple[Callable[[Connection], None], ...]] = (
    _v1, _v2, _v3, _v4, _v5, _v6, _v7, _v8)
LATEST_VERSION: Final = len(MIGRATIONS)


def current_version(connection: Connection) -> int:
    """The store's schema version; 0 for an empty database."""
    if not inspect(connection).has_table("schema_version"):
        return 0
    version = connection.execute(select(func.max(schema.SCHEMA_VERSION.c.version))).scalar()
    return int(version or 0)


def upgrade(connection: Connection, *, target: int = LATEST_VERSION) -> int:
    """Apply the missing migrations up to ``target``; return the version reached."""
    version = current_version(connection)
    if version > LATEST_VERSION:
        raise StateError(
            f"the state store has schema version {version}, newer than this SuitePulse "
            f"understands ({LATEST_VERSION})", hint="upgrade SuitePulse")
    for number in range(version + 1, target + 1):
        log.info("upgrading the state store to schema version %d", number)
        MIGRATIONS[number - 1](connection)
        connection.execute(schema.SCHEMA_VERSION.insert().values(
            version=number, applied_at=utc_now()))
    return max(version, target)
