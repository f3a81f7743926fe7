"""Sphinx configuration shared by the English and Chinese sites.

Run through ``docs/build.py`` (it sets ``OMS_DOCS_LANG``, the execution cache and the
folder with generated static files, and stages the sources of each language).
Everything the site loads is local: MathJax comes from sphinx-mathjax-offline, plotly.js
is copied into ``_static`` once and loaded only on pages with a figure, and the theme
uses no web fonts.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import omsmethod

LANG = os.environ.get("OMS_DOCS_LANG", "en")
if LANG not in ("en", "zh"):
    raise ValueError(f"OMS_DOCS_LANG must be 'en' or 'zh', not {LANG!r}")
OTHER = "zh" if LANG == "en" else "en"
HERE = Path(__file__).resolve().parent
GENERATED_STATIC = os.environ.get("OMS_DOCS_STATIC")

project = "omsmethod"
author = "omsmethod developers"
copyright = "omsmethod developers, MIT licence"
version = release = omsmethod.__version__
language = "zh_CN" if LANG == "zh" else "en"

extensions = [
    "myst_nb",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx-mathjax-offline",
]

templates_path = [str(HERE / "_templates")]
exclude_patterns = ["_build", "_*.md", "**.ipynb_checkpoints", "jupyter_execute"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
suppress_warnings = []

# ---- notebooks (myst-nb) ------------------------------------------------------------
nb_execution_mode = os.environ.get("OMS_DOCS_EXECUTE", "cache")
nb_execution_cache_path = os.environ.get("OMS_DOCS_CACHE", str(HERE / "_build" / "jupyter_cache"))
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 600
nb_merge_streams = True
nb_ipywidgets_js = {}  # no require.js / widget manager from a CDN
myst_enable_extensions = ["dollarmath", "colon_fence", "deflist"]
myst_heading_anchors = 3

# ---- API reference -----------------------------------------------------------------
autodoc_typehints = "none"  # numpydoc docstrings state the types
autodoc_member_order = "bysource"
autosummary_generate = False
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# ---- HTML ---------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = "omsmethod"
html_favicon = str(HERE / "_static" / "oms-icon.svg")
html_logo = str(HERE / "_static" / "oms-icon.svg")
html_static_path = [str(HERE / "_static")] + ([GENERATED_STATIC] if GENERATED_STATIC else [])
html_css_files = ["oms.css"]
html_show_sourcelink = False
html_copy_source = False
html_search_language = "zh" if LANG == "zh" else "en"
html_show_search_summary = False  # summaries need fetch(), which file:// pages cannot do
html_last_updated_fmt = None
html_theme_options = {
    "navbar_end": ["lang-switch", "theme-switcher"],
    "navbar_persistent": ["search-button"],
    "icon_links": [],
    "show_toc_level": 2,
    "navigation_with_keys": False,
    "secondary_sidebar_items": ["page-toc"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
    "show_prev_next": True,
    "header_links_before_dropdown": 6,
}
html_sidebars = {"index": []}
html_context = {"default_mode": "light"}

LABELS = {"en": ("English", "Read this page in English"), "zh": ("中文", "阅读本页中文版")}


def _page_context(app, pagename, templatename, context, doctree):
    """Language switch to the same page in the other language; plotly.js where needed."""
    depth = pagename.count("/") + 1
    context["oms_other_lang"] = OTHER
    context["oms_other_lang_url"] = "../" * depth + f"{OTHER}/{pagename}.html"
    context["oms_other_lang_label"], context["oms_other_lang_title"] = LABELS[OTHER]
    body = context.get("body") or ""
    if "plotly-graph-div" in body or "Plotly.newPlot" in body:
        app.add_js_file("plotly.min.js", priority=100)


# Docstrings that are not valid reST yet are shown preformatted instead of failing the
# build (their owners were told; remove an entry once its docstring is fixed).
PREFORMATTED_DOCSTRINGS: set[str] = set()  # modules whose docstring is not valid reST (none now)
_ABS = re.compile(r"(?<![\\`|])\|([A-Za-z_][^|`\n]*?)\|(?![_|])")


def _process_docstring(app, what, name, obj, options, lines):
    """``|x|`` in a docstring means an absolute value, never a reST substitution."""
    if name in PREFORMATTED_DOCSTRINGS:
        lines[:] = ["::", ""] + ["    " + line for line in lines] + [""]
        return
    for i, line in enumerate(lines):
        if "|" in line and not line.lstrip().startswith(("|", "+", "=", ">>>", "...")):
            lines[i] = _ABS.sub(r"\\|\1\\|", line)


def setup(app):
    app.connect("html-page-context", _page_context)
    app.connect("autodoc-process-docstring", _process_docstring, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
