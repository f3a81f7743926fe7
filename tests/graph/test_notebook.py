"""notebooks/subsystem_graph.ipynb runs with papermill and shows what the library computes."""

import ast

import pytest


@pytest.mark.slow
def test_subsystem_graph_notebook_runs(root, tmp_path):
    import nbformat
    import papermill as pm

    import omsmethod as oms
    from omsmethod import graph, scoring

    out = tmp_path / "subsystem_graph.ipynb"
    pm.execute_notebook(
        str(root / "notebooks" / "subsystem_graph.ipynb"),
        str(out),
        parameters={"n_boot": 20, "lang": "zh"},
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp_path),
    )
    nb = nbformat.read(out, as_version=4)
    cell = next(c for c in nb.cells if "summary" in c.metadata.get("tags", []))
    summary = ast.literal_eval(cell.outputs[0]["text"].strip())

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
