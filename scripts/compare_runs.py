#!/usr/bin/env python
"""Compare plasticity runs episode by episode: learning numbers and plastic weights.

Usage: python scripts/compare_runs.py RUN... [--episodes A B]
Prints, per run: mean GPi(ch1) - GPi(ch2), D1/D2 channel-1 rates, dopamine events and the
change of the mean plastic weight onto D1/D2 MSNs of channels 1 and 2 over the episodes.
"""
from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import numpy as np


def load(run: Path) -> list[dict]:
    with open(run / "results" / "episodes.csv") as fh:
        return list(csv.DictReader(fh))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("runs", nargs="+", type=Path)
    p.add_argument("--episodes", nargs=2, type=int, default=None, metavar=("FIRST", "LAST"))
    args = p.parse_args()
    print(f"{'run':<40}{'GPi1-GPi2':>10}{'D1 ch1':>8}{'D2 ch1':>8}{'bursts':>7}"
          f"{'dW D1ch1 %':>11}{'dW D2ch1 %':>11}{'wall s':>8}")
    for run in args.runs:
        rows = load(run)
        a, b = args.episodes or (0, len(rows) - 1)
        sel = rows[a:b + 1]
        col = lambda k: np.array([float(r[k]) for r in sel])  # noqa: E731
        first, last = rows[0], rows[b]
        dw = {k: 100 * (float(last[k]) / float(first[k]) - 1) for k in ("w_MSN_D1_ch1", "w_MSN_D2_ch1")}
        meta = json.loads((run / "run.json").read_text())
        wall = sum(v for k, v in meta.get("timings_s", {}).items() if k in ("derive", "build", "protocol"))
        print(f"{run.name:<40}{np.mean(col('GPi_ch1_Hz') - col('GPi_ch2_Hz')):>10.2f}"
              f"{col('MSN_D1_ch1_Hz').mean():>8.3f}{col('MSN_D2_ch1_Hz').mean():>8.3f}"
              f"{sum(r['dopamine_event'] == 'burst' for r in sel):>7d}"
              f"{dw['w_MSN_D1_ch1']:>11.4f}{dw['w_MSN_D2_ch1']:>11.4f}{wall:>8.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
