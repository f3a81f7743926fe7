"""Sample size for a proportion or a mean, and its inverse, the margin of error.

With :math:`z` the normal quantile of the confidence level and :math:`d` the margin
of error (absolute, half the CI width):

* proportion: :math:`n_0 = z^2 p (1-p) / d^2`; with a population of ``N``,
  :math:`n = n_0 / (1 + (n_0 - 1)/N)` (from the hypergeometric variance
  :math:`\\frac{N-n}{N-1} \\frac{pq}{n}`; Cochran 1977, §4.4);
* mean: :math:`n_0 = z^2 S^2 / d^2` and :math:`n = n_0 / (1 + n_0/N)`
  (Cochran 1977, §4.8);

:math:`n_0` is multiplied by the design effect first, and the result divided by
the expected response rate, then rounded up.
"""

from __future__ import annotations

import math
from statistics import NormalDist

from ..errors import DesignError

__all__ = ["sample_size", "margin_of_error"]

_KINDS = ("proportion", "mean")


def _check(kind, confidence, p, sd, N, deff, response_rate):
    if kind not in _KINDS:
        raise DesignError(f"unknown kind {kind!r}", value=kind, hint="use 'proportion' or 'mean'")
    if not 0 < confidence < 1:
        raise DesignError("confidence must be between 0 and 1", value=confidence)
    if kind == "proportion" and not 0 <= p <= 1:
        raise DesignError("p must be between 0 and 1", value=p, hint="use 0.5 when unknown")
    if kind == "mean" and (sd is None or not sd > 0):
        raise DesignError(
            "a mean needs sd > 0 (the population standard deviation)",
            value=sd,
            hint="take it from a pilot or an earlier wave",
        )
    if N is not None and not N >= 1:
        raise DesignError("population size N must be >= 1", value=N)
    if not deff > 0:
        raise DesignError("design effect must be > 0", value=deff)
    if not 0 < response_rate <= 1:
        raise DesignError("response_rate must be in (0, 1]", value=response_rate)
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    unit_var = p * (1 - p) if kind == "proportion" else sd * sd
    return z, unit_var * deff


def sample_size(
    kind, moe, confidence=0.95, p=0.5, sd=None, N=None, deff=1.0, response_rate=1.0
) -> int:
    """Number of units to sample for a given margin of error.

    Parameters
    ----------
    kind : {"proportion", "mean"}
    moe : float
        Margin of error ``d`` (absolute; 0.05 = five percentage points).
    confidence : float
        Confidence level (normal quantile).
    p : float
        Expected proportion (0.5 is the safe choice).
    sd : float
        Population standard deviation (for a mean).
    N : int, optional
        Population size (finite population correction).
    deff : float
        Design effect of clustering and weighting.
    response_rate : float
        Expected response rate; the result is the number to *contact*.

    Returns
    -------
    int

    References
    ----------
    Cochran, W. G. (1977). *Sampling Techniques*, 3rd ed., Wiley, §4.4 (proportions) and §4.8 (continuous data).

    Examples
    --------
    >>> from omsmethod.sampling import sample_size
    >>> sample_size("proportion", moe=0.05)
    385
    >>> sample_size("proportion", moe=0.05, N=1000, response_rate=0.5)
    556
    """
    z, var = _check(kind, confidence, p, sd, N, deff, response_rate)
    if not moe > 0:
        raise DesignError("margin of error must be > 0", value=moe)
    n0 = z * z * var / (moe * moe)
    if N is not None:
        n0 = n0 / (1 + (n0 - 1) / N) if kind == "proportion" else n0 / (1 + n0 / N)
    return int(math.ceil(n0 / response_rate - 1e-9))


def margin_of_error(
    n, kind="proportion", confidence=0.95, p=0.5, sd=None, N=None, deff=1.0, response_rate=1.0
) -> float:
    """Margin of error achieved by ``n`` sampled units (inverse of :func:`sample_size`).

    ``n * response_rate`` respondents are expected.

    Examples
    --------
    >>> from omsmethod.sampling import margin_of_error
    >>> round(margin_of_error(385), 4)
    0.0499
    """
    z, var = _check(kind, confidence, p, sd, N, deff, response_rate)
    m = n * response_rate
    if not m > 0:
        raise DesignError("n must be > 0", value=n)
    if N is not None:
        if m > N:
            raise DesignError(f"{m:g} respondents exceed the population N={N:g}", value=n)
        factor = (N - m) / (N - 1) if kind == "proportion" else 1 - m / N
        if kind == "proportion" and N == 1:
            factor = 0.0
    else:
        factor = 1.0
    return float(z * math.sqrt(var * factor / m))
