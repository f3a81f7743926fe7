"""The synthetic enterprise: a fictional chain whose customers, staff and partners answer
the real OMS questionnaires, generated from known subsystem levels and known relations.

Generating model
----------------
Each subsystem has a latent level ``eta`` (variance 1) following a linear structural model
``eta = mu + B (eta - mu) + zeta`` whose paths are the OMS model's relations (``PATHS``),
in two parts: a branch part (variance ``unit_share``), shared by everyone in a branch, and
a respondent part (``1 - unit_share``). Each Likert item is an ordinal probit indicator:
``y* = loading * eta + sqrt(1 - loading^2) * e``, answered ``1 + #{k: y* > tau_k}``
with thresholds ``tau = (-1.5, -0.5, 0.5, 1.5)`` (reverse-coded items are stored
reversed). Hence the expected item score is exactly
``1 + sum_k Phi(loading * mu_s - tau_k)`` and the expected subsystem score is its mean
over the subsystem's items: :attr:`Enterprise.truth` holds those levels, the path matrix
and the implied latent covariance, so tests can check that scoring and the graph and
model estimators recover them.

Customers are sampled by stratified simple random sampling within each branch (branches
are the strata, with finite population ``N_customers``), younger customers responding more
often (so raking to the population margins in :func:`population_margins` matters).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["Enterprise", "synthetic", "PATHS", "LEVELS", "population_margins", "customer_frame", "THRESHOLDS"]

THRESHOLDS = np.array([-1.5, -0.5, 0.5, 1.5])

#: Latent mean of each subsystem (standard-deviation units; 0 ≈ the scale midpoint).
LEVELS = {
    "customer": 0.55,
    "staff": 0.35,
    "brand": 0.70,
    "value": 0.45,
    "service": 0.80,
    "education": 0.10,
    "pr": 0.25,
    "vis": 0.90,
    "information": -0.15,
}

#: Planted standardised paths (from, to, coefficient): one per OMS model relation;
#: the undirected ones (customer–brand, staff–value) are generated in the direction given.
PATHS = (
    ("education", "service", 0.45),
    ("education", "staff", 0.50),
    ("education", "value", 0.30),
    ("staff", "value", 0.45),
    ("service", "customer", 0.50),
    ("information", "customer", 0.25),
    ("customer", "brand", 0.40),
    ("service", "brand", 0.15),
    ("pr", "brand", 0.20),
    ("vis", "brand", 0.20),
)

_REGIONS = {
    "north": ("华北", "North"),
    "east": ("华东", "East"),
    "south": ("华南", "South"),
    "west": ("西部", "West"),
    "central": ("华中", "Central"),
}
_CHANNELS = ("store", "web", "app", "call_centre")
_AGE_POP = {"18-29": 0.22, "30-44": 0.33, "45-59": 0.28, "60+": 0.17}
_AGE_RESPONSE = {"18-29": 1.6, "30-44": 1.2, "45-59": 0.8, "60+": 0.5}
_GENDER_POP = {"female": 0.52, "male": 0.46, "other": 0.02}
_COMMENTS = (
    "店员很热情，服务周到。",
    "希望网上下单后能更快发货。",
    "价格有点高，但质量不错。",
    "The staff were friendly and helpful.",
    "Waiting time at the counter was too long.",
    "会员积分规则不太清楚。",
    "Please add more parking near the store.",
    "投诉后很快得到了回复，满意。",
)


@dataclass
class Enterprise:
    """A generated enterprise: survey responses, branches and the truth behind them.

    Attributes
    ----------
    customer, staff, partner : DataFrame
        Responses in the layout ``read_responses`` returns (one row per respondent),
        with ``unit``, ``region``, ``wave``, ``date``, a design ``weight`` and the
        stratum's population size (``N_customers`` / ``N_staff`` / ``N_partners``).
    branches : DataFrame
        One row per branch: ``unit, region, region_zh, N_customers, N_staff, N_partners``
        (partners working with the branch: a third of its staff count).
    truth : dict
        ``levels`` (expected subsystem score of the sampled respondents, per instrument,
        on its 1–5 scale, given the branch effects drawn), ``population_levels`` (the
        same weighted to the branch populations),
        ``paths`` (planted coefficients), ``B`` (path matrix), ``latent_cov``
        (implied covariance of the latent levels), ``unit_share``, ``parameters``.
    """

    customer: pd.DataFrame
    staff: pd.DataFrame
    partner: pd.DataFrame
    branches: pd.DataFrame
    truth: dict = field(default_factory=dict)


def _path_matrix(subsystems: list[str], paths) -> np.ndarray:
    index = {s: i for i, s in enumerate(subsystems)}
    B = np.zeros((len(subsystems), len(subsystems)))
    for source, target, coef in paths:
        B[index[target], index[source]] = coef
    return B


def _disturbance_variances(B: np.ndarray) -> np.ndarray:
    """Disturbance variances that make every latent variance 1 (B is acyclic)."""
    k = len(B)
    psi = np.ones(k)
    for _ in range(k + 1):  # B is nilpotent: k passes reach the fixed point
        inv = np.linalg.inv(np.eye(k) - B)
        cov = inv @ np.diag(psi) @ inv.T
        explained = np.diag(cov) - psi
        psi = 1.0 - explained
    if np.any(psi <= 0):
        raise ValueError("planted paths explain more than all of a subsystem's variance")
    return psi


def latent_covariance(paths=PATHS, subsystems=None) -> pd.DataFrame:
    """Implied covariance (= correlation) of the latent subsystem levels."""
    from ..model import SUBSYSTEMS

    subsystems = list(subsystems or SUBSYSTEMS)
    B = _path_matrix(subsystems, paths)
    inv = np.linalg.inv(np.eye(len(B)) - B)
    cov = inv @ np.diag(_disturbance_variances(B)) @ inv.T
    return pd.DataFrame(cov, index=subsystems, columns=subsystems)


def _latent(rng, n: int, B: np.ndarray, psi: np.ndarray, scale: float) -> np.ndarray:
    inv = np.linalg.inv(np.eye(len(B)) - B)
    zeta = rng.standard_normal((n, len(B))) * np.sqrt(psi * scale)
    return zeta @ inv.T


def _loadings(instrument, rng) -> dict[str, float]:
    return {item: float(rng.uniform(0.72, 0.88)) for item in instrument.likert_items()}


def _ordinal(rng, latent: np.ndarray, loading: float, thresholds=THRESHOLDS) -> np.ndarray:
    ystar = loading * latent + np.sqrt(1 - loading**2) * rng.standard_normal(latent.shape)
    return 1 + (ystar[:, None] > thresholds[None, :]).sum(axis=1)


def expected_item_score(mu: float, loading: float, thresholds=THRESHOLDS) -> float:
    """Exact expected answer of an ordinal probit item with latent mean ``mu``."""
    from scipy.stats import norm

    return float(1 + norm.cdf(loading * mu - thresholds).sum())


def _answer(rng, instrument, eta: pd.DataFrame, loadings, missing_rate: float) -> dict:
    items = instrument.items.set_index("item")
    out = {}
    for item in instrument.likert_items():
        x = _ordinal(rng, eta[items.at[item, "subsystem"]].to_numpy(), loadings[item]).astype(float)
        if items.at[item, "reverse"]:
            x = 6 - x
        x[rng.random(len(x)) < missing_rate] = np.nan
        out[item] = x
    return out


def _choice(rng, n, options: dict) -> np.ndarray:
    keys = list(options)
    p = np.array(list(options.values()), dtype=float)
    return rng.choice(keys, size=n, p=p / p.sum())


def _branches(rng, n_units: int) -> pd.DataFrame:
    regions = list(_REGIONS)
    unit_region = [regions[i % len(regions)] for i in range(n_units)]
    return pd.DataFrame(
        {
            "unit": [f"B{i + 1:02d}" for i in range(n_units)],
            "region": unit_region,
            "region_zh": [_REGIONS[r][0] for r in unit_region],
            "N_customers": rng.integers(3000, 25000, n_units),
            "N_staff": rng.integers(25, 90, n_units),
        }
    ).assign(N_partners=lambda d: d["N_staff"] // 3)


def _allocate_counts(rng, total: int, n_units: int) -> np.ndarray:
    base = np.full(n_units, total // n_units)
    base[: total - base.sum()] += 1
    return base


def synthetic(
    n_customers: int = 5000,
    n_staff: int = 500,
    n_partners: int = 150,
    n_units: int = 30,
    unit_share: float = 0.15,
    missing_rate: float = 0.02,
    seed: int = 2006,
    fieldwork=("2026-03-02", "2026-03-27"),
    wave: int = 1,
    levels: dict | None = None,
    shifts: pd.DataFrame | None = None,
) -> Enterprise:
    """Generate the synthetic enterprise.

    Parameters
    ----------
    n_customers, n_staff, n_partners : int
        Respondents per survey.
    n_units : int
        Branches (``B01``…), spread over five regions.
    unit_share : float
        Share of each latent variance that lies between branches.
    missing_rate : float
        Probability that a Likert answer is missing (completely at random).
    seed : int
        Seed of the random generator; the same seed gives the same data.
    fieldwork : (str, str)
        First and last date of fieldwork.
    wave : int
        Survey wave number stored in the ``wave`` column. Branches, branch effects and
        item loadings depend on ``seed`` only; respondents on ``(seed, wave)``, so
        successive waves of one enterprise share its branches.
    levels : dict, optional
        Latent mean per subsystem, overriding :data:`LEVELS` (for a wave-wide change).
    shifts : DataFrame, optional
        Planted changes for this wave: columns ``unit, subsystem, shift`` (latent SD
        units added to that branch's level).

    Returns
    -------
    Enterprise

    Examples
    --------
    >>> from omsmethod.datasets import synthetic
    >>> e = synthetic(n_customers=300, n_staff=60, n_partners=30, seed=1)
    >>> len(e.customer), len(e.staff), len(e.partner)
    (300, 60, 30)
    >>> round(e.truth["levels"]["customer"]["vis"], 3)
    3.649
    """
    from .. import instrument as instruments
    from ..model import SUBSYSTEMS

    fixed = np.random.default_rng(seed)
    rng = np.random.default_rng([seed, wave])
    subsystems = list(SUBSYSTEMS)
    B = _path_matrix(subsystems, PATHS)
    psi = _disturbance_variances(B)
    latent_levels = {**LEVELS, **(levels or {})}
    mu = np.array([latent_levels[s] for s in subsystems])
    branches = _branches(fixed, n_units)
    unit_eta = _latent(fixed, n_units, B, psi, unit_share)
    if shifts is not None:
        unit_row = {u: i for i, u in enumerate(branches["unit"])}
        for _, change in shifts.iterrows():
            unit_eta[unit_row[change["unit"]], subsystems.index(change["subsystem"])] += change["shift"]
    dates = pd.date_range(*fieldwork, freq="D")

    def respondents(n: int, counts: np.ndarray) -> tuple[np.ndarray, pd.DataFrame]:
        unit_index = np.repeat(np.arange(n_units), counts)
        eta = mu + unit_eta[unit_index] + _latent(rng, n, B, psi, 1 - unit_share)
        return unit_index, pd.DataFrame(eta, columns=subsystems)

    def frame_for(kind: str, n: int, counts: np.ndarray, population: str) -> tuple[pd.DataFrame, pd.DataFrame]:
        unit_index, eta = respondents(n, counts)
        unit = branches.iloc[unit_index].reset_index(drop=True)
        base = pd.DataFrame(
            {
                "respondent_id": [f"{kind[0].upper()}{wave:02d}-{i + 1:05d}" for i in range(n)],
                "unit": unit["unit"],
                "region": unit["region"],
                "wave": wave,
                "date": rng.choice(dates, n).astype("datetime64[D]").astype(str),
            }
        )
        base[population] = unit[population].to_numpy()
        base["weight"] = (unit[population] / counts[unit_index]).to_numpy()
        return base, eta

    instrument = {name: instruments.load(name) for name in ("customer", "staff", "partner")}
    loadings = {name: _loadings(inst, fixed) for name, inst in instrument.items()}

    # customers: stratified SRS within branches; age-dependent response
    counts = _allocate_counts(rng, n_customers, n_units)
    customer, eta = frame_for("customer", n_customers, counts, "N_customers")
    response_p = {k: _AGE_POP[k] * _AGE_RESPONSE[k] for k in _AGE_POP}
    customer["channel"] = _choice(rng, n_customers, {"store": 0.5, "web": 0.2, "app": 0.2, "call_centre": 0.1})
    customer = customer.assign(**_answer(rng, instrument["customer"], eta, loadings["customer"], missing_rate))
    importance_mean = {"customer": 0.9, "service": 1.3, "brand": 0.6, "vis": -0.3, "pr": -0.1, "information": 0.7}
    for subsystem, item in instrument["customer"].importance_items().items():
        latent = importance_mean[subsystem] + rng.standard_normal(n_customers) * 0.6
        customer[item] = _ordinal(rng, latent, 0.8).astype(float)
    sat = 0.55 * eta["customer"] + 0.3 * eta["brand"] + 0.45 * rng.standard_normal(n_customers)
    customer["overall_sat"] = np.clip(np.round(7 + 1.4 * sat), 1, 10)
    nps = 0.7 * eta["customer"] + 0.2 * eta["brand"] + 0.5 * rng.standard_normal(n_customers)
    customer["nps"] = np.clip(np.round(7.5 + 1.8 * nps), 0, 10)
    customer["comments"] = np.where(rng.random(n_customers) < 0.25, rng.choice(_COMMENTS, n_customers), None)
    customer["city_tier"] = _choice(rng, n_customers, {"tier1": 0.3, "tier2": 0.4, "tier3": 0.3})
    customer["value_tier"] = _choice(rng, n_customers, {"low": 0.5, "medium": 0.35, "high": 0.15})
    customer["lifestyle"] = _choice(rng, n_customers, {"price": 0.3, "quality": 0.3, "convenience": 0.25, "experience": 0.15})
    customer["purchase_behaviour"] = _choice(rng, n_customers, {"habitual": 0.45, "variety": 0.3, "complex": 0.25})
    customer["age_group"] = _choice(rng, n_customers, response_p)
    customer["gender"] = _choice(rng, n_customers, _GENDER_POP)

    counts = _allocate_counts(rng, n_staff, n_units)
    staff, eta = frame_for("staff", n_staff, counts, "N_staff")
    staff = staff.assign(**_answer(rng, instrument["staff"], eta, loadings["staff"], missing_rate))
    sat = 0.6 * eta["staff"] + 0.3 * eta["value"] + 0.5 * rng.standard_normal(n_staff)
    staff["overall_sat"] = np.clip(np.round(6.8 + 1.5 * sat), 1, 10)
    staff["enps"] = np.clip(np.round(6.5 + 2.0 * (0.8 * eta["staff"] + 0.5 * rng.standard_normal(n_staff))), 0, 10)
    staff["comments"] = np.where(rng.random(n_staff) < 0.2, rng.choice(_COMMENTS[:3], n_staff), None)
    staff["department"] = _choice(rng, n_staff, {"sales": 0.35, "service": 0.3, "operations": 0.2, "support": 0.15})
    staff["role"] = _choice(rng, n_staff, {"frontline": 0.65, "backoffice": 0.2, "manager": 0.15})
    staff["tenure"] = _choice(rng, n_staff, {"<1": 0.2, "1-3": 0.35, "3-5": 0.25, "5+": 0.2})

    counts = _allocate_counts(rng, n_partners, n_units)
    partner, eta = frame_for("partner", n_partners, counts, "N_partners")
    partner = partner.assign(**_answer(rng, instrument["partner"], eta, loadings["partner"], missing_rate))
    partner["overall_sat"] = np.clip(np.round(7 + 1.3 * (0.5 * eta["value"] + 0.4 * eta["brand"] + 0.5 * rng.standard_normal(n_partners))), 1, 10)
    partner["nps"] = np.clip(np.round(7 + 1.8 * (0.6 * eta["value"] + 0.5 * rng.standard_normal(n_partners))), 0, 10)
    partner["comments"] = None
    partner["partner_type"] = _choice(rng, n_partners, {"supplier": 0.4, "distributor": 0.35, "service_provider": 0.15, "media": 0.1})
    partner["relationship_years"] = _choice(rng, n_partners, {"<2": 0.3, "2-5": 0.4, "5+": 0.3})

    def expected(name: str, inst, weights: np.ndarray | None) -> dict:
        """Expected subsystem score given the branches drawn (probit item model)."""
        from scipy.stats import norm

        frame = {"customer": customer, "staff": staff, "partner": partner}[name]
        unit_index = branches.reset_index().set_index("unit").loc[frame["unit"], "index"].to_numpy()
        w = np.ones(len(frame)) if weights is None else weights
        result = {}
        for s in inst.subsystems:
            latent = mu[subsystems.index(s)] + unit_eta[unit_index, subsystems.index(s)]
            per_item = []
            for item in inst.likert_items(s):
                lam = loadings[name][item]
                sd = np.sqrt(1 - lam**2 * unit_share)
                per_item.append(1 + norm.cdf((lam * latent[:, None] - THRESHOLDS[None, :]) / sd).sum(axis=1))
            result[s] = float(np.sum(np.mean(per_item, axis=0) * w) / np.sum(w))
        return result

    levels = {name: expected(name, inst, None) for name, inst in instrument.items()}
    population_levels = {
        name: expected(name, inst, {"customer": customer, "staff": staff, "partner": partner}[name]["weight"].to_numpy())
        for name, inst in instrument.items()
    }
    unit_levels = pd.DataFrame(mu + unit_eta, columns=subsystems)
    unit_levels.insert(0, "unit", branches["unit"])
    truth = {
        "levels": levels,
        "population_levels": population_levels,
        "latent_levels": latent_levels,
        "paths": pd.DataFrame(PATHS, columns=["from", "to", "coef"]),
        "B": pd.DataFrame(B, index=subsystems, columns=subsystems),
        "latent_cov": latent_covariance(PATHS, subsystems),
        "unit_share": unit_share,
        "unit_latent": unit_levels,
        "loadings": loadings,
        "parameters": {
            "n_customers": n_customers, "n_staff": n_staff, "n_partners": n_partners,
            "n_units": n_units, "unit_share": unit_share, "missing_rate": missing_rate, "seed": seed,
        },
    }
    return Enterprise(customer=customer, staff=staff, partner=partner, branches=branches, truth=truth)


def population_margins(enterprise: Enterprise) -> pd.DataFrame:
    """Population counts of customers by age group and by gender (for raking).

    Returns a tidy table ``variable, level, N`` whose totals per variable equal the
    number of customers of all branches.
    """
    total = int(enterprise.branches["N_customers"].sum())
    rows = []
    for variable, shares in (("age_group", _AGE_POP), ("gender", _GENDER_POP)):
        counts = np.floor(np.array(list(shares.values())) * total).astype(int)
        counts[0] += total - counts.sum()
        rows += [{"variable": variable, "level": k, "N": int(c)} for k, c in zip(shares, counts, strict=True)]
    return pd.DataFrame(rows)


def write_sample_data(directory=None, seed: int = 2006) -> list:
    """Write the committed sample files (customer, staff, partner, branches, margins).

    Files are written atomically (temp file, then rename) as UTF-8 CSV.
    """
    from pathlib import Path

    from ..files import atomic_path
    from . import sample_data_dir

    directory = Path(directory or sample_data_dir())
    directory.mkdir(parents=True, exist_ok=True)
    enterprise = synthetic(seed=seed)
    tables = {
        "customer": enterprise.customer,
        "staff": enterprise.staff,
        "partner": enterprise.partner,
        "branches": enterprise.branches,
        "population_margins": population_margins(enterprise),
    }
    written = []
    for name, table in tables.items():
        target = directory / f"{name}.csv"
        with atomic_path(target) as tmp:
            table.to_csv(tmp, index=False, encoding="utf-8", float_format="%.10g")
        written.append(target)
    return written


def customer_frame(seed: int = 2006, n_units: int = 30) -> pd.DataFrame:
    """The sampling frame of the synthetic enterprise: one row per customer of every branch.

    Columns ``customer_id, unit, region, channel, value_tier, age_group, annual_spend``;
    the branch sizes are the ``N_customers`` of :func:`synthetic` with the same seed, the
    age mix is the population one of :func:`population_margins`, and ``annual_spend``
    (yuan, log-normal) is a size measure for PPS selection.

    Examples
    --------
    >>> from omsmethod.datasets.enterprise import customer_frame
    >>> frame = customer_frame()
    >>> len(frame) == int(synthetic(n_customers=60, n_staff=30, n_partners=30).branches["N_customers"].sum())
    True
    """
    branches = _branches(np.random.default_rng(seed), n_units)
    rng = np.random.default_rng([seed, 0])
    sizes = branches["N_customers"].to_numpy()
    n = int(sizes.sum())
    unit_index = np.repeat(np.arange(n_units), sizes)
    value_tier = _choice(rng, n, {"low": 0.5, "medium": 0.35, "high": 0.15})
    base = np.select([value_tier == "low", value_tier == "medium"], [800.0, 4500.0], 16000.0)
    spend = base * rng.lognormal(0.0, 0.35, n)
    return pd.DataFrame(
        {
            "customer_id": np.char.add("K", np.char.zfill(np.arange(1, n + 1).astype(str), 7)),
            "unit": branches["unit"].to_numpy()[unit_index],
            "region": branches["region"].to_numpy()[unit_index],
            "channel": _choice(rng, n, {"store": 0.5, "web": 0.2, "app": 0.2, "call_centre": 0.1}),
            "value_tier": value_tier,
            "age_group": _choice(rng, n, _AGE_POP),
            "annual_spend": spend.round(2),
        }
    )
