"""`physiological`: a tonically firing SNc that bursts after a reward and pauses after
none.

One group of `units` SNc units fires tonically at `tonic_Hz`. At the reward time of an
episode with an outcome, the group bursts (`burst.rate_Hz` for `burst.duration_ms`) if
the task paid a reward, and pauses (`pause.rate_Hz`, normally 0) otherwise. There is no
learning: the response ignores what was predicted (that is the `rpe` model).

Literature behind the defaults (configs/dopamine/physiological.yaml):
- tonic firing of a few Hz: about 4 Hz in single-spike mode in anaesthetised rats
  (Grace & Bunney 1984, J Neurosci 4:2866) and about 4-5 Hz in freely moving rats
  (Hyland et al. 2002, Neuroscience 114:475);
- phasic bursts after unpredicted rewards with latencies under about 100 ms and
  durations of about 100-300 ms, peak population rates of roughly 15-30 Hz (Schultz
  1998, J Neurophysiol 80:1; intra-burst rates in Grace & Bunney 1984b, J Neurosci
  4:2877);
- pauses of about 200-500 ms after omitted or worse-than-predicted rewards (Schultz
  1998; Bayer, Lau & Glimcher 2007, J Neurophysiol 98:1428).

Calibration. With the synapse baseline b = units * tonic_Hz / 1000 (`baseline_b`), what
an event does to the weights is set by its excess of dopamine spikes over tonic,
integral (n - b) dt = units * (rate - tonic) * duration (`burst_excess_spikes` and
`pause_deficit_spikes` of base.py; each spike adds 1 to that integral). The derivation
(model/derive.py, `derive_signal`) scales the STDP amplitudes so that a burst and a full
pause move the weights as much as the rule's burst and dip of snc.events do.
"""
from __future__ import annotations

from typing import Mapping

from ..model.schema import Field, Problem, Record
from .base import OPTIONAL_TONIC, TONIC_FIELDS, DopamineModel, response_window
from .signal import EpisodeOutcome, baseline_b  # noqa: F401  (documented entry point)

GROUP = "snc"

EVENT_FIELDS = {
    "rate_Hz": Field("number", "rate of every SNc unit during the event (Hz)", minimum=0),
    "latency_ms": Field("number", "delay of the event after the reward time (ms)",
                        minimum=0),
    "duration_ms": Field("number", "duration of the event (ms)", minimum=0,
                         exclusive_minimum=True),
}


class PhysiologicalModel(DopamineModel):
    """Tonic SNc firing, a burst after reward, a pause after no reward (no learning)."""

    name = "physiological"
    schema = Record({
        **TONIC_FIELDS,
        "burst": Record(EVENT_FIELDS, doc="response to a rewarded outcome"),
        "pause": Record(EVENT_FIELDS, doc="response to an unrewarded or omitted outcome "
                        "(rate 0: silence)"),
    }, doc="a tonically firing SNc with bursts and pauses", optional=OPTIONAL_TONIC)

    @classmethod
    def consistency(cls, section: Mapping):
        if section["burst"]["rate_Hz"] <= section["tonic_Hz"]:
            yield Problem("burst.rate_Hz", section["burst"]["rate_Hz"],
                          f"a rate above tonic_Hz ({section['tonic_Hz']})")
        if section["pause"]["rate_Hz"] >= section["tonic_Hz"]:
            yield Problem("pause.rate_Hz", section["pause"]["rate_Hz"],
                          f"a rate below tonic_Hz ({section['tonic_Hz']})")

    @property
    def groups(self) -> tuple:
        return (GROUP,)

    def response(self, outcome: EpisodeOutcome) -> str:
        """'burst', 'pause' or 'none' (no outcome in the episode)."""
        if not outcome.has_outcome:
            return "none"
        return "burst" if outcome.rewarded else "pause"

    def outcome_windows(self, outcome: EpisodeOutcome) -> dict:
        kind = self.response(outcome)
        if kind == "none":
            return {}
        event = self.config[kind]
        start = outcome.reward_time_ms + event["latency_ms"]
        return {GROUP: response_window(start, event["duration_ms"], self.tonic_Hz,
                                       event["rate_Hz"] - self.tonic_Hz, float("inf"))}

    def reference_burst(self) -> tuple[float, float]:
        return float(self.config["burst"]["rate_Hz"]), float(self.config["burst"]["duration_ms"])

    def reference_pause(self) -> tuple[float, float]:
        return float(self.config["pause"]["rate_Hz"]), float(self.config["pause"]["duration_ms"])

    def episode_record(self, outcome: EpisodeOutcome) -> dict:
        return {f"{GROUP}_response": self.response(outcome)}
