"""Figures and exports: what is drawn, and what Gephi/Cytoscape would read back."""

import json

import networkx as nx
import pytest

from omsmethod import graph
from omsmethod.errors import OMSError


@pytest.fixture(scope="module")
def measured(scores400):
    return graph.empirical(scores400, n_boot=50, seed=1)


def _edge_traces(fig):
    return [t for t in fig.data if t.mode == "lines"]


def test_plot_measured_graph_encodes_weight_sign_and_significance(measured):
    fig = graph.plot(measured, lang="en")
    traces = {t.name: t for t in _edge_traces(fig)}
    assert len(traces) == measured.number_of_edges() == 15
    for a, b, d in measured.edges(data=True):
        line = traces[f"{a}–{b}"].line
        assert line.width == pytest.approx(1 + 10 * abs(d["weight"]))
        assert line.color == (graph.plots.POSITIVE if d["weight"] >= 0 else graph.plots.NEGATIVE)
        assert line.dash == ("solid" if d["significant"] else "dash")
    assert {t.line.dash for t in traces.values()} == {"solid", "dash"}
    nodes = next(t for t in fig.data if t.name == "subsystems")
    assert "Customer" in " ".join(nodes.text)
    # three rings drawn for the layers present (core, control, external)
    assert len([s for s in fig.layout.shapes if s.type == "circle"]) == 3


def test_plot_in_chinese_and_structural_hover_quotes_patent():
    fig = graph.plot(graph.structural(), lang="zh")
    nodes = next(t for t in fig.data if t.name == "subsystems")
    assert any("客户" in label for label in nodes.text)
    hover = " ".join(next(t for t in fig.data if t.name == "edges").hovertext)
    assert "patent" in hover and "Claim 7" in hover
    assert len([a for a in fig.layout.annotations if a.showarrow]) == 9  # directed relations only


def test_plot_other_layouts_and_matrix(measured):
    assert len(_edge_traces(graph.plot(measured, layout="spring"))) == 15
    fig = graph.plot_matrix(measured, lang="zh")
    heat = fig.data[0]
    labels = list(heat.x)
    i, j = labels.index(graph.plots.node_label("customer", "zh")), labels.index(graph.plots.node_label("brand", "zh"))
    assert heat.z[i][j] == pytest.approx(measured.edges["customer", "brand"]["weight"])
    assert heat.z[i][i] is None
    with pytest.raises(OMSError, match="unknown layout"):
        graph.plot(measured, layout="hairball")


def test_graphml_round_trip(measured, tmp_path):
    path = graph.to_graphml(measured, tmp_path / "g.graphml")
    back = nx.read_graphml(path)
    assert set(back.nodes) == set(measured.nodes)
    d = back.edges["customer", "brand"]
    assert d["weight"] == pytest.approx(measured.edges["customer", "brand"]["weight"], abs=1e-12)
    assert d["significant"] is True
    assert back.nodes["brand"]["name_zh"] == measured.nodes["brand"]["name_zh"]
    assert [p.name for p in tmp_path.iterdir()] == ["g.graphml"]  # no temporary left behind
    structural = nx.read_graphml(graph.to_graphml(graph.structural(), tmp_path / "s.graphml"))
    assert structural.is_directed() and structural.edges["customer", "brand"]["directed"] is False


def test_json_node_link(measured, tmp_path):
    data = graph.to_json(measured)
    assert data["graph"]["method"] == "partial_correlation" and "edges" in data
    back = nx.node_link_graph(data, edges="edges")
    assert back.edges["customer", "brand"]["ci_low"] == pytest.approx(measured.edges["customer", "brand"]["ci_low"])
    path = graph.to_json(graph.empirical(measured_input := _tiny(), n_boot=0), tmp_path / "g.json")
    loaded = json.loads(path.read_text(encoding="utf-8"))
    assert loaded["edges"][0]["ci_low"] is None  # no bootstrap → null, not NaN
    assert len(measured_input) == 5


def _tiny():
    import pandas as pd

    return pd.DataFrame({"customer": [1.0, 2, 3, 4, 5], "brand": [2.0, 1, 4, 3, 5]})
