"""Scores: items → subsystems → layers, reliability, maturity and importance–performance.

Examples
--------
>>> from omsmethod import datasets, instrument, scoring
>>> customer = instrument.load("customer")
>>> scores = scoring.score(datasets.load("customer"), customer)
>>> scores[["service", "service_100", "core"]].round(2).head(2)
   service  service_100  core
0      3.2         55.0  3.50
1      5.0        100.0  4.88
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import InputError
from .validation import require_columns, require_dataframe

__all__ = [
    "recode",
    "score",
    "reliability",
    "Reliability",
    "cronbach_alpha",
    "omega_total",
    "maturity",
    "maturity_levels",
    "ipa",
    "plot_radar",
    "plot_layers",
    "plot_ipa",
    "score_columns",
]


def _instrument(instrument):
    from .instrument import Instrument, load

    return instrument if isinstance(instrument, Instrument) else load(instrument)


def _model(model):
    from .model import OMSModel, load

    return model if isinstance(model, OMSModel) else load(model)


def recode(responses: pd.DataFrame, instrument) -> pd.DataFrame:
    """Likert answers with reverse-coded items turned round (``min + max - x``).

    Returns a new DataFrame of the Likert item columns only; the input is not changed.
    """
    instrument = _instrument(instrument)
    items = instrument.by_id
    columns = [i for i in instrument.likert_items() if i in responses.columns]
    if all(pd.api.types.is_numeric_dtype(responses[c]) for c in columns):
        # numbers, as read_responses returns them (no Likert columns: an (n, 0) array)
        values = responses[columns].to_numpy(dtype=float, copy=True)
    else:
        values = np.column_stack([pd.to_numeric(responses[c], errors="coerce").to_numpy(dtype=float)
                                  for c in columns])
    reverse = items.loc[columns, "reverse"].to_numpy(dtype=bool)
    flip = (items.loc[columns, "scale_min"] + items.loc[columns, "scale_max"]).to_numpy(dtype=float)
    values[:, reverse] = flip[reverse] - values[:, reverse]
    return pd.DataFrame(values, index=responses.index, columns=columns)


def score_columns(scores: pd.DataFrame) -> list[str]:
    """The subsystem and layer score columns present in a :func:`score` result."""
    from .model import LAYERS, SUBSYSTEMS

    return [c for c in (*SUBSYSTEMS, *LAYERS) if c in scores.columns]


def score(
    responses: pd.DataFrame,
    instrument,
    model=None,
    min_share: float = 0.5,
) -> pd.DataFrame:
    """Score each respondent on every subsystem and layer the instrument measures.

    Parameters
    ----------
    responses : DataFrame
        One row per respondent, as returned by ``read_responses``.
    instrument : Instrument or str
    model : OMSModel or path, optional
        Gives the layer of each subsystem (default: the bundled OMS model).
    min_share : float
        Minimum share of a subsystem's items a respondent must have answered for the
        subsystem score to be computed (default 0.5); below it the score is missing.

    Returns
    -------
    DataFrame
        The respondent's non-item columns (id, unit, segments, weights; free text is
        dropped), then one column per subsystem (mean of the answered, reverse-coded
        items, on the instrument's scale), one per layer (mean of the respondent's
        subsystem scores in that layer, each subsystem weighted equally), and each of
        those again rescaled to 0–100 with the suffix ``_100``.

    Notes
    -----
    0–100 rescaling: ``100 * (score - min) / (max - min)`` with the Likert scale's min
    and max.
    """
    require_dataframe(responses, "responses")
    if not 0 < min_share <= 1:
        raise InputError("min_share must be in (0, 1]", value=min_share)
    instrument = _instrument(instrument)
    model = _model(model)
    likert = instrument.likert_items()
    require_columns(responses, likert, "responses")
    answers = recode(responses, instrument)
    items = instrument.by_id
    kinds = items["kind"].to_dict()
    # item columns are left out, except the answers to choice questions (segments)
    keep = [c for c in responses.columns if kinds.get(c, "select_one") == "select_one"]
    lo = float(items.loc[likert, "scale_min"].min())
    hi = float(items.loc[likert, "scale_max"].max())
    position = {item: j for j, item in enumerate(answers.columns)}
    values = answers.to_numpy()
    scores: dict[str, np.ndarray] = {}
    for subsystem in instrument.subsystems:
        block = values[:, [position[i] for i in instrument.likert_items(subsystem)]]
        answered = (~np.isnan(block)).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = np.nansum(block, axis=1) / answered
        mean[answered < min_share * block.shape[1]] = np.nan
        scores[subsystem] = mean
    for layer in model.layers["id"]:
        members = [scores[s] for s in model.subsystems_in(layer) if s in scores]
        if members:
            stacked = np.column_stack(members)
            count = (~np.isnan(stacked)).sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                scores[layer] = np.where(count > 0, np.nansum(stacked, axis=1) / count, np.nan)
    columns = {**scores, **{f"{name}_100": 100 * (v - lo) / (hi - lo) for name, v in scores.items()}}
    out = pd.concat([responses[keep], pd.DataFrame(columns, index=responses.index)], axis=1)
    out.attrs.update(instrument=instrument.id, scale_min=lo, scale_max=hi)
    return out


# -- reliability ---------------------------------------------------------------------------
def cronbach_alpha(data: np.ndarray, ci: float = 0.95) -> tuple[float, float, float]:
    """Cronbach's alpha of complete rows with Feldt's confidence interval.

    Parameters
    ----------
    data : ndarray, shape (n, k)
        Complete answers (no NaN).
    ci : float
        Confidence level.

    Returns
    -------
    alpha, ci_low, ci_high : float

    Notes
    -----
    ``alpha = k/(k-1) * (1 - sum(var_i)/var(total))``; Feldt (1965):
    ``1 - (1 - alpha) * F_{1-g/2}(n-1, (n-1)(k-1))`` and ``1 - (1 - alpha) * F_{g/2}(...)``.

    References
    ----------
    Cronbach (1951) Psychometrika 16, 297–334. Feldt, Woodruff & Salih (1987) Applied
    Psychological Measurement 11, 93–103. Same as ``pingouin.cronbach_alpha``.
    """
    n, k = data.shape
    alpha = _alpha(data)
    low, high = _feldt_interval(np.array([alpha]), np.array([n]), np.array([k]), ci)
    return alpha, float(low[0]), float(high[0])


def _feldt_interval(alpha: np.ndarray, n: np.ndarray, k: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """Feldt's interval for several alphas at once (one quantile search for all)."""
    from .distributions import f_ppf

    g = 1 - ci
    df1, df2 = n - 1, (n - 1) * (k - 1)
    quantiles = f_ppf(np.repeat([1 - g / 2, g / 2], len(alpha)), np.tile(df1, 2), np.tile(df2, 2))
    upper_q, lower_q = quantiles[: len(alpha)], quantiles[len(alpha):]
    return 1 - (1 - alpha) * upper_q, 1 - (1 - alpha) * lower_q


def _alpha(data: np.ndarray) -> float:
    k = data.shape[1]
    item_var = data.var(axis=0, ddof=1).sum()
    total_var = data.sum(axis=1).var(ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(k / (k - 1) * (1 - item_var / total_var))


def omega_total(corr: np.ndarray, max_iter: int = 500, tol: float = 1e-10) -> tuple[float, np.ndarray]:
    """McDonald's omega total from a one-factor minres (ULS) solution.

    Parameters
    ----------
    corr : ndarray, shape (k, k)
        Item correlation matrix.

    Returns
    -------
    omega : float
        ``(sum lambda)^2 / ((sum lambda)^2 + sum(1 - lambda^2))``; NaN when an item has
        no variance (the correlation matrix has missing entries).
    loadings : ndarray
        The standardised one-factor loadings.

    Notes
    -----
    Iterated principal-axis factoring; its fixed point is the unweighted least squares
    (minres) solution, as in R ``psych::fa(fm = "minres")`` for one factor.

    References
    ----------
    McDonald (1999) Test theory: a unified treatment, ch. 6.
    """
    R = np.array(corr, dtype=float)
    if not np.isfinite(R).all():  # an item without variance: no factor solution
        return float("nan"), np.full(len(R), np.nan)
    # squared multiple correlations; pinv keeps a singular matrix (tiny samples) usable
    communality = np.clip(1 - 1 / np.diag(np.linalg.pinv(R)), 0, 1)
    loadings = np.sqrt(np.clip(communality, 0, 1))
    for _ in range(max_iter):
        reduced = R.copy()
        np.fill_diagonal(reduced, communality)
        values, vectors = np.linalg.eigh(reduced)
        loadings = vectors[:, -1] * np.sqrt(max(values[-1], 0))
        if loadings.sum() < 0:
            loadings = -loadings
        new = np.clip(loadings**2, 0, 1)
        if np.max(np.abs(new - communality)) < tol:
            communality = new
            break
        communality = new
    uniqueness = 1 - loadings**2
    total = loadings.sum() ** 2
    return float(total / (total + uniqueness.sum())), loadings


@dataclass
class Reliability:
    """Reliability of each subsystem's items.

    Attributes
    ----------
    table : DataFrame
        ``subsystem, n_items, n, alpha, alpha_ci_low, alpha_ci_high, omega, flag``.
    items : DataFrame
        ``subsystem, item, n, mean, sd, item_rest_r, alpha_if_deleted``.
    """

    table: pd.DataFrame
    items: pd.DataFrame

    def summary(self) -> str:
        low = self.table.loc[self.table["alpha"] < 0.7, "subsystem"].tolist()
        text = self.table.round(3).to_string(index=False)
        return text + ("\nalpha below 0.7: " + ", ".join(low) if low else "")

    def _repr_html_(self) -> str:
        return self.table.round(3).to_html(index=False) + self.items.round(3).to_html(index=False)


def reliability(responses: pd.DataFrame, instrument, ci: float = 0.95, threshold: float = 0.7) -> Reliability:
    """Cronbach's alpha (with CI), McDonald's omega and item–rest correlations per subsystem.

    Alpha, omega and item statistics use the respondents who answered every item of the
    subsystem (listwise deletion within the subsystem).

    Parameters
    ----------
    responses : DataFrame
    instrument : Instrument or str
    ci : float
        Confidence level of the alpha interval (Feldt).
    threshold : float
        Alpha below this is flagged (default 0.7, Nunnally 1978).

    Returns
    -------
    Reliability

    Examples
    --------
    >>> from omsmethod import datasets, scoring
    >>> rel = scoring.reliability(datasets.load("staff"), "staff")
    >>> rel.table.set_index("subsystem").loc["staff", ["n_items", "alpha"]].round(2).tolist()
    [6.0, 0.87]
    """
    require_dataframe(responses, "responses")
    instrument = _instrument(instrument)
    answers = recode(responses, instrument)
    rows, item_rows = [], []
    for subsystem in instrument.subsystems:
        columns = instrument.likert_items(subsystem)
        block = answers[columns].dropna().to_numpy()
        n, k = block.shape
        if k < 2 or n < 3:
            rows.append({"subsystem": subsystem, "n_items": k, "n": n})
            continue
        alpha = _alpha(block)
        omega = omega_total(np.corrcoef(block, rowvar=False))[0] if k >= 3 else np.nan
        rows.append(
            {
                "subsystem": subsystem, "n_items": k, "n": n, "alpha": alpha, "omega": omega,
                "flag": "low_alpha" if alpha < threshold else "",
            }
        )
        total = block.sum(axis=1)
        for j, item in enumerate(columns):
            rest = total - block[:, j]
            others = np.delete(block, j, axis=1)
            item_rows.append(
                {
                    "subsystem": subsystem, "item": item, "n": n,
                    "mean": block[:, j].mean(), "sd": block[:, j].std(ddof=1),
                    "item_rest_r": np.corrcoef(block[:, j], rest)[0, 1],
                    "alpha_if_deleted": _alpha(others) if k > 2 else np.nan,
                }
            )
    table = pd.DataFrame(rows, columns=["subsystem", "n_items", "n", "alpha", "alpha_ci_low",
                                        "alpha_ci_high", "omega", "flag"])
    rated = table["alpha"].notna().to_numpy()
    if rated.any():
        low, high = _feldt_interval(table.loc[rated, "alpha"].to_numpy(float), table.loc[rated, "n"].to_numpy(float),
                                    table.loc[rated, "n_items"].to_numpy(float), ci)
        table.loc[rated, "alpha_ci_low"], table.loc[rated, "alpha_ci_high"] = low, high
    items = pd.DataFrame(item_rows, columns=["subsystem", "item", "n", "mean", "sd", "item_rest_r",
                                             "alpha_if_deleted"])
    return Reliability(table=table, items=items)


# -- maturity ---------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def maturity_levels() -> pd.DataFrame:
    """The five maturity levels: ``level, lower, name_zh, name_en, description_zh, description_en``."""
    import yaml

    path = Path(__file__).resolve().parent / "data" / "maturity.yaml"
    return pd.DataFrame(yaml.safe_load(path.read_text(encoding="utf-8"))["levels"])


def maturity(scores: pd.DataFrame, model=None, weights: str | None = None) -> pd.DataFrame:
    """Maturity level (1–5) of each subsystem and layer from 0–100 scores.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`score` (uses the ``*_100`` columns), or a table with columns
        ``subsystem`` and ``score_100`` (e.g. design-based estimates).
    model : OMSModel, optional
    weights : str, optional
        Column of survey weights for the mean score.

    Returns
    -------
    DataFrame
        ``subsystem, layer, score_100, level, name_zh, name_en``; layers appear as rows
        whose ``subsystem`` is the layer id and ``layer`` the same id.

    Notes
    -----
    Levels start at 0, 40, 55, 70 and 85 points (``data/maturity.yaml``).
    """
    model = _model(model)
    if {"subsystem", "score_100"} <= set(scores.columns):
        means = scores.set_index("subsystem")["score_100"]
    else:
        columns = [c for c in scores.columns if c.endswith("_100")]
        if not columns:
            raise InputError("scores have no *_100 columns", hint="pass the output of scoring.score")
        data = scores[columns]
        if weights:
            w = scores[weights].to_numpy(float)
            values = data.to_numpy(float)
            ok = ~np.isnan(values)
            means = pd.Series((np.where(ok, values, 0) * w[:, None]).sum(0) / (ok * w[:, None]).sum(0),
                              index=columns)
        else:
            means = data.mean()
        means.index = [c[: -len("_100")] for c in means.index]
    levels = maturity_levels()
    cut = np.searchsorted(levels["lower"].to_numpy(), means.to_numpy(), side="right") - 1
    table = pd.DataFrame({"subsystem": means.index, "score_100": means.to_numpy()})
    table["layer"] = [model.layer_of.get(s, s) for s in table["subsystem"]]
    chosen = levels.iloc[np.clip(cut, 0, len(levels) - 1)].reset_index(drop=True)
    table["level"] = chosen["level"].to_numpy()
    table["name_zh"] = chosen["name_zh"].to_numpy()
    table["name_en"] = chosen["name_en"].to_numpy()
    return table[["subsystem", "layer", "score_100", "level", "name_zh", "name_en"]]


# -- importance–performance -------------------------------------------------------------------
def _quadrant(importance, performance, i0, p0) -> np.ndarray:
    high_i, high_p = importance >= i0, performance >= p0
    return np.select(
        [high_i & ~high_p, high_i & high_p, ~high_i & ~high_p],
        ["concentrate", "keep_up", "low_priority"],
        "overkill",
    )


def ipa(responses: pd.DataFrame, instrument, weights: str | None = None, min_share: float = 0.5) -> pd.DataFrame:
    """Importance–performance analysis of the subsystems with a stated-importance item.

    Parameters
    ----------
    responses : DataFrame
    instrument : Instrument or str
        Must have ``importance`` items (the customer survey has one per subsystem it rates).
    weights : str, optional
        Column of survey weights.

    Returns
    -------
    DataFrame
        ``subsystem, importance, performance, n, gap, quadrant_grand_mean, quadrant_scale,
        above_diagonal``; ``attrs`` holds the cross-hair positions.

    Notes
    -----
    Performance is the mean subsystem score, importance the mean importance answer,
    both on the 1–5 scale. Two quadrant variants: ``quadrant_grand_mean`` puts the
    cross-hairs at the grand means of importance and performance over the subsystems
    (data-centred quadrants), ``quadrant_scale`` at the scale midpoint (Martilla & James'
    original scale-centred grid). ``above_diagonal`` is the data-centred diagonal
    variant: subsystems whose importance exceeds performance by more than the average
    gap are improvement priorities.

    References
    ----------
    Martilla & James (1977) Journal of Marketing 41(1), 77–79. Bacon (2003)
    International Journal of Market Research 45(1), 55–71.
    """
    instrument = _instrument(instrument)
    importance_items = instrument.importance_items()
    if not importance_items:
        raise InputError(
            f"the {instrument.id} questionnaire asks no importance items",
            hint="IPA needs stated importance; use the customer survey or omsmethod.sem.ipma",
        )
    scores = score(responses, instrument, min_share=min_share)
    w = responses[weights].to_numpy(float) if weights else np.ones(len(responses))
    rows = []
    for subsystem, item in importance_items.items():
        perf = scores[subsystem].to_numpy(float)
        imp = pd.to_numeric(responses[item], errors="coerce").to_numpy(float)
        ok_p, ok_i = ~np.isnan(perf), ~np.isnan(imp)
        rows.append(
            {
                "subsystem": subsystem,
                "importance": np.sum(imp[ok_i] * w[ok_i]) / np.sum(w[ok_i]),
                "performance": np.sum(perf[ok_p] * w[ok_p]) / np.sum(w[ok_p]),
                "n": int((ok_p & ok_i).sum()),
            }
        )
    table = pd.DataFrame(rows)
    i0, p0 = table["importance"].mean(), table["performance"].mean()
    scale = instrument.scales[instrument.by_id.at[next(iter(importance_items.values())), "scale"]]
    mid = (scale.min + scale.max) / 2
    table["gap"] = table["importance"] - table["performance"]
    table["quadrant_grand_mean"] = _quadrant(table["importance"], table["performance"], i0, p0)
    table["quadrant_scale"] = _quadrant(table["importance"], table["performance"], mid, mid)
    table["above_diagonal"] = table["gap"] > (i0 - p0)
    table.attrs.update(importance_mean=i0, performance_mean=p0, midpoint=mid,
                       scale_min=scale.min, scale_max=scale.max)
    return table


# -- figures ----------------------------------------------------------------------------------
def plot_radar(table: pd.DataFrame, value: str = "score_100", lang: str = "en", model=None,
               group: str | None = None, title: str | None = None):
    """Radar (spider) chart of subsystem scores.

    Parameters
    ----------
    table : DataFrame
        Columns ``subsystem`` and ``value`` (e.g. :func:`maturity` output), optionally a
        ``group`` column for one trace per group (e.g. survey or wave).
    """
    from .figures import make_figure

    model = _model(model)
    order = [s for s in model.subsystem_ids if s in set(table["subsystem"])]
    labels = [model.label(s, lang) for s in order]
    groups = [(None, table)] if group is None else list(table.groupby(group, sort=False))
    traces = []
    for name, part in groups:
        r = part.set_index("subsystem")[value].reindex(order).tolist()
        traces.append({"type": "scatterpolar", "r": [*r, r[0]], "theta": [*labels, labels[0]], "fill": "toself",
                       "name": str(name) if name is not None else t_score(lang), "connectgaps": False})
    return make_figure(traces, {"polar": {"radialaxis": {"range": [0, 100]}}, "title": {"text": title},
                                "showlegend": group is not None, "margin": {"t": 60, "b": 30}})


def t_score(lang: str) -> str:
    from .i18n import t

    return t("score_100", lang)


def plot_layers(table: pd.DataFrame, value: str = "score_100", lang: str = "en", model=None,
                error: tuple[str, str] | None = None, title: str | None = None):
    """Bar chart of layer (or subsystem) scores grouped by layer, with optional CI bars."""
    from .figures import make_figure
    from .i18n import t

    model = _model(model)
    traces = []
    for layer in model.layers["id"]:
        part = table[table["layer"] == layer]
        if part.empty:
            continue
        trace = {"type": "bar", "x": [model.label(s, lang) for s in part["subsystem"]],
                 "y": part[value].to_numpy(), "name": model.label(layer, lang)}
        if error:
            trace["error_y"] = {
                "type": "data", "symmetric": False,
                "array": (part[error[1]] - part[value]).to_numpy(),
                "arrayminus": (part[value] - part[error[0]]).to_numpy(),
            }
        traces.append(trace)
    return make_figure(traces, {"yaxis": {"title": {"text": t(value, lang)}, "range": [0, 100]},
                                "title": {"text": title}, "barmode": "group"})


def plot_ipa(table: pd.DataFrame, lang: str = "en", centre: str = "grand_mean", model=None, title=None):
    """Importance–performance map of an :func:`ipa` table with its cross-hairs."""
    from .figures import crosshairs, make_figure
    from .i18n import t

    model = _model(model)
    if centre == "grand_mean":
        i0, p0 = table.attrs["importance_mean"], table.attrs["performance_mean"]
    elif centre == "scale":
        i0 = p0 = table.attrs["midpoint"]
    else:
        raise InputError("centre must be 'grand_mean' or 'scale'", value=centre)
    quadrant = table[f"quadrant_{centre}"]
    point = {
        "type": "scatter", "x": table["performance"].to_numpy(), "y": table["importance"].to_numpy(),
        "mode": "markers+text", "text": [model.label(s, lang) for s in table["subsystem"]],
        "textposition": "top center",
        "marker": {"size": 12, "color": ["#d62728" if q == "concentrate" else "#1f77b4" for q in quadrant]},
        "hovertext": [t(q, lang) for q in quadrant],
    }
    shapes = crosshairs(p0, i0, {"dash": "dash", "color": "grey"})
    lo, hi = table.attrs["scale_min"], table.attrs["scale_max"]
    annotations = [
        {"x": x, "y": y, "text": t(key, lang), "showarrow": False, "opacity": 0.6, "xanchor": "left" if x == lo else "right"}
        for key, x, y in (("concentrate", lo, hi), ("keep_up", hi, hi), ("low_priority", lo, lo), ("overkill", hi, lo))
    ]
    return make_figure([point], {
        "xaxis": {"title": {"text": t("performance", lang)}, "range": [lo, hi]},
        "yaxis": {"title": {"text": t("importance", lang)}, "range": [lo, hi]},
        "title": {"text": title}, "shapes": shapes, "annotations": annotations,
    })
