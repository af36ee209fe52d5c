"""Figures of an action-selection run folder (reads results/, never NEST).

`plot_run(run_dir)` draws, into RUN/figures/ unless told otherwise:
    action_selection_gpi        GPi rate of channel 1 and channel 2 over the input grid,
                                and their contrast GPi(ch2) - GPi(ch1)
    action_selection_outcome    selection outcome per grid step, and the GPi contrast
                                against the input difference
    action_selection_striatum   D1 and D2 MSN rates of the two channels over the grid
each as PNG and PDF. Partial runs plot the steps done so far (missing steps blank).
"""
from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.patches import Patch

from ..protocols.selection import OUTCOMES
from .style import CHANNEL_COLOURS, figure, save

OUTCOME_COLOURS = {"none": "#d9d9d9", "channel1": CHANNEL_COLOURS[1],
                   "channel2": CHANNEL_COLOURS[2], "both": "#9467bd"}
OUTCOME_LABELS = {"none": "none selected", "channel1": "channel 1 selected",
                  "channel2": "channel 2 selected", "both": "both selected"}


@dataclass
class GridResults:
    """An action-selection run's results arranged on its input grid.

    `maps[(population, channel)]` and `outcome` are arrays of shape
    (len(rates_ch1), len(rates_ch2)), NaN (or "") where a step is missing."""

    rates_ch1: np.ndarray
    rates_ch2: np.ndarray
    channels: tuple
    maps: dict
    outcome: np.ndarray
    selection: list
    summary: dict
    label: str


def _read_csv(path: Path) -> list[dict]:
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing; is this an action_selection run that "
                                "has finished at least one grid step?")
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def read_grid_results(run_dir: str | Path) -> GridResults:
    """Read results/selection.csv, rates.csv and summary.json of a run folder."""
    run_dir = Path(run_dir)
    results = run_dir / "results"
    selection = _read_csv(results / "selection.csv")
    rates = _read_csv(results / "rates.csv")
    summary = json.loads((results / "summary.json").read_text())
    config = yaml.safe_load((run_dir / "config.yaml").read_text())
    proto = config["protocol"]
    step = proto["grid"]["rate_step_Hz"]
    r1 = np.array(sorted({lv * step for lv in proto["grid"]["channel1_levels"]}))
    r2 = np.array(sorted({lv * step for lv in proto["grid"]["channel2_levels"]}))

    def index(rate1, rate2):
        return int(np.argmin(abs(r1 - rate1))), int(np.argmin(abs(r2 - rate2)))

    maps: dict = {}
    for row in rates:
        key = (row["population"], int(row["channel"]))
        grid = maps.setdefault(key, np.full((len(r1), len(r2)), np.nan))
        grid[index(float(row["rate_ch1_Hz"]), float(row["rate_ch2_Hz"]))] = float(row["rate_Hz"])
    outcome = np.full((len(r1), len(r2)), "", dtype=object)
    for row in selection:
        outcome[index(float(row["rate_ch1_Hz"]), float(row["rate_ch2_Hz"]))] = row["outcome"]
    label = (f"{run_dir.name}: lambda {config['striatum']['lambda']:g}, "
             f"scale {config['simulation']['scale']:g}, seed {config['simulation']['seed']}")
    return GridResults(r1, r2, tuple(proto["competing_channels"]), maps, outcome, selection,
                       summary, label)


def _edges(values: np.ndarray, fallback: float) -> np.ndarray:
    """Cell edges around sorted cell centres (a single cell gets width `fallback`)."""
    if len(values) == 1:
        return np.array([values[0] - fallback / 2, values[0] + fallback / 2])
    mid = (values[1:] + values[:-1]) / 2
    return np.concatenate([[2 * values[0] - mid[0]], mid, [2 * values[-1] - mid[-1]]])


def _grid_axes(ax, res: GridResults, title: str):
    step = float(np.min(np.diff(res.rates_ch1))) if len(res.rates_ch1) > 1 else 1.0
    ax.set_xlabel(f"channel {res.channels[0]} input rate (Hz)")
    ax.set_ylabel(f"channel {res.channels[1]} input rate (Hz)")
    ax.set_title(title)
    ax.set_aspect("equal")
    # Ticks on the grid's rates (every other one on a fine grid), never between cells.
    for rates, set_ticks in ((res.rates_ch1, ax.set_xticks), (res.rates_ch2, ax.set_yticks)):
        shown = rates if len(rates) <= 6 else rates[::2]
        set_ticks(shown, [f"{r:g}" for r in shown])
    return _edges(res.rates_ch1, step), _edges(res.rates_ch2, step)


def _heat(fig, ax, res: GridResults, values: np.ndarray, title: str, label: str, **kw):
    """One grid map: x = channel-1 rate, y = channel-2 rate, colour bar with units."""
    x, y = _grid_axes(ax, res, title)
    mesh = ax.pcolormesh(x, y, values.T, shading="flat", **kw)
    fig.colorbar(mesh, ax=ax, label=label, shrink=0.85)
    return mesh


def _map(res: GridResults, population: str, channel: int) -> np.ndarray:
    key = (population, channel)
    if key not in res.maps:
        raise KeyError(f"results/rates.csv has no rows for {population} channel {channel}; "
                       "add it to protocol.read_populations")
    return res.maps[key]


def plot_gpi(res: GridResults, out_dir: Path) -> list[Path]:
    """GPi rate of each competing channel over the grid and their contrast."""
    c1, c2 = res.channels
    g1, g2 = _map(res, "GPi", c1), _map(res, "GPi", c2)
    rest = res.summary["rest"]["reference_Hz"]
    lo, hi = np.nanmin([g1, g2]), np.nanmax([g1, g2])
    fig, axes = figure(1, 3, figsize=(12, 3.8))
    for ax, g, c, r in ((axes[0], g1, c1, rest[0]), (axes[1], g2, c2, rest[1])):
        _heat(fig, ax, res, g, f"GPi, channel {c} (rest {r:.1f} Hz)", "GPi rate (Hz)",
              cmap="viridis", vmin=lo, vmax=hi)
    contrast = g2 - g1
    span = np.nanmax(np.abs(contrast)) or 1.0
    _heat(fig, axes[2], res, contrast, f"GPi contrast: ch{c2} - ch{c1}",
          f"GPi(ch{c2}) - GPi(ch{c1}) (Hz)", cmap="RdBu_r", vmin=-span, vmax=span)
    fig.suptitle(f"Action selection: GPi output over the input grid\n{res.label}", fontsize=9)
    return save(fig, out_dir / "action_selection_gpi")


def plot_outcome(res: GridResults, out_dir: Path) -> list[Path]:
    """Selection outcome per step, and GPi contrast against the input difference."""
    fig, (ax, bx) = figure(1, 2, figsize=(10, 4.2))
    codes = np.full(res.outcome.shape, np.nan)
    for k, name in enumerate(OUTCOMES):
        codes[res.outcome == name] = k
    cmap = ListedColormap([OUTCOME_COLOURS[o] for o in OUTCOMES])
    norm = BoundaryNorm(np.arange(len(OUTCOMES) + 1) - 0.5, len(OUTCOMES))
    x, y = _grid_axes(ax, res, "selection outcome (x: wrong for unequal input)")
    ax.pcolormesh(x, y, codes.T, cmap=cmap, norm=norm, shading="flat", edgecolors="white",
                  linewidth=0.5)
    wrong = [(float(r["rate_ch1_Hz"]), float(r["rate_ch2_Hz"])) for r in res.selection
             if r["expected"] != "tie" and r["correct"] != "True"]
    if wrong:
        ax.plot(*zip(*wrong), "x", color="black", ms=5, mew=1)
    ax.legend(handles=[Patch(color=OUTCOME_COLOURS[o], label=OUTCOME_LABELS[o])
                       for o in OUTCOMES], loc="upper left", bbox_to_anchor=(1.02, 1),
              frameon=False)
    m = res.summary["metrics"]
    frac = m["selection_fraction"]
    rule = res.summary["selection_rule"]
    unit = "Hz" if rule["threshold_unit"] == "Hz" else "x rest"
    ax.text(1.02, 0.0, f"rule: GPi below rest\n({rule['rest_reference'].replace('_', ' ')}) "
            f"by > {rule['threshold']:g} {unit}\n\nsingle correct selection:\n"
            f"{m['correct_single_selections']} of {m['unequal_steps']} unequal steps\n"
            f"({'n/a' if frac is None else f'{frac:.2f}'})",
            transform=ax.transAxes, fontsize=8, va="bottom")

    diff = np.array([float(r["rate_ch1_Hz"]) - float(r["rate_ch2_Hz"]) for r in res.selection])
    contrast = np.array([float(r["gpi_ch2_Hz"]) - float(r["gpi_ch1_Hz"]) for r in res.selection])
    bx.axhline(0, color="0.6", lw=0.8)
    bx.axvline(0, color="0.6", lw=0.8)
    bx.plot(diff, contrast, "o", ms=3, alpha=0.5, color="0.3", label="grid steps")
    groups = m["contrast_by_input_difference"]
    bx.plot([g["input_difference_Hz"] for g in groups], [g["mean_contrast_Hz"] for g in groups],
            "-", color=CHANNEL_COLOURS[1], lw=1.5, label="mean per difference")
    fit = m["contrast_fit"]
    if fit["slope"] is not None and len(diff):
        xs = np.array([diff.min(), diff.max()])
        bx.plot(xs, fit["slope"] * xs + fit["intercept_Hz"], "--", color=CHANNEL_COLOURS[2],
                lw=1, label=f"fit: slope {fit['slope']:.2f}")
    c1, c2 = res.channels
    bx.set_xlabel(f"input difference, channel {c1} - channel {c2} (Hz)")
    bx.set_ylabel(f"GPi contrast, ch{c2} - ch{c1} (Hz)")
    bx.set_title("GPi contrast against input difference")
    bx.legend(frameon=False)
    fig.suptitle(f"Action selection: outcomes\n{res.label}", fontsize=9)
    return save(fig, out_dir / "action_selection_outcome")


def plot_striatum(res: GridResults, out_dir: Path) -> list[Path]:
    """D1 and D2 MSN rates of the two competing channels over the grid."""
    fig, axes = figure(2, 2, figsize=(9, 7.5))
    for row, pop in enumerate(("MSN_D1", "MSN_D2")):
        maps = [_map(res, pop, c) for c in res.channels]
        lo, hi = np.nanmin(maps), np.nanmax(maps)
        for col, (c, values) in enumerate(zip(res.channels, maps)):
            _heat(fig, axes[row, col], res, values, f"{pop.replace('MSN_', '')} MSN, channel {c}",
                  f"{pop} rate (Hz)", cmap="magma", vmin=lo, vmax=hi)
    fig.suptitle(f"Action selection: striatal D1 / D2 rates over the input grid\n{res.label}",
                 fontsize=9)
    return save(fig, out_dir / "action_selection_striatum")


def plot_run(run_dir: str | Path, out_dir: str | Path | None = None) -> list[Path]:
    """All action-selection figures of a run folder; returns the files written.

    Parameters
    ----------
    run_dir : path
        An action_selection run folder.
    out_dir : path, optional
        Output folder (default RUN/figures/).
    """
    res = read_grid_results(run_dir)
    out = Path(out_dir) if out_dir is not None else Path(run_dir) / "figures"
    return plot_gpi(res, out) + plot_outcome(res, out) + plot_striatum(res, out)
