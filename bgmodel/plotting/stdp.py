"""STDP windows of the plastic corticostriatal synapses (Figures 3D, 8C, 8E, 8F).

NEST's stdp_dopamine_synapse adds A_plus * exp(-dt / tau_plus) to the eligibility trace
when the postsynaptic neuron fires dt > 0 ms after a presynaptic spike, and subtracts
A_minus * exp(dt / tau_minus) when it fired -dt ms before it. The window is drawn in
units of dc from the configuration: plasticity.amplitudes_in_dc (per dopamine event and
D1/D2), plasticity.tau_plus_ms. tau_minus belongs to the postsynaptic neuron; bgmodel's
config leaves it at NEST's default, which equals tau_plus (20 ms), so tau_plus is used
for both sides unless neuron_model.tau_minus_ms is set.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np

from ..model.config import CONFIG_DIR, load_config
from . import style
from .figure_result import FigureResult

CELL_COLOURS = {"D1": style.POPULATION_COLOURS["MSN_D1"], "D2": style.POPULATION_COLOURS["MSN_D2"]}
EVENT_NAMES = {"burst": "dopamine burst", "dip": "dopamine dip"}


def stdp_window(A_plus: float, A_minus: float, tau_plus_ms: float, tau_minus_ms: float,
                max_dt_ms: float = 60.0, step_ms: float = 0.25):
    """The pair-based window: (dt >= 0, change), (dt <= 0, change).

    Parameters
    ----------
    A_plus, A_minus : float
        Amplitudes (any unit; the change has the same unit).
    tau_plus_ms, tau_minus_ms : float
        Time constants of the pre-before-post and post-before-pre sides.

    Returns
    -------
    (dt_pos, dw_pos, dt_neg, dw_neg) : arrays
        dt_pos = t_post - t_pre >= 0 with dw = A_plus exp(-dt / tau_plus);
        dt_neg <= 0 with dw = -A_minus exp(dt / tau_minus).
    """
    dt_pos = np.arange(0.0, max_dt_ms + step_ms / 2, step_ms)
    dt_neg = -dt_pos
    return dt_pos, A_plus * np.exp(-dt_pos / tau_plus_ms), dt_neg, \
        -A_minus * np.exp(dt_neg / tau_minus_ms)


def condition_config(condition: str | None, overrides: Iterable[str] = ()):
    """The network config of a condition (None or 'normal': the defaults; otherwise
    configs/conditions/<condition>.yaml overlaid), plus --set overrides."""
    overlays = [] if condition in (None, "normal") else [CONFIG_DIR / "conditions" / f"{condition}.yaml"]
    return load_config(None, overlays=overlays, overrides=list(overrides))


def draw_stdp_windows(config, title: str) -> FigureResult:
    """2 x 2 windows: rows D1 and D2 MSNs, columns dopamine burst and dip.

    Parameters
    ----------
    config : ResolvedConfig or dict
        Its plasticity section gives the amplitudes and tau_plus_ms.
    """
    cfg = getattr(config, "data", config)
    plast = cfg["plasticity"]
    tau_plus = plast["tau_plus_ms"]
    tau_minus = cfg.get("neuron_model", {}).get("tau_minus_ms", tau_plus)
    amps = plast["amplitudes_in_dc"]
    events = [e for e in ("burst", "dip") if e in amps] + [e for e in amps if e not in ("burst", "dip")]
    peak = max(max(abs(a["A_plus"]), abs(a["A_minus"])) for e in events for a in amps[e].values())
    data = {"tau_plus_ms": tau_plus, "tau_minus_ms": tau_minus, "dc": plast["dc"]}
    with style.context():
        fig, axes = style.figure(2, len(events), figsize=(2.9 * len(events) + 0.4, 5.0),
                                 sharex=True, sharey=True, squeeze=False)
        for r, cell in enumerate(("D1", "D2")):
            for c, event in enumerate(events):
                ax = axes[r][c]
                a = amps[event][cell]
                dt_pos, dw_pos, dt_neg, dw_neg = stdp_window(a["A_plus"], a["A_minus"], tau_plus, tau_minus)
                colour = CELL_COLOURS[cell]
                ax.axhline(0, color="0.6", lw=0.6, ls=":")
                ax.axvline(0, color="0.6", lw=0.6, ls=":")
                ax.plot(dt_pos, dw_pos, color=colour, lw=2, gid=f"{cell} {event}|pre-post")
                ax.plot(dt_neg, dw_neg, color=colour, lw=2, gid=f"{cell} {event}|post-pre")
                ax.text(0.97, 0.95, f"A+ = {a['A_plus']:+.4g} dc", transform=ax.transAxes,
                        ha="right", va="top", fontsize=7)
                ax.text(0.03, 0.05, f"A− = {a['A_minus']:+.4g} dc", transform=ax.transAxes,
                        ha="left", va="bottom", fontsize=7)
                ax.set_title(f"{cell} MSN, {EVENT_NAMES.get(event, event)}", fontsize=9)
                data[f"{cell} {event}"] = dict(A_plus=a["A_plus"], A_minus=a["A_minus"],
                                               dt_pos=dt_pos, dw_pos=dw_pos,
                                               dt_neg=dt_neg, dw_neg=dw_neg)
                if r == 1:
                    ax.set_xlabel("Δt = t_post − t_pre (ms)")
            axes[r][0].set_ylabel("Δ eligibility (units of dc)")
        axes[0][0].set_ylim(-1.15 * peak, 1.15 * peak)
        fig.suptitle(f"{title}\n(dc = {plast['dc']:g}, τ+ = {tau_plus:g} ms, τ− = {tau_minus:g} ms)")
    return FigureResult(fig, data, [])
