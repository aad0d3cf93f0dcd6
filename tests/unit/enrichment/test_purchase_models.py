"""MBG/NBD and Pareto/NBD: likelihoods by hand and by quadrature, CDNOW's published fit,
parameter recovery on data drawn from each model, and degenerate fits named."""

from __future__ import annotations

import io
import math
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import quad
from scipy.special import betaln

from enrichment import mbgnbd, pareto_nbd
from enrichment.fit_checks import fit_problems
from enrichment.mle import group_rows
from enrichment.purchase_models import ModelName, fit_purchase_model
from tests.unit.enrichment.btyd_simulation import simulate_times, summary


def mbg_by_hand(r: float, alpha: float, a: float, b: float, x: float, t_x: float,
                T: float) -> float:
    """Batislam et al. (2007) eq. 7 with math.lgamma."""
    a1 = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha)
    a2 = betaln(a, b + x + 1) - betaln(a, b)
    return a1 + a2 + math.log((alpha + T) ** -(r + x)
                              + a / (b + x) * (alpha + t_x) ** -(r + x))


def pnbd_by_quadrature(r: float, alpha: float, s: float, beta: float, x: float, t_x: float,
                       T: float) -> float:
    """Pareto/NBD from its definition: alive at T, or died at tau in (t_x, T]."""
    def density(tau: float) -> float:
        return float((alpha + tau) ** -(r + x) * s * beta**s * (beta + tau) ** -(s + 1))
    died = quad(density, t_x, T, epsabs=0, epsrel=1e-12, limit=200)[0]
    alive = (alpha + T) ** -(r + x) * (beta / (beta + T)) ** s
    const = math.lgamma(r + x) - math.lgamma(r) + r * math.log(alpha)
    return const + math.log(alive + died)


ROWS = [(0.0, 0.0, 30.0), (1.0, 3.5, 30.0), (4.0, 20.0, 25.0), (12.0, 24.9, 25.0),
        (2.0, 10.0, 10.0)]


def test_mbgnbd_log_likelihood_matches_the_paper() -> None:
    theta = np.log([0.5, 10.0, 0.8, 2.5])
    for row in ROWS:
        ours = mbgnbd.row_log_likelihood(theta, *(np.array([v]) for v in row))[0]
        assert ours == pytest.approx(mbg_by_hand(0.5, 10.0, 0.8, 2.5, *row), rel=1e-12)


def test_mbgnbd_gradient_matches_finite_differences() -> None:
    _, times = simulate_times("mbgnbd", (0.5, 5.0, 0.8, 2.5), 400, 40.0, seed=3)
    grouped = group_rows(*summary(times, np.full(400, 40.0)))
    ll = mbgnbd.log_likelihood(grouped, np.arange(grouped.counts.size), 0.25)
    theta = np.log([0.7, 3.0, 1.2, 1.9])
    _, gradient = ll(theta)
    for j in range(4):
        step = np.zeros(4)
        step[j] = 1e-6
        numeric = (ll(theta + step)[0] - ll(theta - step)[0]) / 2e-6
        assert gradient[j] == pytest.approx(numeric, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize("params", [(0.55, 10.6, 0.61, 11.7), (0.55, 11.7, 0.61, 10.6),
                                    (2.0, 0.05, 0.9, 400.0), (0.3, 900.0, 3.0, 0.02),
                                    (0.8, 5.0, 1.0, 5.0)])
def test_pareto_nbd_log_likelihood_matches_quadrature(params: tuple[float, ...]) -> None:
    """Both branches (alpha >= beta and <), very unequal alpha and beta (z near 1)."""
    theta = np.log(params)
    for row in ROWS:
        ours = pareto_nbd.row_log_likelihood(theta, *(np.array([v]) for v in row))[0]
        assert ours == pytest.approx(pnbd_by_quadrature(*params, *row), rel=1e-8, abs=1e-8)


def test_pareto_nbd_expectation_and_p_alive_by_simulation() -> None:
    """E[Y(t) | x, t_x, T] and P(alive) against many simulated continuations."""
    r, alpha, s, beta = 0.6, 8.0, 0.7, 12.0
    theta = np.log([r, alpha, s, beta])
    x, t_x, T, t = np.array([3.0]), np.array([20.0]), np.array([30.0]), 15.0
    rng = np.random.default_rng(0)
    n = 400_000
    lam = rng.gamma(r + x[0], 1 / (alpha + T[0]), n)
    mu = rng.gamma(s, 1 / (beta + T[0]), n)   # posterior if alive at T
    alive = rng.random(n) < pareto_nbd.p_alive(theta, x, t_x, T)[0]
    life = rng.exponential(1.0, n) / mu
    buys = rng.poisson(lam * np.minimum(life, t)) * alive
    expected = pareto_nbd.purchases_if_alive(theta, t, x, T) * pareto_nbd.p_alive(
        theta, x, t_x, T)
    assert expected[0] == pytest.approx(buys.mean(), rel=0.02)


@pytest.fixture(scope="session")
def cdnow(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    """lifetimes 0.11.3's CDNOW summary (2,357 customers, weeks), read from its wheel."""
    folder = tmp_path_factory.mktemp("lifetimes")
    done = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q",
                           "lifetimes==0.11.3", "-d", str(folder)],
                          capture_output=True, text=True, timeout=300, check=False)
    wheels = list(Path(folder).glob("*.whl"))
    if done.returncode or not wheels:
        pytest.skip(f"lifetimes is not installable here: {done.stderr[-200:]}")
    with zipfile.ZipFile(wheels[0]) as wheel:
        text = wheel.read("lifetimes/datasets/cdnow_customers_summary.csv").decode()
    return pd.read_csv(io.StringIO(text))


def test_pareto_nbd_reproduces_the_published_cdnow_fit(cdnow: pd.DataFrame) -> None:
    """Fader & Hardie (2005): r 0.553, alpha 10.578, s 0.606, beta 11.669, LL -9595.0."""
    x, t_x, T = (cdnow[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    fit = fit_purchase_model(ModelName.PNBD, x, t_x, T)
    p = fit.params
    assert (round(p["r"], 3), round(p["alpha"], 3), round(p["s"], 3)) == (0.553, 10.578,
                                                                         0.606)
    # beta is the least determined (standard error 6.2); the maximum is at 11.668, and the
    # published 11.669 has a log-likelihood lower by 4e-5
    assert abs(p["beta"] - 11.669) <= 0.0015
    assert round(fit.log_likelihood, 1) == -9595.0
    published = pareto_nbd.row_log_likelihood(np.log([0.553, 10.578, 0.606, 11.669]),
                                              x, t_x, T).sum()
    assert fit.log_likelihood >= published
    assert fit_problems(fit) == []


def test_bgnbd_through_the_common_fit_still_reproduces_cdnow(cdnow: pd.DataFrame) -> None:
    x, t_x, T = (cdnow[c].to_numpy(float) for c in ("frequency", "recency", "T"))
    p = fit_purchase_model(ModelName.BGNBD, x, t_x, T).params
    assert [round(p[k], 3) for k in ("r", "alpha", "a", "b")] == [0.243, 4.414, 0.793, 2.426]


TRUTH = {ModelName.BGNBD: (0.5, 6.0, 0.9, 3.0), ModelName.MBGNBD: (0.5, 6.0, 0.9, 3.0),
         ModelName.PNBD: (0.6, 6.0, 0.8, 12.0)}


@pytest.mark.parametrize("name", list(ModelName))
def test_parameters_are_recovered_within_four_standard_errors(name: ModelName) -> None:
    T, times = simulate_times(str(name), TRUTH[name], 3000, 52.0, seed=21)
    fit = fit_purchase_model(name, *summary(times, T))
    errors = fit.standard_errors
    assert errors is not None
    for key, true in zip(fit.kind.param_names, TRUTH[name], strict=True):
        assert abs(fit.params[key] - true) <= 4 * errors[key], (key, fit.params, errors)
    assert fit_problems(fit) == []


def test_a_degenerate_fit_is_named() -> None:
    """Accounts that almost never buy twice, close together: no drop-out can be told."""
    rng = np.random.default_rng(1)
    n = 666
    T = rng.uniform(10, 100, n)
    x, t_x = np.zeros(n), np.zeros(n)
    repeat = rng.random(n) < 0.15
    x[repeat] = rng.integers(1, 4, repeat.sum())
    t_x[repeat] = T[repeat] * rng.uniform(0.9, 1.0, repeat.sum())
    problems = fit_problems(fit_purchase_model(ModelName.MBGNBD, x, t_x, T))
    assert len(problems) == 1 and problems[0].startswith("MBG/NBD fit is degenerate (r = ")
    assert "the data do not determine its parameters" in problems[0]
