#!/usr/bin/env python
"""Per-channel rates of plasticity runs against the published range, with the digits
that MSN rates of 0.001-0.2 Hz need (issue 25).

For one episode window, every population of --populations and channel of --channels:
the published mean and range over the complete, unmarked runs of a reference condition,
and each RUN's rate with its ratio to the published mean and where it lies (inside the
range, or above / below it). Runs read through the authors' text format
(bgmodel.results.authors_format), so bgmodel run folders and authors' log folders mix.

A rate of 0.001 Hz over 10 episodes of 1 s is about seven spikes of a channel's 720
MSNs: ratios of such rates carry a Poisson spread of about 40 %.

Usage:
    python scripts/validation/channel_rates.py RUN... \
        --reference ../shared/reference-data/run4_k_4_l_02_m_1 [--window 0-9]
        [--populations MSN_D1 MSN_D2 GPi] [--channels 0 1 2 3] [--labels TITLE...]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from bgmodel.results.authors_format import AuthorsRun, read_condition, read_run  # noqa: E402


def load(path: Path) -> AuthorsRun:
    """A bgmodel run folder (results/authors_format) or a folder in the authors' format."""
    folder = path / "results" / "authors_format"
    return read_run(folder if folder.is_dir() else path)


def window_mean(run: AuthorsRun, population: str, channel: int, first: int,
                last: int) -> float | None:
    """Mean rate over episodes first..last (clipped to the run; None if it has none)."""
    if population not in run.rates or run.episodes <= first:
        return None
    return float(np.mean(run.rates[population][first:min(last, run.episodes - 1) + 1, channel]))


def placement(value: float, low: float, high: float) -> str:
    if value > high:
        return "above"
    if value < low:
        return "below"
    return "inside"


def rows(runs: list[AuthorsRun], published: list[AuthorsRun], populations, channels,
         first: int, last: int, labels: list[str]) -> list[list[str]]:
    out = [["population", "ch", "published mean (range)"]
           + [f"{lab}: rate, x mean, place" for lab in labels]]
    for pop in populations:
        for ch in channels:
            ref = [v for v in (window_mean(r, pop, ch, first, last) for r in published)
                   if v is not None]
            if not ref:
                continue
            mean, low, high = float(np.mean(ref)), min(ref), max(ref)
            row = [pop, str(ch), f"{mean:.4f} ({low:.4f}-{high:.4f})"]
            for run in runs:
                v = window_mean(run, pop, ch, first, last)
                row.append("-" if v is None else
                           f"{v:.4f}, {v / mean:.2f}x, {placement(v, low, high)}")
            out.append(row)
    return out


def render(table: list[list[str]]) -> str:
    widths = [max(len(r[k]) for r in table) for k in range(len(table[0]))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |" for r in table]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("runs", nargs="*", type=Path)
    ap.add_argument("--reference", type=Path, required=True,
                    help="a published condition folder (its complete unmarked runs)")
    ap.add_argument("--window", default="0-9", help="episodes FIRST-LAST (default 0-9)")
    ap.add_argument("--populations", nargs="+", default=["MSN_D1", "MSN_D2"])
    ap.add_argument("--channels", nargs="+", type=int, default=[0, 1, 2, 3])
    ap.add_argument("--labels", nargs="+", default=None,
                    help="a column title per RUN (default: the folder names)")
    args = ap.parse_args(argv)
    if args.labels is not None and len(args.labels) != len(args.runs):
        ap.error(f"--labels: {len(args.labels)} titles for {len(args.runs)} runs")
    first, _, last = args.window.partition("-")
    first, last = int(first), int(last or first)
    published = [r for r in read_condition(args.reference)
                 if len(r.task) > last]  # runs that reached the window's end
    runs = [load(p) for p in args.runs]
    print(f"episodes {first}-{last}; published: {len(published)} runs of {args.reference.name}")
    print(render(rows(runs, published, args.populations, args.channels, first, last,
                      args.labels or [p.name for p in args.runs])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
