"""Building plotly figures quickly.

``go.Figure()`` followed by ``add_trace``/``add_annotation``/``update_layout`` validates
the figure again at every call; a report draws a dozen figures in a fresh kernel, where
that costs a noticeable share of the run. :func:`make_figure` builds the figure from
plain dicts in one validated step. Functions in omsmethod still return
``plotly.graph_objects.Figure``, so callers can go on with ``update_layout`` as usual.
"""

from __future__ import annotations

__all__ = ["make_figure", "crosshairs"]


def make_figure(data: list[dict], layout: dict, template: str | None = None):
    """A ``plotly.graph_objects.Figure`` from trace dicts (each with its ``type``) and a
    layout dict, validated once.

    Parameters
    ----------
    data : list of dict
    layout : dict
        A ``title`` of ``{"text": None}`` is dropped, so that callers can pass an
        optional title through.
    template : str, optional
        A registered plotly template (e.g. ``"plotly_white"``); default plotly's default.

    Notes
    -----
    Assigning ``template="plotly_white"`` through the validator deep-copies and
    re-validates the whole template (10–45 ms a figure). A registered template is
    already a validated object, so it is attached the way plotly attaches its default
    template (``BaseFigure._initialize_layout_template``: validation off for that one
    assignment), with the ordinary validated assignment as the fallback should plotly's
    internals change.

    Examples
    --------
    >>> from omsmethod.figures import make_figure
    >>> fig = make_figure([{"type": "bar", "x": ["a", "b"], "y": [1, 2]}], {"title": {"text": None}},
    ...                   template="plotly_white")
    >>> fig.data[0].type, fig.layout.title.text, fig.layout.template.layout.plot_bgcolor
    ('bar', None, 'white')
    """
    import plotly.graph_objects as go

    layout = dict(layout)
    if isinstance(layout.get("title"), dict) and layout["title"].get("text") is None:
        layout.pop("title")
    fig = go.Figure({"data": data, "layout": layout})
    if template is not None:
        _attach_template(fig, template)
    return fig


def _attach_template(fig, template: str) -> None:
    import plotly.io as pio

    try:
        template_object = pio.templates[template]
        previous = fig.layout._validate
        fig.layout._validate = False
        try:
            fig.layout.template = template_object
        finally:
            fig.layout._validate = previous
        if fig.layout._props.get("template") is None:
            raise AttributeError("template not set")
    except Exception:  # pragma: no cover - other plotly versions
        fig.update_layout(template=template)


def crosshairs(x: float, y: float, line: dict) -> list[dict]:
    """Layout shapes for a quadrant map: a vertical line at ``x`` and a horizontal line
    at ``y``, each across the whole plot.

    Examples
    --------
    >>> [s["x0"] for s in crosshairs(3.2, 3.5, {"dash": "dot"})]
    [3.2, 0]
    """
    return [
        {"type": "line", "x0": float(x), "x1": float(x), "xref": "x", "y0": 0, "y1": 1, "yref": "y domain",
         "line": line},
        {"type": "line", "x0": 0, "x1": 1, "xref": "x domain", "y0": float(y), "y1": float(y), "yref": "y",
         "line": line},
    ]
