"""scripts/validation/selection_grids.py: grids read again under the threshold rule and
with a competition margin, on selection tables written by hand (no NEST)."""
from __future__ import annotations


import pytest

HEADER = ("step,i,j,rate_ch1_Hz,rate_ch2_Hz,gpi_ch1_Hz,gpi_ch2_Hz,gpi_rest_ch1_Hz,"
          "gpi_rest_ch2_Hz,outcome,expected,correct,wall_s,simulate_s")


def _run(tmp_path, name, steps):
    """steps: (rate1, rate2, gpi1, gpi2); rest 70 Hz on both channels."""
    folder = tmp_path / name / "action_selection_x" / "results"
    folder.mkdir(parents=True)
    (folder.parent / "config.yaml").write_text("{}\n")
    lines = [HEADER] + [f"{k},0,0,{r1},{r2},{g1},{g2},70,70,x,x,x,1,1"
                        for k, (r1, r2, g1, g2) in enumerate(steps)]
    (folder / "selection.csv").write_text("\n".join(lines) + "\n")
    return str(tmp_path / name)


def test_margin_turns_both_into_single_selections(tmp_path, capsys, validation_script):
    a = _run(tmp_path, "a", [(17, 0, 50, 62),    # both past 5 Hz; ch1 12 Hz lower
                             (0, 17, 55, 50),    # both; ch2 only 5 Hz lower
                             (17, 0, 60, 75),    # ch1 alone
                             (8.5, 8.5, 60, 60)])  # equal inputs: not counted
    b = _run(tmp_path, "b", [(17, 0, 72, 71), (0, 17, 71, 72), (17, 0, 71, 72)])  # none
    module = validation_script("selection_grids")
    rows = {r["rule"]: r for r in module.summarize([("lam", [a, b])], 5.0, [None, 10.0])}
    threshold, margin = rows["threshold"], rows["margin 10 Hz"]
    assert threshold["fractions"] == pytest.approx([1 / 3, 0.0])
    assert threshold["unequal_counts"] == {"channel1": 1, "channel2": 0, "both": 2, "none": 3}
    assert margin["fractions"] == pytest.approx([2 / 3, 0.0])
    assert margin["unequal_counts"] == {"channel1": 2, "channel2": 0, "both": 0, "none": 4}
    assert margin["mean"] == pytest.approx(1 / 3)
    assert margin["sd"] == pytest.approx(((1 / 3) ** 2 * 2) ** 0.5)
    assert module.main(["--group", "lam", a, b, "--margins", "none", "10", "--markdown"]) == 0
    out = capsys.readouterr().out
    assert "| lam | margin 10 Hz | 2 | 0.67, 0.00 | 0.33 +- 0.47 | 2 / 0 / 0 / 4 |" in out


def test_a_folder_without_a_grid_is_an_error(tmp_path, validation_script):
    with pytest.raises(ValueError, match="not a run folder"):
        validation_script("selection_grids").selection_table(tmp_path)
