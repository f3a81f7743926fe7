"""Building plotly figures quickly.

``go.Figure()`` followed by ``add_trace``/``add_annotation``/``update_layout`` validates
the figure again at every call; a report draws a dozen figures in a fresh kernel, where
that costs a noticeable share of the run. :func:`make_figure` builds the figure from
plain dicts in one validated step. Functions in omsmethod still return
``plotly.graph_objects.Figure``, so callers can go on with ``update_layout`` as usual.
"""

from __future__ import annotations

__all__ = ["make_figure"]


def make_figure(data: list[dict], layout: dict):
    """A ``plotly.graph_objects.Figure`` from trace dicts (each with its ``type``) and a
    layout dict, validated once.

    A ``title`` of ``{"text": None}`` is dropped, so that callers can pass an optional
    title through.

    Examples
    --------
    >>> from omsmethod.figures import make_figure
    >>> fig = make_figure([{"type": "bar", "x": ["a", "b"], "y": [1, 2]}], {"title": {"text": None}})
    >>> fig.data[0].type, fig.layout.title.text
    ('bar', None)
    """
    import plotly.graph_objects as go

    layout = dict(layout)
    if isinstance(layout.get("title"), dict) and layout["title"].get("text") is None:
        layout.pop("title")
    return go.Figure({"data": data, "layout": layout})
