"""One run per client at a time, across processes and machines.

On PostgreSQL a session advisory lock, held on a connection of its own, is released by the
server when the holder dies; a row in ``locks`` only names the holder for the message. On
SQLite a row in ``locks`` names the owner (host, pid), is kept fresh by a heartbeat and may
be taken over once it expired or its process is gone.

A lock taken again through the same ``Store`` on the same thread (``held``) is re-entered,
not refused: ``suitepulse run`` holds the client's lock over sync, enrich and push, and the
sync inside it asks for the same lock. A refused lock is retried for ``wait_seconds``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import time
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


class _Busy(Exception):
    def __init__(self, holder: str | None) -> None:
        super().__init__(holder)
        self.holder = holder


class RunLock:
    """A lock named ``name`` in the store; a context manager. Raises ``StateError`` if held."""

    def __init__(self, engine: Engine, name: str, *, ttl_seconds: float = 600.0,
                 wait_seconds: float = 0.0,
                 held: dict[tuple[str, int], int] | None = None) -> None:
        self._engine = engine
        self.name = name
        self.ttl = timedelta(seconds=ttl_seconds)
        self.wait = wait_seconds
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._connection: Connection | None = None
        self._stop = threading.Event()
        self._heartbeat: threading.Thread | None = None
        self._held = held
        self._key = (name, threading.get_ident())
        self.reentered = False

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.release()

    def _held_elsewhere(self, holder: str | None, waited: float) -> StateError:
        who = f", held by {holder}" if holder else ""
        after = f" (waited {waited:.0f} s)" if waited else ""
        return StateError(f"another run of {self.name!r} is in progress{who}{after}",
                          hint="wait for it to finish, or set sync.lock_wait_seconds to wait "
                               "for it; `suitepulse status` shows the runs")

    def acquire(self) -> None:
        """Take the lock (waiting up to ``wait_seconds``), or raise ``StateError`` naming
        who holds it."""
        if self._held is not None and self._key in self._held:
            self._held[self._key] += 1
            self.reentered = True
            return
        started = time.monotonic()
        while True:
            try:
                self._try_acquire()
                break
            except _Busy as busy:
                waited = time.monotonic() - started
                if waited >= self.wait:
                    raise self._held_elsewhere(busy.holder, waited if self.wait else 0.0
                                               ) from None
                time.sleep(min(0.25, self.wait - waited))
        if self._held is not None:
            self._held[self._key] = 1

    def _try_acquire(self) -> None:
        if self._engine.dialect.name == "postgresql":
            connection = self._engine.connect()
            got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"),
                                     {"key": advisory_key(self.name)}).scalar()
            connection.commit()
            if not got:
                connection.close()
                raise _Busy(self._holder())
            self._connection = connection
            self._name_holder()
            return
        self._acquire_row()
        self._stop.clear()
        self._heartbeat = threading.Thread(target=self._beat, name=f"lock-{self.name}",
                                           daemon=True)
        self._heartbeat.start()

    def _holder(self) -> str | None:
        with self._engine.connect() as connection:
            held = connection.execute(select(LOCKS).where(LOCKS.c.name == self.name)).first()
        return f"{held.host} pid {held.pid} since {held.acquired_at:%Y-%m-%d %H:%M:%S} UTC" \
            if held is not None else None

    def _name_holder(self) -> None:
        now = utc_now()
        with self._engine.begin() as connection:
            connection.execute(delete(LOCKS).where(LOCKS.c.name == self.name))
            connection.execute(insert(LOCKS).values(
                name=self.name, owner=self.owner, host=socket.gethostname(), pid=os.getpid(),
                acquired_at=now, heartbeat_at=now, expires_at=now + self.ttl))

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
                raise _Busy(f"{held.host} pid {held.pid} since "
                            f"{held.acquired_at:%Y-%m-%d %H:%M:%S} UTC")
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
        if self.reentered and self._held is not None:
            self._held[self._key] -= 1
            self.reentered = False
            return
        if self._held is not None:
            self._held.pop(self._key, None)
        if self._connection is not None:
            with self._engine.begin() as connection:
                connection.execute(delete(LOCKS).where(
                    LOCKS.c.name == self.name, LOCKS.c.owner == self.owner))
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
