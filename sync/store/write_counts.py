"""How many fields each run wrote to the CRM, from the audit log (``writes``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Connection, func, select

from sync.store.schema import WRITES

__all__ = ["writes_per_run"]


def writes_per_run(connection: Connection, run_ids: Sequence[str]) -> dict[str, int]:
    """Run id -> fields written, for the runs of ``run_ids`` that wrote any."""
    if not run_ids:
        return {}
    return {str(run_id): int(count) for run_id, count in connection.execute(
        select(WRITES.c.run_id, func.count()).where(WRITES.c.run_id.in_(list(run_ids)))
        .group_by(WRITES.c.run_id))}
