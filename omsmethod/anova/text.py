"""APA-style sentences for ANOVA tables, in English or Chinese.

The wording lives in ``text_templates.yaml`` beside this module (data, not code).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputError

__all__ = ["report_text", "format_p"]


@lru_cache(maxsize=1)
def _templates() -> dict:
    import yaml

    return yaml.safe_load((Path(__file__).with_name("text_templates.yaml")).read_text("utf-8"))


def format_p(p: float) -> str:
    """APA p-value: ``p < .001`` or ``p = .021`` (no leading zero).

    Examples
    --------
    >>> format_p(0.0213), format_p(0.00001)
    ('p = .021', 'p < .001')
    """
    if p < 0.001:
        return "p < .001"
    return "p = " + f"{p:.3f}".lstrip("0")


def _num(x: float, digits: int = 2, zero: bool = True) -> str:
    text = f"{x:.{digits}f}"
    return text if zero else text.replace("0.", ".", 1) if abs(x) < 1 else text


def _df(x: float) -> str:
    return f"{x:.0f}" if abs(x - round(x)) < 1e-9 else f"{x:.2f}"


def report_text(
    result: pd.DataFrame,
    lang: str = "en",
    labels: dict | None = None,
    alpha: float = 0.05,
    effects=None,
) -> str:
    """One APA-style sentence per effect of an ANOVA table.

    Parameters
    ----------
    result : DataFrame from rm_anova / mixed_anova / two_way
        Uses the ``correction`` column (GG/HF/none) and ``attrs["effsize"]``.
    lang : {"en", "zh"}
        Language of the sentences.
    labels : dict, optional
        Display names for factors (e.g. ``{"promotion": "促销方式"}``).
    alpha : float
        Significance level for the verdict word.
    effects : list of str, optional
        Sources to report (default: all rows).

    Returns
    -------
    str
        Sentences separated by newlines.

    Examples
    --------
    >>> import pandas as pd
    >>> tab = pd.DataFrame({"source": ["a"], "df1": [2.0], "df2": [30.0], "F": [4.12],
    ...     "p": [0.0264], "np2": [0.2155], "ng2": [0.1], "correction": ["none"]})
    >>> report_text(tab)
    'The main effect of a was significant, F(2, 30) = 4.12, p = .026, η²p = .22.'
    """
    tpl = _templates().get(lang)
    if tpl is None:
        raise InputError("unknown language", value=lang, hint="use 'en' or 'zh'")
    labels = labels or {}
    effsize = result.attrs.get("effsize", "np2")
    rows = result if effects is None else result[result["source"].isin(list(effects))]
    out = []
    for _, r in rows.iterrows():
        corr = r.get("correction", "none")
        if corr in ("GG", "HF"):
            tag = corr.lower()
            df1, df2, p = r[f"df1_{tag}"], r[f"df2_{tag}"], r[f"p_{tag}"]
            note = tpl["note"].format(correction=tpl["corrections"][corr])
        else:
            df1, df2, p, note = r["df1"], r["df2"], r["p"], ""
        es = r[effsize]
        stats = tpl["sep"].join(
            [
                f"F({_df(df1)}, {_df(df2)}) = {r['F']:.2f}",
                format_p(p),
                f"{tpl['effsize'][effsize]} = {_num(es, 2, zero=False)}",
            ]
        )
        parts = r["source"].split(":")
        effect = tpl["joiner"].join(labels.get(f, f) for f in parts)
        key = "main" if len(parts) == 1 else "interaction"
        verdict = tpl["significant"] if (not np.isnan(p) and p < alpha) else tpl["not_significant"]
        out.append(tpl[key].format(effect=effect, verdict=verdict, stats=stats, note=note))
    return "\n".join(out)
