#!/usr/bin/env python
"""Tables of a dopamine model's evidence from plasticity run folders (episodes.csv).

For each run and episode window: GPi channel 1 - channel 2 and D1 / D2 channel-1 rates
in the stimulus window (Hz), the mean plastic weights onto channel 1, how often
channel 1 was selected, and, for a signal model (dopamine.model not rule), the SNc
spikes per episode in the windows of bgmodel/protocols/plasticity/signal_dopamine.py
(stimulus = the CS response, baseline = tonic before the decision, reward = from the
decision; the reward column is split into rewarded and unrewarded episodes) and the
critic's value where the model has one.

    python scripts/validation/dopamine_evidence.py RUN [RUN ...] \
        [--windows 0-9 90-99 100-129 200-229] [--late 40-59]

`--late` adds one line per run for the probabilistic task (configs/tasks/probabilistic.yaml):
the mean CS response, the reward-time response of rewarded and unrewarded episodes and
the value over that window, with the run's reward probability from its config.yaml.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bgmodel.protocols.plasticity.episodes import read_episodes  # noqa: E402


def window(text: str) -> tuple[int, int]:
    lo, _, hi = text.partition("-")
    return int(lo), int(hi)


def column(table: dict, key: str) -> np.ndarray:
    values = table.get(key)
    if values is None:
        return np.full(len(table["episode"]), np.nan)
    return np.array([np.nan if v in ("", None) else float(v) for v in values])


def mean(values: np.ndarray, mask: np.ndarray) -> float:
    picked = values[mask]
    picked = picked[~np.isnan(picked)]
    return float(picked.mean()) if len(picked) else float("nan")


def results_folder(run: Path) -> Path:
    if (run / "results" / "episodes.csv").is_file():
        return run
    (inner,) = [p for p in run.iterdir() if (p / "results" / "episodes.csv").is_file()]
    return inner


def report(run: Path, windows: list[tuple[int, int]], late: tuple[int, int] | None) -> None:
    run = results_folder(run)
    config = yaml.safe_load((run / "config.yaml").read_text())
    table = read_episodes(run / "results" / "episodes.csv")
    ep = column(table, "episode")
    model = (config.get("dopamine") or {}).get("model", "rule")
    reward_cfg = config["protocol"].get("reward", {})
    print(f"== {run} ({model}, seed {config['simulation']['seed']}, {len(ep)} episodes, "
          f"reward {reward_cfg.get('kind', 'rule')} p={reward_cfg.get('p', 1.0)})")
    gpi = column(table, "GPi_ch1_Hz") - column(table, "GPi_ch2_Hz")
    d1, d2 = column(table, "MSN_D1_ch1_Hz"), column(table, "MSN_D2_ch1_Hz")
    w_d1, w_d2 = column(table, "w_MSN_D1_ch1"), column(table, "w_MSN_D2_ch1")
    ch1 = column(table, "selected_channel") == 1
    stim, base, rew = (column(table, f"snc_snc_{k}") for k in ("stimulus", "baseline", "reward"))
    rewarded = column(table, "rewarded") == 1
    value = column(table, "value_snc")
    print("episodes | GPi c1-c2 | D1 c1 | D2 c1 | w D1 c1 | w D2 c1 | ch1 sel | SNc stim | "
          "SNc base | SNc rew (rewarded / not) | V")
    for lo, hi in windows:
        m = (ep >= lo) & (ep <= hi)
        if not m.any():
            continue
        print(f"{lo:3d}-{hi:<3d} | {mean(gpi, m):+8.2f} | {mean(d1, m):5.2f} | {mean(d2, m):5.2f} | "
              f"{mean(w_d1, m):.4f} | {mean(w_d2, m):.4f} | {mean(ch1.astype(float), m):.2f} | "
              f"{mean(stim, m):7.1f} | {mean(base, m):7.1f} | {mean(rew, m & rewarded):6.1f} / "
              f"{mean(rew, m & ~rewarded):6.1f} | {mean(value, m):.3f}")
    if late is not None:
        m = (ep >= late[0]) & (ep <= late[1])
        print(f"late {late[0]}-{late[1]}: p={reward_cfg.get('p', 1.0)} CS response "
              f"{mean(stim, m):.1f}, tonic {mean(base, m):.1f}, reward-time rewarded "
              f"{mean(rew, m & rewarded):.1f} (n={int((m & rewarded).sum())}), unrewarded "
              f"{mean(rew, m & ~rewarded):.1f} (n={int((m & ~rewarded).sum())}), "
              f"V {mean(value, m):.3f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+", type=Path)
    ap.add_argument("--windows", nargs="+", type=window,
                    default=[window(w) for w in ("0-9", "40-49", "90-99", "100-129",
                                                 "180-189", "200-229")])
    ap.add_argument("--late", type=window, default=None)
    args = ap.parse_args()
    for run in args.runs:
        report(run, args.windows, args.late)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
