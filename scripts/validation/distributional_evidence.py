#!/usr/bin/env python
"""The distributional code of plasticity runs with SNc groups (issue 21), from their
run folders (bgmodel.results.distributional; no NEST).

Per run, over a window of episodes (default: the second half of the first phase):
each group's tau, its reversal point measured from SNc spikes, the critic's value, the
expectiles of the rewards delivered and of the configured distribution, and with
per-group weights the change of its mean weight onto the channel-1 D1 and D2 MSNs;
then Spearman's rank correlation of reversal point and tau, the reversal points'
distance to the expectiles, the Wasserstein-1 distance of the decoded distribution to
the rewards delivered (a one-group run's estimate is a point mass at its reversal
point), the decoded mass between the modes, the mass and mean of the decoded
distribution on each side of the gap's middle against the delivered rewards', the
share of episodes paying 0 (the other channel chosen), and the rank correlation of
weight change and tau.

    python scripts/validation/distributional_evidence.py RUN [RUN ...] \
        [--window 50-100] [--between 0.4 0.6]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bgmodel.dopamine.reversal import spearman  # noqa: E402
from bgmodel.results.distributional import read_distributional  # noqa: E402
from bgmodel.results.rundir import single_run_folder  # noqa: E402


def run_folder(path: Path) -> Path:
    try:
        return single_run_folder(path)
    except ValueError as err:
        raise SystemExit(str(err)) from None


def report(path: Path, window, between) -> dict:
    out = read_distributional(run_folder(path), *(window or (None, None)))
    print(f"\n{path.name}: episodes {out.window[0]}-{out.window[1]}, "
          f"{len(out.delivered)} with an outcome; hinge gains burst {out.burst_gain:.2f}, "
          f"pause {out.pause_gain:.2f} spikes per reward unit")
    print("group  tau    reversal  value   expectile(delivered)  expectile(task)  "
          "dw D1 ch1   dw D2 ch1")
    for g in out.groups:
        print(f"{g.group:6s} {g.tau:.2f}  {g.reversal:8.3f}  {g.value:6.3f}  "
              f"{g.delivered_expectile:20.3f}  {g.configured_expectile:15.3f}  "
              f"{g.weight_change['MSN_D1']:+.6f}  {g.weight_change['MSN_D2']:+.6f}")
    errors = out.reversals - np.array([g.delivered_expectile for g in out.groups])
    lo, hi = between
    mask = (out.decoded_points > lo) & (out.decoded_points < hi)
    summary = {"run": path.name, "groups": len(out.groups), "w1": out.w1_decoded,
               "w1_task": out.w1_configured,
               "max_error": float(np.max(np.abs(errors))),
               "mean_error": float(np.mean(np.abs(errors))),
               "between": float(out.decoded_probabilities[mask].sum()),
               "true_between": float(np.mean((out.delivered > lo) & (out.delivered < hi)))}
    # the two halves around the gap's middle: their mass and mean (the modes' places)
    middle = (lo + hi) / 2.0
    for name, part in (("low", out.decoded_points < middle),
                       ("high", out.decoded_points >= middle)):
        p = out.decoded_probabilities[part]
        summary[f"mass_{name}"] = float(p.sum())
        summary[f"mode_{name}"] = (float(p @ out.decoded_points[part] / p.sum())
                                   if p.sum() > 0 else float("nan"))
        true = out.delivered[out.delivered < middle if name == "low"
                             else out.delivered >= middle]
        summary[f"true_mode_{name}"] = float(true.mean()) if len(true) else float("nan")
    summary["zero_rewards"] = float(np.mean(out.delivered == 0.0))
    if len(out.groups) > 1:
        summary["rank_rp_tau"] = spearman(out.taus, out.reversals)
        for cell in ("MSN_D1", "MSN_D2"):
            change = np.array([g.weight_change[cell] for g in out.groups])
            summary[f"rank_dw_{cell}"] = (spearman(out.taus, change)
                                         if not np.any(np.isnan(change)) else float("nan"))
    print(" ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                   for k, v in summary.items()))
    return summary


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+", type=Path)
    ap.add_argument("--window", default=None, help="FIRST-LAST episodes (inclusive)")
    ap.add_argument("--between", nargs=2, type=float, default=(0.4, 0.6),
                    help="the gap between the modes, for the decoded mass inside it")
    args = ap.parse_args(argv)
    window = tuple(int(x) for x in args.window.split("-")) if args.window else None
    rows = [report(path, window, args.between) for path in args.runs]
    keys = [k for k in rows[0] if k not in ("run", "groups")]
    print("\nmean over runs (by number of groups):")
    for n in sorted({r["groups"] for r in rows}):
        same = [r for r in rows if r["groups"] == n]
        print(f"{n} group(s), {len(same)} run(s): " + ", ".join(
            f"{k} {np.nanmean([r.get(k, np.nan) for r in same]):.3f}" for k in keys))
    return 0


if __name__ == "__main__":
    sys.exit(main())
