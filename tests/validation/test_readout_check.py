"""scripts/validation/readout_check.py on a tiny network, one episode: the authors'
readout of the same spikes gives bgmodel's rates but for neurons on the channel's rim
and spikes at the window's closing instant."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.nest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "validation" / "readout_check.py"


def test_readout_check_on_a_tiny_network():
    out = subprocess.run([sys.executable, str(SCRIPT), "--preset", "small", "--set",
                          "simulation.scale=0.02", "--episodes", "1", "--threads", "1"],
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    rows = [line.split() for line in out.stdout.splitlines()[1:-1]]
    assert {r[1] for r in rows} == {"MSN_D1", "MSN_D2", "GPi"}
    assert len(rows) == 15  # 3 populations x channels 0-4, one episode
    # columns: episode, population, ch, bgmodel, authors, ratio, members, "/", theirs
    same_members = [r for r in rows if r[6] == r[8]]
    assert same_members
    for r in same_members:
        # their window also holds the closing instant: at most a spike or two more
        extra_spikes = (float(r[4]) - float(r[3])) * int(r[6])
        assert -1e-6 <= extra_spikes <= 2 + 1e-6, r
    assert "authors' readout / bgmodel's" in out.stdout.splitlines()[-1]
