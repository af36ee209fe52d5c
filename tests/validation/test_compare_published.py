"""scripts/validation/compare_published.py: window means, pooled seeds and bad windows (no NEST)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from bgmodel.results.authors_format import EpisodeWriter

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "validation" / "compare_published.py"
POPULATIONS = ("GPi", "MSN", "MSN_D1", "MSN_D2", "FSI", "GPe", "STN")


def _authors_run(folder: Path, gpi_ch1, d1_ch1) -> Path:
    """A run in the authors' format whose GPi ch2 is 50 Hz and D1 ch2 0.1 Hz throughout."""
    writer = EpisodeWriter(folder, {"lambda": 0.2, "kappa": 4.0, "eta": 1.0}, np.zeros((6, 2)))
    for g, d in zip(gpi_ch1, d1_ch1):
        rates = {p: np.ones(5) for p in POPULATIONS}
        rates["GPi"] = np.array([80.0, g, 50.0, 80.0, 80.0])
        rates["MSN_D1"] = np.array([0.0, d, 0.1, 0.0, 0.0])
        writer.append(rates, 1)
    return folder


def _run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *map(str, args)],
                          capture_output=True, text=True, timeout=60)


def _row(out: str, label: str, window: str) -> list[str]:
    lines = [ln for ln in out.splitlines() if ln.startswith(label) and f" {window} " in ln]
    assert len(lines) == 1, out
    return lines[0][len(label):].split()


def test_windows_are_means_over_their_episodes(tmp_path):
    # GPi ch1 = 50 - episode, so ch1 - ch2 over 0-3 is -1.5 and over 6-9 is -7.5.
    run = _authors_run(tmp_path / "a", [50.0 - e for e in range(10)], [0.1 * (e + 1) for e in range(10)])
    done = _run(run, "--windows", "0-3", "6-9")
    assert done.returncode == 0, done.stderr
    first = _row(done.stdout, "a", "0-3")
    last = _row(done.stdout, "a", "6-9")
    assert float(first[1]) == -1.5 and float(last[1]) == -7.5
    assert float(first[2]) == 0.25 and float(last[2]) == 0.85
    assert last[4] == "3.4x"  # 0.85 / 0.25


def test_pool_averages_seeds_and_lists_each_contrast(tmp_path):
    a = _authors_run(tmp_path / "a", [48.0] * 10, [0.2] * 10)   # contrast -2
    b = _authors_run(tmp_path / "b", [44.0] * 10, [0.4] * 10)   # contrast -6
    done = _run(a, b, "--pool", "seeds", "--windows", "0-9")
    assert done.returncode == 0, done.stderr
    row = _row(done.stdout, "seeds (2)", "0-9")
    assert float(row[1]) == -4.0 and float(row[2]) == 0.3
    assert "(runs: -2.0, -6.0)" in done.stdout


def test_a_window_beyond_a_run_is_left_out_and_a_reversed_one_is_refused(tmp_path):
    run = _authors_run(tmp_path / "a", [48.0] * 5, [0.2] * 5)
    done = _run(run, "--windows", "0-4", "90-99")
    assert done.returncode == 0 and " 90-99 " not in done.stdout
    bad = _run(run, "--windows", "9-0")
    assert bad.returncode == 2 and "window '9-0'" in bad.stderr


def test_selected_episodes_are_counted_and_excluded_reference_runs_listed_apart(tmp_path):
    reference = tmp_path / "condition"
    # log0: channel 1 selected in 3 of 4 episodes (GPi ch1 below the 50 Hz of ch2).
    _authors_run(reference / "log0", [45.0, 55.0, 45.0, 45.0], [0.2] * 4)
    # log1x, marked by the authors as excluded: channel 1 never selected.
    _authors_run(reference / "log1x", [60.0] * 4, [0.1] * 4)
    done = _run("--reference", reference, "--windows", "0-3")
    assert done.returncode == 0, done.stderr
    kept = _row(done.stdout, "published condition (1)", "0-3")
    assert float(kept[1]) == -2.5 and kept[5] == "3/4"
    excluded = _row(done.stdout, "  log1x, excluded by the authors", "0-3")
    assert float(excluded[1]) == 10.0 and excluded[5] == "0/4"


def test_nuclei_prints_each_population_averaged_over_the_chosen_channels(tmp_path):
    # GPi channels 0-4 are 80, ch1 (50 - episode), 50, 80, 80.
    run = _authors_run(tmp_path / "a", [50.0 - e for e in range(4)], [0.1] * 4)
    done = _run(run, "--windows", "0-3", "--nuclei", "GPi", "GPe")
    assert done.returncode == 0, done.stderr
    gpi, gpe = map(float, _row(done.stdout, "a", "0-3")[1:])
    assert gpi == (80 + 48.5 + 50 + 80 + 80) / 5 and gpe == 1.0
    done = _run(run, "--windows", "0-3", "--nuclei", "GPi", "--channels", "1", "2")
    assert float(_row(done.stdout, "a", "0-3")[1]) == (48.5 + 50) / 2
    refused = _run(run, "--nuclei", "GPi", "--channels", "5")
    assert refused.returncode != 0 and "channels 0-4" in refused.stderr
