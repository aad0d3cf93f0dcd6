"""BG/NBD and Gamma-Gamma: likelihood, gradients, predictions and fits, checked by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import betaln

from enrichment.bgnbd import BgNbdParams, _log_likelihood, expected_purchases, fit_bgnbd, p_alive
from enrichment.gamma_gamma import GammaGammaParams, expected_average_value, fit_gamma_gamma
from enrichment.mle import group_rows

PARAMS = BgNbdParams(r=0.5, alpha=10.0, a=0.8, b=2.5, log_likelihood=0.0)


def bgnbd_log_likelihood_by_hand(p: BgNbdParams, x: float, t_x: float, T: float) -> float:
    """FHL 2005 eq. 6, written out with math.lgamma."""
    r, alpha, a, b = p.r, p.alpha, p.a, p.b
    a1 = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha)
    a2 = betaln(a, b + x) - betaln(a, b)
    a3 = -(r + x) * math.log(alpha + T)
    if x == 0:
        return a1 + a2 + a3
    a4 = math.log(a) - math.log(b + x - 1) - (r + x) * math.log(alpha + t_x)
    return a1 + a2 + math.log(math.exp(a3) + math.exp(a4))


def simulate_bgnbd(n: int, p: BgNbdParams, T: float, seed: int
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    lam = rng.gamma(p.r, 1 / p.alpha, n)
    drop = rng.beta(p.a, p.b, n)
    x, t_x = np.zeros(n), np.zeros(n)
    clock = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        clock = clock + rng.exponential(1.0, n) / lam
        buys = alive & (clock <= T)
        x[buys] += 1
        t_x[buys] = clock[buys]
        alive = buys & (rng.random(n) >= drop)
    return x, t_x, np.full(n, T)


def test_log_likelihood_matches_the_paper_formula() -> None:
    x = np.array([0.0, 1.0, 4.0, 4.0])
    t_x = np.array([0.0, 3.5, 20.0, 20.0])
    T = np.array([30.0, 30.0, 25.0, 25.0])
    grouped = group_rows(x, t_x, T)
    ll = _log_likelihood(grouped, grouped.counts, np.arange(grouped.counts.size), 1.0)
    value, _ = ll(np.log([PARAMS.r, PARAMS.alpha, PARAMS.a, PARAMS.b]))
    expected = sum(bgnbd_log_likelihood_by_hand(PARAMS, *row)
                   for row in zip(x, t_x, T, strict=True))
    assert value == pytest.approx(expected, rel=1e-12)


def test_bgnbd_gradient_matches_finite_differences() -> None:
    x, t_x, T = simulate_bgnbd(500, PARAMS, 40.0, seed=3)
    grouped = group_rows(x, t_x, T)
    ll = _log_likelihood(grouped, grouped.counts, np.arange(grouped.counts.size), 0.25)
    theta = np.log([0.7, 3.0, 1.2, 1.9])
    _, gradient = ll(theta)
    for j in range(4):
        step = np.zeros(4)
        step[j] = 1e-6
        numeric = (ll(theta + step)[0] - ll(theta - step)[0]) / 2e-6
        assert gradient[j] == pytest.approx(numeric, rel=1e-5, abs=1e-6)


def test_p_alive_by_hand() -> None:
    alive = p_alive(PARAMS, [0, 2], [0, 5], [10, 10])
    by_hand = 1 / (1 + 0.8 / (2.5 + 2 - 1) * ((10 + 10) / (10 + 5)) ** (0.5 + 2))
    assert alive == pytest.approx([1.0, by_hand])


def test_expected_purchases_start_at_the_posterior_rate_times_p_alive() -> None:
    x, t_x, T = np.array([0.0, 3.0]), np.array([0.0, 12.0]), np.array([20.0, 20.0])
    t = 1e-4
    rate = expected_purchases(PARAMS, t, x, t_x, T) / t
    posterior_rate = (PARAMS.r + x) / (PARAMS.alpha + T)
    assert rate == pytest.approx(p_alive(PARAMS, x, t_x, T) * posterior_rate, rel=1e-3)
    longer = expected_purchases(PARAMS, 100.0, x, t_x, T)
    assert np.all(longer > expected_purchases(PARAMS, 10.0, x, t_x, T))


def test_fit_recovers_simulated_parameters() -> None:
    x, t_x, T = simulate_bgnbd(20_000, PARAMS, 60.0, seed=11)
    fitted = fit_bgnbd(x, t_x, T)
    assert fitted.r == pytest.approx(PARAMS.r, rel=0.15)
    assert fitted.alpha == pytest.approx(PARAMS.alpha, rel=0.2)
    assert fitted.a == pytest.approx(PARAMS.a, rel=0.3)
    assert fitted.b == pytest.approx(PARAMS.b, rel=0.4)
    # the maximum: no small move of any parameter raises the likelihood
    grouped = group_rows(x, t_x, T)
    ll = _log_likelihood(grouped, grouped.counts, np.arange(grouped.counts.size), 1.0)
    best = np.log([fitted.r, fitted.alpha, fitted.a, fitted.b])
    for j in range(4):
        for sign in (-1, 1):
            moved = best.copy()
            moved[j] += sign * 1e-3
            assert ll(moved)[0] <= ll(best)[0] + 1e-6


def test_gamma_gamma_fit_and_expected_value() -> None:
    rng = np.random.default_rng(5)
    n = 5000
    nu = rng.gamma(4.0, 1 / 20.0, n)             # q = 4, gamma = 20
    x = rng.integers(1, 8, n).astype(float)
    means = np.array([rng.gamma(6.0, 1 / v, int(k)).mean() for v, k in zip(nu, x,
                                                                              strict=True)])
    fitted = fit_gamma_gamma(x, means)
    assert fitted is not None
    assert fitted.p == pytest.approx(6.0, rel=0.15)
    assert fitted.q == pytest.approx(4.0, rel=0.2)
    assert fitted.gamma == pytest.approx(20.0, rel=0.25)
    params = GammaGammaParams(p=6.0, q=4.0, gamma=20.0, log_likelihood=0.0)
    value = expected_average_value(params, [0, 2], [0, 50], fallback=[1, 1])
    assert value == pytest.approx([6 * 20 / 3, 6 * (20 + 100) / (12 + 3)])


def test_gamma_gamma_falls_back_without_repeat_buyers_or_finite_mean() -> None:
    assert fit_gamma_gamma([0, 0, 1], [0, 0, 5]) is None
    assert list(expected_average_value(None, [0, 1], [0, 5], [12.0, 7.0])) == [12.0, 7.0]
    infinite_mean = GammaGammaParams(p=2.0, q=0.9, gamma=1.0, log_likelihood=0.0)
    assert list(expected_average_value(infinite_mean, [1], [5], [7.0])) == [7.0]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.floats(0, 1), st.floats(0.01, 500)),
                min_size=1, max_size=40),
       st.lists(st.floats(0.01, 1e5), min_size=1, max_size=40))
def test_fitted_and_predicted_values_are_finite(rows: list[tuple[int, float, float]],
                                                spend: list[float]) -> None:
    x = np.array([r[0] for r in rows], dtype=float)
    T = np.array([r[2] for r in rows])
    t_x = np.where(x > 0, np.array([r[1] for r in rows]) * T, 0.0)
    fitted = fit_bgnbd(x, t_x, T)
    assert all(math.isfinite(v) for v in (fitted.r, fitted.alpha, fitted.a, fitted.b,
                                          fitted.log_likelihood))
    for values in (p_alive(fitted, x, t_x, T), expected_purchases(fitted, 52.0, x, t_x, T)):
        assert np.all(np.isfinite(values))
    m = np.resize(np.array(spend), x.size)
    gg = fit_gamma_gamma(x, m)
    assert np.all(np.isfinite(expected_average_value(gg, x, m, m)))
