"""Tiny sweep files shared by test_sweep, test_mpi and test_slurm.

A tiny point is the resting state of the small preset at scale 0.02 for 500 ms (rates
from 200 ms), one thread: a few seconds each.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

TINY_SET = {"simulation.scale": 0.02, "protocol.duration_ms": 500.0,
            "protocol.analysis_start_ms": 200.0}
# A value the schema accepts but NEST refuses at run time (below one tic of 0.001 ms):
# a point that crashes while it runs.
CRASHING = {"simulation.resolution_ms": 0.0001}


def write_sweep(path: Path, **fields) -> Path:
    """A sweep file of tiny resting-state points; `fields` add or replace sections."""
    data = {"name": path.stem, "protocol": "resting_state", "preset": "small",
            "set": dict(TINY_SET), "seeds": [1],
            "resources": {"threads": 1, "memory_gb": 1, "time": "00:05:00"}}
    data.update(fields)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def bgmodel(*args, cwd=None, env=None, timeout=300) -> subprocess.CompletedProcess:
    """Run the bgmodel CLI of this interpreter in a child process."""
    return subprocess.run([sys.executable, "-m", "bgmodel", *map(str, args)], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=timeout)


def summary(sweep_dir: Path, name: str) -> dict:
    return json.loads((sweep_dir / "runs" / name / "results" / "summary.json").read_text())
