"""IPython startup for executing the documentation's notebooks (copied by docs/build.py).

Plotly figures are shown as a ``text/html`` ``<div>`` whose script calls ``Plotly.newPlot``;
plotly.js itself is bundled once in the site's ``_static`` folder and loaded only on
pages that contain a figure (see ``conf.py``). Nothing is fetched from the network.
"""

try:
    import plotly.io as _pio
    from plotly.io._base_renderers import MimetypeRenderer as _MimetypeRenderer

    class _DocsRenderer(_MimetypeRenderer):
        def to_mimebundle(self, fig_dict):
            html = _pio.to_html(
                fig_dict,
                full_html=False,
                include_plotlyjs=False,
                include_mathjax=False,
                config={"displaylogo": False, "responsive": True},
            )
            return {"text/html": html}

    _pio.renderers["omsdocs"] = _DocsRenderer()
    _pio.renderers.default = "omsdocs"
    del _DocsRenderer, _MimetypeRenderer
except ImportError:  # pragma: no cover - plotly is a dependency
    pass
