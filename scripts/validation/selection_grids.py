#!/usr/bin/env python
"""Action-selection grids of several runs, read again under other selection rules.

Usage:
    python scripts/validation/selection_grids.py --group LABEL RUN [RUN ...]
        [--group ...] [--threshold 5] [--margins 0 5 10] [--markdown]

Each group is one condition (e.g. lambda 0) run with several seeds. Every run's
results/selection.csv holds the GPi rates of the two competing channels per grid step
and their rest rates, so the outcome of every step can be computed again under another
rule without simulating: the threshold rule (the protocol's default: a channel is
selected when its GPi rate is below rest by more than the threshold) and the same rule
with a competition margin (the channel must also be below the other channel by more
than the margin). Per group and rule it prints the fraction of unequal-input steps in
which exactly the channel with the stronger input is selected, per run and as mean and
standard deviation over the runs, and the pooled outcome counts; per group the slope of
the GPi contrast against the input difference.
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bgmodel.protocols.selection import OUTCOMES, classify, selection_metrics  # noqa: E402
from bgmodel.results.rundir import single_run_folder  # noqa: E402


def selection_table(run: str | Path) -> dict:
    """Columns of a run's selection.csv (the run folder, or the folder holding one run)."""
    path = single_run_folder(run) / "results" / "selection.csv"
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    if not rows:
        raise ValueError(f"{path}: no grid steps")
    keys = ("rate_ch1_Hz", "rate_ch2_Hz", "gpi_ch1_Hz", "gpi_ch2_Hz", "gpi_rest_ch1_Hz",
            "gpi_rest_ch2_Hz")
    return {key: np.array([float(r[key]) for r in rows]) for key in keys}


def metrics_under_rule(table: dict, threshold: float, margin_Hz: float | None) -> dict:
    """selection_metrics of a grid with every step classified again under one rule."""
    outcomes = [classify(g1, g2, r1, r2, threshold, "Hz", margin_Hz) for g1, g2, r1, r2 in
                zip(table["gpi_ch1_Hz"], table["gpi_ch2_Hz"], table["gpi_rest_ch1_Hz"],
                    table["gpi_rest_ch2_Hz"])]
    return selection_metrics(table["rate_ch1_Hz"], table["rate_ch2_Hz"], table["gpi_ch1_Hz"],
                             table["gpi_ch2_Hz"], outcomes)


def rule_name(margin_Hz: float | None) -> str:
    return "threshold" if margin_Hz is None else f"margin {margin_Hz:g} Hz"


def summarize(groups: list[tuple[str, list[str]]], threshold: float,
              margins: list[float | None]) -> list[dict]:
    """One row per (group, rule): per-run fractions, their mean and SD, pooled counts."""
    rows = []
    for label, runs in groups:
        tables = [selection_table(run) for run in runs]
        slopes = [metrics_under_rule(t, threshold, None)["contrast_fit"]["slope"] for t in tables]
        for margin in margins:
            per_run = [metrics_under_rule(t, threshold, margin) for t in tables]
            fractions = np.array([m["selection_fraction"] for m in per_run])
            counts = {name: sum(m["outcome_counts"]["unequal"][name] for m in per_run)
                      for name in OUTCOMES}
            rows.append({"group": label, "rule": rule_name(margin), "runs": len(tables),
                         "fractions": fractions.tolist(), "mean": float(fractions.mean()),
                         "sd": float(fractions.std(ddof=1)) if len(tables) > 1 else float("nan"),
                         "unequal_counts": counts,
                         "contrast_slope_mean": float(np.mean(slopes))})
    return rows


def _margin(text: str) -> float | None:
    return None if text.lower() in ("none", "null", "threshold") else float(text)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--group", nargs="+", action="append", required=True,
                    metavar=("LABEL", "RUN"), help="a label and its runs")
    ap.add_argument("--threshold", type=float, default=5.0,
                    help="drop below rest that selects (Hz; default 5)")
    ap.add_argument("--margins", nargs="+", type=_margin, default=[None, 5.0, 10.0],
                    help="rules: 'none' for the threshold alone, numbers for margins in Hz")
    ap.add_argument("--markdown", action="store_true", help="print a table for docs/")
    args = ap.parse_args(argv)
    groups = []
    for group in args.group:
        if len(group) < 2:
            ap.error(f"--group {group[0]}: needs at least one run after the label")
        groups.append((group[0], group[1:]))
    rows = summarize(groups, args.threshold, args.margins)
    if args.markdown:
        print("| condition | rule | runs | single correct selection, per run | mean +- SD "
              "| unequal steps: ch1 / ch2 / both / none | GPi contrast slope |")
        print("|---|---|---|---|---|---|---|")
    for row in rows:
        per_run = ", ".join(f"{f:.2f}" for f in row["fractions"])
        counts = " / ".join(str(row["unequal_counts"][k]) for k in OUTCOMES)
        if args.markdown:
            print(f"| {row['group']} | {row['rule']} | {row['runs']} | {per_run} | "
                  f"{row['mean']:.2f} +- {row['sd']:.2f} | {counts} | "
                  f"{row['contrast_slope_mean']:.2f} |")
        else:
            print(f"{row['group']:>12s}  {row['rule']:<14s} runs {row['runs']}: {per_run}; "
                  f"mean {row['mean']:.2f} +- {row['sd']:.2f}; ch1/ch2/both/none {counts}; "
                  f"slope {row['contrast_slope_mean']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
