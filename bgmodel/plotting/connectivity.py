"""Striatal connectivity maps of a built network (Figures 1E, 1F, 1G).

`sample_connectivity(config)` builds the cortico-striatal and MSN collateral
projections of a (small) network in NEST and keeps, for channels 1 and 2:
- the D1 and D2 MSNs that receive CSN or PTN input from relays of the channel (1E),
- one D1 MSN of the channel and its D1 and D2 targets (1F),
- one D2 MSN of the channel and its D1 and D2 targets (1G).
The drawing functions use only that sample (no NEST).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Rectangle

from ..model.derive import MSN_D1, MSN_D2, derive_network
from . import style
from .figure_result import FigureResult

CHANNELS = (1, 2)
INPUTS = ("CSN", "PTN")
# Projections the maps need: the rest of the network is not built.
PROJECTIONS = ("CSN->MSN", "PTN->MSN", "MSN->MSN")


@dataclass
class ConnectivitySample:
    """What Figures 1E-G draw, in population indices and positions."""

    positions: dict  # MSN_D1 / MSN_D2 -> (n, 2)
    centres: np.ndarray
    radius: float
    extent: float
    scale: float
    afferents: dict = field(default_factory=dict)  # (channel, input, pop) -> target indices
    collaterals: dict = field(default_factory=dict)  # (source pop, channel) -> dict


def _by_distance(plan, pop: str, channel: int) -> np.ndarray:
    """Members of `channel` in `pop`, nearest the channel centre first."""
    members = plan.populations[pop].channels[channel]
    pos = plan.populations[pop].positions[members]
    return members[np.argsort(np.hypot(*(pos - plan.channel_centres[channel]).T))]


def sample_connectivity(config, channels=CHANNELS, threads: int | None = None) -> ConnectivitySample:
    """Build CSN/PTN->MSN and MSN->MSN in NEST and read who connects to whom.

    Only the connections from the relays of each channel and from the chosen MSNs are
    read back (reading all of them takes minutes at the small preset's scale).

    Parameters
    ----------
    config : ResolvedConfig or dict
        A validated config; keep its scale small (the small preset or less).
    channels : tuple of int
        Channels whose afferents and collaterals are sampled.
    threads : int, optional
        NEST threads (default: the config's).
    """
    from ..simulator.network import build_network  # NEST only here
    cfg = getattr(config, "data", config)
    full = derive_network(cfg)
    plan = dataclasses.replace(full, connections=tuple(
        c for c in full.connections if c.projection in PROJECTIONS))
    net = build_network(plan, threads=threads)
    sample = ConnectivitySample(
        positions={p: plan.populations[p].positions for p in (MSN_D1, MSN_D2)},
        centres=plan.channel_centres, radius=cfg["channels"]["radius"], extent=plan.extent,
        scale=plan.scale)
    for ch in channels:
        for inp in INPUTS:
            relays = plan.populations[inp].channels[ch]
            for tgt in (MSN_D1, MSN_D2):
                t = net.connection_table(inp, tgt, sources=relays)[1] if len(relays) else []
                sample.afferents[ch, inp, tgt] = np.unique(t).astype(int)
        for src in (MSN_D1, MSN_D2):
            entry = {"source": None, MSN_D1: np.zeros(0, int), MSN_D2: np.zeros(0, int)}
            # The MSN nearest the centre whose collaterals reach at least one MSN.
            for candidate in _by_distance(plan, src, ch)[:20]:
                targets = {tgt: np.unique(net.connection_table(src, tgt, sources=[candidate])[1])
                           for tgt in (MSN_D1, MSN_D2)}
                if any(len(v) for v in targets.values()):
                    entry = {"source": int(candidate), **targets}
                    break
            sample.collaterals[src, ch] = entry
    return sample


def _channel_discs(ax, sample: ConnectivitySample) -> None:
    """Channel discs, each labelled just outside its upper-left edge."""
    offset = sample.radius * 0.72
    for k, (x, y) in enumerate(sample.centres):
        ax.add_patch(Circle((x, y), sample.radius, fill=False, color="0.35", lw=1.0, alpha=0.7))
        ax.text(x - offset, y + offset, f"ch{k}", ha="right", va="bottom", fontsize=8,
                color="0.3", clip_on=True)


def _square(ax, sample, lims=None) -> None:
    """Equal axes without ticks or spines; the whole layer framed by its edge, or the
    window `lims` ((x0, x1), (y0, y1))."""
    half = sample.extent / 2
    if lims is None:
        ax.add_patch(Rectangle((-half, -half), sample.extent, sample.extent, fill=False,
                               color="0.6", lw=0.8))
        pad = 0.01 * sample.extent
        lims = ((-half - pad, half + pad), (-half - pad, half + pad))
    ax.set_xlim(*lims[0])
    ax.set_ylim(*lims[1])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def draw_afferents(sample: ConnectivitySample) -> FigureResult:
    """Figure 1E: MSNs receiving cortical (CSN or PTN) input from channels 1 and 2."""
    data = {}
    with style.context():
        fig, ax = style.figure(figsize=(5.2, 5.6))
        for ch in sorted({k[0] for k in sample.afferents}):
            colour = style.CHANNEL_COLOURS[ch]
            for pop, marker, size in ((MSN_D1, "o", 9), (MSN_D2, "x", 9)):
                idx = np.union1d(sample.afferents[ch, "CSN", pop], sample.afferents[ch, "PTN", pop])
                pos = sample.positions[pop][idx]
                ax.scatter(pos[:, 0], pos[:, 1], s=size, marker=marker, color=colour,
                           alpha=0.35 if marker == "o" else 0.6, linewidths=0.6,
                           gid=f"ch{ch}|{pop}")
                data[f"ch{ch}|{pop}"] = idx
        _channel_discs(ax, sample)
        _square(ax, sample)
        handles = [Line2D([], [], ls="", marker="o", color=style.CHANNEL_COLOURS[1], label="ch1 cortical afferents"),
                   Line2D([], [], ls="", marker="o", color=style.CHANNEL_COLOURS[2], label="ch2 cortical afferents"),
                   Line2D([], [], ls="", marker="o", color="k", mfc="none", label="D1 MSN"),
                   Line2D([], [], ls="", marker="x", color="k", label="D2 MSN")]
        fig.legend(handles=handles, loc="outside upper center", ncol=2, frameon=False, fontsize=8)
        ax.set_title(f"MSNs with CSN/PTN input from channels 1 and 2 (scale {sample.scale:g})",
                     fontsize=9)
    return FigureResult(fig, data, [])


def draw_collaterals(sample: ConnectivitySample, source_pop: str) -> FigureResult:
    """Figures 1F (source_pop MSN_D1) and 1G (MSN_D2): one MSN of each of channels 1
    and 2 and the D1 (o) and D2 (x) MSNs its collaterals reach."""
    marker_src = "s" if source_pop == MSN_D1 else "^"
    name = "D1" if source_pop == MSN_D1 else "D2"
    data = {}
    chans = sorted({k[1] for k in sample.collaterals if k[0] == source_pop})
    with style.context():
        fig, ax = style.figure(figsize=(5.2, 5.6))
        for ch in chans:
            entry = sample.collaterals[source_pop, ch]
            colour = style.CHANNEL_COLOURS[ch]
            for pop, marker in ((MSN_D1, "o"), (MSN_D2, "x")):
                pos = sample.positions[pop][entry[pop]]
                ax.scatter(pos[:, 0], pos[:, 1], s=22, marker=marker, color=colour,
                           alpha=0.45 if marker == "o" else 0.75, linewidths=0.9,
                           gid=f"ch{ch}|{name}->{pop}")
                data[f"ch{ch}|{name}->{pop}"] = entry[pop]
            if entry["source"] is not None:
                x, y = sample.positions[source_pop][entry["source"]]
                ax.scatter([x], [y], s=90, marker=marker_src, color=colour, edgecolors="k",
                           zorder=5, gid=f"ch{ch}|source")
            data[f"ch{ch}|source"] = entry["source"]
        _channel_discs(ax, sample)
        centres = sample.centres[chans] if chans else sample.centres
        lo, hi = centres.min(axis=0) - 0.26, centres.max(axis=0) + 0.26
        side = max(hi - lo)
        mid = (lo + hi) / 2
        _square(ax, sample, ((mid[0] - side / 2, mid[0] + side / 2), (mid[1] - side / 2, mid[1] + side / 2)))
        handles = [Line2D([], [], ls="", marker=marker_src, color="w", mec="k", ms=8, label=f"presynaptic {name} MSN"),
                   Line2D([], [], ls="", marker="o", color="k", mfc="none", label="postsynaptic D1 MSNs"),
                   Line2D([], [], ls="", marker="x", color="k", label="postsynaptic D2 MSNs")]
        handles += [Line2D([], [], ls="", marker="s", color=style.CHANNEL_COLOURS[c], label=f"channel {c}")
                    for c in chans]
        fig.legend(handles=handles, loc="outside upper center", ncol=2, frameon=False, fontsize=8)
        counts = "; ".join(f"ch{c}: {len(data[f'ch{c}|{name}->{MSN_D1}'])} D1, "
                           f"{len(data[f'ch{c}|{name}->{MSN_D2}'])} D2 targets" for c in chans)
        ax.set_title(f"Collaterals of one {name} MSN per channel\n{counts}", fontsize=9)
    return FigureResult(fig, data, [])
