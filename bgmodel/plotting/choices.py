"""The choices view of a plasticity run with choice groups or an external controller
(issue 20), drawn by `bgmodel plot RUN` (bgmodel.results.choices reads it):

    top     per choice, the BG's own selection of the rewarded channel (mean of the
            last 10 episodes) and, with a controller, the share of episodes it took
    middle  per choice, the GPi contrast (other channels minus the rewarded one)
    bottom  each SNc group's spikes in the reward window per episode (per-channel
            dopamine with the vector model)

Side by side over several runs: scripts/validation/choice_evidence.py --plot.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..protocols.plasticity.episodes import read_episodes
from ..results.choices import choice_curves, sliding_mean
from . import style


def draw_choices(run_dir, title: str = ""):
    run_dir = Path(run_dir)
    curves = choice_curves(run_dir)
    table = read_episodes(run_dir / "results" / "episodes.csv")
    groups = [c[len("snc_"):-len("_reward")] for c in table
              if c.startswith("snc_") and c.endswith("_reward")]
    with style.context():
        fig, axes = style.figure(3, 1, figsize=(7.5, 8.0), sharex=True)
        for i, curve in enumerate(curves):
            colour = style.SERIES_COLOURS[i % len(style.SERIES_COLOURS)]
            name = "-".join(map(str, curve.channels))
            axes[0].plot(curve.episode, sliding_mean(curve.correct), color=colour,
                         label=f"choice {name}")
            axes[1].plot(curve.episode, sliding_mean(curve.contrast_Hz), color=colour)
        if "chooser" in table and np.any(table["chooser"] == "controller"):
            axes[0].plot(table["episode"], sliding_mean(table["chooser"] == "controller"),
                         color="0.5", ls="--", label="controller's share")
        axes[0].set_ylabel("rewarded channel selected\n(BG, last 10)")
        axes[0].set_ylim(-0.05, 1.05)
        axes[0].legend(loc="lower right", frameon=False, fontsize=7)
        axes[1].axhline(0.0, color="0.5", lw=0.6)
        axes[1].set_ylabel("GPi contrast (Hz, last 10)")
        for g in groups:
            axes[2].plot(table["episode"], table[f"snc_{g}_reward"], lw=0.8, label=g)
        axes[2].set_ylabel("SNc spikes, reward window")
        axes[2].set_xlabel("episode")
        axes[2].legend(loc="upper right", frameon=False, fontsize=7, ncol=2)
        if title:
            fig.suptitle(title, fontsize=9)
    return fig
