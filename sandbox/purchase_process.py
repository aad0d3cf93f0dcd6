"""The repeat-purchase-and-dropout process behind the synthetic purchases.

It follows the assumptions of the BG/NBD and gamma-gamma models, so those models have real
signal to find: while alive, a customer buys as a Poisson process with rate ``lambda`` (gamma
distributed across customers); after each purchase the customer drops out with probability
``p`` (beta distributed across customers); each purchase's amount is gamma distributed around a
per-customer mean that is itself gamma distributed (gamma-gamma spend).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

__all__ = ["CustomerHistory", "ProcessParameters", "simulate_customer"]


@dataclass(frozen=True)
class ProcessParameters:
    """Population parameters; the defaults give about two purchases per customer."""

    rate_shape: float = 1.4        # r: gamma shape of the yearly purchase rate
    rate_scale: float = 1.0        # 1/alpha: gamma scale of the yearly purchase rate
    dropout_a: float = 1.0         # a: beta parameter of the dropout probability
    dropout_b: float = 3.0         # b: beta parameter of the dropout probability
    spend_p: float = 4.0           # p: gamma shape of one transaction's amount
    spend_q: float = 3.0           # q: gamma shape of the per-customer spend rate
    spend_gamma: float = 120.0     # gamma: scale of the per-customer spend rate


@dataclass(frozen=True)
class CustomerHistory:
    """What happened to one customer: purchases (day, amount) and when it dropped out."""

    purchases: list[tuple[float, float]]
    purchase_rate: float
    dropout_probability: float
    dropped_out_at: float | None


def simulate_customer(rng: random.Random, first_purchase: float, horizon: float,
                      params: ProcessParameters) -> CustomerHistory:
    """Purchases between ``first_purchase`` and ``horizon`` (days on one axis)."""
    rate_per_year = rng.gammavariate(params.rate_shape, params.rate_scale)
    dropout = rng.betavariate(params.dropout_a, params.dropout_b)
    spend_rate = rng.gammavariate(params.spend_q, 1.0 / params.spend_gamma)
    purchases: list[tuple[float, float]] = []
    day = first_purchase
    dropped: float | None = None
    while day <= horizon:
        amount = rng.gammavariate(params.spend_p, 1.0 / spend_rate)
        purchases.append((day, round(max(amount, 1.0), 2)))
        if rng.random() < dropout:
            dropped = day
            break
        if rate_per_year <= 0:
            break
        day += rng.expovariate(rate_per_year / 365.25)
    return CustomerHistory(purchases, rate_per_year, dropout, dropped)
