"""Bootstrap replicates kept where they were computed, after the runner that kept them is closed."""
import types

import pytest

from analysis.bootstrap.kept import KeptReplicates
from analysis.common.errors import ServiceDriversError
from analysis.common.scheduler import open_runner


def _kept(runner):
    # on threads a handle of Runner.keep is the result itself: a run's {group: (replicates, rest)}
    handle = runner.keep(dict, [({"A": ("a-replicates", "a-rest"), "B": ("b-replicates", None)},)])[0]
    return KeptReplicates(runner, [(["A", "B"], handle)])


def test_replicates_kept_on_threads_stay_readable_after_the_runner_is_closed():
    with open_runner("threads", n_workers=2) as runner:
        kept = _kept(runner)
        assert kept["A"] == "a-replicates"
    assert runner.closed
    assert kept["B"] == "b-replicates" and kept.here() == {"A": "a-replicates", "B": "b-replicates"}
    assert KeptReplicates(runner, kept.runs(), which=1)["A"] == "a-rest"


def test_replicates_on_a_closed_cluster_connection_say_what_to_do():
    closed = types.SimpleNamespace(closed=True, keeps_remotely=True, scheduler="dask://127.0.0.1:8786")
    kept = KeptReplicates(closed, [(["A"], object())])
    with pytest.raises(ServiceDriversError, match=r"dask://127.0.0.1:8786.*closed.*copy.deepcopy or pickle"):
        kept["A"]
    with pytest.raises(ServiceDriversError, match="closed"):
        kept.here()
    with pytest.raises(KeyError):
        kept["no such group"]
