"""Bad input to empirical(): clear OMSErrors naming the column / count and the fix."""

import numpy as np
import pandas as pd
import pytest

from omsmethod import graph
from omsmethod.errors import InputError, OMSError


def _frame(n=20, seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame(rng.normal(3, 1, (n, 3)), columns=["customer", "brand", "vis"]).assign(
        unit=[f"B{i % 4}" for i in range(n)], weight=1.0
    )


def test_fewer_than_three_complete_respondents():
    data = _frame(5)
    data.loc[[0, 1, 2], "brand"] = np.nan
    with pytest.raises(InputError, match="only 2 respondents have a score on every subsystem"):
        graph.empirical(data, n_boot=0)


def test_fewer_than_three_units():
    data = _frame(20)
    data["unit"] = np.where(np.arange(20) < 10, "B1", "B2")
    with pytest.raises(InputError, match="only 2 units"):
        graph.empirical(data, unit="unit", method="correlation", n_boot=0)


def test_zero_variance_subsystem():
    data = _frame().assign(vis=4.0)
    with pytest.raises(InputError, match="zero variance") as err:
        graph.empirical(data, n_boot=0)
    assert err.value.column == "vis"


def test_partial_correlation_needs_more_rows_than_subsystems():
    with pytest.raises(InputError, match="needs at least 5 complete units"):
        graph.empirical(_frame(40), unit="unit", n_boot=0)


def test_collinear_subsystems():
    data = _frame().assign(vis=lambda d: d["customer"] + d["brand"])
    with pytest.raises(InputError, match="collinear"):
        graph.empirical(data, n_boot=0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"method": "spearman"}, "unknown method"),
        ({"alpha": 1.5}, "alpha"),
        ({"n_boot": -1}, "n_boot"),
        ({"weights": "w"}, "no column 'w'"),
        ({"unit": "branch"}, "no column 'branch'"),
        ({"subsystems": ["customer"]}, "at least two subsystems"),
        ({"subsystems": ["customer", "brnad", "vis"]}, "column 'brnad'.*no score column"),
        ({"subsystems": ["customer", "brnad"], "unit": "unit"}, "no score column"),
        ({"subsystems": ["vis", "customer"], "method": "regression"}, "no relation among"),
    ],
)
def test_bad_arguments(kwargs, match):
    with pytest.raises(OMSError, match=match):
        graph.empirical(_frame(), **{"n_boot": 0, **kwargs})


def test_bad_weights_and_text_scores():
    data = _frame()
    data.loc[3, "weight"] = -1.0
    with pytest.raises(InputError, match="weights must be positive") as err:
        graph.empirical(data, weights="weight", n_boot=0)
    assert err.value.row == 3
    data = _frame().astype({"brand": object})
    data.loc[2, "brand"] = "good"
    with pytest.raises(InputError, match="not a number") as err:
        graph.empirical(data, n_boot=0)
    assert err.value.column == "brand" and err.value.row == 2
    with pytest.raises(InputError, match="not a number"):
        graph.empirical(data, unit="unit", method="correlation", n_boot=0)


def test_several_tables_need_a_unit():
    with pytest.raises(InputError, match="unit level"):
        graph.empirical({"customer": _frame(), "staff": _frame()}, n_boot=0)
    with pytest.raises(InputError, match="must be a pandas DataFrame, got list"):
        graph.empirical([[1, 2], [3, 4]], n_boot=0)
    with pytest.raises(InputError, match="must be a DataFrame or a dict/list"):
        graph.empirical("customer.csv", n_boot=0)


def test_missing_rows_are_left_out_listwise():
    data = _frame(30)
    data.loc[[1, 5], "customer"] = np.nan
    G = graph.empirical(data, n_boot=0)
    ref = graph.empirical(data.dropna(), n_boot=0)
    assert G.graph["n"] == 28
    assert G.edges["customer", "brand"]["weight"] == pytest.approx(ref.edges["customer", "brand"]["weight"], abs=1e-14)


def test_input_is_not_modified(scores400):
    before = scores400.copy()
    graph.empirical(scores400, unit="unit", weights="weight", method="correlation", n_boot=10, seed=1)
    pd.testing.assert_frame_equal(scores400, before)


def test_small_units_are_left_out_with_a_warning():
    from omsmethod.graph.waves import GraphWarning

    data = _frame(40)
    data["unit"] = [f"B{i % 8}" for i in range(40)]  # 5 per unit
    data = data[~((data["unit"] == "B0") & (data.index > 8))]  # B0 keeps 2 respondents
    with pytest.warns(GraphWarning, match="1 unit\\(s\\) with fewer than 5 respondents left out: B0"):
        G = graph.empirical(data, unit="unit", method="correlation", n_boot=0)
    assert G.graph["n"] == 7
    assert len(graph.unit_means(data, unit="unit")) == 8  # min_size=1 there by default
