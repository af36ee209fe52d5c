#!/usr/bin/env python
"""Who learns which action (issue 20), from plasticity run folders (no NEST):
bgmodel.results.choices per run and choice, grouped by a label.

Per run and choice: episodes to the criterion (the rewarded channel selected by the BG
in `hits` of `window` episodes and a mean GPi contrast of at least `contrast` Hz), the
BG's own preference over the last episodes (fraction of episodes in which it selected
the rewarded channel, mean contrast), and with an external controller the fraction of
episodes it took and the mean recorded surprise; then means per label. Labels are
given as LABEL=RUN (e.g. vector=runs/vec-s1); a run without a label is its own.

    python scripts/validation/choice_evidence.py vector=RUN scalar=RUN ... \
        [--last 20] [--window 10 --hits 8 --contrast 5] [--plot curves.png]

--plot draws the learning curves side by side: per choice, the BG's selection of the
rewarded channel (mean of the last 10 episodes) and the GPi contrast, one line per
run, coloured by label.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bgmodel.protocols.plasticity.episodes import read_episodes  # noqa: E402
from bgmodel.results.choices import (choice_curves, episodes_to_criterion,  # noqa: E402
                                     preference, sliding_mean)
from bgmodel.results.rundir import single_run_folder  # noqa: E402


def run_folder(path: Path) -> Path:
    try:
        return single_run_folder(path)
    except ValueError as err:
        raise SystemExit(str(err)) from None


def parse(items):
    runs = []
    for item in items:
        label, _, path = item.rpartition("=")
        path = Path(path)
        runs.append((label or path.name, path, run_folder(path)))
    return runs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs", nargs="+", help="LABEL=RUN or RUN")
    ap.add_argument("--last", type=int, default=20, help="episodes of the preference")
    ap.add_argument("--window", type=int, default=10)
    ap.add_argument("--hits", type=int, default=8)
    ap.add_argument("--contrast", type=float, default=5.0)
    ap.add_argument("--plot", type=Path, default=None)
    args = ap.parse_args(argv)
    rows = []
    print(f"{'label':<14}{'run':<14}{'choice':<10}{'episodes':>9}{'criterion':>10}"
          f"{'selected':>9}{'contrast':>9}{'controller':>11}{'surprise':>9}")
    for label, path, run in parse(args.runs):
        table = read_episodes(run / "results" / "episodes.csv")
        n = len(table["episode"])
        last = int(table["episode"][-1])
        share = (float(np.mean(table["chooser"] == "controller"))
                 if "chooser" in table else float("nan"))
        surprise = (float(np.nanmean(table["surprise_term"])) if "surprise_term" in table
                    else float("nan"))
        for curve in choice_curves(run):
            reached = episodes_to_criterion(curve, args.window, args.hits, args.contrast)
            selected, contrast = preference(curve, last - args.last + 1, last)
            name = "-".join(map(str, curve.channels))
            rows.append({"label": label, "run": path.name, "choice": name,
                         "criterion": reached, "selected": selected, "contrast": contrast,
                         "curve": curve})
            print(f"{label:<14}{path.name:<14}{name:<10}{n:>9}"
                  f"{('-' if reached is None else reached):>10}{selected:>9.2f}"
                  f"{contrast:>9.1f}{share:>11.2f}{surprise:>9.2f}")
    print("\nmeans per label (criterion: runs x choices that reached it, mean episode):")
    for label in dict.fromkeys(r["label"] for r in rows):
        same = [r for r in rows if r["label"] == label]
        reached = [r["criterion"] for r in same if r["criterion"] is not None]
        mean_reached = f"{np.mean(reached):.1f}" if reached else "-"
        print(f"{label:<14} reached {len(reached)}/{len(same)} (mean episode "
              f"{mean_reached}), selected {np.mean([r['selected'] for r in same]):.2f} "
              f"+- {np.std([r['selected'] for r in same]):.2f}, contrast "
              f"{np.mean([r['contrast'] for r in same]):.1f} +- "
              f"{np.std([r['contrast'] for r in same]):.1f} Hz")
    if args.plot:
        draw(rows, args.plot)
        print(f"wrote {args.plot}")
    return 0


def draw(rows, out: Path) -> None:
    from bgmodel.plotting import style
    choices = list(dict.fromkeys(r["choice"] for r in rows))
    labels = list(dict.fromkeys(r["label"] for r in rows))
    colours = {lab: style.SERIES_COLOURS[i % len(style.SERIES_COLOURS)]
               for i, lab in enumerate(labels)}
    with style.context():
        fig, axes = style.figure(2, len(choices), figsize=(4.5 * len(choices), 6.0),
                                 squeeze=False)
        for j, choice in enumerate(choices):
            for r in (r for r in rows if r["choice"] == choice):
                c = r["curve"]
                kw = dict(color=colours[r["label"]], lw=1.0, alpha=0.8)
                axes[0][j].plot(c.episode, sliding_mean(c.correct), label=r["label"], **kw)
                axes[1][j].plot(c.episode, sliding_mean(c.contrast_Hz), **kw)
            axes[0][j].set_title(f"choice {choice}")
            axes[0][j].set_ylabel("rewarded channel selected (last 10)")
            axes[1][j].set_ylabel("GPi contrast (Hz, last 10)")
            axes[1][j].set_xlabel("episode")
            axes[1][j].axhline(0.0, color="0.5", lw=0.6)
        handles, names = axes[0][0].get_legend_handles_labels()
        unique = dict(zip(names, handles))
        axes[0][0].legend(unique.values(), unique.keys(), frameon=False, fontsize=7)
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out)


if __name__ == "__main__":
    sys.exit(main())
