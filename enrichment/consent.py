"""E-mail consent per customer from Mailchimp membership rows and unsubscribes.

A customer's ``email_consent`` is the status of their latest audience membership row
(channel ``audience``; ``subscribed``, ``unsubscribed`` or ``cleaned``; ``archived``,
``pending`` and other statuses say nothing about consent and are passed over), made
``unsubscribed`` by a later ``unsubscribe`` interaction; ``never`` without either.
``email_opt_out`` is true for ``unsubscribed`` and ``cleaned``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["CONSENT_STATES", "email_consent"]

CONSENT_STATES = ("subscribed", "unsubscribed", "cleaned", "never")
_AUDIENCE = "audience"
_STATUSES = ("subscribed", "unsubscribed", "cleaned")


def email_consent(interactions: pd.DataFrame, ids: pd.Series) -> pd.Series:
    """The consent state of each customer of ``ids`` (in that order)."""
    if "kind" not in interactions.columns or interactions.empty:
        return pd.Series(["never"] * len(ids), dtype=object)
    kind = interactions["kind"].astype("string")
    status_rows = (interactions["channel"] == _AUDIENCE) & kind.isin(_STATUSES)
    unsub_rows = (interactions["channel"] != _AUDIENCE) & (kind == "unsubscribe")
    relevant = interactions.loc[(status_rows | unsub_rows).to_numpy(),
                                ["customer_id", "occurred_at"]].copy()
    relevant["state"] = np.where(unsub_rows[status_rows | unsub_rows].to_numpy(),
                                 "unsubscribed", kind[status_rows | unsub_rows].to_numpy())
    # at one moment an unsubscribe wins over a status: opt-outs are never lost
    relevant["rank"] = (relevant["state"] != "subscribed").astype(int)
    latest = relevant.sort_values(["occurred_at", "rank"], kind="stable").groupby(
        "customer_id")["state"].last()
    return pd.Series(latest.reindex(ids).fillna("never").to_numpy(), dtype=object)
