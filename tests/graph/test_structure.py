"""Structural graph, layer layout, comparison with the measured graph, centrality."""

import math

import networkx as nx
import numpy as np
import pytest
import yaml

from omsmethod import graph, model


def test_structural_graph_is_the_model_file():
    raw = yaml.safe_load(model.default_path().read_text(encoding="utf-8"))
    G = graph.structural()
    assert set(G.nodes) == {s["id"] for s in raw["subsystems"]} | {"environment"}
    assert G.number_of_edges() == len(raw["relations"]) == 11
    for rel in raw["relations"]:
        d = G.edges[rel["from"], rel["to"]]
        assert d["kind"] == rel["kind"] and d["source"] == rel["source"]
        assert d["citation"] == (rel["quote"] if rel["source"] == "patent" else rel["basis"])
        assert d["directed"] is bool(rel.get("directed", True))
    for s in raw["subsystems"]:
        assert G.nodes[s["id"]]["layer"] == s["layer"] and G.nodes[s["id"]]["name_zh"] == s["name_zh"]
    undirected = {(a, b) for a, b, d in G.edges(data=True) if not d["directed"]}
    assert undirected == {("customer", "brand"), ("staff", "value")}


def test_layer_positions_are_concentric_rings():
    nodes = [*model.SUBSYSTEMS, "environment", "staff:brand", "customer:brand"]
    pos = graph.layer_positions(nodes)
    radius = {"core": 1.0, "control": 2.0, "external": 3.0}
    m = model.load()
    for node, (x, y) in pos.items():
        base = node.rsplit(":", 1)[-1]
        expected = 4.0 if node == "environment" else radius[m.layer_of[base]]
        assert math.hypot(x, y) == pytest.approx(expected)
    # core: 6 nodes (4 subsystems + 2 survey copies of brand) 60° apart
    core = sorted(math.degrees(math.atan2(pos[v][1], pos[v][0])) % 360
                  for v in nodes if m.layer_of.get(v.rsplit(":", 1)[-1]) == "core")
    assert len(core) == 6 and np.allclose(np.diff(core), 60.0)
    assert pos["information"] == (0.0, 3.0)
    assert graph.layer_positions(nodes) == pos  # deterministic


def _measured(edges):
    G = nx.Graph(kind="empirical")
    for a, b, w, sig in edges:
        G.add_edge(a, b, weight=w, significant=sig, p_fdr=0.001 if sig else 0.5, ci_low=w - 0.1, ci_high=w + 0.1)
    return G


def test_compare_statuses_and_thresholds():
    G = _measured([
        ("customer", "brand", 0.30, True),        # supported
        ("service", "customer", 0.05, True),      # significant but small → weak
        ("brand", "service", 0.15, False),        # large but uncertain → weak
        ("pr", "brand", 0.02, False),             # absent
        ("vis", "brand", -0.20, True),            # opposite
        ("information", "customer", 0.0999, True),  # just below min_weight → weak
        ("pr", "vis", 0.25, True),                # not in model (strong)
        ("pr", "customer", 0.15, True),           # not in model but < strong → not listed
    ])
    table = graph.compare(graph.structural(), G)
    status = {(r.source, r.target): r.status for r in table.itertuples() if isinstance(r.source, str)}
    assert status[("customer", "brand")] == "supported"
    assert status[("service", "customer")] == "weak"
    assert status[("service", "brand")] == "weak"
    assert status[("pr", "brand")] == "absent"
    assert status[("vis", "brand")] == "opposite"
    assert status[("information", "customer")] == "weak"
    assert status[("environment", "information")] == "not measured"
    assert status[("staff", "value")] == "not measured"
    extra = table[table["status"] == "not in model"]
    assert list(zip(extra["measured_source"], extra["measured_target"], strict=True)) == [("pr", "vis")]
    # thresholds are parameters
    looser = graph.compare(graph.structural(), G, min_weight=0.04, strong=0.1)
    row = looser[(looser["source"] == "service") & (looser["target"] == "customer")]
    assert row["status"].iloc[0] == "supported"
    assert len(looser[looser["status"] == "not in model"]) == 2


def test_compare_on_measured_synthetic_graph(big_scores):
    table = graph.compare(graph.structural(), graph.empirical(big_scores["customer"], n_boot=0))
    status = dict(zip(zip(table["source"], table["target"], strict=True), table["status"], strict=True))
    for relation in [("customer", "brand"), ("service", "customer"), ("service", "brand"),
                     ("pr", "brand"), ("vis", "brand"), ("information", "customer")]:
        assert status[relation] == "supported", relation
    assert not (table["status"] == "not in model").any()


def test_compare_matches_prefixed_nodes(sample_scores):
    G = graph.empirical(sample_scores, method="correlation", unit="unit", n_boot=0)
    table = graph.compare(graph.structural(), G)
    row = table[(table["source"] == "staff") & (table["target"] == "value")].iloc[0]
    assert {row["measured_source"], row["measured_target"]} == {"staff", "value"}
    row = table[(table["source"] == "customer") & (table["target"] == "brand")].iloc[0]
    assert row["measured_target"] in ("customer:brand", "staff:brand") or row["measured_source"] in (
        "customer:brand", "staff:brand")
    # copies of one subsystem are never reported as a missing model relation
    extra = table[table["status"] == "not in model"]
    assert not any(a.rsplit(":", 1)[-1] == b.rsplit(":", 1)[-1]
                   for a, b in zip(extra["measured_source"], extra["measured_target"], strict=True))


def test_centrality_hand_computed():
    """A path a–b–c–d plus a pendant e on b: values worked out by hand."""
    G = nx.Graph()
    G.add_edge("customer", "brand", weight=0.5, significant=True)
    G.add_edge("brand", "service", weight=-0.25, significant=True)
    G.add_edge("service", "vis", weight=0.5, significant=True)
    G.add_edge("brand", "pr", weight=0.5, significant=True)
    G.add_edge("vis", "pr", weight=0.9, significant=False)  # ignored
    t = graph.centrality(G).set_index("node")
    assert t.loc["brand", "strength"] == pytest.approx(1.25)
    assert t.loc["service", "strength"] == pytest.approx(0.75)
    assert t.loc["brand", "degree"] == 3 and t.loc["vis", "degree"] == 1
    # shortest paths through brand: customer–service, customer–vis, customer–pr,
    # service–pr, vis–pr → 5 of C(4,2)=6 pairs of the other nodes; normalised by 6
    assert t.loc["brand", "betweenness"] == pytest.approx(5 / 6)
    # service lies on customer–vis, brand–vis, pr–vis: 3 / 6
    assert t.loc["service", "betweenness"] == pytest.approx(3 / 6)
    A = nx.to_numpy_array(nx.Graph([(a, b, {"w": abs(d["weight"])}) for a, b, d in G.edges(data=True)
                                    if d["significant"]]), nodelist=list(t.index), weight="w")
    vals, vecs = np.linalg.eigh(A)
    lead = np.abs(vecs[:, -1])
    np.testing.assert_allclose(t["eigenvector"].to_numpy(), lead / np.linalg.norm(lead), atol=1e-10)
    assert t["hub"].to_dict() == {"brand": True, "service": False, "customer": False, "pr": False, "vis": False}
    everything = graph.centrality(G, significant_only=False).set_index("node")
    assert everything.loc["vis", "strength"] == pytest.approx(1.4)


def test_centrality_of_structural_graph_counts_edges():
    t = graph.centrality(graph.structural()).set_index("node")
    assert t.loc["brand", "strength"] == 4  # customer, service, pr, vis
    assert bool(t.loc["brand", "hub"]) and not bool(t.loc["vis", "hub"])
