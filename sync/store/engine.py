"""Engines for the store: a private SQLite file, or PostgreSQL through psycopg 3."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from sync.errors import StateError

__all__ = ["create_store_engine", "sqlite_path"]

_SQLITE_BUSY_MS = 30_000


def sqlite_path(url: URL) -> Path | None:
    """The file of a SQLite URL, or None for in-memory and other databases."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def _read_only(path: Path) -> bool:
    """Whether an existing store file can only be read (read-only file, folder or disk)."""
    return path.exists() and not (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK))


def _private_file(path: Path) -> None:
    """Create the store file (mode 0600) and its folder (0700) when they do not exist."""
    if path.exists():
        return
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
        os.close(descriptor)
    except OSError as error:
        raise StateError(f"cannot create the state store file {path}: {error.strerror}",
                         hint="check the folder's permissions or set SUITEPULSE_DATA_DIR") from None


def create_store_engine(url_text: str) -> Engine:
    """An engine for ``url_text``; SQLite gets WAL, a busy timeout and real transactions."""
    try:
        url = make_url(url_text)
    except ArgumentError:
        raise StateError("the state store URL is not a valid database URL") from None
    backend = url.get_backend_name()
    if backend == "postgresql":
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return create_engine(url, pool_pre_ping=True)
    if backend != "sqlite":
        raise StateError(f"unsupported state store database {backend!r}",
                         hint="use a sqlite:/// or postgresql:// URL")
    path = sqlite_path(url)
    if path is not None and _read_only(path):
        # SQLite cannot open a WAL database on read-only media unless told it is immutable;
        # reading works (status, report), writing fails as "readonly database"
        url = url.set(database=f"file:{path}", query={"immutable": "1", "uri": "true"})
    elif path is not None:
        _private_file(path)
    engine = create_engine(url, connect_args={"timeout": _SQLITE_BUSY_MS / 1000})
    event.listen(engine, "connect", _sqlite_connect)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_MS}")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    # IMMEDIATE takes the write lock up front: no deadlock when a reader turns writer.
    connection.exec_driver_sql("BEGIN IMMEDIATE")
