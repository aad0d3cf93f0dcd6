"""One run per client at a time, across processes and machines.

On PostgreSQL a session advisory lock, held on a connection of its own, is released by the
server when the holder dies. On SQLite a row in ``locks`` names the owner (host, pid), is
kept fresh by a heartbeat and may be taken over once it expired or its process is gone.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import uuid
from datetime import timedelta
from types import TracebackType

from sqlalchemy import Connection, Engine, delete, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from sync.errors import StateError
from sync.store.schema import LOCKS
from sync.store.types import utc_now

__all__ = ["RunLock", "advisory_key"]

log = logging.getLogger(__name__)


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_lock``."""
    digest = hashlib.sha256(f"suitepulse:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunLock:
    """A lock named ``name`` in the store; a context manager. Raises ``StateError`` if held."""

    def __init__(self, engine: Engine, name: str, *, ttl_seconds: float = 600.0) -> None:
        self._engine = engine
        self.name = name
        self.ttl = timedelta(seconds=ttl_seconds)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._connection: Connection | None = None
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.release()

    def _held_elsewhere(self, holder: str | None = None) -> StateError:
        who = f" by {holder}" if holder else ""
        return StateError(f"another run of {self.name!r} is in progress{who}",
                          hint="wait for it to finish, or see `suitepulse status`")

    def acquire(self) -> None:
        """Take the lock, or raise ``StateError`` saying who holds it."""
        if self._engine.dialect.name == "postgresql":
            connection = self._engine.connect()
            got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                     {"key": advisory_key(self.name)}).scalar()
            connection.commit()
            if not got:
                connection.close()
                raise self._held_elsewhere()
            self._connection = connection
            return
        self._acquire_row()
        self._heartbeat = threading.Thread(target=self._beat, name=f"lock-{self.name}",
                                           daemon=True)
        self._heartbeat.start()

    def _acquire_row(self) -> None:
        now = utc_now()
        host, pid = socket.gethostname(), os.getpid()
        row = {"name": self.name, "owner": self.owner, "host": host, "pid": pid,
               "acquired_at": now, "heartbeat_at": now, "expires_at": now + self.ttl}
        with self._engine.begin() as connection:
            try:
                with connection.begin_nested():
                    connection.execute(insert(LOCKS).values(**row))
                return
            except IntegrityError:
                pass
            held = connection.execute(select(LOCKS).where(LOCKS.c.name == self.name)).one()
            stale = held.expires_at <= now or (
                held.host == host and held.pid != pid and not _process_alive(held.pid))
            if not stale:
                raise self._held_elsewhere(f"{held.host} pid {held.pid}")
            log.warning("taking over the stale lock %r of %s pid %d",
                        self.name, held.host, held.pid)
            connection.execute(update(LOCKS).where(
                LOCKS.c.name == self.name, LOCKS.c.owner == held.owner).values(**row))

    def _beat(self) -> None:
        interval = max(self.ttl.total_seconds() / 3, 0.05)
        while not self._stop.wait(interval):
            now = utc_now()
            try:
                with self._engine.begin() as connection:
                    connection.execute(update(LOCKS).where(
                        LOCKS.c.name == self.name, LOCKS.c.owner == self.owner).values(
                        heartbeat_at=now, expires_at=now + self.ttl))
            except Exception:
                log.warning("could not refresh the lock %r", self.name, exc_info=True)

    def release(self) -> None:
        """Give the lock back (a no-op when it is not held)."""
        if self._connection is not None:
            self._connection.execute(text("SELECT pg_advisory_unlock(:key)"),
                                     {"key": advisory_key(self.name)})
            self._connection.commit()
            self._connection.close()
            self._connection = None
            return
        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join()
            self._heartbeat = None
            with self._engine.begin() as connection:
                connection.execute(delete(LOCKS).where(
                    LOCKS.c.name == self.name, LOCKS.c.owner == self.owner))
