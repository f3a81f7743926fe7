"""Model syntax, default OMS model, and clear errors for bad input."""

import numpy as np
import pandas as pd
import pytest

from omsmethod import sem
from omsmethod.errors import ConvergenceError, InputError, ModelError, OMSError
from omsmethod.sem import pls
from omsmethod.sem.spec import parse_model, specify

from .conftest import PLANTED_MODEL, planted


def test_parser_reads_lavaan_syntax():
    text = """
    # measurement
    brand =~ b1 + b2 + b3 ; vis =~ v1+v2
    pr =~ p1
    brand ~ vis + pr   # structural
    b1 ~~ b2
    """
    t = parse_model(text)
    assert t.to_dict("list") == {
        "lhs": ["brand"] * 3 + ["vis"] * 2 + ["pr", "brand", "brand", "b1"],
        "op": ["=~"] * 6 + ["~", "~", "~~"],
        "rhs": ["b1", "b2", "b3", "v1", "v2", "p1", "vis", "pr", "b2"],
    }
    spec = specify(t, columns=["b1", "b2", "b3", "v1", "v2", "p1"])
    assert spec.constructs == ("brand", "vis", "pr")
    assert spec.antecedents("brand") == ["vis", "pr"]
    assert specify(spec.to_text()).to_table().equals(spec.to_table())


def test_table_input_equals_text():
    table = pd.DataFrame({"lhs": ["A", "A", "B", "B", "B"], "op": ["=~", "=~", "=~", "=~", "~"],
                          "rhs": ["a1", "a2", "b1", "b2", "A"]})
    assert specify(table).to_text() == specify("A =~ a1 + a2\nB =~ b1 + b2\nB ~ A").to_text()


@pytest.mark.parametrize("model,columns,message", [
    ("A =~ a1 + zz", ["a1"], "'zz' is not a column"),
    ("A =~ a1 + a2\nB ~ A", ["a1", "a2"], "'B', a construct with no items"),
    ("A =~ a1\nB =~ b1\nC =~ c1\nB ~ A\nC ~ B\nA ~ C", ["a1", "b1", "c1"], "cycle: A → B → C → A"),
    ("A =~ a1 + a2\nB =~ a2", ["a1", "a2"], "measures more than one construct"),
    ("A = a1", ["a1"], "no operator"),
    ("A =~ 1*a1", ["a1"], "not a variable name"),
    ("# only a comment", [], "no paths"),
    ("A ~ B", [], "no measurement lines"),
])
def test_model_errors(model, columns, message):
    with pytest.raises(ModelError, match=message):
        specify(model, columns)


def test_table_needs_columns():
    with pytest.raises(ModelError, match="lhs, op, rhs"):
        specify(pd.DataFrame({"lhs": ["A"], "rhs": ["a1"]}))


def test_default_model_from_oms_relations():
    text = sem.default_model("customer")
    spec = specify(text)
    assert spec.constructs == ("customer", "service", "brand", "vis", "pr", "information")
    edges = set(zip(spec.structural["source"], spec.structural["target"], strict=True))
    assert edges == {("service", "customer"), ("information", "customer"), ("customer", "brand"),
                     ("service", "brand"), ("pr", "brand"), ("vis", "brand")}
    assert spec.items_of("information") == ["inf1", "inf2", "inf3"]


def test_default_model_recodes_reversed_items():
    from omsmethod import datasets

    df = datasets.load("customer").head(800)
    res = sem.fit(df, "customer", n_boot=0, predict_folds=0)
    raw = sem.fit(df, model=sem.default_model("customer"), n_boot=0, predict_folds=0)
    lo = res.loadings.set_index("item")["loading"]
    # cus4 and inf3 are reverse-coded: positive loading only after recoding
    assert lo["cus4"] > 0.5 and lo["inf3"] > 0.5
    assert raw.loadings.set_index("item").loc["cus4", "loading"] < 0


@pytest.fixture(scope="module")
def data():
    return planted(n=300, seed=4)


def test_fewer_respondents_than_parameters(data):
    with pytest.raises(InputError, match="respondents for a model with"):
        sem.fit(data.head(8), model=PLANTED_MODEL, n_boot=0)
    with pytest.raises(InputError, match="free parameters|respondents for a model"):
        sem.fit(data.head(15), model=PLANTED_MODEL, method="cb")


def test_zero_variance_item(data):
    df = data.assign(b2=3.0)
    with pytest.raises(InputError, match="zero variance") as e:
        sem.fit(df, model=PLANTED_MODEL, n_boot=0)
    assert e.value.column == "b2"


def test_construct_all_missing_for_a_respondent(data):
    df = data.copy()
    df.loc[7, ["c1", "c2", "c3"]] = np.nan
    with pytest.raises(InputError, match="none of the items of construct 'C'") as e:
        sem.fit(df, model=PLANTED_MODEL, n_boot=0)
    assert e.value.row == 7
    res = sem.fit(df, model=PLANTED_MODEL, n_boot=0, predict_folds=0, missing="listwise")
    assert res.n == len(df) - 1 and 7 not in res.scores.index


def test_mean_replacement(data):
    df = data.copy()
    df.loc[3, "a1"] = np.nan
    res = sem.fit(df, model=PLANTED_MODEL, n_boot=0, predict_folds=0)
    filled = df.fillna({"a1": df["a1"].mean()})
    ref = sem.fit(filled, model=PLANTED_MODEL, n_boot=0, predict_folds=0)
    pd.testing.assert_frame_equal(res.paths, ref.paths)
    assert not df["a1"].isna().sum() == 0  # input untouched


def test_non_numeric_and_weights(data):
    df = data.astype({"a1": object})
    df.loc[2, "a1"] = "seven"
    with pytest.raises(InputError, match="not a number"):
        sem.fit(df, model=PLANTED_MODEL, n_boot=0)
    with pytest.raises(InputError, match="positive"):
        sem.fit(data, model=PLANTED_MODEL, n_boot=0, weights=np.r_[-1.0, np.ones(len(data) - 1)])


def test_non_positive_definite(data):
    df = data.assign(a3=data["a1"] + data["a2"])
    with pytest.raises(InputError, match="not positive definite"):
        sem.fit(df, model=PLANTED_MODEL, n_boot=0)
    with pytest.raises(InputError, match="not positive definite"):
        sem.fit(df, model=PLANTED_MODEL, method="cb")


def test_pls_non_convergence_raises(data, monkeypatch):
    monkeypatch.setattr(pls, "MAX_ITER", 1)
    monkeypatch.setattr(pls.outer_weights, "__defaults__", (1, pls.TOLERANCE))
    with pytest.raises(ConvergenceError, match="did not converge in 2 iterations") as e:
        sem.fit(data, model=PLANTED_MODEL, n_boot=0)
    assert e.value.value == 2


def test_ml_non_convergence_raises(data):
    # an iteration budget too small to converge
    from omsmethod.sem import cbsem
    from omsmethod.sem.prepare import prepare

    prep = prepare(data, model=PLANTED_MODEL)
    model = cbsem.CBModel.from_spec(prep.spec)
    with pytest.raises(ConvergenceError, match="did not converge in"):
        cbsem.ml_fit(model, np.cov(prep.x.T, bias=True), max_iter=2)


def test_errors_are_oms_errors():
    assert issubclass(ConvergenceError, OMSError) and issubclass(ModelError, OMSError)


def test_unknown_method(data):
    with pytest.raises(ModelError, match="method"):
        sem.fit(data, model=PLANTED_MODEL, method="ols")
    with pytest.raises(ModelError, match="method"):
        sem.validity(data, model=PLANTED_MODEL, method="efa")
