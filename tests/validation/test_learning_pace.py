"""scripts/validation/learning_pace.py: weight earned per D1 Hz and log-rate gained per
weight, window by window, on an episode table written by hand (no NEST)."""
from __future__ import annotations

import math

import pytest


def _run(tmp_path):
    """Six episodes: bursts in 0, 1, 3, 4 and 5; the weight after each episode grows by
    2e-5 per D1 Hz of a burst episode."""
    rates = [0.5, 0.5, 1.0, 1.0, 2.0, 2.0]
    events = ["burst", "burst", "none", "burst", "burst", "burst"]
    weights, w = [], 0.5
    for r, e in zip(rates, events):
        w += 2e-5 * r if e == "burst" else 0.0
        weights.append(w)
    lines = ["episode,dopamine_event,MSN_D1_ch1_Hz,w_MSN_D1_ch1"]
    lines += [f"{k},{events[k]},{rates[k]},{weights[k]!r}" for k in range(6)]
    folder = tmp_path / "plasticity_x" / "results"
    folder.mkdir(parents=True)
    (folder.parent / "config.yaml").write_text("{}\n")
    (folder / "episodes.csv").write_text("\n".join(lines) + "\n")
    return tmp_path, weights


def test_windows_split_the_loop(tmp_path, capsys, validation_script):
    run, w = _run(tmp_path)
    module = validation_script("learning_pace")
    table = module.read_episodes(module.episodes_file(run))
    rows = module.pace(table, 1, 2, 100)
    assert [(r["first"], r["last"]) for r in rows] == [(0, 1), (2, 3), (4, 5)]
    # burst episodes only (episode 0 has no change): 2e-5 per D1 Hz in every window
    assert [r["bursts"] for r in rows] == [2, 1, 2]
    for r in rows:
        assert r["dw_per_Hz"] == pytest.approx(2e-5)
    # window 0 -> 1: rate x2 over a mean weight gain; 2 episodes apart
    gained = (w[2] + w[3]) / 2 - (w[0] + w[1]) / 2
    assert rows[0]["weight"] == pytest.approx(w[1])
    assert rows[0]["dlnr_dw"] == pytest.approx(math.log(2.0) / gained)
    assert rows[0]["dlnr_per_episode"] == pytest.approx(math.log(2.0) / 2)
    assert math.isnan(rows[2]["dlnr_dw"])  # no next window
    assert module.main([f"x={run}", "--window", "2"]) == 0
    assert "x: D1 channel 1" in capsys.readouterr().out


def test_a_folder_without_episodes_is_an_error(tmp_path, validation_script):
    with pytest.raises(ValueError, match="not a run folder"):
        validation_script("learning_pace").episodes_file(tmp_path)
