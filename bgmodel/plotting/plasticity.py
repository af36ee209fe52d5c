"""Standard view of a plasticity run (bgmodel.protocols.plasticity.protocol results).

`plot_run(run_dir)` writes to RUN/figures/ (or out_dir):
    trajectory   across episodes, with the phases shaded and probes marked:
                 GPi rates of the competing channels; GPi(ch1) - GPi(ch2) with the
                 dopamine events delivered; D1 and D2 MSN rates of the two channels;
                 mean plastic weight onto those D1 and D2 MSNs
It reads results/episodes.csv only, so it works on a run that is still going.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from ..protocols.plasticity.episodes import rate_column, read_episodes, weight_column
from . import style

PHASE_SHADES = ("#f2f2f2", "#ffffff")
EVENT_MARKERS = {"burst": ("^", "#2ca02c"), "dip": ("v", "#8c564b")}
CELL_STYLES = {"MSN_D1": "-", "MSN_D2": "--"}


def _competing(run_dir: Path) -> tuple[int, int]:
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    a, b = config["protocol"]["competing_channels"][:2]
    return int(a), int(b)


def phase_spans(episode: np.ndarray, phase: np.ndarray) -> list[tuple[str, float, float]]:
    """(phase, first, last) of each run of consecutive episodes in one phase."""
    spans = []
    for k, (ep, name) in enumerate(zip(episode, phase)):
        if k and name == spans[-1][0]:
            spans[-1] = (name, spans[-1][1], float(ep))
        else:
            spans.append((str(name), float(ep), float(ep)))
    return spans


def _shade(ax, spans, probes, label=False) -> None:
    for k, (name, first, last) in enumerate(spans):
        ax.axvspan(first - 0.5, last + 0.5, color=PHASE_SHADES[k % 2], zorder=0, lw=0)
        if label:
            ax.text((first + last) / 2, 1.0, name, transform=ax.get_xaxis_transform(),
                    ha="center", va="bottom", fontsize=7, color="0.3")
    for ep in probes:
        ax.axvline(ep, color="0.6", lw=0.6, ls=":", zorder=1)


def draw_trajectory(table: dict, competing: tuple[int, int], title: str = ""):
    """The four-panel trajectory of one run from its episode table."""
    c1, c2 = competing
    ep = table["episode"]
    spans = phase_spans(ep, table["phase"])
    probes = ep[table["probe"] > 0]
    # Points as well as lines while there are few episodes (a run still going).
    mk = {"marker": ".", "ms": 3} if len(ep) < 30 else {}
    colours = {c1: style.CHANNEL_COLOURS[c1 % len(style.CHANNEL_COLOURS)],
               c2: style.CHANNEL_COLOURS[c2 % len(style.CHANNEL_COLOURS)]}
    with style.context():
        fig, axes = style.figure(4, 1, figsize=(7.5, 8.0), sharex=True)
        ax = axes[0]
        _shade(ax, spans, probes, label=True)
        for c in (c1, c2):
            ax.plot(ep, table[rate_column("GPi", c)], color=colours[c], lw=1.0,
                    label=f"ch{c}", **mk)
        ax.set_ylabel("GPi rate (Hz)")
        ax.legend(loc="lower left", ncol=2, frameon=False)

        ax = axes[1]
        _shade(ax, spans, probes)
        diff = table[rate_column("GPi", c1)] - table[rate_column("GPi", c2)]
        ax.plot(ep, diff, color="k", lw=1.0, **mk)
        ax.axhline(0.0, color="0.5", lw=0.6)
        top = np.nanmax(np.abs(diff)) if len(diff) else 1.0
        for event, (marker, colour) in EVENT_MARKERS.items():
            sel = table["dopamine_event"] == event
            if sel.any():
                ax.scatter(ep[sel], np.full(sel.sum(), 1.08 * top), marker=marker, s=10,
                           color=colour, label=f"dopamine {event}", zorder=3, clip_on=False)
        ax.set_ylabel(f"GPi ch{c1} - ch{c2} (Hz)")
        ax.legend(loc="lower left", ncol=2, frameon=False)

        ax = axes[2]
        _shade(ax, spans, probes)
        for cell, ls in CELL_STYLES.items():
            for c in (c1, c2):
                ax.plot(ep, table[rate_column(cell, c)], color=colours[c], ls=ls, lw=1.0,
                        label=f"{cell[-2:]} ch{c}", **mk)
        ax.set_ylabel("MSN rate (Hz)")
        ax.legend(loc="upper left", ncol=4, frameon=False)

        ax = axes[3]
        _shade(ax, spans, probes)
        for cell, ls in CELL_STYLES.items():
            for c in (c1, c2):
                col = weight_column(cell, c)
                if col in table:
                    ax.plot(ep, table[col], color=colours[c], ls=ls, lw=1.0,
                            label=f"{cell[-2:]} ch{c}", **mk)
        ax.set_ylabel("mean plastic weight")
        ax.set_xlabel("episode")
        ax.legend(loc="upper left", ncol=4, frameon=False)
        if len(ep):
            ax.set_xlim(ep.min() - 0.5, ep.max() + 0.5)
        if title:
            fig.suptitle(title, fontsize=9)
    return fig


def plot_run(run_dir, out_dir=None) -> list[Path]:
    """Draw the standard view of a plasticity run; return the files written."""
    run_dir = Path(run_dir)
    table_path = run_dir / "results" / "episodes.csv"
    if not table_path.is_file():
        raise FileNotFoundError(f"{run_dir}: no results/episodes.csv; not a plasticity run "
                                "or no episode finished yet")
    table = read_episodes(table_path)
    if not len(table["episode"]):
        raise ValueError(f"{table_path}: no episode written yet")
    out = Path(out_dir) if out_dir else run_dir / "figures"
    fig = draw_trajectory(table, _competing(run_dir), title=run_dir.name)
    return style.save(fig, out / "trajectory")
