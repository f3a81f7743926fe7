"""Result objects of ``omsmethod.sem``: tables as attributes, ``summary()``, ``_repr_html_``."""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd

__all__ = ["SEMResult", "ValidityResult", "PLSResult", "CBResult", "IPMAResult", "MGAResult"]


@dataclass
class SEMResult:
    """Base: a title, ordered tables, notes (conventions) and problems in plain words."""

    title: str = ""
    notes: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)

    #: (attribute, heading) pairs shown by summary() and _repr_html_, in order
    _shown: tuple = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        """The result's tables by attribute name."""
        out = {}
        for name, _ in self._shown:
            value = getattr(self, name, None)
            if isinstance(value, pd.DataFrame):
                out[name] = value
        return out

    def summary(self) -> str:
        """Plain-text report of every table, the problems and the conventions used."""
        parts = [self.title, "=" * len(self.title)]
        for name, heading in self._shown:
            value = getattr(self, name, None)
            if isinstance(value, pd.DataFrame) and not value.empty:
                parts += ["", heading, value.to_string(float_format=lambda v: f"{v:.4f}")]
        if self.problems:
            parts += ["", "Problems"] + [f"  - {p}" for p in self.problems]
        if self.notes:
            parts += ["", "Conventions"] + [f"  {k}: {v}" for k, v in self.notes.items()]
        return "\n".join(parts)

    def __repr__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        out = [f"<h3>{html.escape(self.title)}</h3>"]
        for name, heading in self._shown:
            value = getattr(self, name, None)
            if isinstance(value, pd.DataFrame) and not value.empty:
                out.append(f"<h4>{html.escape(heading)}</h4>")
                out.append(value.to_html(float_format=lambda v: f"{v:.3f}", index=False,
                                         na_rep="", escape=True))
        if self.problems:
            out.append("<h4>Problems</h4><ul>")
            out += [f"<li>{html.escape(str(p))}</li>" for p in self.problems]
            out.append("</ul>")
        if self.notes:
            out.append("<details><summary>Conventions</summary><ul>")
            out += [f"<li><b>{html.escape(k)}</b>: {html.escape(str(v))}</li>" for k, v in self.notes.items()]
            out.append("</ul></details>")
        return "\n".join(out)


@dataclass(repr=False)
class ValidityResult(SEMResult):
    """Construct validity: loadings, reliability, discriminant validity, (CFA) fit."""

    method: str = "pls"
    loadings: pd.DataFrame | None = None
    reliability: pd.DataFrame | None = None
    fornell_larcker: pd.DataFrame | None = None
    htmt: pd.DataFrame | None = None
    cross_loadings: pd.DataFrame | None = None
    fit_indices: pd.DataFrame | None = None
    _shown: tuple = (
        ("fit_indices", "Fit indices"),
        ("loadings", "Loadings"),
        ("reliability", "Reliability and convergent validity"),
        ("fornell_larcker", "Fornell–Larcker (diagonal: √AVE)"),
        ("htmt", "HTMT"),
        ("cross_loadings", "Cross-loadings"),
    )


@dataclass(repr=False)
class PLSResult(SEMResult):
    """A fitted PLS path model."""

    model: object = None
    n: int = 0
    paths: pd.DataFrame | None = None
    r2: pd.DataFrame | None = None
    f2: pd.DataFrame | None = None
    total_effects: pd.DataFrame | None = None
    indirect_effects: pd.DataFrame | None = None
    loadings: pd.DataFrame | None = None
    weights: pd.DataFrame | None = None
    reliability: pd.DataFrame | None = None
    htmt: pd.DataFrame | None = None
    predict: pd.DataFrame | None = None
    scores: pd.DataFrame | None = None
    iterations: int = 0
    n_boot: int = 0
    n_failed: int = 0
    method: str = "pls"
    _core: object = None  # estimation internals used by ipma / plots
    _shown: tuple = (
        ("paths", "Path coefficients"),
        ("r2", "R²"),
        ("f2", "f² effect sizes"),
        ("total_effects", "Total effects"),
        ("indirect_effects", "Specific indirect effects (mediation)"),
        ("loadings", "Outer loadings and weights"),
        ("reliability", "Reliability"),
        ("htmt", "HTMT"),
        ("predict", "PLSpredict (k-fold, against a linear-model benchmark)"),
    )


@dataclass(repr=False)
class CBResult(SEMResult):
    """A fitted covariance-based (ML) SEM or CFA."""

    model: object = None
    n: int = 0
    estimates: pd.DataFrame | None = None
    paths: pd.DataFrame | None = None
    r2: pd.DataFrame | None = None
    total_effects: pd.DataFrame | None = None
    indirect_effects: pd.DataFrame | None = None
    fit_indices: pd.DataFrame | None = None
    scores: pd.DataFrame | None = None
    iterations: int = 0
    method: str = "cb"
    _core: object = None
    _shown: tuple = (
        ("fit_indices", "Fit indices"),
        ("paths", "Structural paths"),
        ("r2", "R²"),
        ("total_effects", "Total effects (delta method)"),
        ("indirect_effects", "Specific indirect effects (delta method)"),
        ("estimates", "All parameters"),
    )


@dataclass(repr=False)
class IPMAResult(SEMResult):
    """Importance–performance map: constructs and items."""

    target: str = ""
    constructs: pd.DataFrame | None = None
    items: pd.DataFrame | None = None
    _shown: tuple = (("constructs", "Constructs"), ("items", "Items"))

    @property
    def figure(self):
        """The construct-level quadrant figure (plotly)."""
        return self.plot()

    def plot(self, level: str = "constructs", lang: str = "en"):
        """Quadrant figure (plotly) of importance against performance."""
        from .plots import plot_ipma

        return plot_ipma(self, level=level, lang=lang)


@dataclass(repr=False)
class MGAResult(SEMResult):
    """PLS multigroup analysis with the MICOM invariance check."""

    groups: tuple = ()
    comparable: bool = False
    invariance: str = ""
    micom_compositional: pd.DataFrame | None = None
    micom_equality: pd.DataFrame | None = None
    paths: pd.DataFrame | None = None
    n_perm: int = 0
    _shown: tuple = (
        ("micom_compositional", "MICOM step 2: compositional invariance"),
        ("micom_equality", "MICOM step 3: equal composite means and variances"),
        ("paths", "Path differences between groups (permutation test)"),
    )
