"""Standard views of a resting-state run (bgmodel.protocols.resting_state results).

`plot_run(run_dir)` writes to RUN/figures/ (or out_dir):
    raster          spikes of each recorded nucleus over the analysis window
                    (at most MAX_RASTER_NEURONS neurons per nucleus, evenly spaced)
    rates           mean rate of each nucleus against its target range (log scale)
    population_rate A(t) of each nucleus in the analysis window
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import yaml
from matplotlib.lines import Line2D

from ..model.derive import derive_populations
from . import style

MAX_RASTER_NEURONS = 150
# Order of the panels: striatum first, output nucleus last.
ORDER = ("MSN", "MSN_D1", "MSN_D2", "FSI", "STN", "GPe", "GPi")


def _population_sizes(run_dir: Path) -> dict:
    """Neurons per population, from the run's frozen config (no NEST)."""
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    pops = derive_populations(config, config["simulation"]["seed"])
    return {name: pop.size for name, pop in pops.items()}


def _ordered(names) -> list:
    return sorted(names, key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER))


def draw_raster(spikes: dict, sizes: dict, window_ms) -> object:
    """One raster panel per population; spikes maps name -> (senders, times)."""
    names = _ordered(spikes)
    t0, t1 = window_ms
    with style.context():
        fig, axes = style.figure(len(names), 1, figsize=(7.0, 1.15 * len(names) + 0.6),
                                 sharex=True, squeeze=False)
        for ax, name in zip(axes[:, 0], names):
            senders, times = spikes[name]
            n = sizes.get(name, int(senders.max()) + 1 if senders.size else 1)
            shown = np.unique(np.linspace(0, n - 1, min(n, MAX_RASTER_NEURONS)).astype(int))
            keep = np.isin(senders, shown) & (times >= t0) & (times < t1)
            row = np.searchsorted(shown, senders[keep])
            # Sparse populations (MSNs at < 1 Hz) get bigger ticks, so they stay visible.
            size = 6.0 if keep.sum() < 2000 else 0.8
            ax.scatter(times[keep], row, s=size, marker="|", linewidths=0.6,
                       color=style.POPULATION_COLOURS.get(name, "k"), gid=f"raster|{name}")
            ax.set_ylim(-0.5, len(shown) - 0.5)
            ax.set_yticks([])
            ax.set_ylabel(name, rotation=0, ha="right", va="center")
            ax.text(1.0, 1.0, f"{len(shown)} of {n} neurons", transform=ax.transAxes,
                    ha="right", va="bottom", fontsize=7, color="0.4")
        axes[-1, 0].set_xlim(t0, t1)
        axes[-1, 0].set_xlabel("time (ms)")
        fig.suptitle("Resting state: spikes")
    return fig


def draw_rates(summary: dict) -> object:
    """Mean rate of each population (dot) against its target range (bar)."""
    rates = summary["rates"]
    names = _ordered(rates)
    with style.context():
        fig, ax = style.figure(figsize=(6.0, 0.42 * len(names) + 1.2))
        for k, name in enumerate(names):
            r = rates[name]
            lo, hi = r["target_Hz"]
            ax.plot([lo, hi], [k, k], color="0.75", lw=7, solid_capstyle="butt",
                    label="target range" if k == 0 else None)
            colour = "#2ca02c" if r["in_range"] else "#d62728"
            ax.plot([r["rate_Hz"]], [k], "o", color=colour, ms=7, gid=f"rate|{name}")
            ax.text(r["rate_Hz"], k + 0.28, f"{r['rate_Hz']:.3g}", ha="center", fontsize=7)
        ax.set_yticks(range(len(names)), names)
        ax.set_ylim(-0.7, len(names) - 0.3)
        ax.invert_yaxis()
        ax.set_xscale("log")
        ax.set_xlabel("mean rate (Hz)")
        fig.legend(handles=[Line2D([], [], color="0.75", lw=7, label="target range"),
                           Line2D([], [], ls="", marker="o", color="#2ca02c", label="in range"),
                           Line2D([], [], ls="", marker="o", color="#d62728", label="out of range")],
                   loc="outside lower center", ncol=3, fontsize=7, frameon=False)
        t0, t1 = summary.get("analysis_window_ms", (None, None))
        fig.suptitle(f"Resting state: rates over {t0:g}-{t1:g} ms" if t0 is not None
                     else "Resting state: rates")
    return fig


def draw_population_rate(arate: dict, window_ms=None) -> object:
    """A(t) per population, each panel with its own scale and mean."""
    t = arate["t_ms"]
    names = _ordered(k for k in arate if k != "t_ms")
    with style.context():
        fig, axes = style.figure(len(names), 1, figsize=(7.0, 0.95 * len(names) + 0.6),
                                 sharex=True, squeeze=False)
        for ax, name in zip(axes[:, 0], names):
            a = arate[name]
            ax.plot(t, a, lw=0.5, color=style.POPULATION_COLOURS.get(name, "k"), gid=f"A|{name}")
            ax.axhline(a.mean(), color="k", lw=0.6, ls="--")
            ax.set_title(name, loc="left", fontsize=8, pad=2)
            ax.text(1.0, 1.0, f"mean {a.mean():.3g} Hz", transform=ax.transAxes, ha="right",
                    va="bottom", fontsize=7, color="0.4")
        bin_ms = t[1] - t[0] if len(t) > 1 else 1.0
        axes[-1, 0].set_xlabel(f"time (ms), bins of {bin_ms:g} ms")
        fig.supylabel("A(t) (Hz)")
        fig.suptitle("Resting state: population rate A(t), dashed: mean")
    return fig


def plot_run(run_dir, out_dir=None) -> list:
    """Draw the resting-state views of one run folder.

    Parameters
    ----------
    run_dir : path
        A finished resting_state run folder (results/summary.json, spikes.npz,
        population_rate.npz).
    out_dir : path, optional
        Where to write; RUN/figures/ by default.

    Returns
    -------
    list of Path
        The PNG and PDF files written.
    """
    run_dir = Path(run_dir)
    results = run_dir / "results"
    for name in ("summary.json", "spikes.npz", "population_rate.npz"):
        if not (results / name).is_file():
            raise FileNotFoundError(f"{run_dir}: results/{name} missing (is the run finished?)")
    out = Path(out_dir) if out_dir else run_dir / "figures"
    summary = json.loads((results / "summary.json").read_text())
    window = summary["analysis_window_ms"]
    with np.load(results / "spikes.npz") as z:
        names = sorted({k.rsplit("_senders", 1)[0] for k in z.files if k.endswith("_senders")})
        spikes = {n: (z[f"{n}_senders"].astype(np.int64), z[f"{n}_times_ms"]) for n in names}
    with np.load(results / "population_rate.npz") as z:
        arate = {k: z[k] for k in z.files}
    written = []
    written += style.save(draw_raster(spikes, _population_sizes(run_dir), window), out / "raster")
    written += style.save(draw_rates(summary), out / "rates")
    written += style.save(draw_population_rate(arate, window), out / "population_rate")
    return written
