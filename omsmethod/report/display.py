"""What a report notebook calls to show results: bilingual, safe, and offline.

``ctx = setup(lang="zh", min_cell=5)`` at the top of a report notebook, then
``ctx.heading(key)``, ``ctx.table(df)``, ``ctx.figure(fig)``, ``ctx.text(...)``.

- Headings and sentences come from ``data/report_text.yaml`` (zh and en).
- Tables: rows for groups smaller than ``min_cell`` are suppressed (estimates blanked,
  marked), columns that identify people (ids, names, phones, e-mails) are dropped, and
  every value and header is HTML-escaped.
- Figures: inside ``omsmethod report`` (papermill) a figure is written as a ``<div>``
  that uses the one plotly.js the report embeds; in JupyterLab plotly's own renderer is
  used.
"""

from __future__ import annotations

import html
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..i18n import check_lang, t

__all__ = ["setup", "ReportContext", "report_text", "IDENTIFYING", "suppress", "safe_table", "TABLE_MIME"]

#: Column names that identify a person; they never reach a report.
IDENTIFYING = re.compile(
    r"(^|_)(respondent_?id|id|uuid|name|full_?name|phone|mobile|tel|telephone|e_?mail|address|wechat|qq)($|_)",
    re.IGNORECASE,
)
_RENDERER = "oms_report"


@lru_cache(maxsize=1)
def _texts() -> dict:
    from ..files import read_yaml

    return read_yaml(Path(__file__).resolve().parents[1] / "data" / "report_text.yaml")


@lru_cache(maxsize=2)
def _model_labels(lang: str) -> dict:
    from ..model import load

    return load().labels(lang)


def report_text(key: str, lang: str = "en", **values) -> str:
    """A report sentence or heading in ``lang``, with ``{placeholders}`` filled in."""
    entry = _texts().get(key)
    if not isinstance(entry, dict):
        return t(key, lang)
    return str(entry.get(lang) or entry.get("en")).format(**values)


def suppress(table: pd.DataFrame, min_cell: int, n: str = "n") -> tuple[pd.DataFrame, int]:
    """Blank the numbers of rows whose group has fewer than ``min_cell`` responses.

    Returns the new table and how many rows were suppressed. Count columns are kept
    only as "< min_cell".
    """
    if n not in table.columns:
        return table.copy(), 0
    out = table.copy()
    small = pd.to_numeric(out[n], errors="coerce") < min_cell
    if small.any():
        numeric = [c for c in out.columns if pd.api.types.is_numeric_dtype(out[c])]
        out[numeric] = out[numeric].astype(object)
        out.loc[small, numeric] = None
        out.loc[small, n] = f"< {min_cell}"
    return out, int(small.sum())


def safe_table(table: pd.DataFrame) -> pd.DataFrame:
    """The table without columns that identify people."""
    return table[[c for c in table.columns if not IDENTIFYING.search(str(c))]]


def _in_report() -> bool:
    from .render import REPORT_ENV

    return os.environ.get(REPORT_ENV) == "1"


def _register_renderer() -> None:
    import plotly.io as pio
    from plotly.io._base_renderers import MimetypeRenderer

    class ReportRenderer(MimetypeRenderer):
        """A ``<div>`` per figure: no plotly.js, MathJax or require.js of its own."""

        def to_mimebundle(self, fig_dict):
            # the figure was validated when it was built; validating the dict again is slow
            markup = pio.to_html(fig_dict, full_html=False, include_plotlyjs=False, include_mathjax=False,
                                 validate=False, config={"displaylogo": False, "responsive": True})
            return {"text/html": markup}

    if _RENDERER not in pio.renderers:
        pio.renderers[_RENDERER] = ReportRenderer()
    pio.renderers.default = _RENDERER


#: Mime type carrying a displayed table's data, for the report's Excel workbook.
TABLE_MIME = "application/vnd.omsmethod.table+json"


class _HTML:
    """A piece of HTML for Jupyter's rich display (with the table's data, if it is one)."""

    def __init__(self, markup: str, table: dict | None = None):
        self.markup = markup
        self.data = table

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/html": self.markup}
        if self.data is not None:
            bundle[TABLE_MIME] = self.data
        return bundle

    def __repr__(self) -> str:  # plain-text fallback, e.g. in a terminal
        return re.sub(r"<[^>]+>", " ", self.markup)


@dataclass
class ReportContext:
    """Language and safety settings of one report; see :func:`setup`."""

    lang: str = "en"
    min_cell: int = 5

    def t(self, key: str, **values) -> str:
        return report_text(key, self.lang, **values)

    def heading(self, key: str, level: int = 2, **values) -> _HTML:
        return _HTML(f"<h{level}>{html.escape(self.t(key, **values))}</h{level}>")

    def text(self, key_or_text: str, **values) -> _HTML:
        """A paragraph: a report_text key, or literal text (escaped)."""
        entry = _texts().get(key_or_text)
        text = self.t(key_or_text, **values) if isinstance(entry, dict) else key_or_text
        return _HTML(f"<p>{html.escape(text)}</p>")

    def bullets(self, sentences: list[str]) -> _HTML:
        items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
        return _HTML(f"<ul>{items}</ul>")

    def label(self, value: str) -> str:
        """Display name of a subsystem / layer / category id, or the id."""
        return _model_labels(self.lang).get(value, value)

    def table(
        self,
        table: pd.DataFrame,
        caption: str | None = None,
        n: str = "n",
        digits: int = 2,
        labels: dict | None = None,
        translate: tuple[str, ...] = ("subsystem", "layer"),
    ) -> _HTML:
        """Render a tidy table safely: suppress small groups, drop identifiers, escape."""
        shown = safe_table(table)
        shown, hidden = suppress(shown, self.min_cell, n)
        shown = shown.copy()
        for column in translate:
            if column in shown.columns:
                shown[column] = [self.label(v) if isinstance(v, str) else v for v in shown[column]]
        headers = {c: (labels or {}).get(c) or t(str(c), self.lang) for c in shown.columns}
        body = []
        p_values = [str(c) == "p" or str(c).startswith("p_") for c in shown.columns]
        for _, row in shown.iterrows():
            cells = []
            for is_p, value in zip(p_values, row, strict=True):
                if value is None or (isinstance(value, float) and np.isnan(value)):
                    cells.append('<td class="oms-suppressed">–</td>')
                elif is_p and isinstance(value, (float, np.floating)) and value < 0.001:
                    cells.append("<td>&lt; 0.001</td>")
                elif isinstance(value, (float, np.floating)):
                    cells.append(f"<td>{value:.{digits}f}</td>")
                elif isinstance(value, (bool, np.bool_)):
                    cells.append(f"<td>{'✓' if value else ''}</td>")
                else:
                    cells.append(f"<td>{html.escape(str(value))}</td>")
            body.append("<tr>" + "".join(cells) + "</tr>")
        head = "".join(f"<th>{html.escape(str(headers[c]))}</th>" for c in shown.columns)
        cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
        markup = f'<table class="oms-table">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'
        if hidden:
            note = report_text("suppressed_note", self.lang, n=hidden, min_cell=self.min_cell)
            markup += f'<p class="oms-note">{html.escape(note)}</p>'
        data = {
            "caption": caption or "",
            "columns": [str(headers[c]) for c in shown.columns],
            "rows": [[None if (isinstance(v, float) and np.isnan(v)) else (v.item() if hasattr(v, "item") else v)
                      for v in row] for row in shown.itertuples(index=False)],
        }
        return _HTML(markup, data)

    def visible(self, table: pd.DataFrame, n: str = "n") -> pd.DataFrame:
        """The rows of ``table`` a figure may show: groups of at least ``min_cell``."""
        if n not in table.columns:
            return table
        return table[pd.to_numeric(table[n], errors="coerce") >= self.min_cell]

    def figure(self, fig):
        """Show a plotly figure (returns it, so it displays as the cell's result)."""
        return fig


def setup(lang: str = "en", min_cell: int = 5) -> ReportContext:
    """Prepare a report notebook: language, minimum cell size, and the figure renderer.

    Examples
    --------
    >>> from omsmethod.report.display import setup
    >>> ctx = setup(lang="zh", min_cell=5)
    >>> ctx.t("status_heading")
    '三个层面与九个子系统的现状'
    """
    check_lang(lang)
    if int(min_cell) < 1:
        from ..errors import InputError

        raise InputError("min_cell must be at least 1", value=min_cell)
    if _in_report():
        _register_renderer()
        # the libraries a report imported are there to stay: keep the collector from
        # walking them again and again during the run (a full pass costs ~50 ms here)
        import gc

        gc.freeze()
    return ReportContext(lang=lang, min_cell=int(min_cell))
