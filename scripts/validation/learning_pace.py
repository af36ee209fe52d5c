#!/usr/bin/env python
"""How fast plasticity runs learn, split into the synapse's part and the neuron's part.

Usage:
    python scripts/validation/learning_pace.py LABEL=RUN [LABEL=RUN ...]
        [--channel 1] [--window 10] [--last 100]

The CS+ learning is a loop: the D1 MSNs of the rewarded channel pair their spikes with
the stimulated inputs, a dopamine burst turns that eligibility into weight, and the
heavier weights make the MSNs fire faster. Two numbers per window of episodes separate
the loop's two halves, so that a reduced preset can be compared with full scale where
it learns at another pace:

- `dw/Hz`: the change of the mean plastic D1 weight of the channel per burst episode,
  divided by the channel's D1 rate in that episode (the weight each Hz of D1 firing
  earns; the synapse's part). episodes.csv holds the weight after each episode, so the
  change of episode e is w(e) - w(e - 1); episode 0 has none.
- `dlnr/dw`: the change of log D1 rate per unit of mean weight between this window and
  the next (the neuron's part: how much faster the MSNs fire for the weight gained).

Per window it prints the mean D1 rate, the mean weight after the window's last episode,
the number of burst episodes, dw/Hz and dlnr/dw, and the growth of the log rate per episode
(the product of the two halves and the rate).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bgmodel.protocols.plasticity.episodes import read_episodes  # noqa: E402
from bgmodel.results.rundir import single_run_folder  # noqa: E402


def episodes_file(run: str | Path) -> Path:
    """results/episodes.csv of a run folder, or of the one run inside a folder."""
    return single_run_folder(run) / "results" / "episodes.csv"


def pace(table: dict, channel: int, window: int, last: int) -> list[dict]:
    """One row per window of `window` episodes, up to episode `last` (exclusive)."""
    rate = np.asarray(table[f"MSN_D1_ch{channel}_Hz"], dtype=float)
    weight = np.asarray(table[f"w_MSN_D1_ch{channel}"], dtype=float)
    burst = np.asarray([str(e) == "burst" for e in table["dopamine_event"]])
    n = min(len(rate), last)
    # change of episode e (the weight is recorded after each episode); none for episode 0
    change = np.concatenate([[np.nan], np.diff(weight[:n])])
    rows = []
    for start in range(0, n, window):
        stop = min(start + window, n)
        episodes = np.arange(start, stop)
        counted = episodes[burst[episodes] & ~np.isnan(change[episodes])]
        mean_rate = float(rate[start:stop].mean())
        earned = float(change[counted].sum() / rate[counted].sum()) \
            if len(counted) and rate[counted].sum() > 0 else float("nan")
        row = {"first": start, "last": stop - 1, "rate_Hz": mean_rate,
               "weight": float(weight[stop - 1]), "bursts": int(burst[start:stop].sum()),
               "dw_per_Hz": earned, "dlnr_dw": float("nan"), "dlnr_per_episode": float("nan")}
        nxt = slice(stop, min(stop + window, n))
        if nxt.start < nxt.stop:
            next_rate = float(rate[nxt].mean())
            span = (nxt.start + nxt.stop - 1) / 2 - (start + stop - 1) / 2
            gained = float(weight[nxt].mean() - weight[start:stop].mean())
            if next_rate > 0 and mean_rate > 0:
                growth = np.log(next_rate / mean_rate)
                row["dlnr_per_episode"] = float(growth / span)
                if gained != 0:
                    row["dlnr_dw"] = float(growth / gained)
        rows.append(row)
    return rows


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+", metavar="LABEL=RUN")
    ap.add_argument("--channel", type=int, default=1, help="the rewarded channel (default 1)")
    ap.add_argument("--window", type=int, default=10, help="episodes per window (default 10)")
    ap.add_argument("--last", type=int, default=100,
                    help="read episodes before this one (default 100, the CS+ phase)")
    args = ap.parse_args(argv)
    for item in args.runs:
        label, sep, run = item.partition("=")
        if not sep:
            ap.error(f"{item!r}: expected LABEL=RUN")
        rows = pace(read_episodes(episodes_file(run)), args.channel, args.window, args.last)
        print(f"{label}: D1 channel {args.channel}")
        print("  episodes  D1 Hz   w after   bursts  dw/Hz (1e-5)  dlnr/dw  dlnr/episode")
        for r in rows:
            print(f"  {r['first']:3d}-{r['last']:<3d}  {r['rate_Hz']:6.3f}  {r['weight']:.5f}  "
                  f"{r['bursts']:6d}  {r['dw_per_Hz'] * 1e5:12.2f}  {r['dlnr_dw']:7.0f}  "
                  f"{r['dlnr_per_episode']:12.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
