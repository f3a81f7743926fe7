"""Sentences written from the numbers: the executive summary of an assessment report."""

from __future__ import annotations

from .display import report_text

__all__ = ["executive_summary", "responses_sentence"]


def _names(ids, model, lang) -> str:
    sep = "、" if lang == "zh" else ", "
    return sep.join(model.label(i, lang) for i in ids)


def responses_sentence(assessment, lang: str = "en") -> str:
    """How many responses each survey collected."""
    from ..i18n import t

    sep = "；" if lang == "zh" else "; "
    parts = sep.join(f"{t(row.survey + '_survey', lang)} {row.n}" for row in assessment.counts.itertuples())
    return report_text("responses_text", lang, total=int(assessment.counts["n"].sum()), parts=parts)


def executive_summary(assessment, lang: str = "en", model=None) -> list[str]:
    """The key findings of an :class:`~omsmethod.assessment.Assessment`, as sentences.

    Strongest and weakest subsystem, the three layers, the IPA priorities, reliability
    warnings and the subsystems at a low maturity level.

    Examples
    --------
    >>> from omsmethod import assessment, datasets
    >>> from omsmethod.report.narrative import executive_summary
    >>> a = assessment.assess({"customer": datasets.load("customer")})
    >>> executive_summary(a, "en")[1]
    'The strongest subsystem is Visual identity (VIS) (67 points); the weakest is Information (48 points).'
    """
    from ..model import load

    model = model or load()
    status = assessment.status
    subsystems = status[~status["is_layer"]].set_index("subsystem")["estimate_100"]
    layers = status[status["is_layer"]].set_index("subsystem")["estimate_100"]
    sentences = [responses_sentence(assessment, lang)]
    sentences.append(report_text(
        "summary_best", lang,
        best=model.label(subsystems.idxmax(), lang), best_score=subsystems.max(),
        worst=model.label(subsystems.idxmin(), lang), worst_score=subsystems.min(),
    ))
    if {"core", "control", "external"} <= set(layers.index):
        sentences.append(report_text("summary_layers", lang, **layers.to_dict()))
    if assessment.ipa is not None:
        focus = assessment.ipa.loc[assessment.ipa["quadrant_grand_mean"] == "concentrate", "subsystem"]
        sentences.append(
            report_text("summary_priority", lang, items=_names(focus, model, lang)) if len(focus)
            else report_text("summary_no_priority", lang)
        )
    low = assessment.reliability.loc[assessment.reliability["alpha"] < 0.7, "subsystem"].unique()
    sentences.append(
        report_text("summary_reliability", lang, items=_names(low, model, lang)) if len(low)
        else report_text("summary_reliability_ok", lang)
    )
    weak = status.loc[~status["is_layer"] & (status["level"] <= 2), "subsystem"]
    if len(weak):
        sentences.append(report_text("summary_maturity", lang, items=_names(weak, model, lang)))
    return sentences
