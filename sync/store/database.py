"""The state store of one client: an engine with an up-to-date schema, and its lock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from sqlalchemy import Connection, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from sync.config import ClientConfig, store_url
from sync.errors import StateError
from sync.store.engine import create_store_engine, sqlite_path
from sync.store.lock import RunLock, advisory_key
from sync.store.migrations import upgrade

__all__ = ["Store"]


class Store:
    """A client's state store; ``Store(url)`` opens it and upgrades its schema in place."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_store_engine(url)
        self._held_locks: dict[tuple[str, int], int] = {}
        try:
            with self.engine.begin() as connection:
                if self.dialect == "postgresql":
                    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                       {"key": advisory_key("schema")})
                self.schema_version = upgrade(connection)
        except SQLAlchemyError as error:
            self.engine.dispose()
            raise StateError(f"cannot open the state store {self.display_url}: "
                             f"{type(getattr(error, 'orig', None) or error).__name__}",
                             hint="check the store URL and that the database is running") from None

    @classmethod
    def for_config(cls, config: ClientConfig) -> Store:
        """The store the client's config names (by default a SQLite file in the data folder)."""
        return cls(store_url(config))

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    @property
    def display_url(self) -> str:
        """The URL without its password."""
        return make_url(self.url).render_as_string(hide_password=True)

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A connection in a transaction that commits on success and rolls back on error."""
        with self.engine.begin() as connection:
            yield connection

    def lock(self, name: str, *, ttl_seconds: float = 600.0,
             wait_seconds: float = 0.0) -> RunLock:
        """The run lock ``name`` (not yet taken; use it as a context manager).

        Taken again through this store on the same thread, it is re-entered.
        """
        return RunLock(self.engine, name, ttl_seconds=ttl_seconds, wait_seconds=wait_seconds,
                       held=self._held_locks)

    def size_bytes(self) -> int | None:
        """The store's size on disk, where the database can tell."""
        path = sqlite_path(make_url(self.url))
        if path is not None:
            return sum(p.stat().st_size for p in (path, path.with_name(path.name + "-wal"))
                       if p.exists())
        if self.dialect == "postgresql":
            with self.engine.connect() as connection:
                size = connection.execute(
                    text("SELECT pg_database_size(current_database())")).scalar()
            return int(size) if size is not None else None
        return None

    def close(self) -> None:
        """Close every connection."""
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()
