"""Is a fit usable? A fit on the bound of the search or a degenerate one is named.

A fit is named when, in the units the optimiser saw (times scaled so max T = 10):

* a parameter lies within a factor e of the search bound exp(+-LOG_BOUND): the data do not
  determine it (e.g. BG/NBD a = 4e-7, b = 4e-5 on accounts that never buy twice);
* a parameter is below 1e-4 or above 1e5: the model has collapsed to a corner (nobody ever
  drops out, everyone drops out at once, ...), and its predictions jump between runs;
* the Hessian at the maximum is not positive definite: the likelihood is flat there.
"""

from __future__ import annotations

import numpy as np

from enrichment.mle import LOG_BOUND
from enrichment.purchase_models import FittedPurchaseModel

__all__ = ["fit_problems"]

_LOW, _HIGH = 1e-4, 1e5


def fit_problems(model: FittedPurchaseModel) -> list[str]:
    """What is wrong with the fit, in one sentence; empty when it looks sound."""
    issues = []
    scaled = np.exp(model.scaled_theta)
    for name, theta, value in zip(model.kind.param_names, model.scaled_theta, scaled,
                                  strict=True):
        if abs(float(theta)) >= LOG_BOUND - 1.0:
            issues.append(f"{name} at the bound of the search")
        elif not _LOW <= float(value) <= _HIGH:
            issues.append(f"{name} {'near 0' if value < _LOW else 'huge'}")
    if model.covariance is None:
        issues.append("flat likelihood (Hessian not positive definite)")
    if not issues:
        return []
    shown = ", ".join(f"{name} = {value:.3g}" for name, value in model.params.items())
    return [f"{model.kind.label} fit is degenerate ({shown}): {', '.join(issues)}; "
            "the data do not determine its parameters"]
