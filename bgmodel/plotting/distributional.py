"""The distributional view of a plasticity run with the `distributional` dopamine model
(bgmodel.results.distributional reads it), drawn by `bgmodel plot RUN`:

    a  each SNc group's response at reward time (spikes above tonic) against reward
       magnitude, mean per magnitude, with the fitted hinge and its reversal point
    b  reversal point against tau: measured from spikes, the critic's value, and the
       expectiles of the rewards delivered
    c  the distribution decoded from the reversal points over the rewards delivered
    d  with per-group weights: each group's mean weight change onto the channel-1 MSNs
       against tau
"""
from __future__ import annotations

import numpy as np

from ..results.distributional import DistributionalReadout
from . import style


def draw_distributional(out: DistributionalReadout, title: str = ""):
    groups = out.groups
    colours = style_colours(len(groups))
    with style.context():
        fig, axes = style.figure(2, 2, figsize=(9.0, 7.0))
        ax = axes[0][0]
        magnitudes = np.unique(out.delivered)
        line = np.linspace(magnitudes.min(), magnitudes.max(), 200)
        for g, colour in zip(groups, colours):
            means = [g.responses[g.rewards == m].mean() for m in magnitudes]
            ax.plot(magnitudes, means, "o", ms=3, color=colour)
            fitted = (out.burst_gain * np.maximum(line - g.reversal, 0.0)
                      - out.pause_gain * np.maximum(g.reversal - line, 0.0))
            ax.plot(line, fitted, lw=0.8, color=colour, label=f"tau {g.tau:.2f}")
        ax.axhline(0.0, color="0.5", lw=0.6)
        ax.set_xlabel("reward magnitude")
        ax.set_ylabel("SNc spikes above tonic")
        ax.legend(loc="upper left", frameon=False, fontsize=6, ncol=2)
        ax = axes[0][1]
        taus = out.taus
        ax.plot(taus, out.reversals, "o", label="reversal point (spikes)")
        ax.plot(taus, [g.value for g in groups], "x", label="critic value")
        ax.plot(taus, [g.delivered_expectile for g in groups], "-", color="0.4",
                label="expectile of rewards delivered")
        ax.set_xlabel("tau")
        ax.set_ylabel("reward")
        ax.legend(loc="upper left", frameon=False, fontsize=7)
        ax = axes[1][0]
        edges = np.linspace(min(out.decoded_points.min(), out.delivered.min()),
                            max(out.decoded_points.max(), out.delivered.max()), 31)
        ax.hist(out.delivered, bins=edges, density=True, color="0.8",
                label="rewards delivered")
        ax.hist(out.decoded_points, bins=edges, weights=out.decoded_probabilities,
                density=True, histtype="step", color="k",
                label=f"decoded (W1 {out.w1_decoded:.3f})")
        ax.set_xlabel("reward")
        ax.set_ylabel("density")
        ax.legend(loc="upper center", frameon=False, fontsize=7)
        ax = axes[1][1]
        drawn = False
        for cell, marker in (("MSN_D1", "o"), ("MSN_D2", "s")):
            change = [g.weight_change[cell] for g in groups]
            if not np.all(np.isnan(change)):
                ax.plot(taus, change, marker, label=cell)
                drawn = True
        ax.axhline(0.0, color="0.5", lw=0.6)
        ax.set_xlabel("tau")
        ax.set_ylabel(f"weight change onto channel 1, episode 0-{out.window[1]}")
        if drawn:
            ax.legend(loc="best", frameon=False, fontsize=7)
        else:
            ax.text(0.5, 0.5, "no per-group weights in episodes.csv", ha="center",
                    va="center", transform=ax.transAxes, fontsize=8)
        fig.suptitle(f"{title} episodes {out.window[0]}-{out.window[1]}", fontsize=9)
    return fig


def style_colours(n: int) -> list:
    """n colours from pessimistic (blue) to optimistic (red)."""
    import matplotlib
    cmap = matplotlib.colormaps["coolwarm"]
    return [cmap(x) for x in np.linspace(0.0, 1.0, n)]
