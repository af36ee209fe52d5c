"""Standard view of a plasticity run (bgmodel.protocols.plasticity.protocol results).

`plot_run(run_dir)` writes to RUN/figures/ (or out_dir):
    trajectory   across episodes, with the phases shaded and probes marked:
                 GPi rates of the competing channels; GPi(ch1) - GPi(ch2) with the
                 dopamine events delivered; D1 and D2 MSN rates of the two channels;
                 mean plastic weight onto those D1 and D2 MSNs
    dopamine     with a signal dopamine model (results/snc_spikes.npz): the SNc
                 population's PSTH aligned on stimulus onset and on reward time,
                 early episodes against late ones, and the critic's value and error
                 per episode (rpe); more than two SNc groups are pooled in the PSTH
    distributional  with the distributional model: bgmodel/plotting/distributional.py
    choices      with choice groups or an external controller: bgmodel/plotting/choices.py
It reads results/ only, so it works on a run that is still going (snc_spikes.npz is
written at checkpoints).
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
    files = style.save(fig, out / "trajectory")
    spikes = run_dir / "results" / "snc_spikes.npz"
    if spikes.is_file():
        config = yaml.safe_load((run_dir / "config.yaml").read_text())
        fig = draw_dopamine(table, dict(np.load(spikes)), config["protocol"],
                            title=run_dir.name)
        files += style.save(fig, out / "dopamine")
        proto = config["protocol"]
        if "choice_groups" in proto or "external_controller" in proto:
            from .choices import draw_choices
            files += style.save(draw_choices(run_dir, title=run_dir.name), out / "choices")
        if config["dopamine"]["model"] == "distributional":
            from ..results.distributional import read_distributional
            from .distributional import draw_distributional
            fig = draw_distributional(read_distributional(run_dir), title=run_dir.name)
            files += style.save(fig, out / "distributional")
    return files


def snc_psth(times_ms: np.ndarray, align_ms: np.ndarray, units: int, start_ms: float,
             stop_ms: float, bin_ms: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean rate per SNc unit (Hz) in bins around each alignment time: (bin centres,
    rates)."""
    edges = np.arange(start_ms, stop_ms + bin_ms / 2, bin_ms)
    counts = np.zeros(len(edges) - 1)
    for t in align_ms:
        counts += np.histogram(times_ms - t, bins=edges)[0]
    rate = counts / max(len(align_ms), 1) / max(units, 1) / (bin_ms / 1000.0)
    return (edges[:-1] + edges[1:]) / 2, rate


def early_late(table: dict, fraction: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    """Start times of the first and last `fraction` of the episodes with an outcome in
    the first phase (CS+ in the paper's protocol)."""
    first_phase = table["phase"] == table["phase"][0]
    with_outcome = first_phase & (table["rewarded_channel"] >= 0)
    starts = table["t_start_ms"][with_outcome]
    n = max(1, int(round(len(starts) * fraction)))
    return starts[:n], starts[-n:]


def draw_dopamine(table: dict, spikes: dict, proto: dict, title: str = "", bin_ms=25.0):
    """SNc PSTHs (onset- and reward-aligned, early vs late) and the critic per episode."""
    groups = sorted(k[:-4] for k in spikes if k.endswith("_ids"))
    if len(groups) > 2:
        # Many groups (distributional): one PSTH of all their units together; the
        # distributional view shows them group by group.
        units = sum(int(spikes[f"{g}_ids"].max()) + 1 for g in groups
                    if len(spikes[f"{g}_ids"]))
        spikes = {"all_groups_ids": np.arange(units, dtype=np.uint32),
                  "all_groups_times_ms": np.concatenate([spikes[f"{g}_times_ms"]
                                                         for g in groups])}
        groups = ["all_groups"]
    reward_ms = proto["stimulus_ms"] + proto["pause_after_stimulus_ms"]
    early, late = early_late(table)
    with style.context():
        fig, axes = style.figure(3, 1, figsize=(7.5, 7.5))
        for g in groups:
            times = spikes[f"{g}_times_ms"]
            units = int(spikes[f"{g}_ids"].max()) + 1 if len(times) else 1
            for ax, offset, label in ((axes[0], 0.0, "stimulus onset"),
                                      (axes[1], reward_ms, "reward time")):
                for starts, name, colour in ((early, "early", "0.6"), (late, "late", "k")):
                    x, r = snc_psth(times, starts + offset, units, -300.0, 800.0, bin_ms)
                    ax.step(x, r, where="mid", color=colour, lw=1.0,
                            label=f"{g} {name} ({len(starts)} episodes)")
                ax.axvline(0.0, color="0.5", lw=0.6, ls=":")
                ax.set_xlabel(f"time from {label} (ms)")
                ax.set_ylabel("SNc rate per unit (Hz)")
                ax.legend(loc="upper right", frameon=False, fontsize=7)
        ax = axes[2]
        ep = table["episode"]
        value_cols = [c for c in table if c.startswith("value_")]
        for col in value_cols:
            ax.plot(ep, table[col], lw=1.0, label=col)
            if len(value_cols) <= 2:
                rpe = "rpe_" + col[len("value_"):]
                ax.plot(ep, table[rpe], lw=0.8, ls="--", label=rpe)
        if not value_cols:
            ax.plot(ep, table["reward"], lw=0.8, label="reward")
        ax.axhline(0.0, color="0.5", lw=0.6)
        ax.set_xlabel("episode")
        ax.set_ylabel("critic value / error")
        ax.legend(loc="lower right", frameon=False, fontsize=7)
        if title:
            fig.suptitle(title, fontsize=9)
    return fig
