"""The structural OMS graph: nine subsystems, the outside world and the model's relations.

Examples
--------
>>> from omsmethod import graph
>>> G = graph.structural()
>>> G.nodes["brand"]["layer"], G.edges["customer", "brand"]["directed"]
('core', False)
"""

from __future__ import annotations

from functools import lru_cache

from ..model import ENVIRONMENT, OMSModel

__all__ = ["structural", "base_subsystem", "model_of", "names"]


@lru_cache(maxsize=1)
def _bundled() -> OMSModel:
    from ..model import load

    return load()


def model_of(model=None) -> OMSModel:
    """The OMS model given, loaded from a path, or the bundled one (read once, cached)."""
    from ..model import load

    if isinstance(model, OMSModel):
        return model
    return _bundled() if model is None else load(model)


def names(model: OMSModel, lang: str) -> dict:
    """Subsystem id → display name in ``lang`` (a dict, for fast lookups)."""
    column = "name_zh" if lang == "zh" else "name_en"
    return dict(zip(model.subsystems["id"], model.subsystems[column], strict=True))


def base_subsystem(node: str) -> str:
    """Subsystem id of a graph node: ``"staff:brand"`` → ``"brand"``, ``"brand"`` → ``"brand"``."""
    return str(node).rsplit(":", 1)[-1]


def structural(model=None):
    """The OMS model as a directed graph.

    Parameters
    ----------
    model : OMSModel or path, optional
        Default: the bundled model (``omsmethod/data/oms_model.yaml``).

    Returns
    -------
    networkx.DiGraph
        Nodes: the nine subsystems (attributes ``layer``, ``name_zh``, ``name_en``,
        ``owner_zh``, ``owner_en``) and ``"environment"`` (``layer="environment"``), the
        outside world the information system tracks. Edges: one per model relation, with
        ``kind`` (dynamic, functional, supports, tracking, informs), ``source`` (patent
        or inferred), ``citation`` (the patent quote, or the basis of an inferred
        relation), ``reasoning`` and ``directed``.

    Notes
    -----
    An undirected relation (customer ↔ brand and staff ↔ value, "dynamic") is **one**
    edge, written in the direction of the model file, with ``directed=False``; code that
    needs symmetry should test that flag (``compare`` does). ``G.graph`` holds
    ``kind="structural"`` and the model's name and version.

    Examples
    --------
    >>> from omsmethod.graph import structural
    >>> G = structural()
    >>> G.number_of_nodes(), G.number_of_edges()
    (10, 11)
    >>> G.edges["environment", "information"]["source"]
    'patent'
    """
    import networkx as nx

    m = model_of(model)
    G = nx.DiGraph(kind="structural", model=m.name, version=m.version)
    for row in m.subsystems.itertuples(index=False):
        G.add_node(
            row.id, layer=row.layer, name_zh=row.name_zh, name_en=row.name_en,
            owner_zh=row.owner_zh or "", owner_en=row.owner_en or "",
        )
    G.add_node(
        ENVIRONMENT, layer=ENVIRONMENT, name_zh=m.label(ENVIRONMENT, "zh"),
        name_en=m.label(ENVIRONMENT, "en"), owner_zh="", owner_en="",
    )
    for rel in m.relations.to_dict("records"):
        citation = rel["quote"] if rel["source"] == "patent" else rel["basis"]
        G.add_edge(
            rel["from"], rel["to"], kind=rel["kind"], source=rel["source"],
            citation=str(citation or ""), reasoning=str(rel.get("reasoning") or ""),
            directed=bool(rel["directed"]),
        )
    return G
