"""Repeated-measures and mixed (split-plot) ANOVA via orthonormal within contrasts.

For every within-subject term T the subject x cell matrix ``Y`` is multiplied by the
term's orthonormal contrast matrix ``C_T`` (Kronecker product of per-factor contrasts
for the factors in T and normalised unit vectors for the others). The between-subjects
model (sum-to-zero contrasts, type III) is fitted to ``Y C_T``; the trace of each
hypothesis SSP matrix is the effect's sum of squares, the trace of the error SSP
matrix its error sum of squares. Sphericity statistics come from the eigenvalues of
the error SSP matrix. This is the univariate part of ``car::Anova`` on a multivariate
linear model with ``idata``/``idesign``, which ``afex::aov_ez`` reports.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from ..validation import as_list
from .between import factorial_terms, require_full_cells, term_ssp
from .design import prepare

__all__ = ["rm_anova", "mixed_anova", "orthonormal_contrasts", "sphericity"]

_CORRECTIONS = ("auto", "gg", "hf", "none")
_EFFSIZES = ("np2", "ng2")

COLUMNS = [
    "source",
    "df1",
    "df2",
    "SS",
    "SS_error",
    "MS",
    "MSE",
    "F",
    "p",
    "np2",
    "ng2",
    "eps_gg",
    "eps_hf",
    "p_gg",
    "p_hf",
    "df1_gg",
    "df2_gg",
    "df1_hf",
    "df2_hf",
    "W",
    "p_mauchly",
    "correction",
]


def orthonormal_contrasts(k: int) -> np.ndarray:
    """k x (k-1) orthonormal columns orthogonal to the unit vector (normalised Helmert).

    Examples
    --------
    >>> c = orthonormal_contrasts(3)
    >>> np.allclose(c.T @ c, np.eye(2)), np.allclose(c.sum(axis=0), 0)
    (True, True)
    """
    c = np.zeros((k, k - 1))
    for j in range(1, k):
        c[:j, j - 1] = 1.0
        c[j, j - 1] = -j
        c[:, j - 1] /= np.sqrt(j * (j + 1))
    return c


def _term_contrast(shape: tuple[int, ...], term: tuple[int, ...]) -> np.ndarray:
    out = np.ones((1, 1))
    for f, k in enumerate(shape):
        m = orthonormal_contrasts(k) if f in term else np.full((k, 1), 1 / np.sqrt(k))
        out = np.kron(out, m)
    return out


def sphericity(sse: np.ndarray, df_error: int, n_cells: int) -> dict:
    """Greenhouse-Geisser and Huynh-Feldt epsilon and Mauchly's test from an error SSP.

    Parameters
    ----------
    sse : ndarray, shape (q, q)
        Error SSP matrix of the orthonormally transformed responses of one term.
    df_error : int
        Residual degrees of freedom of the between-subjects model (N - groups).
    n_cells : int
        Number of within cells in the whole design (enters the second-order term of
        Mauchly's p-value exactly as in R's ``mauchly.test`` and ``car``).

    Returns
    -------
    dict with ``eps_gg``, ``eps_hf`` (Lecoutre-corrected, not truncated), ``W``,
    ``p_mauchly``; eps = 1 and NaN test when q = 1.

    Notes
    -----
    GG: :math:`(\\sum\\lambda)^2 / (q\\sum\\lambda^2)` over the eigenvalues of ``sse``.
    HF (Lecoutre 1991, as in ``car`` >= 3.0): :math:`((n+1) q\\hat\\varepsilon - 2) /
    (q (n - q\\hat\\varepsilon))` with n the error df.
    """
    q = sse.shape[0]
    if q < 2:
        return {"eps_gg": 1.0, "eps_hf": 1.0, "W": np.nan, "p_mauchly": np.nan}
    from scipy.stats import chi2

    lam = np.linalg.eigvalsh(sse)
    if df_error < q or lam.min() <= lam.max() * q * np.finfo(float).eps:
        return {"eps_gg": np.nan, "eps_hf": np.nan, "W": np.nan, "p_mauchly": np.nan}
    gg = lam.sum() ** 2 / (q * (lam**2).sum())
    n = df_error
    hf = ((n + 1) * q * gg - 2) / (q * (n - q * gg))
    sign, logdet = np.linalg.slogdet(sse)
    log_w = (logdet if sign > 0 else -np.inf) - q * np.log(np.trace(sse) / q)
    rho = 1 - (2 * q**2 + q + 2) / (6 * q * n)
    w2 = (
        (q + 2)
        * (q - 1)
        * (q - 2)
        * (2 * q**3 + 6 * q**2 + 3 * n_cells + 2)
        / (288 * (n * q * rho) ** 2)
    )
    z = -n * rho * log_w
    f = q * (q + 1) / 2 - 1
    p1, p2 = chi2.sf(z, f), chi2.sf(z, f + 4)
    return {
        "eps_gg": float(gg),
        "eps_hf": float(hf),
        "W": float(np.exp(log_w)),
        "p_mauchly": float(p1 + w2 * (p2 - p1)),
    }


def _finish_table(
    rows: list[dict], attrs: dict, observed: list[str], error_total: float | None = None
) -> pd.DataFrame:
    """F, p, effect sizes and corrected tests from SS rows; attach ``attrs``.

    ``error_total`` is the sum of the error SS of every stratum (the between-subjects
    stratum counts even when it has no effect row); by default each distinct stratum
    among the rows counts once.
    """
    from scipy.stats import f as fdist

    tab = pd.DataFrame(rows)
    for col in ("eps_gg", "eps_hf", "W", "p_mauchly"):
        if col not in tab:
            tab[col] = np.nan
    tab["MS"] = tab["SS"] / tab["df1"]
    tab["MSE"] = tab["SS_error"] / tab["df2"]
    tab["F"] = tab["MS"] / tab["MSE"]
    tab["p"] = fdist.sf(tab["F"], tab["df1"], tab["df2"])
    tab["np2"] = tab["SS"] / (tab["SS"] + tab["SS_error"])
    # generalized eta squared (Olejnik & Algina 2003; Bakeman 2005), as afex/ez:
    # every distinct error stratum counts once; observed factors join the denominator
    if error_total is None:
        error_total = tab.drop_duplicates("stratum")["SS_error"].sum()
    is_obs = np.zeros(len(tab), dtype=bool)
    for name in observed:
        if name not in attrs["between"] + attrs["within"]:
            raise InputError("observed factor is not in the design", value=name)
        is_obs |= tab["source"].str.split(":").apply(lambda parts, n=name: n in parts).to_numpy()
    obs_ss = tab["SS"].to_numpy() * is_obs
    tab["ng2"] = tab["SS"] / (tab["SS"] + error_total + obs_ss.sum() - obs_ss)
    for tag, eps in (("gg", tab["eps_gg"]), ("hf", np.minimum(tab["eps_hf"], 1.0))):
        tab[f"df1_{tag}"] = tab["df1"] * eps
        tab[f"df2_{tag}"] = tab["df2"] * eps
        tab[f"p_{tag}"] = fdist.sf(tab["F"], tab[f"df1_{tag}"], tab[f"df2_{tag}"])
    tab["correction"] = _choose_correction(tab, attrs.get("correction", "auto"))
    tab = tab[COLUMNS].reset_index(drop=True)
    tab.attrs.update(attrs)
    tab.attrs["observed"] = list(observed)
    return tab


def _choose_correction(tab: pd.DataFrame, correction: str) -> list[str]:
    out = []
    for eps, pm in zip(tab["eps_gg"], tab["p_mauchly"], strict=True):
        if np.isnan(eps) or np.isnan(pm) or correction == "none":
            out.append("none")
        elif correction in ("gg", "hf"):
            out.append(correction.upper())
        elif pm < 0.05:  # auto: Mauchly significant -> GG if eps < .75 else HF (Girden 1992)
            out.append("GG" if eps < 0.75 else "HF")
        else:
            out.append("none")
    return out


def _split_plot(
    design, correction: str, effsize: str, observed, kind: str, ss_type: int = 3
) -> pd.DataFrame:
    if correction not in _CORRECTIONS:
        raise InputError(f"correction must be one of {', '.join(_CORRECTIONS)}", value=correction)
    if effsize not in _EFFSIZES:
        raise InputError(f"effsize must be one of {', '.join(_EFFSIZES)}", value=effsize)
    require_full_cells(design.between_codes, design.between_levels, design.between)
    shape = design.within_shape
    n_cells = int(np.prod(shape))
    n_levels = [len(lv) for lv in design.between_levels]
    rows, error_total = [], 0.0
    for wterm in [(), *factorial_terms(len(shape))]:
        c = _term_contrast(shape, wterm)
        fit = term_ssp(design.y @ c, design.between_codes, n_levels, ss_type=ss_type)
        q = c.shape[1]
        sph = sphericity(fit["sse"], fit["df_error"], n_cells) if wterm else {}
        w_names = [design.within[i] for i in wterm]
        error_total += float(np.trace(fit["sse"]))
        for bterm, ssh, df in zip(fit["terms"], fit["ssh"], fit["df"], strict=True):
            if not wterm and not bterm:
                continue  # the grand mean is not an effect
            name = ":".join([design.between[i] for i in bterm] + w_names)
            rows.append(
                {
                    "source": name,
                    "df1": float(df * q),
                    "df2": float(fit["df_error"] * q),
                    "SS": float(np.trace(ssh)),
                    "SS_error": float(np.trace(fit["sse"])),
                    "stratum": ":".join(w_names) or "(between)",
                    **sph,
                }
            )
    attrs = {
        "kind": kind,
        "dv": design.dv,
        "subject": design.subject,
        "within": list(design.within),
        "between": list(design.between),
        "within_levels": {
            f: list(lv) for f, lv in zip(design.within, design.within_levels, strict=True)
        },
        "between_levels": {
            f: list(lv) for f, lv in zip(design.between, design.between_levels, strict=True)
        },
        "n_subjects": int(design.y.shape[0]),
        "n_dropped": design.n_dropped,
        "n_aggregated": design.n_aggregated,
        "ss_type": ss_type,
        "correction": correction,
        "effsize": effsize,
    }
    return _finish_table(rows, attrs, observed=as_list(observed), error_total=error_total)


def rm_anova(
    data, dv: str, within, subject: str, correction: str = "auto", effsize: str = "np2"
) -> pd.DataFrame:
    """Repeated-measures ANOVA with one or more within-subject factors.

    Parameters
    ----------
    data : pandas.DataFrame
        Long data, one row per subject and condition (duplicates are averaged with an
        ``AnovaWarning``; subjects missing a condition are dropped with a warning).
    dv : str
        Numeric response column.
    within : str or list of str
        Within-subject factor column(s).
    subject : str
        Subject identifier column.
    correction : {"auto", "gg", "hf", "none"}
        Which sphericity correction :func:`report_text` reports (column ``correction``).
        ``"auto"``: when Mauchly's test is significant at .05, Greenhouse-Geisser if
        eps_GG < .75 else Huynh-Feldt. All corrected columns are always returned.
    effsize : {"np2", "ng2"}
        Effect size :func:`report_text` quotes (both are always returned).

    Returns
    -------
    pandas.DataFrame
        One row per effect; columns ``source, df1, df2, SS, SS_error, MS, MSE, F, p,
        np2, ng2, eps_gg, eps_hf, p_gg, p_hf, df1_gg, df2_gg, df1_hf, df2_hf, W,
        p_mauchly, correction`` (see :mod:`omsmethod.anova`).

    Notes
    -----
    F = (SS/df1)/(SS_error/df2) with SS = tr(SSH) and SS_error = tr(SSE) of the
    orthonormally transformed responses; identical to ``afex::aov_ez``.

    References
    ----------
    Singmann, H. et al. afex: Analysis of Factorial Experiments (``aov_ez``); Fox, J. &
    Weisberg, S., ``car::Anova`` for multivariate linear models.

    Examples
    --------
    >>> import omsmethod as oms
    >>> df = oms.datasets.load("promotion")
    >>> res = oms.anova.rm_anova(df, "likelihood", "promotion", "respondent")
    >>> res[["source", "df1", "df2"]].to_dict("records")
    [{'source': 'promotion', 'df1': 3.0, 'df2': 897.0}]
    """
    within = as_list(within)
    if not within:
        raise InputError("rm_anova needs at least one within factor", hint="within='condition'")
    design = prepare(data, dv, within=within, subject=subject)
    return _split_plot(design, correction, effsize, None, "rm")


def mixed_anova(
    data,
    dv: str,
    within,
    between,
    subject: str,
    correction: str = "auto",
    effsize: str = "np2",
    observed=None,
    ss_type: int = 3,
) -> pd.DataFrame:
    """Mixed (split-plot) ANOVA: any number of within and between factors, type III.

    Parameters
    ----------
    data : pandas.DataFrame
        Long data, one row per subject and within condition.
    dv, subject : str
        Response and subject identifier columns.
    within, between : str or list of str
        Within-subject and between-subjects factor columns (at least one of each).
    correction, effsize : str
        As in :func:`rm_anova`.
    observed : list of str, optional
        Measured (not manipulated) factors for generalized eta squared ``ng2``
        (afex's ``observed``).
    ss_type : {3, 2}
        Type III (default; afex's default) or type II (``aov_ez(type = 2)``: each term
        after all terms not containing it; within main effects on n-weighted means).

    Returns
    -------
    pandas.DataFrame
        As :func:`rm_anova`; between-subjects rows (no within factor) have NaN
        sphericity columns. Unbalanced groups use type III sums of squares with
        sum-to-zero contrasts (afex default).

    Examples
    --------
    >>> import omsmethod as oms
    >>> df = oms.datasets.load("promotion")
    >>> res = oms.anova.mixed_anova(df, "likelihood", "promotion", "behaviour", "respondent")
    >>> list(res["source"])
    ['behaviour', 'promotion', 'behaviour:promotion']
    """
    within, between = as_list(within), as_list(between)
    if not within or not between:
        raise InputError(
            "mixed_anova needs at least one within and one between factor",
            hint="use rm_anova or two_way for designs without one of them",
        )
    design = prepare(data, dv, within=within, between=between, subject=subject)
    if ss_type not in (2, 3):
        raise InputError("ss_type must be 2 or 3", value=ss_type)
    return _split_plot(design, correction, effsize, observed, "mixed", ss_type)
