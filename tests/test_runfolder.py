"""Run folders: ids that sort by creation, atomic files, refusal of ids outside the runs root."""

import pytest

from clfcore.config import TrainConfig
from clfcore.errors import UserInputError
from clfcore.runs.folder import create_run, open_run


def test_run_ids_sort_by_creation_even_within_one_millisecond(isolated_roots):
    made = [create_run(TrainConfig(dataset="digits", architecture="mlp")).run_id for _ in range(30)]
    assert made == sorted(made) and len(set(made)) == 30


def test_a_run_created_after_a_clock_step_back_still_sorts_last(isolated_roots):
    first = create_run(TrainConfig(dataset="digits", architecture="mlp"))
    future = first.path.with_name("29991231-235959999-" + first.run_id[19:])
    first.path.rename(future)
    later = create_run(TrainConfig(dataset="digits", architecture="mlp"))
    assert later.run_id > future.name


@pytest.mark.parametrize("run_id", ["", "..", "../etc", "a/b", ".hidden", "missing"])
def test_ids_outside_the_runs_root_are_refused(isolated_roots, run_id):
    with pytest.raises(UserInputError):
        open_run(run_id)
