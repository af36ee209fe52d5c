"""scripts/validation/dopamine_evidence.py: window means of a constructed run (no NEST)."""
from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import yaml

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "validation" / "dopamine_evidence.py"
COLUMNS = ["episode", "GPi_ch1_Hz", "GPi_ch2_Hz", "MSN_D1_ch1_Hz", "MSN_D2_ch1_Hz",
           "w_MSN_D1_ch1", "w_MSN_D2_ch1", "selected_channel", "rewarded",
           "snc_snc_stimulus", "snc_snc_baseline", "snc_snc_reward", "value_snc"]


def make_run(folder: Path) -> Path:
    """Ten episodes: GPi ch1 = 50 - episode against 50, rewarded every other one (reward
    burst 40 spikes, otherwise 5), CS response 20 + episode, value episode / 10."""
    (folder / "results").mkdir(parents=True)
    config = {"dopamine": {"model": "rpe"}, "simulation": {"seed": 3},
              "protocol": {"reward": {"kind": "bernoulli", "p": 0.5}}}
    (folder / "config.yaml").write_text(yaml.safe_dump(config))
    with open(folder / "results" / "episodes.csv", "w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(COLUMNS)
        for e in range(10):
            rewarded = int(e % 2 == 0)
            out.writerow([e, 50.0 - e, 50.0, 1.0, 2.0, 0.5, 0.6, 1 if e < 5 else 2, rewarded,
                          20 + e, 18, 40 if rewarded else 5, e / 10])
    return folder


def test_windows_and_the_late_line(tmp_path):
    run = make_run(tmp_path / "run")
    done = subprocess.run([sys.executable, str(SCRIPT), str(run), "--windows", "0-3", "6-9",
                           "--late", "4-9"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert "(rpe, seed 3, 10 episodes, reward bernoulli p=0.5)" in lines[0]
    first = next(ln for ln in lines if ln.startswith("  0-3"))
    cells = [c.strip() for c in first.split("|")]
    # GPi ch1 - ch2 over 0-3: mean of 0, -1, -2, -3; ch1 selected throughout; SNc
    # stimulus 20..23; reward 40 in rewarded (0, 2), 5 in the others (1, 3).
    assert cells[1] == "-1.50" and cells[6] == "1.00" and cells[7] == "21.5"
    assert cells[9] == "40.0 /    5.0" and cells[10] == "0.150"
    second = next(ln for ln in lines if ln.startswith("  6-9"))
    assert second.split("|")[6].strip() == "0.00"
    late = next(ln for ln in lines if ln.startswith("late 4-9"))
    assert "CS response 26.5" in late and "rewarded 40.0 (n=3)" in late
    assert "unrewarded 5.0 (n=3)" in late and "V 0.650" in late
