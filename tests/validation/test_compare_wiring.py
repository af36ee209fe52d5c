"""scripts/validation/compare_wiring.py on a tiny bgmodel network: the in-degrees NEST wired."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.nest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "validation" / "compare_wiring.py"
TINY = ["-c", ROOT / "configs" / "presets" / "small.yaml", "--set", "simulation.scale=0.02",
        "--threads", "1", "--sample", "150"]


def _wiring(tmp_path, *extra) -> dict:
    out = tmp_path / "wiring.json"
    res = subprocess.run([sys.executable, str(SCRIPT), *map(str, TINY), *map(str, extra),
                          "--json", str(out)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "| PTN->MSN_D1 |" in res.stdout
    return json.loads(out.read_text())["results"]["bgmodel"]


def test_wiring_reports_mean_k_and_floor_k(tmp_path):
    mean = _wiring(tmp_path)
    drop = _wiring(tmp_path, "-c", ROOT / "configs" / "variants" / "published_wiring.yaml")
    # PTN->MSN has K = 1.67: at least one source each, 1.67 on average (150 targets)
    assert mean["PTN->MSN_D1"]["indegree_min"] >= 1
    assert 1.4 < mean["PTN->MSN_D1"]["indegree_mean"] < 1.95
    assert drop["PTN->MSN_D1"]["indegree_min"] == drop["PTN->MSN_D1"]["indegree_max"] == 1
    assert "STN->FSI" in mean and "STN->FSI" not in drop  # K = 0.75
    assert mean["CSN->MSN_D1"]["indegree_min"] == mean["CSN->MSN_D1"]["indegree_max"] == 114
    # focused pathways stay near their target (mask radius 0.15), diffuse ones do not
    assert mean["CSN->MSN_D1"]["distance_mean"] < 0.15 < mean["CMPf->MSN_D1"]["distance_mean"]
    assert drop["PTN->MSN_D1"]["weight_mean"] == pytest.approx(mean["PTN->MSN_D1"]["weight_mean"])
