"""notebooks/subsystem_graph.ipynb runs with papermill and shows what the library computes."""

import pytest


@pytest.mark.slow
def test_subsystem_graph_notebook_runs(run_notebook):
    import omsmethod as oms
    from omsmethod import graph, scoring

    nb, summary = run_notebook("subsystem_graph.ipynb", {"n_boot": 20, "lang": "zh"})

    scores = scoring.score(oms.datasets.load("customer"), "customer")
    G = graph.empirical(scores, weights="weight", n_boot=0)
    table = graph.compare(graph.structural(), G)
    assert summary["n"] == G.graph["n"]
    assert summary["customer_brand"] == pytest.approx(G.edges["customer", "brand"]["weight"], abs=1e-4)
    assert summary["supported"] == sorted(
        f"{r.source}-{r.target}" for r in table.itertuples() if r.status == "supported"
    )
    assert "customer-brand" in summary["supported"]
    hubs = graph.centrality(G)
    assert summary["hubs"] == sorted(hubs.loc[hubs["hub"], "node"])
    # the planted programme: customer up in wave 2, brand follows in wave 3
    assert summary["lag_customer_to_brand"] > 0.1
    assert summary["changes"] >= 2
    # figures were drawn (plotly JSON in the outputs)
    figures = [o for c in nb.cells for o in c.get("outputs", []) if "application/vnd.plotly.v1+json" in o.get("data", {})]
    assert len(figures) >= 5
