"""The value model behind the traits: each fit's report, kept so ``status`` and the report
can say which model, fitted when, with which parameters and backtest, wrote the values."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, desc, insert, select

from sync.store.schema import VALUE_MODELS

__all__ = ["latest_value_model", "save_value_model"]


def save_value_model(connection: Connection, report: Mapping[str, Any], *,
                     fitted_at: datetime) -> None:
    """Keep one fit's report (plain JSON data)."""
    connection.execute(insert(VALUE_MODELS).values(
        fitted_at=fitted_at, report=json.dumps(report, default=str, allow_nan=False)))


def latest_value_model(connection: Connection) -> dict[str, Any] | None:
    """The report of the newest fit, or None before the first."""
    text = connection.execute(select(VALUE_MODELS.c.report).order_by(
        desc(VALUE_MODELS.c.seq)).limit(1)).scalar()
    return None if text is None else dict(json.loads(text))
