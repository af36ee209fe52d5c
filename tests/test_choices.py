"""bgmodel.results.choices without NEST: per-choice correctness and contrast from a
hand-made episodes.csv, the criterion, the preference window."""
import csv

import numpy as np
import pytest
import yaml

from bgmodel.results.choices import (choice_curves, episodes_to_criterion, preference,
                                     sliding_mean)


def write_run(folder, gpi_rows, groups=((1, 2), (3, 4)), rewarded_channels=None,
              pattern="channel1_strong"):
    folder.mkdir()
    (folder / "results").mkdir()
    config = {"protocol": {"competing_channels": [1, 2, 3, 4],
                           "choice_groups": [list(g) for g in groups],
                           "stimulated_inputs": {"CSN": 1.0, "PTN": 1.8}}}
    if rewarded_channels:
        config["protocol"]["rewarded_channels"] = rewarded_channels
    (folder / "config.yaml").write_text(yaml.safe_dump(config))
    rows = []
    for k, gpi in enumerate(gpi_rows):
        row = {"episode": k, "pattern": pattern}
        for c, level in zip((1, 2, 3, 4), (13.6, 10.2, 13.6, 10.2)):
            row[f"input_CSN_ch{c}_Hz"] = level
            row[f"GPi_ch{c}_Hz"] = gpi[c - 1]
        rows.append(row)
    with open(folder / "results" / "episodes.csv", "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_correct_contrast_and_criterion(tmp_path):
    # pair 1: wrong for 5 episodes, then right by 6 Hz; pair 2: always right by 2 Hz
    rows = [(30.0, 27.0, 30.0, 32.0)] * 5 + [(24.0, 30.0, 30.0, 32.0)] * 15
    write_run(tmp_path / "run", rows)
    first, second = choice_curves(tmp_path / "run")
    assert first.channels == (1, 2) and second.channels == (3, 4)
    assert first.rewarded.tolist() == [1] * 20 and second.rewarded.tolist() == [3] * 20
    assert first.correct.tolist() == [False] * 5 + [True] * 15
    assert np.allclose(first.contrast_Hz, [-3.0] * 5 + [6.0] * 15)
    # 8 of 10 right from episode 12 (5..12 right), mean contrast there: (2 * -3 + 8 * 6) / 10
    assert episodes_to_criterion(first, 10, 8, 4.0) == 12
    # mean contrast >= 5 needs at most one wrong episode in the window: (-3 + 54) / 10
    assert episodes_to_criterion(first) == 13
    assert episodes_to_criterion(second) is None  # right, but only 2 Hz
    assert episodes_to_criterion(second, contrast_Hz=2.0) == 9
    assert preference(first, 10, 19) == (1.0, pytest.approx(6.0))
    assert preference(first, 0, 9) == (0.5, pytest.approx(1.5))


def test_one_choice_without_groups(tmp_path):
    rows = [(20.0, 25.0, 0.0, 0.0)] * 3
    write_run(tmp_path / "run", rows, groups=((1, 2, 3, 4),))
    (curve,) = choice_curves(tmp_path / "run")
    # four channels, levels 13.6, 10.2, 13.6, 10.2: a tie, no rewarded channel
    assert curve.rewarded.tolist() == [-1] * 3 and not curve.correct.any()


def test_rewarded_channels_named_by_the_task(tmp_path):
    # the inputs favour 1 and 3; the task pays 2 and 3 in pattern "named" only
    rows = [(24.0, 30.0, 30.0, 32.0)] * 4
    write_run(tmp_path / "named", rows, rewarded_channels={"named": [2, 3]}, pattern="named")
    first, second = choice_curves(tmp_path / "named")
    assert first.rewarded.tolist() == [2] * 4 and not first.correct.any()
    assert np.allclose(first.contrast_Hz, -6.0)
    assert second.rewarded.tolist() == [3] * 4 and second.correct.all()
    # another pattern falls back on the strongest input
    write_run(tmp_path / "other", rows, rewarded_channels={"named": [2, 3]})
    first, _ = choice_curves(tmp_path / "other")
    assert first.rewarded.tolist() == [1] * 4 and first.correct.all()


def test_sliding_mean():
    assert sliding_mean([1, 0, 1, 1], 2).tolist() == [1.0, 0.5, 0.5, 1.0]


def test_single_run_folder(tmp_path):
    from bgmodel.results.rundir import single_run_folder
    rows = [(20.0, 25.0, 30.0, 32.0)]
    (tmp_path / "out").mkdir()
    write_run(tmp_path / "out" / "run", rows)
    assert single_run_folder(tmp_path / "out" / "run") == tmp_path / "out" / "run"
    assert single_run_folder(tmp_path / "out") == tmp_path / "out" / "run"
    write_run(tmp_path / "out" / "other", rows)
    with pytest.raises(ValueError, match="holds 2 run folders"):
        single_run_folder(tmp_path / "out")
