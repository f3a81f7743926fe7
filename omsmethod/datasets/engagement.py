"""A synthetic multi-wave engagement: quarterly surveys of one chain with planted changes.

:func:`engagement` calls :func:`omsmethod.datasets.enterprise.synthetic` once per wave
(same seed, so the waves share branches, branch effects and item loadings; respondents
differ), with quarterly fieldwork and *planted changes*: a shift of a branch's latent
subsystem level (in latent SD units) from a given wave on (it persists afterwards).
Some follow a logged action (service training, a store redesign), others an outside
event in the information log (a competitor opening, a regulation). The information
log has entries in all six categories of claim 7 with Chinese and English summaries,
many of them unrelated to any change, as in real life.

:func:`build_demo_workspace` writes the waves as CSV files and imports them, with the
units, the log, the actions and operational unit data, into a new workspace.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["Engagement", "engagement", "build_demo_workspace", "PLANTED"]

#: Planted changes: (wave, position of the branch, subsystem, shift in latent SD units).
#: The branch is ``B{position+1:02d}`` (taken modulo ``n_units``).
PLANTED = (
    (2, 6, "service", 0.9),
    (3, 11, "customer", -1.0),
    (3, 20, "brand", 0.9),
    (4, 2, "information", -0.9),
)

#: (days after wave 1 start, category, branch position or None, subsystems, impact, zh, en)
_LOG = (
    (
        -20,
        "internal",
        None,
        "staff,education",
        "neutral",
        "启动OMS项目，成立工作小组。",
        "OMS engagement launched; working group set up.",
    ),
    (
        10,
        "customer_demand",
        None,
        "customer,service",
        "negative",
        "客户投诉集中在排队时间过长。",
        "Complaints concentrate on long queues.",
    ),
    (
        40,
        "internal",
        6,
        "service,education",
        "positive",
        "B07门店完成服务礼仪培训。",
        "Service etiquette training completed at B07.",
    ),
    (
        55,
        "mass_media",
        None,
        "brand,pr",
        "positive",
        "地方电视台报道本公司公益活动。",
        "Local TV covered the company's charity campaign.",
    ),
    (
        70,
        "political_economic",
        None,
        "value",
        "neutral",
        "最低工资标准上调。",
        "Minimum wage raised.",
    ),
    (
        110,
        "socio_cultural",
        None,
        "customer",
        "neutral",
        "节假日消费习惯转向线上。",
        "Holiday shopping shifts online.",
    ),
    (
        140,
        "market_competition",
        11,
        "customer,brand",
        "negative",
        "竞争对手在B12附近开设旗舰店并大幅降价。",
        "A competitor opened a flagship store next to B12 with deep discounts.",
    ),
    (
        150,
        "internal",
        20,
        "brand,vis",
        "positive",
        "B21门店完成视觉形象升级改造。",
        "B21 completed its store redesign (new visual identity).",
    ),
    (
        190,
        "customer_demand",
        None,
        "service",
        "neutral",
        "会员希望增加线上预约服务。",
        "Members ask for online booking.",
    ),
    (
        230,
        "political_economic",
        2,
        "information",
        "negative",
        "新个人信息保护规定限制B03会员短信推送。",
        "New personal-data rules stop B03's SMS messages to members.",
    ),
    (
        245,
        "mass_media",
        None,
        "brand",
        "neutral",
        "行业媒体发布年度零售品牌榜。",
        "Trade press published the annual retail brand ranking.",
    ),
    (
        260,
        "socio_cultural",
        None,
        "customer",
        "neutral",
        "社区老龄化，门店客群年龄上升。",
        "Ageing neighbourhoods: older store customers.",
    ),
)

#: (days after wave 1 start, branch position or None, subsystem, description, owner)
_ACTIONS = (
    (
        35,
        6,
        "service",
        "Service etiquette and queue-management training at B07 / B07服务礼仪与排队管理培训",
        "HR",
    ),
    (
        100,
        None,
        "education",
        "Monthly product knowledge sessions for all branches / 全体门店月度产品知识课程",
        "HR",
    ),
    (
        145,
        20,
        "vis",
        "Store redesign with the new visual identity at B21 / B21门店视觉形象升级",
        "Planning",
    ),
    (150, 20, "brand", "Brand launch event at B21 / B21品牌活动", "Planning"),
)


@dataclass
class Engagement:
    """A multi-wave engagement.

    Attributes
    ----------
    waves : dict of int → Enterprise
        The synthetic enterprise of each wave (``.customer``, ``.staff``, ``.partner``).
    branches : DataFrame
        ``unit, region, region_zh, N_customers, N_staff``.
    fieldwork : DataFrame
        ``wave, label, start, end``.
    log : DataFrame
        Information log: ``category, date, unit, subsystems, impact, source, summary, summary_en``.
    actions : DataFrame
        ``date, unit, subsystem, description, owner, status``.
    truth : DataFrame
        The planted changes: ``wave, unit, subsystem, shift`` (persisting after ``wave``).
    """

    waves: dict
    branches: pd.DataFrame
    fieldwork: pd.DataFrame
    log: pd.DataFrame
    actions: pd.DataFrame
    truth: pd.DataFrame
    parameters: dict = field(default_factory=dict)

    def responses(self, survey: str = "customer") -> pd.DataFrame:
        """All waves' responses of one survey stacked (``customer``, ``staff``, ``partner``)."""
        return pd.concat([getattr(e, survey) for e in self.waves.values()], ignore_index=True)


def engagement(
    n_waves: int = 4,
    n_units: int = 30,
    seed: int = 2006,
    n_customers: int = 5000,
    n_staff: int = 500,
    n_partners: int = 150,
    start: str = "2026-03-02",
    planted=PLANTED,
) -> Engagement:
    """Generate an engagement of ``n_waves`` quarterly waves with planted changes.

    Parameters
    ----------
    n_waves : int
        Number of waves (at least 2; the planted changes after the last wave are dropped).
    n_units : int
        Branches (``n_customers / n_units`` customers each, ~167 by default).
    seed : int
        Same seed, same engagement.
    n_customers, n_staff, n_partners : int
        Respondents per wave.
    start : str
        First day of wave 1's fieldwork; each wave is four weeks, 13 weeks apart.
    planted : sequence of (wave, branch position, subsystem, shift)
        Default :data:`PLANTED`.

    Returns
    -------
    Engagement

    Examples
    --------
    >>> from omsmethod.datasets.engagement import engagement
    >>> e = engagement(n_waves=2, n_units=10, n_customers=300, n_staff=50, n_partners=20)
    >>> e.truth.to_dict("records")
    [{'wave': 2, 'unit': 'B07', 'subsystem': 'service', 'shift': 0.9}]
    >>> e.fieldwork[["wave", "start", "end"]].astype(str).values.tolist()
    [['1', '2026-03-02', '2026-03-29'], ['2', '2026-06-01', '2026-06-28']]
    """
    from ..errors import InputError
    from .enterprise import synthetic

    if n_waves < 2:
        raise InputError("an engagement needs at least two waves", value=n_waves)
    first = pd.Timestamp(start)
    starts = [first + pd.Timedelta(weeks=13 * k) for k in range(n_waves)]
    fieldwork = pd.DataFrame(
        {
            "wave": range(1, n_waves + 1),
            "label": [f"{s.year} Q{(s.month - 1) // 3 + 1}" for s in starts],
            "start": [s.date() for s in starts],
            "end": [(s + pd.Timedelta(days=27)).date() for s in starts],
        }
    )
    truth = pd.DataFrame(
        [
            {"wave": w, "unit": f"B{p % n_units + 1:02d}", "subsystem": s, "shift": float(x)}
            for w, p, s, x in planted
            if w <= n_waves
        ],
        columns=["wave", "unit", "subsystem", "shift"],
    )
    waves = {}
    for _, row in fieldwork.iterrows():
        wave = int(row["wave"])
        shifts = truth[truth["wave"] <= wave]
        shifts = (
            shifts.groupby(["unit", "subsystem"], as_index=False)["shift"].sum()
            if len(shifts)
            else None
        )
        waves[wave] = synthetic(
            n_customers=n_customers,
            n_staff=n_staff,
            n_partners=n_partners,
            n_units=n_units,
            seed=seed,
            wave=wave,
            shifts=shifts,
            fieldwork=(str(row["start"]), str(row["end"])),
        )
    last = pd.Timestamp(fieldwork["end"].iloc[-1])

    def unit(position):
        return None if position is None else f"B{position % n_units + 1:02d}"

    log = pd.DataFrame(
        [
            {
                "category": c,
                "date": (first + pd.Timedelta(days=d)).date(),
                "unit": unit(p),
                "subsystems": s,
                "impact": i,
                "source": "engagement team",
                "summary": zh,
                "summary_en": en,
            }
            for d, c, p, s, i, zh, en in _LOG
            if first + pd.Timedelta(days=d) <= last
        ]
    )
    actions = pd.DataFrame(
        [
            {
                "date": (first + pd.Timedelta(days=d)).date(),
                "unit": unit(p),
                "subsystem": s,
                "description": text,
                "owner": owner,
                "status": "done",
            }
            for d, p, s, text, owner in _ACTIONS
            if first + pd.Timedelta(days=d) <= last
        ]
    )
    branches = waves[1].branches.copy()
    params = {
        "n_waves": n_waves,
        "n_units": n_units,
        "seed": seed,
        "n_customers": n_customers,
        "n_staff": n_staff,
        "n_partners": n_partners,
    }
    return Engagement(waves, branches, fieldwork, log, actions, truth, params)


def build_demo_workspace(
    path,
    n_waves: int = 4,
    n_units: int = 30,
    seed: int = 2006,
    overwrite: bool = True,
    surveys=("customer", "staff"),
    files: bool = True,
    **options,
):
    """Create a workspace holding a generated engagement (used by ``make demo``).

    The waves are written as CSV files to a temporary folder and imported with
    :meth:`Workspace.import_responses` (validated, SHA-256 recorded), with the branches,
    the fieldwork dates and design, the information log, the actions and the
    operational unit data of ``sample_data/units.csv`` (when present).

    Parameters
    ----------
    path : str or Path
        The workspace file to create.
    surveys : sequence of str
        Which questionnaires to import each wave.
    files : bool
        Import through CSV files (as a consultant would); False imports the frames
        directly (:meth:`Workspace.import_frame`, faster).
    **options
        Passed to :func:`engagement` (``n_customers`` …).

    Returns
    -------
    (Workspace, Engagement)
    """
    import tempfile

    from ..workspace import Workspace
    from . import sample_data_dir

    eng = engagement(n_waves=n_waves, n_units=n_units, seed=seed, **options)
    ws = Workspace.create(
        path, client="华信连锁 / Huaxin Retail Chain (synthetic)", overwrite=overwrite
    )
    ws.add_units(eng.branches)
    for row in eng.fieldwork.itertuples(index=False):
        ws.add_wave(
            row.wave, row.start, row.end, label=row.label, design={"strata": "unit", "fpc": None}
        )
    with tempfile.TemporaryDirectory() as tmp:
        for wave, enterprise in eng.waves.items():
            for survey in surveys:
                frame = getattr(enterprise, survey)
                if not files:
                    ws.import_frame(frame, survey, wave=wave, source=f"engagement seed {seed}")
                    continue
                file = Path(tmp) / f"{survey}_wave{wave}.csv"
                frame.to_csv(file, index=False, encoding="utf-8")
                ws.import_responses(file, survey, wave=wave)
    ws.import_log(eng.log)
    for r in eng.actions.itertuples(index=False):
        ws.action(r.date, r.unit, r.subsystem, r.description, owner=r.owner, status=r.status)
    units_file = sample_data_dir() / "units.csv"
    if units_file.is_file():
        ws.import_unit_data(units_file, period=str(eng.fieldwork["label"].iloc[0]))
    return ws, eng
