"""The three-layer layout: core inside, control around it, external outside, the
environment beyond (concentric rings). Shared by the graph and the SEM path diagram.

Examples
--------
>>> from omsmethod.graph import layer_positions
>>> pos = layer_positions(["customer", "brand", "service", "information"])
>>> [round(v, 3) for v in pos["information"]]
[0.0, 3.0]
"""

from __future__ import annotations

import math

from ..model import ENVIRONMENT

__all__ = ["layer_positions", "RING_RADIUS"]

#: Ring radius per layer (environment and unknown nodes on the outermost ring).
RING_RADIUS = {"core": 1.0, "control": 2.0, "external": 3.0, ENVIRONMENT: 4.0}


def layer_positions(nodes, model=None, radius: dict | None = None) -> dict:
    """Positions of graph nodes on concentric rings by OMS layer.

    Parameters
    ----------
    nodes : iterable of str
        Node names: subsystem ids, ``"environment"``, or survey-prefixed subsystems
        (``"staff:brand"``, placed by the layer of ``brand``). Names the model does
        not know go on the outermost ring.
    model : OMSModel or path, optional
        Gives each subsystem's layer and order (default: the bundled model).
    radius : dict, optional
        Ring radius per layer, overriding :data:`RING_RADIUS`.

    Returns
    -------
    dict
        ``{node: (x, y)}``.

    Notes
    -----
    Within a ring, nodes are spread evenly in model order (prefixed copies of one
    subsystem next to each other), starting at the top (90°) and going clockwise; the
    inner rings are turned by half a step so that edges between rings do not pass
    through nodes. The result is deterministic.
    """
    from .structure import base_subsystem, model_of

    m = model_of(model)
    radii = {**RING_RADIUS, **(radius or {})}
    order = {s: i for i, s in enumerate(m.subsystem_ids)}
    rings: dict[str, list] = {}
    for node in nodes:
        base = base_subsystem(node)
        layer = m.layer_of.get(base, ENVIRONMENT)
        rings.setdefault(layer, []).append(node)
    positions = {}
    for layer, members in rings.items():
        members = sorted(members, key=lambda v: (order.get(base_subsystem(v), len(order)), str(v)))
        r = radii.get(layer, max(radii.values()))
        k = len(members)
        offset = 0.0 if k == 1 or layer in ("external", ENVIRONMENT) else math.pi / k
        for i, node in enumerate(members):
            angle = math.pi / 2 - offset - 2 * math.pi * i / k
            x, y = r * math.cos(angle), r * math.sin(angle)
            positions[node] = (0.0 if abs(x) < 1e-12 else x, 0.0 if abs(y) < 1e-12 else y)
    return positions
