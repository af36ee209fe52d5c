#!/usr/bin/env python
"""A reduced preset's plasticity runs next to full-scale runs of the same conditions.

Usage:
    python scripts/validation/preset_vs_full.py --pair LABEL FULL_RUN REDUCED_RUN
        [--pair ...] [--window 0-9] [--tolerance 0.25] [--markdown]

Each pair is one condition (same config, seed and protocol) run at full scale and with
the reduced preset. Over the window's episodes (default 0-9, the starting regime) it
prints the D1 and D2 rates of the stimulated channels 1 and 2 and the GPi contrast
(channel 1 - channel 2), full scale against the preset, with the preset's relative
error for each rate; a rate whose error exceeds the tolerance is marked with `!`.
The last line counts the rates within tolerance over all pairs. `--markdown` prints the
table for docs/.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bgmodel.protocols.plasticity.episodes import read_episodes  # noqa: E402

RATES = ("MSN_D1_ch1_Hz", "MSN_D1_ch2_Hz", "MSN_D2_ch1_Hz", "MSN_D2_ch2_Hz")
SHORT = {"MSN_D1_ch1_Hz": "D1 c1", "MSN_D1_ch2_Hz": "D1 c2", "MSN_D2_ch1_Hz": "D2 c1",
         "MSN_D2_ch2_Hz": "D2 c2"}


def window_values(table: dict, first: int, last: int) -> dict:
    """Mean of each compared quantity over episodes first..last (those the run has)."""
    episodes = np.asarray(table["episode"], dtype=float)
    rows = (episodes >= first) & (episodes <= last)
    if not rows.any():
        raise ValueError(f"no episodes in {first}-{last}: the run has "
                         f"{int(episodes.min())}-{int(episodes.max())}")
    out = {key: float(np.mean(table[key][rows])) for key in RATES}
    out["GPi c1-c2"] = float(np.mean(table["GPi_ch1_Hz"][rows] - table["GPi_ch2_Hz"][rows]))
    out["episodes"] = int(rows.sum())
    return out


def relative_errors(full: dict, reduced: dict) -> dict:
    """(reduced - full) / full for each rate (nan where full scale is 0)."""
    return {key: (reduced[key] - full[key]) / full[key] if full[key] else float("nan")
            for key in RATES}


def compare(pairs, first: int, last: int, tolerance: float) -> list[dict]:
    """One row per pair: the window's values of both runs and the errors."""
    rows = []
    for label, full_run, reduced_run in pairs:
        full = window_values(read_episodes(full_run), first, last)
        reduced = window_values(read_episodes(reduced_run), first, last)
        errors = relative_errors(full, reduced)
        rows.append({"label": label, "full": full, "reduced": reduced, "errors": errors,
                     "within": {k: bool(abs(e) <= tolerance) for k, e in errors.items()}})
    return rows


def format_rows(rows: list[dict], markdown: bool) -> list[str]:
    head = ["condition"] + [f"{SHORT[k]} full / preset (err)" for k in RATES] + [
        "GPi c1-c2 full / preset"]
    lines = []
    if markdown:
        lines += ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    else:
        lines.append("  ".join(head))
    for row in rows:
        cells = [row["label"]]
        for key in RATES:
            mark = "" if row["within"][key] else " !"
            cells.append(f"{row['full'][key]:.3f} / {row['reduced'][key]:.3f} "
                         f"({row['errors'][key]:+.0%}){mark}")
        cells.append(f"{row['full']['GPi c1-c2']:+.1f} / {row['reduced']['GPi c1-c2']:+.1f}")
        lines.append("| " + " | ".join(cells) + " |" if markdown else "  ".join(cells))
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pair", nargs=3, action="append", required=True,
                        metavar=("LABEL", "FULL_RUN", "REDUCED_RUN"))
    parser.add_argument("--window", default="0-9", help="episodes FIRST-LAST (default 0-9)")
    parser.add_argument("--tolerance", type=float, default=0.25,
                        help="largest relative error of a rate counted as within (0.25)")
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    first, _, last = args.window.partition("-")
    rows = compare(args.pair, int(first), int(last), args.tolerance)
    print(f"episodes {args.window}, rates in Hz, error = preset / full - 1, "
          f"! beyond {args.tolerance:.0%}")
    for line in format_rows(rows, args.markdown):
        print(line)
    within = sum(sum(r["within"].values()) for r in rows)
    total = sum(len(r["within"]) for r in rows)
    print(f"{within} of {total} rates within {args.tolerance:.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
