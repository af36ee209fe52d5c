"""scripts/validation/preset_vs_full.py: window means, relative errors and the count
within tolerance, on episode tables written by hand (no NEST)."""
from __future__ import annotations


import pytest

COLUMNS = ["episode", "MSN_D1_ch1_Hz", "MSN_D1_ch2_Hz", "MSN_D2_ch1_Hz", "MSN_D2_ch2_Hz",
           "GPi_ch1_Hz", "GPi_ch2_Hz"]


def _run(tmp_path, name, rows):
    folder = tmp_path / name / "results"
    folder.mkdir(parents=True)
    lines = [",".join(COLUMNS)] + [",".join(str(v) for v in row) for row in rows]
    (folder / "episodes.csv").write_text("\n".join(lines) + "\n")
    return str(tmp_path / name)


def test_window_errors_and_count(tmp_path, capsys, validation_script):
    full = _run(tmp_path, "full", [[0, 0.2, 0.1, 0.3, 0.1, 50, 52],
                                   [1, 0.4, 0.1, 0.1, 0.1, 48, 52],
                                   [2, 9.0, 9.0, 9.0, 9.0, 0, 0]])  # outside the window
    reduced = _run(tmp_path, "reduced", [[0, 0.3, 0.1, 0.25, 0.2, 40, 50],
                                         [1, 0.6, 0.1, 0.15, 0.2, 40, 50]])
    module = validation_script("preset_vs_full")
    row = module.compare([("k4", full, reduced)], 0, 1, 0.25)[0]
    assert row["full"]["MSN_D1_ch1_Hz"] == pytest.approx(0.3)
    assert row["errors"]["MSN_D1_ch1_Hz"] == pytest.approx(0.5)   # 0.45 / 0.3 - 1
    assert row["errors"]["MSN_D1_ch2_Hz"] == pytest.approx(0.0)
    assert row["errors"]["MSN_D2_ch1_Hz"] == pytest.approx(0.0)
    assert row["errors"]["MSN_D2_ch2_Hz"] == pytest.approx(1.0)
    assert row["full"]["GPi c1-c2"] == pytest.approx(-3.0)
    assert row["reduced"]["GPi c1-c2"] == pytest.approx(-10.0)
    assert row["within"] == {"MSN_D1_ch1_Hz": False, "MSN_D1_ch2_Hz": True,
                             "MSN_D2_ch1_Hz": True, "MSN_D2_ch2_Hz": False}
    assert module.main(["--pair", "k4", full, reduced, "--window", "0-1"]) == 0
    out = capsys.readouterr().out
    assert "2 of 4 rates within 25%" in out and "(+50%) !" in out


def test_a_window_without_episodes_is_an_error(tmp_path, validation_script):
    run = _run(tmp_path, "run", [[0, 1, 1, 1, 1, 1, 1]])
    with pytest.raises(ValueError, match="no episodes in 5-9"):
        validation_script("preset_vs_full").compare([("x", run, run)], 5, 9, 0.25)
