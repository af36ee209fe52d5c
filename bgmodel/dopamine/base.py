"""The interface every dopamine model implements.

A model is built from its validated `dopamine:` section and a NumPy Generator seeded
from the run's seed. Per episode the protocol asks it, in this order:

1. ``cue_signal(pattern, stimulus_onset_ms)`` at the episode start, before the outcome
   is known: what SNc fires up to the decision (e.g. a CS response);
2. ``episode_signal(outcome)`` once the outcome is decided: the whole episode's SNc
   firing; its windows before the reward time are those of `cue_signal`, so the
   protocol programs the generators from the decision on;
3. ``episode_record(outcome)``: columns for episodes.csv, from the state the signal
   was computed with;
4. ``update(outcome)``: learning.

Steps 1-3 do not change the model. ``state()`` and ``load_state()`` round-trip
everything `update` changes, plus the Generator's state, through JSON bit for bit.
"""
from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from typing import Any, ClassVar, Iterable, Mapping

import numpy as np

from ..results.rng import restore_rng, rng_state
from ..model.schema import Field, Problem, Record
from .signal import EpisodeOutcome, GroupSignal, RateWindow, SncSignal, baseline_b

# Fields every spiking SNc model shares (units in the key names).
TONIC_FIELDS = {
    "tonic_Hz": Field("number", "tonic rate of every SNc unit (Hz)", minimum=0),
    "units": Field("int", "SNc units per group; all of a group's units feed its volume "
                   "transmitter", minimum=1),
    "baseline": Field("str", "how the synapses' baseline b and gains are set: neutral "
                      "(tonic firing leaves the weights unchanged on average; one b per "
                      "synapse model, bgmodel/dopamine/baseline.py) or mean_rate (b = "
                      "units * tonic_Hz / 1000 for both, as before; optional, default "
                      "neutral)", choices=("neutral", "mean_rate")),
}
# Optional keys of every signal model's section, and their defaults.
OPTIONAL_TONIC = ("baseline",)
BASELINE_DEFAULT = "neutral"


class DopamineModel(ABC):
    """Base class of dopamine models (see the module docstring for the call order).

    Parameters
    ----------
    config : Mapping
        The validated `dopamine:` section (with its `model` key). Copied, never changed.
    rng : numpy.random.Generator
        Seeded from the run's seed; every random draw of the model comes from it.

    Attributes
    ----------
    name : str
        The `model:` value that selects the class.
    schema : bgmodel.model.schema.Record
        The section's fields other than `model`.
    """

    name: ClassVar[str] = ""
    schema: ClassVar[Record] = Record({})

    def __init__(self, config: Mapping, rng: np.random.Generator):
        self.config = copy.deepcopy(dict(config))
        self.rng = rng

    # ------------------------------------------------------------------ config
    @classmethod
    def consistency(cls, section: Mapping) -> Iterable[Problem]:
        """Cross-field checks the schema cannot express: Problems with key paths
        relative to the section. None by default."""
        return ()

    # ------------------------------------------------------------------ SNc groups
    @property
    @abstractmethod
    def groups(self) -> tuple:
        """Names of the SNc groups, each with its own volume transmitter."""

    def synapse_shares(self) -> dict:
        """Group -> share of the plastic corticostriatal synapses its volume transmitter
        reaches: equal shares by default (one group: all of them)."""
        return {g: 1.0 / len(self.groups) for g in self.groups}

    def synapse_channels(self) -> dict | None:
        """Group -> the channel whose MSNs its transmitter reaches (None: the MSNs
        outside the routed channels), for a model that routes by channel; None (the
        default): each group reaches its `synapse_shares` of every MSN."""
        return None

    @property
    def tonic_Hz(self) -> float:
        """Tonic rate of every SNc unit (Hz)."""
        return float(self.config["tonic_Hz"])

    @property
    def units(self) -> int:
        """SNc units per group."""
        return int(self.config["units"])

    @property
    def baseline_mode(self) -> str:
        """`neutral` or `mean_rate` (dopamine.baseline)."""
        return str(self.config.get("baseline", BASELINE_DEFAULT))

    def baseline_b(self) -> float:
        """Dopamine synapse baseline b (spikes/ms) making this model's tonic firing
        neutral (`signal.baseline_b`)."""
        return baseline_b(self.tonic_Hz, self.units)

    # ------------------------------------------------------------------ calibration
    def reference_burst(self) -> tuple[float, float]:
        """(rate_Hz, duration_ms) of the group's burst to an unpredicted unit reward:
        what the STDP amplitudes are calibrated on (bgmodel.model.derive)."""
        raise NotImplementedError

    def reference_pause(self) -> tuple[float, float]:
        """(rate_Hz, duration_ms) of the group's pause after a fully predicted unit
        reward that does not come."""
        raise NotImplementedError

    def burst_excess_spikes(self) -> float:
        """Dopamine spikes of the reference burst beyond tonic, over the group's units:
        the expected integral of (n - b) dt over it."""
        rate, duration = self.reference_burst()
        return self.units * (rate - self.tonic_Hz) * duration / 1000.0

    def pause_deficit_spikes(self) -> float:
        """Dopamine spikes the reference pause withholds, over the group's units: minus
        the expected integral of (n - b) dt over it."""
        rate, duration = self.reference_pause()
        return self.units * (self.tonic_Hz - rate) * duration / 1000.0

    # ------------------------------------------------------------------ signals
    def cue_windows(self, pattern: str, stimulus_onset_ms: float) -> dict:
        """Group -> list of RateWindow known before the outcome. None by default."""
        return {}

    @abstractmethod
    def outcome_windows(self, outcome: EpisodeOutcome) -> dict:
        """Group -> list of RateWindow caused by the outcome."""

    def cue_signal(self, pattern: str, stimulus_onset_ms: float) -> SncSignal:
        """What SNc fires in the episode as far as it is known before the decision."""
        return self._signal(self.cue_windows(pattern, stimulus_onset_ms), {})

    def episode_signal(self, outcome: EpisodeOutcome) -> SncSignal:
        """What SNc fires in the episode with this outcome."""
        return self._signal(self.cue_windows(outcome.pattern, outcome.stimulus_onset_ms),
                            self.outcome_windows(outcome))

    def _signal(self, *parts: Mapping) -> SncSignal:
        groups = {}
        for g in self.groups:
            windows = tuple(w for part in parts for w in part.get(g, ()))
            groups[g] = GroupSignal(self.tonic_Hz, windows)
        return SncSignal(groups)

    # ------------------------------------------------------------------ learning
    def update(self, outcome: EpisodeOutcome) -> None:
        """Learn from the outcome. Nothing by default."""

    def episode_record(self, outcome: EpisodeOutcome) -> dict:
        """Columns of episodes.csv for this episode (before `update`). Nothing by
        default."""
        return {}

    # ------------------------------------------------------------------ state
    def state(self) -> dict:
        """Everything `update` changes, and the Generator's state, as JSON-ready data."""
        return {"model": self.name, "rng": rng_state(self.rng),
                "learned": self.learned_state()}

    def load_state(self, state: Mapping) -> None:
        """Put the model back into a state from `state()`."""
        if state.get("model") != self.name:
            raise ValueError(f"a {state.get('model')!r} state cannot be loaded into a "
                             f"{self.name!r} model")
        restore_rng(self.rng, copy.deepcopy(state["rng"]))
        self.load_learned_state(state["learned"])

    def learned_state(self) -> Any:
        """The model's learned state (JSON-ready). None by default."""
        return None

    def load_learned_state(self, learned: Any) -> None:
        """Inverse of `learned_state`."""


def response_window(start_ms: float, duration_ms: float, tonic_Hz: float, change_Hz: float,
                    max_Hz: float) -> list:
    """[RateWindow] at tonic + change, clipped to [0, max_Hz]; [] when that is tonic.

    A change below -tonic is a pause: the rate cannot fall below 0, which is why
    negative responses are weaker than positive ones in dopamine neurons of low tonic
    rate (Bayer & Glimcher 2005)."""
    rate = min(max(tonic_Hz + change_Hz, 0.0), max_Hz)
    if rate == tonic_Hz or duration_ms <= 0:
        return []
    return [RateWindow(float(start_ms), float(start_ms + duration_ms), float(rate))]
