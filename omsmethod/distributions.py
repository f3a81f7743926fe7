"""Normal, Student t, F and beta distribution functions in numpy and the standard library.

Why not ``scipy.stats``: importing it takes about a second (``scipy.special`` alone a
fifth of one), which a report pays in every fresh Jupyter kernel, while a report needs a
handful of quantiles and tail areas. These functions give the same numbers (checked
against scipy to 1e-12 relative, see ``tests/test_distributions.py``); scipy stays the
reference, and the analysis modules that need the rest of scipy still import it lazily.

Algorithms
----------
- The regularised incomplete beta function :math:`I_x(a, b)` by its continued fraction
  (modified Lentz), using :math:`I_x(a,b) = 1 - I_{1-x}(b,a)` so that the fraction
  converges fast (Press et al. 2007, *Numerical Recipes*, 3rd ed., §6.4).
- Quantiles by Newton steps on the CDF kept inside a bisection bracket, so every step
  either converges quadratically or halves the bracket.
- The normal quantile is the standard library's ``statistics.NormalDist.inv_cdf``
  (Wichura 1988, algorithm AS 241, accurate to about 1e-16).

Examples
--------
>>> from omsmethod.distributions import t_ppf, t_sf, f_ppf
>>> round(float(t_ppf(0.975, 10)), 6)
2.228139
>>> round(float(2 * t_sf(2.228139, 10)), 6)
0.05
>>> round(float(f_ppf(0.95, 3, 20)), 5)
3.09839
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np

__all__ = [
    "norm_cdf", "norm_sf", "norm_ppf", "t_cdf", "t_sf", "t_ppf", "f_cdf", "f_ppf",
    "beta_cdf", "beta_ppf", "expit",
]

_EPS = 1e-16
_TINY = 1e-300
_lgamma = np.frompyfunc(math.lgamma, 1, 1)
_erfc = np.frompyfunc(math.erfc, 1, 1)
_inv_cdf = np.frompyfunc(NormalDist().inv_cdf, 1, 1)


def _f(values) -> np.ndarray:
    return np.asarray(values, dtype=float)


def _out(values: np.ndarray):
    """A scalar for scalar input, as scipy."""
    return values[()] if values.ndim == 0 else values


def _stirling_correction(x: np.ndarray) -> np.ndarray:
    """``lgamma(x) - ((x - 1/2) log x - x + log(2 pi)/2)`` for x >= 10 (Stirling series)."""
    z = 1 / (x * x)
    return (1 / 12 + z * (-1 / 360 + z * (1 / 1260 + z * (-1 / 1680 + z * (1 / 1188 + z * (-691 / 360360 + z / 156)))))) / x


def _lbeta(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """log B(a, b), without the cancellation of lgamma differences for large arguments
    (the split of R's ``lbeta``)."""
    p, q = np.minimum(a, b), np.maximum(a, b)
    out = np.empty(np.broadcast(p, q).shape)
    both = p >= 10
    one = ~both & (q >= 10)
    small = ~both & ~one
    if both.any():
        pp, qq = p[both], q[both]
        corr = _stirling_correction(pp) + _stirling_correction(qq) - _stirling_correction(pp + qq)
        out[both] = (-0.5 * np.log(qq) + 0.5 * math.log(2 * math.pi) + corr
                     + (pp - 0.5) * np.log(pp / (pp + qq)) + qq * np.log1p(-pp / (pp + qq)))
    if one.any():
        pp, qq = p[one], q[one]
        corr = _stirling_correction(qq) - _stirling_correction(pp + qq)
        out[one] = (_f(_lgamma(pp)) + corr + pp - pp * np.log(pp + qq)
                    + (qq - 0.5) * np.log1p(-pp / (pp + qq)))
    if small.any():
        pp, qq = p[small], q[small]
        out[small] = _f(_lgamma(pp)) + _f(_lgamma(qq)) - _f(_lgamma(pp + qq))
    return out


def expit(x):
    """The logistic function ``1 / (1 + exp(-x))``, without overflow warnings."""
    x = _f(x)
    with np.errstate(over="ignore"):
        return _out(np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x)))))


# -- normal ----------------------------------------------------------------------------
def norm_cdf(x):
    """Standard normal CDF."""
    x = _f(x)
    return _out(0.5 * _f(_erfc(-x / math.sqrt(2))) if x.size else x.copy())


def norm_sf(x):
    """Standard normal upper tail ``1 - cdf``, accurate far into the tail."""
    return norm_cdf(-_f(x))


def norm_ppf(p):
    """Standard normal quantile (``-inf``/``inf`` at 0/1, NaN outside [0, 1])."""
    p = _f(p)
    out = np.full(p.shape, np.nan)
    inside = (p > 0) & (p < 1)
    if inside.any():
        out[inside] = _f(_inv_cdf(p[inside]))
    out[p == 0] = -np.inf
    out[p == 1] = np.inf
    return _out(out)


# -- incomplete beta ---------------------------------------------------------------------
def _beta_fraction_one(a: float, b: float, x: float) -> float:
    """Continued fraction of I_x(a, b) (modified Lentz, Numerical Recipes ``betacf``)."""
    qab, qap, qam = a + b, a + 1, a - 1
    c, d = 1.0, 1 - qab * x / qap
    d = 1 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, 100_000):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1 + aa * d
            d = 1 / (d if abs(d) > _TINY else _TINY)
            c = 1 + aa / c
            c = c if abs(c) > _TINY else _TINY
            h *= d * c
        if abs(d * c - 1) <= _EPS:
            break
    return h


def _beta_fraction(a: np.ndarray, b: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The continued fraction element-wise: a Python loop per element is faster than
    numpy's per-call overhead for the handful of values a quantile search needs."""
    if x.size <= 64:
        return np.array([_beta_fraction_one(*v) for v in zip(a.tolist(), b.tolist(), x.tolist(), strict=True)],
                        dtype=float).reshape(x.shape)
    qab, qap, qam = a + b, a + 1, a - 1
    c = np.ones_like(x)
    d = 1 - qab * x / qap
    d = np.where(np.abs(d) < _TINY, _TINY, d)
    d = 1 / d
    h = d.copy()
    active = np.ones(x.shape, dtype=bool)
    for m in range(1, 100_000):
        m2 = 2 * m
        for aa in (m * (b - m) * x / ((qam + m2) * (a + m2)), -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))):
            d = 1 + aa * d
            d = 1 / np.where(np.abs(d) < _TINY, _TINY, d)
            c = 1 + aa / c
            c = np.where(np.abs(c) < _TINY, _TINY, c)
            h = np.where(active, h * d * c, h)
        active &= np.abs(d * c - 1) > _EPS
        if not active.any():
            break
    return h


def _betainc(a: np.ndarray, b: np.ndarray, x: np.ndarray, y: np.ndarray, lbeta: np.ndarray) -> np.ndarray:
    """I_x(a, b) for 0 < x < 1, with ``y = 1 - x`` given exactly by the caller."""
    with np.errstate(divide="ignore"):
        log_x = np.where(x > 0.5, np.log1p(-y), np.log(x))
        log_y = np.where(y > 0.5, np.log1p(-x), np.log(y))
    log_front = a * log_x + b * log_y - lbeta
    direct = x < (a + 1) / (a + b + 2)
    # swap to I_y(b, a) where the fraction for (a, b, x) converges slowly
    pa, pb, px = np.where(direct, a, b), np.where(direct, b, a), np.where(direct, x, y)
    value = np.exp(log_front) * _beta_fraction(pa, pb, px) / pa
    return np.where(direct, value, 1 - value)


def _beta_cdf(x, a, b, y=None) -> np.ndarray:
    x, a, b = np.broadcast_arrays(_f(x), _f(a), _f(b))
    y = 1 - x if y is None else np.broadcast_to(_f(y), x.shape)
    out = np.full(x.shape, np.nan)
    ok = (a > 0) & (b > 0) & ~np.isnan(x)
    out[ok & (x <= 0)] = 0.0
    out[ok & (y <= 0)] = 1.0
    mid = ok & (x > 0) & (y > 0)
    if mid.any():
        am, bm = a[mid], b[mid]
        out[mid] = _betainc(am, bm, x[mid], y[mid], _lbeta(am, bm))
    return out


def beta_cdf(x, a, b):
    """Regularised incomplete beta function :math:`I_x(a, b)` (the beta CDF)."""
    return _out(_beta_cdf(x, a, b))


def _solve(cdf, pdf, p, lo, hi, start, iterations: int = 300) -> np.ndarray:
    """Root of the increasing ``cdf(x) = p`` inside ``[lo, hi]`` (``lo >= 0``): Newton
    steps, and bisection (geometric while the bracket spans decades) when a step would
    leave the bracket."""
    x = np.clip(start, lo, hi)
    lo, hi = lo.copy(), hi.copy()
    for _ in range(iterations):
        f = cdf(x) - p
        lo = np.where(f < 0, x, lo)
        hi = np.where(f > 0, x, hi)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            step = x - f / pdf(x)
            halve = np.where((lo > 0) & (hi > 1e3 * lo), np.sqrt(lo * hi),
                             np.where(lo > 0, 0.5 * (lo + hi), 1e-3 * hi))
        inside = np.isfinite(step) & (step > lo) & (step < hi)
        new = np.where(f == 0, x, np.where(inside, step, halve))
        done = (np.abs(new - x) <= 2 * _EPS * np.abs(new)) | (hi - lo <= 2 * _EPS * hi)
        x = new
        if done.all():
            break
    return x


def beta_ppf(q, a, b):
    """Quantile of the beta distribution (the inverse of :func:`beta_cdf` in ``x``)."""
    q, a, b = np.broadcast_arrays(_f(q), _f(a), _f(b))
    out = np.full(q.shape, np.nan)
    ok = (a > 0) & (b > 0) & (q >= 0) & (q <= 1)
    out[ok & (q == 0)] = 0.0
    out[ok & (q == 1)] = 1.0
    mid = ok & (q > 0) & (q < 1)
    if mid.any():
        qm, am, bm = q[mid], a[mid], b[mid]
        lb = _lbeta(am, bm)

        def cdf(x):
            return _betainc(am, bm, x, 1 - x, lb)

        def pdf(x):
            with np.errstate(divide="ignore"):
                return np.exp((am - 1) * np.log(x) + (bm - 1) * np.log1p(-x) - lb)

        out[mid] = _solve(cdf, pdf, qm, np.zeros_like(qm), np.ones_like(qm), _beta_start(qm, am, bm, lb))
    return _out(out)


def _beta_start(q: np.ndarray, a: np.ndarray, b: np.ndarray, lb: np.ndarray) -> np.ndarray:
    """First guess at the beta quantile (Numerical Recipes ``invbetai``): a normal
    approximation when a, b >= 1, else the tail power laws I_x ~ x^a / (a B)."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        pp = np.minimum(q, 1 - q)
        r = np.sqrt(-2 * np.log(pp))
        z = (2.30753 + 0.27061 * r) / (1 + r * (0.99229 + 0.04481 * r)) - r
        z = np.where(q < 0.5, -z, z)
        al = (z * z - 3) / 6
        h = 2 / (1 / (2 * a - 1) + 1 / (2 * b - 1))
        w = z * np.sqrt(al + h) / h - (1 / (2 * b - 1) - 1 / (2 * a - 1)) * (al + 5 / 6 - 2 / (3 * h))
        normal = a / (a + b * np.exp(2 * w))
        low = np.exp((np.log(q) + np.log(a) + lb) / a)
        high = -np.expm1((np.log1p(-q) + np.log(b) + lb) / b)
        mean = a / (a + b)
        power = np.where(low < mean, low, np.where(high > mean, high, mean))
        start = np.where((a >= 1) & (b >= 1) & np.isfinite(normal), normal, power)
    return np.clip(start, 1e-300, 1 - 1e-16)


# -- Student t -----------------------------------------------------------------------------
def _t_lower(t: np.ndarray, df: np.ndarray) -> np.ndarray:
    """P(T < -|t|) for finite t and df > 0."""
    t2 = t * t
    with np.errstate(over="ignore", invalid="ignore"):
        x, y = df / (df + t2), t2 / (df + t2)
    x = np.where(np.isinf(t2), 0.0, x)
    y = np.where(np.isinf(t2), 1.0, y)
    return 0.5 * _beta_cdf(x, df / 2, 0.5, y)


def t_sf(t, df):
    """Upper tail ``P(T > t)`` of Student's t with ``df`` degrees of freedom."""
    t, df = np.broadcast_arrays(_f(t), _f(df))
    out = np.full(t.shape, np.nan)
    ok = (df > 0) & ~np.isnan(t)
    if ok.any():
        tt, dd = t[ok], df[ok]
        # beyond 4e5 df the continued fraction loses digits; R's pt() uses this normal
        # approximation there, and so do we
        normal = dd > 4e5
        tail = _t_lower(tt, np.where(normal, 1.0, dd))
        if normal.any():
            v = 1 / (4 * dd[normal])
            x = np.abs(tt[normal])
            tail[normal] = _f(norm_cdf(-x * (1 - v) / np.sqrt(1 + x * x * 2 * v)))
        out[ok] = np.where(tt > 0, tail, 1 - tail)
    return _out(out)


def t_cdf(t, df):
    """CDF of Student's t with ``df`` degrees of freedom."""
    return t_sf(-_f(t), df)


def _t_pdf(t: np.ndarray, df: np.ndarray) -> np.ndarray:
    log_c = -0.5 * np.log(df) - _lbeta(df / 2, np.full_like(df, 0.5))
    return np.exp(log_c - (df + 1) / 2 * np.log1p(t * t / df))


def t_ppf(q, df):
    """Quantile of Student's t with ``df`` degrees of freedom (``inf`` df: normal)."""
    q, df = np.broadcast_arrays(_f(q), _f(df))
    out = np.full(q.shape, np.nan)
    ok = (df > 0) & (q >= 0) & (q <= 1)
    out[ok & (q == 0)] = -np.inf
    out[ok & (q == 1)] = np.inf
    mid = ok & (q > 0) & (q < 1)
    if mid.any():
        qm, dm = q[mid], df[mid]
        normal = np.isinf(dm)
        d = np.where(normal, 1.0, dm)
        tail = np.minimum(qm, 1 - qm)  # solve for -|t|, then reflect
        z = _f(norm_ppf(tail))
        # a first guess: the Cornish-Fisher expansion in 1/df (Abramowitz & Stegun 26.7.5)
        # where it is close; in the far tails of few df, |T| as a beta variable:
        # y = df / (df + t^2) has I_y(df/2, 1/2) = 2 * tail
        z2 = z * z
        t = z + (z2 + 1) * z / (4 * d) + ((5 * z2 + 16) * z2 + 3) * z / (96 * d**2) \
            + (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / (384 * d**3) \
            + ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / (92160 * d**4)
        few = (d < 3) | ((tail < 1e-3) & (d < 100))
        if few.any():
            y = _f(beta_ppf(2 * tail[few], d[few] / 2, 0.5))
            with np.errstate(divide="ignore"):
                t[few] = -np.sqrt(d[few] * (1 - y) / y)
        # polish with Newton steps on the t CDF (1 - y above loses digits for large df)
        for _ in range(6):
            with np.errstate(divide="ignore", invalid="ignore"):
                step = (_t_lower(t, d) - tail) / _t_pdf(t, d)
            t = np.where(np.isfinite(step) & (t < 0), np.minimum(t - step, -0.0), t)
        t = np.where(normal, z, t)
        out[mid] = np.where(qm > 0.5, -t, t)
    return _out(out)


# -- F ---------------------------------------------------------------------------------------
def f_cdf(x, dfn, dfd):
    """CDF of the F distribution."""
    x, dfn, dfd = np.broadcast_arrays(_f(x), _f(dfn), _f(dfd))
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.where(x > 0, dfn * x / (dfn * x + dfd), 0.0)
    out = _f(beta_cdf(y, dfn / 2, dfd / 2))
    return _out(np.where(np.isnan(x), np.nan, out))


def f_ppf(q, dfn, dfd):
    """Quantile of the F distribution with ``dfn`` and ``dfd`` degrees of freedom."""
    q, dfn, dfd = np.broadcast_arrays(_f(q), _f(dfn), _f(dfd))
    # x = dfn F / (dfn F + dfd) is beta(dfn/2, dfd/2); above the median solve for 1 - x,
    # which keeps the digits that x / (1 - x) needs near x = 1
    upper = q > 0.5
    small = np.where(upper, _f(beta_ppf(1 - q, dfd / 2, dfn / 2)), _f(beta_ppf(q, dfn / 2, dfd / 2)))
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(upper, dfd * (1 - small) / (dfn * small), dfd * small / (dfn * (1 - small)))
        return _out(np.where(upper & (small <= 0), np.inf, f))
