"""Purchase histories drawn from BG/NBD, MBG/NBD and Pareto/NBD with known parameters."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

FloatArray = npt.NDArray[np.float64]


def simulate_times(model: str, params: tuple[float, float, float, float], n: int, T: float,
                   seed: int) -> tuple[FloatArray, list[FloatArray]]:
    """Each customer's repeat purchase times in (0, T] after a first purchase at 0.

    ``model`` is bgnbd, mbgnbd or pnbd; ``params`` (r, alpha, a, b) or (r, alpha, s, beta).
    Returns T per customer (all equal) and the list of purchase-time arrays.
    """
    rng = np.random.default_rng(seed)
    r, alpha, third, fourth = params
    lam = rng.gamma(r, 1 / alpha, n)
    if model == "pnbd":
        mu = rng.gamma(third, 1 / fourth, n)
        death = rng.exponential(1.0, n) / mu
    else:
        drop = rng.beta(third, fourth, n)
        death = np.full(n, np.inf)
    times: list[list[float]] = [[] for _ in range(n)]
    clock = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    if model == "mbgnbd":
        alive &= rng.random(n) >= drop
    while alive.any():
        clock = clock + rng.exponential(1.0, n) / lam
        buys = alive & (clock <= np.minimum(T, death))
        for i in np.flatnonzero(buys):
            times[i].append(float(clock[i]))
        alive = buys
        if model != "pnbd":
            alive = alive & (rng.random(n) >= drop)
    return np.full(n, T), [np.array(t) for t in times]


def summary(times: list[FloatArray], T: FloatArray, until: float | None = None
            ) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(x, t_x, T) of each customer, counting purchases up to ``until`` (default T)."""
    end = T if until is None else np.full(len(times), until)
    x = np.array([np.sum(t <= e) for t, e in zip(times, end, strict=True)], dtype=float)
    t_x = np.array([t[t <= e].max() if np.any(t <= e) else 0.0
                    for t, e in zip(times, end, strict=True)])
    return x, t_x, np.asarray(end, dtype=float)


def transactions(model: str, params: tuple[float, float, float, float], n: int,
                 weeks: float, seed: int, start: str = "2022-01-03") -> pd.DataFrame:
    """``customer_id, occurred_at, amount`` rows (time unit: weeks; first purchases spread
    over the first quarter of the period; dates without a time of day, as in a CRM)."""
    rng = np.random.default_rng(seed + 1)
    joined = rng.uniform(0, weeks / 4, n)
    _, times = simulate_times(model, params, n, weeks, seed)
    rows_customer, rows_time = [], []
    for i, (first, repeat) in enumerate(zip(joined, times, strict=True)):
        moments = np.concatenate(([first], first + repeat))
        moments = moments[moments <= weeks]
        rows_customer += [f"c{i}"] * moments.size
        rows_time.append(moments)
    when = np.concatenate(rows_time)
    origin = pd.Timestamp(start, tz="UTC")
    return pd.DataFrame({
        "customer_id": rows_customer,
        "occurred_at": origin + pd.to_timedelta(np.floor(when * 7), unit="D"),
        "amount": np.round(rng.gamma(4.0, 10.0, when.size), 2)})
