"""The OMS status assessment: three layers and nine subsystems from the surveys.

:func:`assess` turns the responses of the customer, staff and partner surveys into the
tables of a status report: response counts, design-based estimates of every subsystem
and layer (with standard errors and confidence intervals from :mod:`omsmethod.sampling`),
the headline status of each subsystem (from its primary survey, as the OMS model file
says), reliability, maturity and importance–performance.

Examples
--------
>>> from omsmethod import assessment, datasets
>>> a = assessment.assess({"staff": datasets.load("staff")})
>>> staff = a.status.set_index("subsystem").loc["staff"]
>>> staff["survey"], int(staff["n"])
('staff', 500)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .errors import InputError

__all__ = ["assess", "Assessment", "DEFAULT_DESIGNS", "design_for", "load_surveys", "load_wave"]

#: How the bundled sample surveys were drawn: customers and staff by stratified simple
#: random sampling within branches (the strata, with their population counts).
DEFAULT_DESIGNS = {
    "customer": {"weights": "weight", "strata": "unit", "fpc": "N_customers"},
    "staff": {"weights": "weight", "strata": "unit", "fpc": "N_staff"},
    "partner": {"weights": "weight", "strata": "unit", "fpc": "N_partners"},
}


def design_for(scores: pd.DataFrame, spec: dict | None):
    """A :class:`~omsmethod.sampling.Design` for a scores table from a design spec.

    Columns the spec names but the data lack are left out (with the consequence stated
    in ``Design.summary``): a client file without weights is analysed as a simple
    random sample.
    """
    from .sampling import Design

    spec = {k: v for k, v in (spec or {}).items() if v is not None}
    usable = {k: v for k, v in spec.items() if not isinstance(v, str) or v in scores.columns or k in ("nest", "lonely_psu")}
    if "strata" in usable and "fpc" not in usable:
        usable.setdefault("lonely_psu", "adjust")
    usable.setdefault("lonely_psu", "adjust")
    return Design(scores, **usable)


@dataclass
class Assessment:
    """Tables of an OMS status assessment (see :func:`assess`).

    Attributes
    ----------
    counts : DataFrame
        ``survey, n`` responses per survey.
    estimates : DataFrame
        ``survey, subsystem, layer, estimate, se, ci_low, ci_high, deff, n`` on the item
        scale, plus ``estimate_100, ci_low_100, ci_high_100`` on 0–100.
    status : DataFrame
        One row per subsystem and layer with the primary survey's estimate and the
        maturity level (``level, name_zh, name_en``).
    reliability : DataFrame
        ``survey`` + the columns of :class:`omsmethod.scoring.Reliability.table`.
    ipa : DataFrame or None
        Importance–performance table of the customer survey.
    scores : dict of DataFrame
        Per-respondent scores per survey.
    min_cell : int
        Groups with fewer responses are suppressed in reports.
    """

    counts: pd.DataFrame
    estimates: pd.DataFrame
    status: pd.DataFrame
    reliability: pd.DataFrame
    ipa: pd.DataFrame | None
    scores: dict = field(default_factory=dict)
    designs: dict = field(default_factory=dict)
    min_cell: int = 5

    def by_segment(self, survey: str, by: str | list[str], subsystems=None) -> pd.DataFrame:
        """Design-based subsystem means by segment (domain estimation), small groups flagged.

        Returns the estimates table of :meth:`Design.mean` with a ``suppressed`` column
        (True where ``n < min_cell``).
        """
        from .scoring import score_columns

        scores = self.scores[survey]
        columns = subsystems or [c for c in score_columns(scores)]
        design = design_for(scores, self.designs.get(survey))
        table = design.mean(columns, by=by)
        table["suppressed"] = table["n"] < self.min_cell
        return table

    def _repr_html_(self) -> str:
        return self.status.round(2).to_html(index=False)


def assess(
    responses: dict[str, pd.DataFrame],
    designs: dict[str, dict] | None = None,
    instruments: dict | None = None,
    model=None,
    min_cell: int = 5,
    confidence: float = 0.95,
) -> Assessment:
    """Assess the status of the three layers and nine subsystems.

    Parameters
    ----------
    responses : dict
        Survey name (``"customer"``, ``"staff"``, ``"partner"``) → responses.
    designs : dict, optional
        Survey name → ``Design`` arguments (``weights``, ``strata``, ``psu``, ``fpc``…).
        Default :data:`DEFAULT_DESIGNS` (the sample data's designs).
    instruments : dict, optional
        Survey name → Instrument; default the bundled questionnaire of that name.
    model : OMSModel, optional
    min_cell : int
        Minimum group size shown in reports (default 5).
    confidence : float

    Returns
    -------
    Assessment
    """
    from . import instrument as instrument_module
    from . import model as model_module
    from .scoring import ipa, maturity, reliability, score, score_columns

    if not responses:
        raise InputError("no survey responses given", hint="pass e.g. {'customer': responses}")
    model = model if model is not None else model_module.load()
    designs = {**DEFAULT_DESIGNS, **(designs or {})}
    counts, estimates, rel_tables, scores = [], [], [], {}
    ipa_table = None
    for survey, data in responses.items():
        inst = (instruments or {}).get(survey) or instrument_module.load(survey)
        table = score(data, inst, model=model)
        scores[survey] = table
        counts.append({"survey": survey, "n": len(table)})
        columns = score_columns(table)
        est = design_for(table, designs.get(survey)).mean(columns, confidence=confidence)
        est = est.rename(columns={"variable": "subsystem"})
        est.insert(0, "survey", survey)
        est["layer"] = [model.layer_of.get(s, s) for s in est["subsystem"]]
        lo, hi = table.attrs["scale_min"], table.attrs["scale_max"]
        for column in ("estimate", "ci_low", "ci_high"):
            est[f"{column}_100"] = 100 * (est[column] - lo) / (hi - lo)
        estimates.append(est)
        rel = reliability(data, inst).table
        rel.insert(0, "survey", survey)
        rel_tables.append(rel)
        if inst.importance_items() and ipa_table is None:
            ipa_table = ipa(data, inst, weights=designs.get(survey, {}).get("weights")
                            if designs.get(survey, {}).get("weights") in data.columns else None)
    estimates = pd.concat(estimates, ignore_index=True)
    order = ["survey", "subsystem", "layer", "estimate", "se", "ci_low", "ci_high", "deff", "n",
             "estimate_100", "ci_low_100", "ci_high_100"]
    estimates = estimates[order]

    primary = dict(zip(model.subsystems["id"], model.subsystems.get("primary_survey", pd.Series(dtype=str)), strict=False))
    rows = []
    for subsystem in [*model.subsystem_ids, *model.layers["id"]]:
        candidates = estimates[estimates["subsystem"] == subsystem]
        if candidates.empty:
            continue
        preferred = candidates[candidates["survey"] == primary.get(subsystem)]
        if subsystem in model.layers["id"].tolist():
            preferred = candidates[candidates["survey"] == "customer"]
        chosen = (preferred if len(preferred) else candidates.sort_values("n", ascending=False)).iloc[0]
        rows.append(chosen)
    status = pd.DataFrame(rows).reset_index(drop=True)
    levels = maturity(status.rename(columns={"estimate_100": "score_100"})[["subsystem", "score_100"]], model=model)
    status = status.merge(levels[["subsystem", "level", "name_zh", "name_en"]], on="subsystem", how="left")
    status["is_layer"] = status["subsystem"].isin(model.layers["id"])
    return Assessment(
        counts=pd.DataFrame(counts),
        estimates=estimates,
        status=status,
        reliability=pd.concat(rel_tables, ignore_index=True),
        ipa=ipa_table,
        scores=scores,
        designs=designs,
        min_cell=min_cell,
    )


def load_surveys(paths: dict[str, str | None] | None = None, surveys=("customer", "staff", "partner"),
                 unit: str | None = None) -> dict:
    """Read and validate each survey's responses; an empty path means the bundled sample.

    With ``unit``, keep only that branch's respondents (a branch report); a survey with
    no respondents there is left out.

    Examples
    --------
    >>> from omsmethod.assessment import load_surveys
    >>> sorted(load_surveys({"staff": ""}, surveys=("staff",)))
    ['staff']
    """
    from .datasets import sample_data_dir
    from .instrument import read_responses

    paths = paths or {}
    surveys_read = {
        name: read_responses(paths.get(name) or sample_data_dir() / f"{name}.csv", name)
        for name in surveys
    }
    if unit:
        surveys_read = {
            name: data[data["unit"].astype(str) == str(unit)].reset_index(drop=True)
            for name, data in surveys_read.items()
            if "unit" in data.columns
        }
        surveys_read = {name: data for name, data in surveys_read.items() if len(data)}
        if not surveys_read:
            raise InputError(f"no respondents in unit {unit!r}", column="unit", value=unit,
                             hint="check the unit code (e.g. B01)")
    return surveys_read


def load_wave(workspace, wave: int | None = None, unit: str | None = None) -> tuple[dict, dict, int]:
    """Responses and designs of one wave of an engagement workspace, for :func:`assess`.

    Parameters
    ----------
    workspace : str, Path or Workspace
    wave : int, optional
        The wave (default: the latest).
    unit : str, optional
        Keep one branch only.

    Returns
    -------
    responses : dict
        Survey name → responses of that wave.
    designs : dict
        Survey name → the design stored with the wave.
    wave : int
    """
    import json

    from .workspace import Workspace

    ws = workspace if isinstance(workspace, Workspace) else Workspace.open(workspace)
    waves = ws.waves()
    if waves.empty:
        raise InputError("the workspace holds no waves", file=str(getattr(ws, "path", workspace)),
                         hint="import responses first: omsmethod workspace import")
    wave = int(waves["wave"].max()) if not wave else int(wave)
    if wave not in set(waves["wave"]):
        raise InputError("no such wave in the workspace", value=wave,
                         hint=f"waves: {', '.join(map(str, waves['wave']))}")
    row = waves.set_index("wave").loc[wave]
    design = json.loads(row["design"]) if isinstance(row["design"], str) and row["design"] else {}
    responses, designs = {}, {}
    for name in str(row["instruments"]).split(","):
        data = ws.wave_data(wave, name)
        if unit:
            data = data[data["unit"].astype(str) == str(unit)].reset_index(drop=True)
        if len(data):
            responses[name] = data
            designs[name] = {k: v for k, v in design.items() if v is not None}
    return responses, designs, wave
