"""Learning trajectories of plasticity runs: the paper's Figures 3C, 4A, 4D, 5A, 6A-C,
7D and 8A/8B/8D, drawn from runs in the authors' per-episode format.

Every function takes runs (bgmodel.results.runsets.Run) and returns a FigureResult whose `data`
holds the arrays drawn; each data line of the figure carries a gid ("<series>|<curve>")
so that it can be found again. Channel 1 is the channel stimulated strongly in CS+,
channel 2 the one stimulated strongly in CS-. Means and sds are over runs, per episode
(sd with ddof 0, as the paper's figure script).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from matplotlib.lines import Line2D

from ..model.config import CONFIG_DIR, read_yaml
from . import style
from .figure_result import FigureResult, add_footnote

CH1, CH2 = 1, 2
D1_COLOUR = style.POPULATION_COLOURS["MSN_D1"]
D2_COLOUR = style.POPULATION_COLOURS["MSN_D2"]
# One (dark, light) pair per compared value for D1-like and D2-like curves.
D1_SHADES = ("#1f3b73", "#5fa2dd")
D2_SHADES = ("#7b1010", "#e8625c")


@dataclass(frozen=True)
class Phases:
    """Episodes of the plasticity protocol, 0-based and inclusive: CS+ conditioning,
    generalization (with probes), CS- discrimination."""

    cs_plus: tuple
    generalization: tuple
    cs_minus: tuple
    probes_a: tuple  # channel 1 strong, channel 2 weak
    probes_b: tuple  # the reverse

    @property
    def boundaries(self) -> tuple:
        """x positions of the lines between phases (between two episodes)."""
        return (self.cs_plus[1] + 0.5, self.generalization[1] + 0.5)

    @classmethod
    def from_protocol(cls, protocol: dict) -> "Phases":
        """From a plasticity `protocol:` section (configs/protocols/plasticity.yaml)."""
        ph = protocol["phases"]

        def span(name):
            return (int(ph[name]["first_episode"]), int(ph[name]["last_episode"]))

        def probes(pattern):
            return tuple(int(p["episode"]) for p in protocol.get("probes", ())
                         if p["pattern"] == pattern)
        return cls(span("CS+"), span("generalization"), span("CS-"),
                   probes("channel1_strong"), probes("channel2_strong"))


def phases_of(run=None) -> Phases:
    """The phases a run was made with: its frozen config for a bgmodel run, the
    protocol's defaults (configs/protocols/plasticity.yaml) otherwise (the authors'
    runs follow the same schedule)."""
    if run is not None and run.source == "bgmodel":
        config = read_yaml(run.path / "config.yaml")
        if config.get("protocol", {}).get("phases"):
            return Phases.from_protocol(config["protocol"])
    return Phases.from_protocol(read_yaml(CONFIG_DIR / "protocols" / "plasticity.yaml")["protocol"])


# ----------------------------------------------------------------------------- data
def covering(runs, stop: int):
    """Runs with at least `stop` episodes, and those with fewer."""
    kept = [r for r in runs if r.episodes >= stop]
    return kept, [r for r in runs if r.episodes < stop]


def stack(runs, population: str, channel: int, start: int, stop: int) -> np.ndarray:
    """(episodes, runs) rates of one population and channel over [start, stop)."""
    return np.column_stack([r.data.rates[population][start:stop, channel] for r in runs])


def mean_sd(matrix: np.ndarray):
    """Mean and sd (ddof 0) over runs (columns)."""
    return matrix.mean(axis=1), matrix.std(axis=1)


def _band(ax, x, mean, sd, colour, style_, gid, alpha=0.18, **kw):
    line, = ax.plot(x, mean, style_, color=colour, gid=gid, **kw)
    ax.fill_between(x, mean - sd, mean + sd, color=colour, alpha=alpha, linewidth=0)
    return line


def _phase_lines(ax, phases: Phases, stop: int) -> None:
    for x in phases.boundaries:
        if x < stop:
            ax.axvline(x, color="0.4", linestyle=(0, (4, 2, 1, 2)), linewidth=0.8)


def _phase_names(ax, phases: Phases, start: int, stop: int) -> None:
    """CS+ / generalization / CS- written above the axes."""
    spans = (("CS+", phases.cs_plus), ("gen.", phases.generalization),
             ("CS-", phases.cs_minus))
    for name, (a, b) in spans:
        a, b = max(a, start), min(b, stop - 1)
        if a < b:
            ax.text((a + b) / 2, 1.01, name, transform=ax.get_xaxis_transform(),
                    ha="center", va="bottom", fontsize=8, color="0.3")


def _labels_text(run) -> str:
    lab = run.label
    return f"λ={lab.lam:g}, κ={lab.kappa:g}, η={lab.eta:g}"


# ----------------------------------------------------------------------------- 3C, 8A/B/D
def draw_single_trajectory(run, title: str, stop: int = 228,
                           phases: Phases | None = None) -> FigureResult:
    """One run across the three phases (Figures 3C, 8A, 8B, 8D).

    Top: D1 and D2 MSN rates of channels 1 (o) and 2 (+); bottom: GPi rates of channels
    1 and 2; stars and squares mark the generalization probes (A: channel 1 strong,
    B: channel 2 strong).

    Parameters
    ----------
    run : Run
    title : str
    stop : int
        Episodes drawn: 0 .. stop-1 (fewer if the run ended early).
    """
    phases = phases or phases_of(run)
    stop = min(stop, run.episodes)
    x = np.arange(stop)
    rates = run.data.rates
    curves = {
        "D1 ch1": rates["MSN_D1"][:stop, CH1], "D2 ch1": rates["MSN_D2"][:stop, CH1],
        "D1 ch2": rates["MSN_D1"][:stop, CH2], "D2 ch2": rates["MSN_D2"][:stop, CH2],
        "GPi ch1": rates["GPi"][:stop, CH1], "GPi ch2": rates["GPi"][:stop, CH2],
    }
    with style.context():
        fig, (top, bottom) = style.figure(2, 1, figsize=(7.0, 6.0), sharex=True)
        kw = dict(markersize=3.5, markerfacecolor="none", markeredgewidth=0.8, alpha=0.8,
                  linestyle="none")
        top.plot(x, curves["D1 ch1"], "o", color=D1_COLOUR, label="D1 (ch1)", gid="run|D1 ch1", **kw)
        top.plot(x, curves["D2 ch1"], "o", color=D2_COLOUR, label="D2 (ch1)", gid="run|D2 ch1", **kw)
        top.plot(x, curves["D1 ch2"], "+", color=D1_COLOUR, label="D1 (ch2)", gid="run|D1 ch2", **kw)
        top.plot(x, curves["D2 ch2"], "+", color=D2_COLOUR, label="D2 (ch2)", gid="run|D2 ch2", **kw)
        bottom.plot(x, curves["GPi ch1"], "o", color=D1_COLOUR, label="GPi (ch1)", gid="run|GPi ch1", **kw)
        bottom.plot(x, curves["GPi ch2"], "+", color=D2_COLOUR, label="GPi (ch2)", gid="run|GPi ch2", **kw)
        probe_kw = dict(color="k", alpha=0.6, markersize=6, linestyle="none")
        for ax, names in ((top, ("D1 ch1", "D2 ch2")), (bottom, ("GPi ch1", "GPi ch2"))):
            for marker, probes, text in (("*", phases.probes_a, "probe A (ch1 strong)"),
                                         ("s", phases.probes_b, "probe B (ch2 strong)")):
                eps = [e for e in probes if e < stop]
                for k, name in enumerate(names):
                    ax.plot(eps, curves[name][eps], marker, label=text if k == 0 else None,
                            **probe_kw)
            _phase_lines(ax, phases, stop)
            ax.set_ylabel("rate (Hz)")
        _phase_names(top, phases, 0, stop)
        top.set_title("MSN", loc="left")
        bottom.set_title("GPi", loc="left")
        bottom.set_xlabel("episode")
        top.legend(loc="upper left", ncol=3, frameon=False, fontsize=7)
        bottom.legend(loc="lower left", ncol=2, frameon=False, fontsize=7)
        fig.suptitle(f"{title}\n{_labels_text(run)}, run {run.name}")
    notes = [f"run: {run.path} ({run.episodes} episodes)"]
    if run.episodes < 228:
        notes.append(f"the run ended after {run.episodes} episodes")
    add_footnote(fig, notes[1:])
    return FigureResult(fig, dict(episodes=x, **curves), notes)


# ----------------------------------------------------------------------------- 4A
def draw_runs_with_mean(runs, title: str, start: int = 0, stop: int = 100) -> FigureResult:
    """CS+ learning of several runs: each run's channel-1 rates as dots, the mean over
    runs of channels 1 (solid) and 2 (dash-dot) with +- sd bands (Figure 4A).

    Parameters
    ----------
    runs : list of Run
        Runs that cover episodes start .. stop-1.
    """
    x = np.arange(start, stop)
    data = {"episodes": x}
    with style.context():
        fig, (top, bottom) = style.figure(2, 1, figsize=(6.5, 6.0), sharex=True)
        for ax, pop, name in ((top, "MSN_D1", "D1"), (bottom, "GPi", "GPi")):
            ch1 = stack(runs, pop, CH1, start, stop)
            ch2 = stack(runs, pop, CH2, start, stop)
            for k, r in enumerate(runs):
                ax.plot(x, ch1[:, k], "o", markersize=2.5, alpha=0.45,
                        color=style.SERIES_COLOURS[k % len(style.SERIES_COLOURS)],
                        label=f"ch1, {r.path.name}", gid=f"{r.name}|{name} ch1")
            for ch, matrix, ls in ((1, ch1, "-"), (2, ch2, "-.")):
                mean, sd = mean_sd(matrix)
                _band(ax, x, mean, sd, "k", ls, gid=f"mean|{name} ch{ch}",
                      label=f"ch{ch} mean ± sd", linewidth=1.4)
                data[f"{name} ch{ch} runs"] = matrix
                data[f"{name} ch{ch} mean"], data[f"{name} ch{ch} sd"] = mean, sd
            ax.set_ylabel("rate (Hz)")
        top.set_title("D1 MSN", loc="left")
        bottom.set_title("GPi", loc="left")
        bottom.set_xlabel("episode (CS+)")
        top.legend(loc="upper left", fontsize=6.5, frameon=False, ncol=2)
        fig.suptitle(f"{title}\n{_labels_text(runs[0])}, {len(runs)} runs")
    return FigureResult(fig, data, [f"runs: {', '.join(r.name for r in runs)}"])


# ----------------------------------------------------------------------------- 4D, 5A, 6AB
def draw_value_comparison(columns, start: int, stop: int, title: str, value_name: str,
                          gpi: bool = True, msn_ylim=None, missing=(),
                          values=None) -> FigureResult:
    """Mean +- sd of D1 and D2 rates (and GPi) of channels 1 and 2 for two or more
    values of one parameter, one column per value of another (Figures 4D, 5A, 6A-B).

    Parameters
    ----------
    columns : list of (str, list of (value, list of Run))
        Column title and its series: the compared value (e.g. kappa) and its runs.
    start, stop : int
        Episodes drawn: start .. stop-1.
    value_name : str
        Name of the compared parameter in the legend (e.g. "κ").
    gpi : bool
        Draw the GPi row (False: the MSN row only, Figure 6A-B).
    missing : list of str
        Lines for the footnote (series without runs).
    values : list, optional
        Every value the figure compares, in order, so that a value keeps its shade
        when others have no runs (default: the values present, in order).
    """
    x = np.arange(start, stop)
    data = {"episodes": x}
    rows = 2 if gpi else 1
    all_values = list(values) if values else []
    with style.context():
        fig, axes = style.figure(rows, len(columns), figsize=(3.1 * len(columns) + 2.2, 2.9 * rows + 0.7),
                                 sharex=True, sharey="row", squeeze=False)
        present = []
        for c, (col_title, series) in enumerate(columns):
            msn_ax = axes[0][c]
            for value, runs in series:
                if value not in all_values:
                    all_values.append(value)
                if value not in present:
                    present.append(value)
                shade = all_values.index(value) % len(D1_SHADES)
                key = f"{col_title}|{value_name}={value:g}"
                for pop, name, shades in (("MSN_D1", "D1", D1_SHADES), ("MSN_D2", "D2", D2_SHADES)):
                    for ch, ls in ((CH1, "-"), (CH2, "-.")):
                        mean, sd = mean_sd(stack(runs, pop, ch, start, stop))
                        _band(msn_ax, x, mean, sd, shades[shade], ls, gid=f"{key}|{name} ch{ch}",
                              linewidth=1.1)
                        data[f"{key}|{name} ch{ch} mean"] = mean
                        data[f"{key}|{name} ch{ch} sd"] = sd
                if gpi:
                    for ch, ls, shades in ((CH1, "-", D1_SHADES), (CH2, "-.", D2_SHADES)):
                        mean, sd = mean_sd(stack(runs, "GPi", ch, start, stop))
                        _band(axes[1][c], x, mean, sd, shades[shade], ls,
                              gid=f"{key}|GPi ch{ch}", linewidth=1.1)
                        data[f"{key}|GPi ch{ch} mean"] = mean
                        data[f"{key}|GPi ch{ch} sd"] = sd
                data[f"{key}|runs"] = [r.name for r in runs]
            counts = ", ".join(f"{value_name}={v:g}: {len(r)} runs" for v, r in series)
            msn_ax.set_title(f"{col_title}\n{counts}", fontsize=8)
            if msn_ylim:
                msn_ax.set_ylim(*msn_ylim)
            for r in range(rows):
                axes[r][c].set_xlim(start, stop - 1)
            axes[-1][c].set_xlabel("episode")
        axes[0][0].set_ylabel("MSN rate (Hz)")
        if gpi:
            axes[1][0].set_ylabel("GPi rate (Hz)")
        handles = [Line2D([], [], color="k", ls="-", label="ch1 (mean ± sd)"),
                   Line2D([], [], color="k", ls="-.", label="ch2 (mean ± sd)")]
        for v in present:
            shade = all_values.index(v) % len(D1_SHADES)
            handles.append(Line2D([], [], color=D1_SHADES[shade], lw=4,
                                  label=f"{value_name}={v:g}, D1 (GPi ch1)" if gpi else f"{value_name}={v:g}, D1"))
            handles.append(Line2D([], [], color=D2_SHADES[shade], lw=4,
                                  label=f"{value_name}={v:g}, D2 (GPi ch2)" if gpi else f"{value_name}={v:g}, D2"))
        # On the right: constrained layout keeps a top legend and the suptitle apart badly.
        fig.legend(handles=handles, loc="outside right upper", frameon=False, fontsize=7)
        fig.suptitle(title)
    add_footnote(fig, list(missing))
    return FigureResult(fig, data, list(missing))


# ----------------------------------------------------------------------------- 6C, 7D
def draw_series_trajectories(series, title: str, value_name: str, start: int = 0,
                             stop: int = 225, phases: Phases | None = None, zoom=(153, 220),
                             missing=()) -> FigureResult:
    """Mean +- sd trajectories across the three phases, one colour per parameter value
    (Figures 6C, 7D): D1 channel 1 (o) and D2 channel 2 (+) on top, GPi channels 1 (o)
    and 2 (+) below, with an inset on GPi late in CS-.

    Parameters
    ----------
    series : list of (value, list of Run)
    value_name : str
        Name of the parameter the colours stand for (e.g. "λ").
    zoom : (int, int)
        Episodes of the GPi zoom row.
    phases : Phases, optional
        Default: those of the first run (phases_of).
    """
    phases = phases or phases_of(series[0][1][0])
    x = np.arange(start, stop)
    data = {"episodes": x}
    with style.context():
        # The GPi zoom gets its own row: an inset would hide the CS- data it magnifies.
        fig, (top, bottom, inset) = style.figure(3, 1, figsize=(7.5, 7.6),
                                                 gridspec_kw={"height_ratios": [1, 1, 0.75]})
        bottom.sharex(top)
        lo_hi = []
        for k, (value, runs) in enumerate(series):
            colour = style.SERIES_COLOURS[k % len(style.SERIES_COLOURS)]
            key = f"{value_name}={value:g}"
            panels = ((top, "MSN_D1", CH1, "o", f"D1 (ch1), {key}", "D1 ch1"),
                      (top, "MSN_D2", CH2, "+", f"D2 (ch2), {key}", "D2 ch2"),
                      (bottom, "GPi", CH1, "o", f"GPi (ch1), {key}", "GPi ch1"),
                      (bottom, "GPi", CH2, "+", f"GPi (ch2), {key}", "GPi ch2"))
            for ax, pop, ch, marker, label, name in panels:
                mean, sd = mean_sd(stack(runs, pop, ch, start, stop))
                ax.plot(x, mean, marker, color=colour, markersize=3.2, alpha=0.75,
                        markerfacecolor="none" if marker == "o" else colour,
                        markeredgewidth=0.8, label=label, gid=f"{key}|{name}")
                ax.fill_between(x, mean - sd, mean + sd, color=colour, alpha=0.1, linewidth=0)
                data[f"{key}|{name} mean"], data[f"{key}|{name} sd"] = mean, sd
                if pop == "GPi":
                    inset.plot(x, mean, marker, color=colour, markersize=3.2, alpha=0.75,
                               markerfacecolor="none" if marker == "o" else colour,
                               markeredgewidth=0.8)
                    inset.fill_between(x, mean - sd, mean + sd, color=colour, alpha=0.1,
                                       linewidth=0)
                    window = mean[(x >= zoom[0]) & (x <= zoom[1])]
                    if window.size:
                        lo_hi += [window.min(), window.max()]
            data[f"{key}|runs"] = [r.name for r in runs]
        for ax in (top, bottom):
            _phase_lines(ax, phases, stop)
            ax.set_ylabel("rate (Hz)")
        _phase_names(top, phases, start, stop)
        if lo_hi:
            pad = 0.05 * (max(lo_hi) - min(lo_hi) + 1e-9)
            inset.set_xlim(*zoom)
            inset.set_ylim(min(lo_hi) - pad, max(lo_hi) + pad)
            inset.set_ylabel("rate (Hz)")
            inset.set_xlabel("episode")
            inset.set_title(f"GPi, episodes {zoom[0]}-{zoom[1]} (CS-, zoom)", loc="left")
            bottom.axvspan(*zoom, color="0.85", alpha=0.35, linewidth=0)
        top.set_title("MSN", loc="left")
        bottom.set_title("GPi", loc="left")
        top.tick_params(labelbottom=False)
        bottom.set_xlim(start - 2, stop + 1)
        top.legend(loc="upper left", fontsize=7, frameon=False, ncol=2)
        bottom.legend(loc="lower left", fontsize=7, frameon=False, ncol=2)
        counts = ", ".join(f"{value_name}={v:g}: {len(r)} runs" for v, r in series)
        fig.suptitle(f"{title}\n{counts}")
    add_footnote(fig, list(missing))
    return FigureResult(fig, data, list(missing))
