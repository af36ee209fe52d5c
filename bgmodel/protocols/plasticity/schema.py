"""The plasticity protocol's config section: its schema and its checks (no NEST).

Names that must exist elsewhere (a phase's pattern and dopamine event, a rule's phase,
a probe's pattern ...) are `Ref` fields, checked by the schema; the checks below cover
what no field can: phases that follow each other from episode 0, probes inside them,
patterns with one level per competing channel, and dopamine that ends inside its
episode. The dopamine model's part (`dopamine.rules`) is the model's own schema
(bgmodel.dopamine.rule.RULES).
"""
from __future__ import annotations

from typing import Iterable, Mapping

from ...dopamine import rule
from ...dopamine.rewards import reward_distribution
from ...dopamine.surprise import ExternalController
from ...model.schema import (ConfigError, Field, ListOf, MapOf, Problem, Record, Ref, num,
                             pos, register_protocol)
from ..common import SAMPLED_RELAYS, STIMULATED_INPUTS, populations
from .schedule import phases_in_order, protocol_choices


def check_channels_and_patterns(proto: Mapping, root: Mapping) -> Iterable[Problem]:
    """At least two distinct competing channels; one level per channel in a pattern."""
    count = root["channels"]["count"]
    chans = proto["competing_channels"]
    if len(chans) < 2 or len(set(chans)) != len(chans) or not all(0 <= c < count for c in chans):
        yield Problem("protocol.competing_channels", chans,
                      f"at least two distinct channel indices in 0..{count - 1}")
    for name, levels in proto["patterns"].items():
        if len(levels) != len(chans):
            yield Problem(f"protocol.patterns.{name}", levels,
                          f"one level per competing channel ({len(chans)})")


def check_phases(proto: Mapping, root: Mapping) -> Iterable[Problem]:
    """Phases follow each other from episode 0 and cover protocol.episodes (a run may
    stop before the last phase ends); probes are distinct episodes inside them."""
    expected_first = 0
    for name, phase in phases_in_order(proto):
        path = f"protocol.phases.{name}"
        if phase["first_episode"] != expected_first:
            yield Problem(f"{path}.first_episode", phase["first_episode"],
                          f"{expected_first}: phases must follow each other without gap or "
                          "overlap")
        if phase["last_episode"] < phase["first_episode"]:
            yield Problem(f"{path}.last_episode", phase["last_episode"],
                          "at least first_episode")
        expected_first = phase["last_episode"] + 1
    if proto["episodes"] > expected_first:
        yield Problem("protocol.episodes", proto["episodes"],
                      f"at most {expected_first}: the phases end at episode "
                      f"{expected_first - 1} (fewer episodes stop the run early, e.g. after "
                      "CS+)")
    seen = set()
    for i, probe in enumerate(proto["probes"]):
        if not 0 <= probe["episode"] < expected_first or probe["episode"] in seen:
            yield Problem(f"protocol.probes[{i}].episode", probe["episode"],
                          f"a distinct episode in 0..{expected_first - 1}")
        seen.add(probe["episode"])
    if proto["dopamine"]["none_in_last_episodes"] > expected_first:
        yield Problem("protocol.dopamine.none_in_last_episodes",
                      proto["dopamine"]["none_in_last_episodes"],
                      f"at most the episodes of the phases ({expected_first})")


def check_dopamine_timing(proto: Mapping, root: Mapping) -> Iterable[Problem]:
    """Every dopamine event ends inside its episode."""
    room = proto["dopamine_window_ms"] + proto["pause_after_dopamine_ms"]
    for name, event in root["snc"]["events"].items():
        if event["duration_ms"] > room:
            yield Problem(f"snc.events.{name}.duration_ms", event["duration_ms"],
                          f"at most dopamine_window_ms + pause_after_dopamine_ms ({room} ms), "
                          "so that dopamine ends inside its episode")


def check_reward(proto: Mapping, root: Mapping) -> Iterable[Problem]:
    """protocol.reward is a reward distribution (bgmodel.dopamine.rewards)."""
    if "reward" in proto:
        try:
            reward_distribution(proto["reward"], "protocol.reward")
        except ConfigError as err:
            yield Problem(err.path, err.value, err.allowed)


def check_choice_groups(proto: Mapping, root: Mapping) -> Iterable[Problem]:
    """Choice groups: disjoint lists of at least two competing channels; not with an
    external controller or the action surprise (one taken action each)."""
    groups = proto.get("choice_groups")
    if groups is None:
        return
    chans = set(proto["competing_channels"])
    flat = [c for g in groups for c in g]
    if (not groups or any(len(g) < 2 for g in groups) or len(set(flat)) != len(flat)
            or not set(flat) <= chans):
        yield Problem("protocol.choice_groups", groups, "disjoint lists of at least two "
                      f"competing channels ({sorted(chans)})")
    if "external_controller" in proto:
        yield Problem("protocol.choice_groups", groups, "absent with "
                      "protocol.external_controller (it takes one action per episode)")
    if "action_surprise" in root.get("dopamine", {}):
        yield Problem("protocol.choice_groups", groups, "absent with "
                      "dopamine.action_surprise (one policy per episode)")


def check_rewarded_channels(proto: Mapping, root: Mapping) -> Iterable[Problem]:
    """protocol.rewarded_channels names patterns of protocol.patterns and, for each,
    one channel per choice (choice_groups, or the competing channels as one choice),
    a channel of that choice."""
    named = proto.get("rewarded_channels")
    if named is None:
        return
    choices = protocol_choices(proto)
    for pattern, channels in named.items():
        path = f"protocol.rewarded_channels.{pattern}"
        if pattern not in proto["patterns"]:
            yield Problem(path, channels, "a pattern of protocol.patterns "
                          f"({sorted(proto['patterns'])})")
        elif (len(channels) != len(choices)
              or any(c not in group for c, group in zip(channels, choices))):
            yield Problem(path, channels, "one channel of each choice "
                          f"{list(map(list, choices))}, in that order")


def check_vector_channels(proto: Mapping, root: Mapping) -> Iterable[Problem]:
    """The vector model routed per channel has a group for every competing channel:
    a taken channel without one would get no error, silently."""
    section = root.get("dopamine", {})
    if section.get("model") == "vector" and section.get("routing") == "per_channel":
        missing = [c for c in proto["competing_channels"] if c not in section["channels"]]
        if missing:
            yield Problem("dopamine.channels", section["channels"],
                          f"every competing channel ({proto['competing_channels']}); "
                          f"missing {missing}")


def check_signal_only(proto: Mapping, root: Mapping) -> Iterable[Problem]:
    """External control, the efference copy and choice groups need a signal dopamine
    model: the rule delivers its events on the one selection of an episode."""
    from ...dopamine.registry import is_signal_model
    for key in ("external_controller", "efference_copy", "choice_groups",
                "rewarded_channels"):
        if key in proto and not is_signal_model(root):
            yield Problem(f"protocol.{key}", proto[key],
                          "absent, or a signal dopamine model (dopamine.model rpe, "
                          "physiological or distributional; it is rule)")


EFFERENCE_COPY = Record({
    "rate_Hz": num("extra rate of the taken channel's sampled relays after the decision, "
                   "times the input's factor in stimulated_inputs (Hz)", minimum=0),
    "duration_ms": num("how long the efference copy lasts from the decision (ms)",
                       minimum=0),
}, doc="cortical drive to the channel taken, after the decision (issue 20)")


SCHEMA = Record({
    "name": Field("str", "protocol name"),
    "warmup_ms": num("simulated time before the first episode (ms)", minimum=0),
    "episodes": Field("int", "number of episodes", minimum=1),
    "stimulus_ms": pos("extra input to the competing channels at the start of each "
                       "episode (ms); rates are read over it"),
    "pause_after_stimulus_ms": num("pause between the stimulus and the dopamine window (ms)",
                                   minimum=0),
    "dopamine_window_ms": num("slot of the episode in which SNc may fire (ms); an event "
                              "longer than the slot runs into the next pause", minimum=0),
    "pause_after_dopamine_ms": num("pause after the dopamine window (ms)", minimum=0),
    "competing_channels": Field("int_list", "the channels that receive input and compete "
                                "(lowest GPi rate is selected)"),
    "input_levels_Hz": MapOf(num("extra CSN rate of a sampled relay at this level (Hz)",
                                 minimum=0),
                             "input levels by name (strong, weak, zero)", min_items=1),
    "stimulated_inputs": STIMULATED_INPUTS,
    "sampled_relays": SAMPLED_RELAYS,
    "patterns": MapOf(Ref("input level name per competing channel",
                          among=("protocol.input_levels_Hz",), kind="str_list",
                          allowed="levels among {names}"),
                      "stimulus patterns by name", min_items=1),
    "phases": MapOf(Record({
        "first_episode": Field("int", "first episode of the phase", minimum=0),
        "last_episode": Field("int", "last episode of the phase (inclusive)", minimum=0),
        "task": Field("int", "task label of the authors' format (+1 CS+, -1 CS-)",
                      choices=(1, -1)),
        "pattern": Ref("stimulus pattern of the phase's episodes", among=("protocol.patterns",),
                       allowed="a pattern among {names}"),
        "stdp_event": Ref("dopamine event whose STDP amplitudes and volume transmitter the "
                          "plastic synapses use during the phase", among=("snc.events",),
                          allowed="a dopamine event among {names}"),
        "authors_flag": Field("str", "do_tests flag written to the authors' format"),
    }), "consecutive phases covering every episode, by name", min_items=1),
    "probes": ListOf(Record({
        "episode": Field("int", "episode whose pattern the probe replaces", minimum=0),
        "pattern": Ref("stimulus pattern of the probe", among=("protocol.patterns",),
                       allowed="a pattern among {names}"),
        "authors_flag": Field("str", "do_tests flag written to the authors' format"),
    }), "test episodes without dopamine"),
    "dopamine": Record({
        "rules": rule.RULES,
        "none_in_last_episodes": Field("int", "episodes at the end of the phases without "
                                       "dopamine (not those of a run stopped early by "
                                       "protocol.episodes)",
                                       minimum=0),
        "eta_at_first": Ref("event whose first delivery applies striatum.eta to the "
                            "outgoing weights of D2 MSNs", among=("snc.events",), nullable=True,
                            allowed="a dopamine event among {names} or null"),
    }, doc="when SNc releases dopamine"),
    "read_populations": populations("populations whose per-channel rates are tabulated "
                                    "(MSN pools MSN_D1 and MSN_D2)"),
    "weight_summary": Record({
        "channels": ListOf(Ref("a channel whose D1 and D2 MSNs' mean plastic weight is "
                               "tabulated", among=("channels.count",), kind="int",
                               allowed="a channel in 0..{last}"),
                           "channels whose D1 and D2 MSNs' mean plastic weight is tabulated"),
        "max_targets": Field("int", "MSNs per channel and type in the fixed random sample "
                             "whose plastic synapses are averaged (null: all)", minimum=1,
                             nullable=True),
    }, doc="mean plastic weight per episode"),
    "summary_windows": MapOf(Field("range", "first and last episode (inclusive) averaged"),
                             "episode windows averaged in summary.json, by name"),
    "checkpoint_every_episodes": Field("int", "episodes between checkpoints of the "
                                       "plastic weights and protocol state", minimum=1),
    "reward": Field("any", "with a signal dopamine model (dopamine.model not rule): the "
                    "reward paid when the rewarded channel (the strongest input of the "
                    "episode's pattern, or protocol.rewarded_channels) is selected, "
                    "{kind: fixed, value}, {kind: bernoulli, p, magnitude} or {kind: "
                    "discrete, values, probabilities}, "
                    "drawn from the run's seed (absent: fixed 1)"),
    "omission_probes": Record({
        "every": Field("int", "every this many episodes from from_episode ...", minimum=1),
        "from_episode": Field("int", "... a reward the task would pay is withheld "
                              "(an omission probe)", minimum=0),
    }, doc="with a signal dopamine model: reward omission probes late in learning"),
    "external_controller": ExternalController.schema,
    "efference_copy": EFFERENCE_COPY,
    "rewarded_channels": MapOf(Field("int_list", "the rewarded channel of each choice "
                                     "(choice_groups, in order, or the one choice of the "
                                     "competing channels)"),
                               "with a signal dopamine model: the rewarded channels of "
                               "these patterns, instead of the strongest input (a task "
                               "whose inputs do not tell which action pays)"),
    "choice_groups": ListOf(Field("int_list", "competing channels that compete with each "
                                  "other (lowest GPi rate of the group is selected)"),
                            "with a signal dopamine model: independent choices in every "
                            "episode, each rewarded on its own (issue 20)"),
}, doc="the plasticity protocol (configs/protocols/plasticity.yaml)",
    optional=("reward", "omission_probes", "external_controller", "efference_copy",
              "choice_groups", "rewarded_channels"),
    checks=(check_channels_and_patterns, check_phases, check_dopamine_timing, check_reward,
            check_signal_only, check_choice_groups, check_rewarded_channels,
            check_vector_channels))
register_protocol("plasticity", SCHEMA)
