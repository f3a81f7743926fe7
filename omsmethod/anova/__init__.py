"""Repeated-measures, mixed and factorial ANOVA with sphericity corrections.

Public functions
----------------
rm_anova, mixed_anova, two_way
    Return a tidy ``pandas.DataFrame``, one row per effect, with columns:

    - ``source``: effect name, factors joined by ``:`` (between factors first)
    - ``df1, df2``: numerator / denominator degrees of freedom (uncorrected)
    - ``SS``: effect sum of squares; ``SS_error``: its error sum of squares
    - ``MS, MSE``: SS/df1 and SS_error/df2
    - ``F, p``: F ratio and uncorrected p-value
    - ``np2``: partial eta squared SS/(SS+SS_error)
    - ``ng2``: generalized eta squared (Olejnik & Algina 2003; as afex ``ges``)
    - ``eps_gg, eps_hf``: Greenhouse-Geisser and Huynh-Feldt (Lecoutre) epsilon; 1 for
      effects with one df per subject, NaN for between-subjects effects; ``eps_hf`` is
      reported untruncated (as car), truncated at 1 for p_hf
    - ``p_gg, p_hf, df1_gg, df2_gg, df1_hf, df2_hf``: corrected tests
    - ``W, p_mauchly``: Mauchly's sphericity test (NaN where q < 2)
    - ``correction``: which test :func:`report_text` reports: "none", "GG" or "HF"

    ``DataFrame.attrs`` holds the design: ``kind`` ("rm", "mixed", "between"), ``dv``,
    ``subject``, ``within``, ``between`` (lists), ``within_levels``,
    ``between_levels`` (dicts factor -> levels), ``n_subjects``, ``n_dropped``,
    ``n_aggregated``, ``ss_type``, ``correction``, ``effsize``, ``observed``
    (for ``two_way``: ``n_subjects`` counts rows used, ``n_dropped`` rows without a
    response, ``subject`` is None).

    Level order: the categories of a categorical column, otherwise order of first
    appearance (sums of squares do not depend on it; contrast labels and plots do).
    Mixed designs use type III sums of squares (sum-to-zero contrasts, as afex);
    ``two_way`` offers type II (default) and type III. Several rows per subject and
    cell are averaged, and subjects missing a cell are dropped, each with an
    :class:`AnovaWarning` giving the count.
assumptions, posthoc, emmeans, simple_effects, best_levels, interaction_plot, report_text
    Checks, follow-up tests, figures and APA sentences on the same designs.
"""

from .assumptions import assumptions
from .between import two_way
from .design import AnovaWarning
from .plots import interaction_plot
from .posthoc import best_levels, emmeans, posthoc, simple_effects
from .text import report_text
from .within import mixed_anova, rm_anova

__all__ = [
    "rm_anova",
    "mixed_anova",
    "two_way",
    "assumptions",
    "posthoc",
    "emmeans",
    "simple_effects",
    "best_levels",
    "interaction_plot",
    "report_text",
    "AnovaWarning",
]
