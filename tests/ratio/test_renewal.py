"""renewal_plan against hand-computed periods."""

import pandas as pd
import pytest

from omsmethod.errors import OMSError
from omsmethod.ratio import renewal_plan

GROUPS = pd.DataFrame(
    {
        "group": ["staff", "partners", "customers"],
        "size": [200, 40, 10000],
        "trained": [100, 40, 2000],
    }
)


def test_hand_computed_staff_periods():
    plan = renewal_plan(GROUPS.head(1), turnover=0.1, target_share=0.8, periods=3)
    # period 1: 10 of 100 trained leave, 90 kept, target 160 -> train 70
    # period 2: 16 of 160 leave, 144 kept -> train 16 (the steady state turnover * target * size)
    assert plan["to_train"].tolist() == [70, 16, 16]
    assert plan["trained_lost"].tolist() == [10, 16, 16]
    assert plan["leavers"].tolist() == [20, 20, 20]
    assert plan["share_end"].tolist() == [0.8, 0.8, 0.8]
    assert plan["on_target"].all()


def test_per_group_turnover_growth_and_capacity():
    plan = renewal_plan(
        GROUPS,
        turnover={"staff": 0.1, "partners": 0.25, "customers": 0.2},
        target_share=0.5,
        periods=2,
        growth=0.1,
        capacity=1000,
    )
    assert plan["group"].tolist() == ["staff"] * 2 + ["partners"] * 2 + ["customers"] * 2
    cust = plan[plan.group == "customers"].reset_index(drop=True)
    # 10000 -> 11000; 400 of 2000 trained leave; need 5500 - 1600 = 3900 > capacity 1000
    assert cust.loc[0, "size_end"] == 11000
    assert cust.loc[0, "to_train"] == 1000
    assert cust.loc[0, "trained_end"] == 2600
    assert not cust.loc[0, "on_target"]
    partners = plan[plan.group == "partners"].reset_index(drop=True)
    # all 40 trained: 10 leave, 30 kept, 44 * 0.5 = 22 needed -> none to train
    assert partners.loc[0, "to_train"] == 0
    assert partners.loc[0, "joiners"] == 14  # 10 replace leavers + 4 growth


@pytest.mark.parametrize(
    "kwargs, word",
    [
        ({"turnover": 1.0}, "turnover"),
        ({"target_share": 1.5}, "target_share"),
        ({"periods": 0}, "periods"),
        ({"turnover": {"staff": 0.1}}, "partners"),
    ],
)
def test_bad_input(kwargs, word):
    args = {"turnover": 0.1, "target_share": 0.8, "periods": 2} | kwargs
    with pytest.raises(OMSError, match=word):
        renewal_plan(GROUPS, **args)
    with pytest.raises(OMSError, match="trained"):
        renewal_plan(GROUPS.assign(trained=[300, 1, 1]), 0.1, 0.8, 2)
