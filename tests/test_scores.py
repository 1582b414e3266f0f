import numpy as np
import pandas as pd
import pytest

from analysis.scoring.scores import construct_scores, keyed_items, min_answered, performance


def _blank(inst, **answers):
    row = {i: np.nan for i in inst.item_ids}
    row.update(answers)
    return row


def test_reverse_keyed_item_is_recoded(inst):
    data = pd.DataFrame([_blank(inst, ckn3=2, ckn1=2)])
    keyed = keyed_items(data, inst)
    assert keyed.loc[0, "ckn3"] == 6.0  # 1 + 7 - 2
    assert keyed.loc[0, "ckn1"] == 2.0


def test_half_rule(inst):
    assert [min_answered(n) for n in (2, 3, 4, 5)] == [1, 2, 2, 3]
    data = pd.DataFrame(
        [
            _blank(inst, rel1=7),                      # 1 of 4: no score
            _blank(inst, rel1=7, rel2=5),              # 2 of 4: mean 6
            _blank(inst, sat1=3),                      # 1 of 3: no score
            _blank(inst, sat1=3, sat2=4, ckn3=1),      # sat 3.5; ckn only one item
        ]
    )
    scores = construct_scores(data, inst, ["reliability", "satisfaction", "customer_knowledge"])
    assert np.isnan(scores.loc[0, "reliability"])
    assert scores.loc[1, "reliability"] == 6.0
    assert np.isnan(scores.loc[2, "satisfaction"])
    assert scores.loc[3, "satisfaction"] == 3.5
    assert np.isnan(scores.loc[3, "customer_knowledge"])


def test_performance_scale():
    assert performance(pd.Series([1.0, 4.0, 7.0])).tolist() == [0.0, 50.0, 100.0]
    with pytest.raises(ValueError, match="scale_max"):
        performance(pd.Series([1.0]), 7, 1)


def test_missing_item_column_is_a_clear_error(inst):
    with pytest.raises(ValueError, match="no column for item"):
        keyed_items(pd.DataFrame({"rel1": [1]}), inst)
