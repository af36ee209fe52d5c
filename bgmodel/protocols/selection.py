"""Action selection without NEST: the input grid, the selection rule and its metrics.

The rule: a channel is *selected* when its GPi rate during the stimulus lies below its
GPi rest rate by more than a threshold (in Hz, or as a fraction of the rest rate). With
two competing channels each grid step has one of four outcomes, the families that
Girard et al. (2021, Eur J Neurosci 53:2254) use for this class of basal ganglia
models: channel 1 selected, channel 2 selected, both selected, none selected.

The competition margin (optional, `margin_Hz`): a channel that passes the threshold is
selected only if its GPi rate also lies more than `margin_Hz` below the other channel's.
Then "both" cannot occur, and a step in which the focused MSN->GPi masks pull the
neighbouring channel down too counts as a single selection when the stimulated channel
clearly wins the competition.

Metrics over a grid:
- the fraction of steps with unequal inputs in which exactly one channel, the one with
  the stronger input, is selected (steps with equal inputs have no correct answer and
  are counted apart);
- the GPi contrast GPi(ch2) - GPi(ch1) as a function of the input difference
  rate(ch1) - rate(ch2): mean, SD and count per difference, and a least-squares line.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

CHANNEL1, CHANNEL2, BOTH, NONE = "channel1", "channel2", "both", "none"
OUTCOMES = (CHANNEL1, CHANNEL2, BOTH, NONE)


@dataclass(frozen=True)
class GridStep:
    """One point of the input grid."""

    step: int  # 0-based position in the run order
    i: int  # channel-1 level
    j: int  # channel-2 level
    rate_ch1_Hz: float
    rate_ch2_Hz: float


def grid_steps(channel1_levels: Sequence[int], channel2_levels: Sequence[int],
               rate_step_Hz: float) -> list[GridStep]:
    """The grid in run order: channel-1 level in the outer loop, channel-2 inside.

    Parameters
    ----------
    channel1_levels, channel2_levels : sequences of int
        Levels i and j; the input rate is level * rate_step_Hz.
    rate_step_Hz : float
        Rate per level (Hz).
    """
    steps = []
    for i in channel1_levels:
        for j in channel2_levels:
            steps.append(GridStep(len(steps), int(i), int(j), i * rate_step_Hz,
                                  j * rate_step_Hz))
    return steps


def is_selected(gpi_Hz, rest_Hz, threshold: float, unit: str = "Hz"):
    """Whether a channel is selected: GPi below rest by more than `threshold`.

    Parameters
    ----------
    gpi_Hz, rest_Hz : float or array
        GPi rate of the channel during the stimulus and its rest rate (Hz).
    threshold : float
        Required drop: Hz if unit is "Hz", a fraction of rest_Hz if "fraction_of_rest".
    unit : {"Hz", "fraction_of_rest"}

    Returns
    -------
    bool or array of bool
    """
    drop = np.asarray(rest_Hz, dtype=float) - np.asarray(gpi_Hz, dtype=float)
    if unit == "Hz":
        return drop > threshold
    if unit == "fraction_of_rest":
        return drop > threshold * np.asarray(rest_Hz, dtype=float)
    raise ValueError(f"threshold unit {unit!r}; expected 'Hz' or 'fraction_of_rest'")


def outcome(selected_ch1: bool, selected_ch2: bool) -> str:
    """The outcome family from the two channels' selection flags."""
    if selected_ch1 and selected_ch2:
        return BOTH
    if selected_ch1:
        return CHANNEL1
    if selected_ch2:
        return CHANNEL2
    return NONE


def classify(gpi_ch1_Hz: float, gpi_ch2_Hz: float, rest_ch1_Hz: float, rest_ch2_Hz: float,
             threshold: float, unit: str = "Hz", margin_Hz: float | None = None) -> str:
    """Outcome of one grid step from the GPi rates of the two channels and their rest.

    With `margin_Hz` (None: the threshold alone) a channel must also be more than
    margin_Hz below the other channel's GPi rate to be selected.
    """
    selected1 = bool(is_selected(gpi_ch1_Hz, rest_ch1_Hz, threshold, unit))
    selected2 = bool(is_selected(gpi_ch2_Hz, rest_ch2_Hz, threshold, unit))
    if margin_Hz is not None:
        selected1 = selected1 and gpi_ch2_Hz - gpi_ch1_Hz > margin_Hz
        selected2 = selected2 and gpi_ch1_Hz - gpi_ch2_Hz > margin_Hz
    return outcome(selected1, selected2)


def expected_outcome(rate_ch1_Hz: float, rate_ch2_Hz: float) -> str | None:
    """The correct single selection (the stronger input wins); None for equal inputs."""
    if rate_ch1_Hz > rate_ch2_Hz:
        return CHANNEL1
    if rate_ch2_Hz > rate_ch1_Hz:
        return CHANNEL2
    return None


def rest_references(rest_per_channel_Hz: Sequence[float], overall_Hz: float,
                    reference: str) -> list[float]:
    """The rest rate each competing channel is compared with.

    Parameters
    ----------
    rest_per_channel_Hz : sequence of float
        Warm-up GPi rate of each competing channel.
    overall_Hz : float
        Warm-up GPi rate of all GPi neurons.
    reference : {"per_channel", "overall"}
    """
    if reference == "per_channel":
        return [float(r) for r in rest_per_channel_Hz]
    if reference == "overall":
        return [float(overall_Hz)] * len(rest_per_channel_Hz)
    raise ValueError(f"rest reference {reference!r}; expected 'per_channel' or 'overall'")


def selection_metrics(rate_ch1_Hz, rate_ch2_Hz, gpi_ch1_Hz, gpi_ch2_Hz,
                      outcomes: Sequence[str]) -> dict:
    """Summary numbers of a grid (or of the steps done so far).

    Parameters
    ----------
    rate_ch1_Hz, rate_ch2_Hz : arrays
        Input rates per step.
    gpi_ch1_Hz, gpi_ch2_Hz : arrays
        GPi rates of the two channels per step.
    outcomes : sequence of str
        Outcome per step (see OUTCOMES).

    Returns
    -------
    dict with
        steps, unequal_steps, equal_steps,
        correct_single_selections, selection_fraction (correct / unequal steps; NaN
            when there is no unequal step),
        outcome_counts {all, unequal, equal} -> {outcome: count},
        contrast_by_input_difference: list of {input_difference_Hz, mean_contrast_Hz,
            sd_contrast_Hz, steps}, contrast = GPi(ch2) - GPi(ch1) and input difference =
            rate(ch1) - rate(ch2),
        contrast_fit: {slope (Hz of contrast per Hz of input difference), intercept_Hz}
            (NaN with fewer than two distinct differences).
    """
    r1, r2 = np.asarray(rate_ch1_Hz, float), np.asarray(rate_ch2_Hz, float)
    g1, g2 = np.asarray(gpi_ch1_Hz, float), np.asarray(gpi_ch2_Hz, float)
    outcomes = list(outcomes)
    if not (len(r1) == len(r2) == len(g1) == len(g2) == len(outcomes)):
        raise ValueError("selection_metrics: every argument needs one value per step")
    expected = [expected_outcome(a, b) for a, b in zip(r1, r2)]
    unequal = [e is not None for e in expected]
    correct = sum(1 for e, o in zip(expected, outcomes) if e is not None and o == e)
    n_unequal = sum(unequal)

    def counts(mask):
        return {name: sum(1 for o, m in zip(outcomes, mask) if m and o == name)
                for name in OUTCOMES}

    # Differences rounded so that float products of the same levels group together.
    diff = np.round(r1 - r2, 9)
    contrast = g2 - g1
    by_diff = []
    for d in np.unique(diff):
        c = contrast[diff == d]
        by_diff.append({"input_difference_Hz": float(d), "mean_contrast_Hz": float(c.mean()),
                        "sd_contrast_Hz": float(c.std(ddof=1)) if len(c) > 1 else float("nan"),
                        "steps": int(len(c))})
    if len(np.unique(diff)) >= 2:
        slope, intercept = np.polyfit(diff, contrast, 1)
    else:
        slope = intercept = float("nan")
    return {
        "steps": len(outcomes),
        "unequal_steps": n_unequal,
        "equal_steps": len(outcomes) - n_unequal,
        "correct_single_selections": correct,
        "selection_fraction": correct / n_unequal if n_unequal else float("nan"),
        "outcome_counts": {"all": counts([True] * len(outcomes)), "unequal": counts(unequal),
                           "equal": counts([not u for u in unequal])},
        "contrast_by_input_difference": by_diff,
        "contrast_fit": {"slope": float(slope), "intercept_Hz": float(intercept)},
    }
