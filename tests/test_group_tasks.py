"""The per-group steps run as tasks give the tables one pass over all groups gives, bit for bit.

KPIs per group and channel, priorities and differences from the rest are made per run
of groups on a runner (analysis.drivers.tables.kpi_tables, analysis.drivers.group_tasks)
and put back in order; the long regression tables are stacked at once. Here each is
compared with the one-pass computation it replaced, on two threads so that tasks finish
out of order.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.bootstrap.importance import bootstrap_importance
from analysis.common.scheduler import open_runner
from analysis.drivers.group_tasks import priorities_and_differences, regression_tables
from analysis.drivers.kpis import kpi_table
from analysis.drivers.priorities import priorities
from analysis.drivers.tables import CHANNEL, KPI_KEYS, kpi_tables
from analysis.importance.dominance import dominance_analysis
from analysis.importance.regression import driver_regression
from instrument import load_instrument, read_responses


DATA = Path(__file__).parents[1] / "data" / "example" / "responses.csv"


@pytest.fixture(scope="module")
def study():
    inst = load_instrument()
    return inst, read_responses(DATA, inst)[0]


def test_kpis_per_group_on_a_runner_are_one_grouped_pass(study):
    inst, data = study
    groups = data.organisation.to_numpy(dtype=object)
    with open_runner("threads", n_workers=2) as runner:
        got = kpi_tables(data, groups, inst, grouped=True, level=0.9, runner=runner)
    assert got.equals(kpi_tables(data, groups, inst, grouped=True, level=0.9))
    columns = {f"{m}_column": inst.question_for(m).id for m in ("csat", "nps", "ces", "fcr")}
    work = data[list(columns.values())].assign(group=groups, channel=data.channel.astype("string").fillna(
        "unknown").to_numpy(dtype=object))
    for by, channel in ((["group"], "all"), (["group", CHANNEL], None)):
        expected = kpi_table(work, by=by, level=0.9, **columns)
        mine = got[(got.group != "all") & ((got.channel == "all") if channel else (got.channel != "all"))]
        assert mine.kpi.map(list(KPI_KEYS).index).is_monotonic_increasing
        for column in ("group", "kpi", "n", "n_missing", "estimate", "ci_low", "ci_high"):
            np.testing.assert_array_equal(mine[column].to_numpy(), expected[column].to_numpy(), err_msg=column)
        if channel is None:
            np.testing.assert_array_equal(mine.channel.to_numpy(), expected.channel.to_numpy())


def test_priorities_and_differences_on_a_runner_are_the_one_pass_ones(study):
    inst, data = study
    drivers = ["reliability", "empathy", "customer_focus"]
    frame = pd.DataFrame({d: data[list(inst.construct(d).item_ids)].mean(axis=1) for d in drivers})
    frame = frame.assign(sat=data[list(inst.construct("satisfaction").item_ids)].mean(axis=1),
                         org=data.organisation).dropna().reset_index(drop=True)
    boot = bootstrap_importance(frame, "sat", drivers, group="org", n_resamples=30, seed=2, whole_sample=True)
    with open_runner("threads", n_workers=2) as runner:
        prio, differences = priorities_and_differences(
            boot, boot.whole, measure="lmg", crosshair="median", scale=(1, 7), level=0.9,
            statistics=("lmg_pct", "std_beta"), pairwise=True, runner=runner)
        parts = [priorities(b, importance="lmg", crosshair="median", scale=(1, 7), level=0.9) for b in (boot, boot.whole)]
        pd.testing.assert_frame_equal(prio.table, pd.concat([p.table for p in parts], ignore_index=True))
        pd.testing.assert_frame_equal(prio.crosshairs, pd.concat([p.crosshairs for p in parts], ignore_index=True))
        expected = pd.concat([boot.group_differences(s, pairwise=True, versus_rest=True) for s in ("lmg_pct", "std_beta")],
                             ignore_index=True)
        pd.testing.assert_frame_equal(differences, expected)
        assert "rest" in set(differences.versus) and len(set(differences.versus)) > 2

        regressions = {g: driver_regression(part, "sat", drivers) for g, part in frame.groupby("org")}
        dominances = {g: dominance_analysis(part, "sat", drivers) for g, part in frame.groupby("org")}
    here = regression_tables(list(regressions), regressions, dominances)
    # stacked at once, as each group's table in long form (melt) one under the other would be
    first = lambda t: t[["group", *[c for c in t.columns if c != "group"]]]  # noqa: E731
    there = (first(pd.concat([r.table.assign(group=g) for g, r in regressions.items()], ignore_index=True)),
             first(pd.concat([d.pairs.assign(group=g) for g, d in dominances.items()], ignore_index=True)),
             pd.concat([d.conditional.reset_index().melt(id_vars="k", var_name="driver", value_name="gain")
                        .assign(group=g) for g, d in dominances.items()], ignore_index=True)[["group", "driver", "k", "gain"]])
    for a, b in zip(here, there):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert here[0].group.unique().tolist() == list(regressions)
