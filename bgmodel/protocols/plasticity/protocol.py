"""Plasticity: the closed loop of conditioning (CS+), generalization and discrimination (CS-).

After a warm-up, every episode gives the competing channels extra cortical input
(a stimulus pattern of the episode's phase, or a probe's), pauses, and reads the
per-channel rates of the stimulus window. The channel with the lowest GPi rate is
selected; the dopamine rules (protocol.dopamine, bgmodel.protocols.plasticity.schedule) decide from that
outcome whether SNc releases an event (burst, dip) in the dopamine window. SNc spikes
reach the plastic corticostriatal synapses through that event's volume transmitter, and
dopamine-modulated STDP changes what the network selects next. At the first delivery of
protocol.dopamine.eta_at_first, striatum.eta multiplies every outgoing weight of the D2
MSNs once. Spikes are taken from memory every episode and cleared, and the weight
summary reads synapse collections made once, so each episode costs the same.

Writes to results/ after every episode (atomically):
    episodes.csv        one row per episode (bgmodel.protocols.plasticity.episodes documents the columns)
    authors_format/     GPi_fr.txt, MSN_d1_fr.txt, ..., current_task.txt, CS_plus.txt,
                        CS_minus.txt, do_tests.txt, plot_labels.txt, centers.txt: the
                        authors' text format (bgmodel.results.authors_format)
and
    sampled_relays.npz  <INPUT>_ch<c>: relays (indices into the input) that get the
                        extra rate, once at the start
    checkpoint.npz      plastic weights and protocol state every
                        protocol.checkpoint_every_episodes episodes and at the end
                        (bgmodel.protocols.plasticity.checkpoint); `bgmodel resume RUN` continues from it
    plastic_synapses.npz  node ids of the plastic synapses that checkpoint.npz's weights
                        belong to, written with the first checkpoint
    summary.json        means over protocol.summary_windows, dopamine counts, eta,
                        wall time per episode, at the end
    snc_spikes.npz      with a signal dopamine model (dopamine.model not rule): every SNc
                        spike of the episodes, at checkpoints, with the count of episodes
                        it covers (episodes_done; signal_dopamine.py, which also says how
                        such a model runs the episode)
"""
from __future__ import annotations

import time

import numpy as np

from ...dopamine.registry import is_signal_model
from ...dopamine.rule import RuleDopamine, RuleOutcome
from ...model.channel_input import sample_stimulated_relays, stimulus_key
from ...model.derive import MSN_D1, MSN_D2
from ...results.authors_format import EpisodeWriter
from ...results.progress import Progress
from ...results.rng import restore_rng, rng_state
from ...results.rundir import json_safe
from ...simulator import synapse_io
from ...simulator.synapse_set import SynapseSet, canonical_order
from ..common import (ProtocolBase, population_channel_rates, recorded_populations,
                      stimulate_sampled_relays)
from .checkpoint import Checkpoint, SynapseState, load_checkpoint, save_checkpoint
from .episodes import (NO_SELECTION, EpisodeTable, group_weight_column, rate_column,
                       table_columns, weight_column, window_means)
from .schedule import Episode, build_schedule, episode_times, selected_channel
from .signal_dopamine import SNC_SPIKES, SignalDopamine
from .stop_hook import StopHook

SELECTION_POPULATION = "GPi"
CHECKPOINT = "checkpoint.npz"
TABLE = "episodes.csv"
AUTHORS_FOLDER = "authors_format"


def protocol_rng(seed: int) -> np.random.Generator:
    """The protocol's generator for a run's seed: it draws the sampled relays first
    (scripts/validation/stimulated_path.py re-derives them from it without NEST)."""
    return np.random.default_rng([seed, 0x9A57])


class Plasticity(ProtocolBase):
    """The plasticity protocol (see the module docstring)."""

    name = "plasticity"

    def __init__(self, config, network, rundir, quiet=False):
        super().__init__(config, network, rundir, quiet)
        self.schedule = build_schedule(self.proto)
        self.times = episode_times(self.proto)
        self.dopamine = RuleDopamine.from_config(self.proto["dopamine"])
        self.competing = tuple(self.proto["competing_channels"])
        self.readout = tuple(self.config["channels"]["readout"])
        self.read = tuple(self.proto["read_populations"])
        self.snc = self.plan.dopamine.groups  # event -> SNc group
        self.events = tuple(self.snc)
        self.weight_channels = tuple(self.proto["weight_summary"]["channels"])
        self.recorded = recorded_populations(self.plan, self.read + (SELECTION_POPULATION,))
        self.recorded += [self.snc[e].population for e in self.events]
        self.signal: SignalDopamine | None = None
        if is_signal_model(self.config):
            groups = self.plan.dopamine.signal.groups
            self.signal = SignalDopamine(self.config, groups, self.times, self.competing)
            self.recorded += list(groups.values())
        # Seeded by the run's seed: the same relays and weight sample on every rebuild.
        self.rng = protocol_rng(self.config["simulation"]["seed"])
        self.sampled: dict[tuple[str, int], np.ndarray] = {}
        self.weight_targets: dict[tuple[str, int], np.ndarray] = {}
        self.weight_sets: dict[tuple[str, int], SynapseSet] = {}
        # With several SNc groups, the same MSNs' synapses group by group.
        self.group_weight_sets: dict[tuple[str, int, str], SynapseSet] = {}
        self.all_plastic: SynapseSet | None = None
        self.plastic_endpoints: tuple | None = None
        self.eta_applied = False
        # Protocol time minus network time: a resumed run's network starts again at 0
        # and simulates the warm-up only, so its episodes start that much earlier in
        # NEST than in the protocol (episodes.csv's t_start_ms is protocol time).
        self.time_offset_ms = 0.0
        columns = table_columns(self.proto["stimulated_inputs"], self.competing, self.read,
                                self.readout, self.events, self.weight_channels)
        if self.signal is not None:
            columns += self.signal.columns()
        columns += [group_weight_column(cell, ch, g) for cell, ch, g in self.weight_groups()]
        self.table = EpisodeTable(rundir.results / TABLE, columns, writes=rundir.writes)
        self.authors: EpisodeWriter | None = None
        # Tests stop a run at a known episode with it (bgmodel.protocols.plasticity.stop_hook).
        self.stop_hook = StopHook.from_environment()

    # ------------------------------------------------------------------ set-up
    def prepare(self) -> None:
        """Sample the stimulated relays and add their inputs, choose the MSNs of the
        weight summary, attach spike recorders."""
        self.sampled = sample_stimulated_relays(self.plan, self.proto["stimulated_inputs"],
                                                self.competing, self.proto["sampled_relays"],
                                                self.plan.input_scale, self.rng)
        stimulate_sampled_relays(self.net, self.rundir, self.sampled)
        limit = self.proto["weight_summary"]["max_targets"]
        for cell in (MSN_D1, MSN_D2):
            for ch in self.weight_channels:
                members = np.asarray(self.plan.populations[cell].channels[ch], dtype=np.int64)
                if limit is not None and len(members) > limit:
                    members = np.sort(self.rng.choice(members, size=limit, replace=False))
                self.weight_targets[(cell, ch)] = members
        self.net.record_spikes(self.recorded, start_ms=0.0)

    def make_synapse_sets(self) -> None:
        """Synapse collections read every episode and at checkpoints, made once after
        the first simulate (NEST may sort connections before it)."""
        for key, members in self.weight_targets.items():
            self.weight_sets[key] = self.net.plastic_synapses(key[0], members)
        for cell, ch, g in self.weight_groups():
            self.group_weight_sets[(cell, ch, g)] = self.net.plastic_synapses(
                cell, self.weight_targets[(cell, ch)], group=g)
        self.all_plastic = self.net.plastic_synapses()

    def weight_groups(self) -> list:
        """(cell, channel, SNc group) of the per-group weight summary: none unless a
        signal model has several groups."""
        signal = self.plan.dopamine.signal
        if signal is None or len(signal.groups) < 2:
            return []
        return [(cell, ch, g) for cell in (MSN_D1, MSN_D2) for ch in self.weight_channels
                for g in signal.groups]

    def endpoints(self) -> tuple:
        """Source and target ids of all plastic synapses, on all MPI ranks (read once,
        when first needed)."""
        if self.plastic_endpoints is None:
            self.plastic_endpoints = synapse_io.gathered_endpoints(self.all_plastic)
        return self.plastic_endpoints

    # ------------------------------------------------------------------ readout
    def mean_weights(self) -> dict:
        """Mean plastic weight onto each sampled (cell, channel) group, and with several
        SNc groups per SNc group too."""
        means = {weight_column(cell, ch): synapse_io.mean_weight(synapses)
                 for (cell, ch), synapses in self.weight_sets.items()}
        means.update({group_weight_column(cell, ch, g): synapse_io.mean_weight(synapses)
                      for (cell, ch, g), synapses in self.group_weight_sets.items()})
        return means

    # ------------------------------------------------------------------ eta
    def apply_eta(self) -> None:
        """Every outgoing weight of the D2 MSNs becomes its planned value times
        striatum.eta (idempotent: applying it again changes nothing)."""
        self.net.set_outgoing_weight_factor(MSN_D2, self.config["striatum"]["eta"])
        self.eta_applied = True

    # ------------------------------------------------------------------ checkpoints
    def _input_rngs(self) -> dict:
        """NumPy generators of numpy-drawn input trains, where the network has them."""
        inputs = getattr(self.net, "poisson_inputs", None)
        return dict(getattr(inputs, "rngs", {}) or {})

    def write_checkpoint(self, episodes_done: int) -> None:
        src, tgt = self.endpoints()
        plastic = SynapseState(src, tgt, synapse_io.gathered_weights(self.all_plastic))
        state = {"episodes_done": episodes_done, "rng": rng_state(self.rng),
                 "input_rngs": {k: rng_state(r) for k, r in self._input_rngs().items()}}
        if self.signal is not None:
            state["dopamine_model"] = self.signal.state()
        if not self.rundir.writes:
            return
        if self.signal is not None:
            self.signal.save_spikes(self.rundir.results / SNC_SPIKES, episodes_done)
        save_checkpoint(self.rundir.results / CHECKPOINT,
                        Checkpoint(episodes_done, plastic, self.eta_applied, state))

    def restore_checkpoint(self, cp: Checkpoint) -> None:
        """Put the checkpoint's weights, eta flag and random states into the rebuilt
        network; fail if its synapses differ from the checkpointed ones."""
        src, tgt = self.endpoints()
        saved = cp.plastic
        if (not saved.same_synapses(src, tgt) and self.net.processes == 1
                and len(saved.target) == len(tgt)):
            # Checkpoints written before the canonical order (bgmodel.simulator.synapse_set) list
            # the synapses in the order NEST's threads happened to finish in.
            saved = saved.reordered(canonical_order(saved.target, self.all_plastic.lengths,
                                                    self.net.virtual_processes))
        if not saved.same_synapses(src, tgt):
            raise RuntimeError("the rebuilt network's plastic synapses differ from the "
                               "checkpoint's (another NEST version or thread count?); "
                               "cannot resume")
        synapse_io.set_gathered_weights(self.all_plastic, saved.weight)
        if cp.eta_applied:
            self.apply_eta()
        if "rng" in cp.state:
            restore_rng(self.rng, cp.state["rng"])
        if self.signal is not None:
            self.signal.load_state(cp.state["dopamine_model"])
        rngs = self._input_rngs()
        for name, st in cp.state.get("input_rngs", {}).items():
            if name in rngs:
                restore_rng(rngs[name], st)

    # ------------------------------------------------------------------ one episode
    def run_episode(self, ep: Episode) -> tuple[dict, dict]:
        """Stimulate, read, decide, deliver dopamine, simulate the rest.

        Returns the episode's row of episodes.csv and the rates of the read populations
        per readout channel."""
        t_wall, t_cpu = time.perf_counter(), time.process_time()
        t0 = self.net.time_ms
        stim_stop = t0 + self.times.stimulus_ms
        if self.signal is None and self.net.dopamine_event != ep.stdp_event:
            self.net.set_dopamine_event(ep.stdp_event)
        if self.signal is not None:
            self.program_snc(self.signal.cue_steps(ep), t0)
        row = {"episode": ep.index, "phase": ep.phase, "task": ep.task, "pattern": ep.pattern,
               "probe": ep.probe, "stdp_event": ep.stdp_event,
               "t_start_ms": t0 + self.time_offset_ms}
        for input_name, factor in self.proto["stimulated_inputs"].items():
            for ch, rate in zip(self.competing, ep.input_Hz):
                self.net.set_stimulus(stimulus_key(input_name, ch), rate * factor,
                                      t0, stim_stop)
                row[f"input_{input_name}_ch{ch}_Hz"] = rate * factor
        t_sim = time.perf_counter()
        self.net.simulate(self.times.before_decision_ms)
        simulate_s = time.perf_counter() - t_sim
        spikes = self.take_all_spikes()
        rates = {name: population_channel_rates(self.plan, spikes, name, self.readout, t0,
                                                stim_stop)
                 for name in self.read}
        gpi = population_channel_rates(self.plan, spikes, SELECTION_POPULATION, self.competing,
                                       t0, stim_stop)
        selected = selected_channel(gpi, self.competing)
        if self.signal is not None and self.signal.choice_groups:
            selected = self.signal.selections(gpi)[0]  # the first choice's
        if self.signal is not None:
            outcome, event = self.signal_outcome(ep, selected, gpi, t0)
            taken = ([c for c, _ in outcome.choices] if outcome.choices
                     else [outcome.selected_channel])
            for channel in taken:
                self.send_efference_copy(channel, t0)
        else:
            event = self.dopamine.event(RuleOutcome(ep, selected, rates, self.readout))
        if event is not None and self.signal is None:
            if self.net.dopamine_event != event:
                self.net.set_dopamine_event(event)
            snc = self.snc[event]
            start = t0 + self.times.dopamine_start_ms
            self.net.set_snc(event, snc.rate_Hz, start, start + snc.duration_ms)
            if event == self.proto["dopamine"]["eta_at_first"] and not self.eta_applied:
                self.apply_eta()
        t_sim = time.perf_counter()
        self.net.simulate(self.times.after_decision_ms)
        simulate_s += time.perf_counter() - t_sim
        tail = self.take_all_spikes()
        if self.signal is not None:
            row.update(self.signal.record(ep, outcome, (spikes, tail), t0, self.time_offset_ms))
            self.signal.update(outcome)
        for e in self.events:
            name = self.snc[e].population
            row[f"snc_spikes_{e}"] = len(spikes[name].times) + len(tail[name].times)
        for name in self.read:
            for c, r in zip(self.readout, rates[name]):
                row[rate_column(name, c)] = float(r)
        row["selected_channel"] = NO_SELECTION if selected is None else selected
        row["dopamine_event"] = event or "none"
        row.update(self.mean_weights())
        row["eta_applied"] = self.eta_applied
        row["simulate_s"] = simulate_s
        row["wall_s"] = time.perf_counter() - t_wall
        row["cpu_s"] = time.process_time() - t_cpu
        return row, rates

    # ------------------------------------------------------------------ signal models
    def program_snc(self, steps: dict, t0: float) -> None:
        """Program each SNc group's rate steps (times from the episode start `t0`)."""
        for group, (times, rates) in steps.items():
            self.net.set_snc_steps(group, t0 + times, rates)

    def signal_outcome(self, ep: Episode, selected, gpi, t0: float):
        """The outcome of a signal model's episode, programmed from the decision on;
        returns it and the response at reward time. striatum.eta applies at the first
        unrewarded outcome in a phase routed to protocol.dopamine.eta_at_first (the
        rule's dip: CS-)."""
        outcome = self.signal.outcome(ep, selected, gpi)
        steps, response = self.signal.outcome_steps(outcome)
        self.program_snc(steps, t0)
        if (outcome.has_outcome and not outcome.rewarded and not self.eta_applied
                and ep.stdp_event == self.proto["dopamine"]["eta_at_first"]):
            self.apply_eta()
        return outcome, (None if response == "none" else response)

    def send_efference_copy(self, taken: int | None, t0: float) -> None:
        """protocol.efference_copy: the taken channel's sampled relays of every
        stimulated input fire rate_Hz times the input's factor more, from the decision
        for duration_ms (issue 20), so that the eligibility of the plastic synapses
        reflects the action taken, also when another controller took it."""
        copy = self.proto.get("efference_copy")
        if copy is None or taken is None:
            return
        start = t0 + self.times.before_decision_ms
        for input_name, factor in self.proto["stimulated_inputs"].items():
            self.net.set_stimulus(stimulus_key(input_name, taken), copy["rate_Hz"] * factor,
                                  start, start + copy["duration_ms"])

    def record_episode(self, ep: Episode, row: dict, rates: dict) -> None:
        """Write the episode to episodes.csv and the authors' files."""
        self.table.append(row)
        nan = np.full(len(self.readout), np.nan)
        self.authors.append({pop: rates.get(pop, nan)
                             for pop in ("GPi", "MSN", "MSN_D1", "MSN_D2", "FSI", "GPe", "STN")},
                            ep.task, ep.authors_flag)
        self.rundir.update_meta(episodes_done=ep.index + 1)

    # ------------------------------------------------------------------ run
    def open_results(self, resume: bool) -> Checkpoint | None:
        """Set up the result files; when resuming, load the last checkpoint and cut the
        files back to its episode count (episodes written after it are done again)."""
        cp_path = self.rundir.results / CHECKPOINT
        checkpoint = load_checkpoint(cp_path) if resume and cp_path.is_file() else None
        if not resume and cp_path.is_file() and self.rundir.writes:
            cp_path.unlink()  # a fresh run in an old folder must not resume from it
        start = checkpoint.episodes_done if checkpoint else 0
        st = self.config["striatum"]
        self.authors = EpisodeWriter(self.rundir.results / AUTHORS_FOLDER,
                                     {"lambda": st["lambda"], "kappa": st["kappa"],
                                      "eta": st["eta"]}, self.plan.channel_centres,
                                     writes=self.rundir.writes)
        self.authors.truncate(start)
        if resume:
            self.table.resume(start)
        else:
            self.table.write()
        if self.signal is not None and resume:
            self.signal.resume_spikes(self.rundir.results / SNC_SPIKES,
                                      self.proto["warmup_ms"] + start * self.times.period_ms)
        return checkpoint

    def run(self, resume: bool = False) -> dict:
        """Warm-up, then every episode (from the last checkpoint when resuming)."""
        total = len(self.schedule)
        checkpoint = self.open_results(resume)
        start = checkpoint.episodes_done if checkpoint else 0
        self.time_offset_ms = start * self.times.period_ms
        progress = Progress(total, "episode", self.quiet)
        if resume:
            origin = "checkpoint" if checkpoint else "no checkpoint: from the start"
            progress.message(f"resuming from episode {start} of {total} ({origin})")
        t = time.perf_counter()
        self.net.simulate(self.proto["warmup_ms"])
        self.take_all_spikes()
        self.timings["warmup"] = time.perf_counter() - t
        t = time.perf_counter()
        self.make_synapse_sets()
        self.timings["synapse_sets"] = time.perf_counter() - t
        if checkpoint:
            t = time.perf_counter()
            self.restore_checkpoint(checkpoint)
            self.timings["restore"] = time.perf_counter() - t
        progress.start = progress.last = time.perf_counter()
        every = self.proto["checkpoint_every_episodes"]
        self.timings["checkpoints"] = 0.0
        t_episodes = time.perf_counter()
        for ep in self.schedule[start:]:
            row, rates = self.run_episode(ep)
            self.record_episode(ep, row, rates)
            done = ep.index + 1
            if done % every == 0 or done == total:
                t = time.perf_counter()
                self.write_checkpoint(done)
                self.timings["checkpoints"] += time.perf_counter() - t
            if self.stop_hook:
                self.stop_hook.episode_done(done)
            sel = row["selected_channel"]
            progress.update(done, f"{ep.phase}{' probe' if ep.probe else ''}: selected "
                                  f"{'none' if sel == NO_SELECTION else f'ch{sel}'}, "
                                  f"dopamine {row['dopamine_event']}")
        self.timings["episodes"] = time.perf_counter() - t_episodes
        summary = self.summary()
        self.rundir.write_result_json("summary.json", summary)
        return summary

    def summary(self) -> dict:
        """Window means, dopamine counts and per-episode wall times from episodes.csv."""
        table = self.table.as_columns()
        wall, cpu = table["wall_s"], table["cpu_s"]
        events, counts = np.unique(table["dopamine_event"], return_counts=True)
        n = len(wall)
        return json_safe({
            "protocol": self.name,
            "episodes_done": n,
            "episodes_total": len(self.schedule),
            "complete": n == len(self.schedule),
            "competing_channels": list(self.competing),
            "striatum": {k: self.config["striatum"][k] for k in ("lambda", "kappa", "eta")},
            "scale": self.config["simulation"]["scale"],
            "sampled_relays": {stimulus_key(*k): int(len(v))
                               for k, v in self.sampled.items()},
            "dopamine_events": {str(e): int(c) for e, c in zip(events, counts)},
            "eta_applied": bool(table["eta_applied"][-1]) if n else False,
            "windows": window_means(table, self.proto["summary_windows"], self.competing,
                                    self.weight_channels),
            "episode_wall_first10_mean_s": float(np.mean(wall[:10])) if n else float("nan"),
            "episode_wall_last10_mean_s": float(np.mean(wall[-10:])) if n else float("nan"),
            "episode_cpu_first10_mean_s": float(np.mean(cpu[:10])) if n else float("nan"),
            "episode_cpu_last10_mean_s": float(np.mean(cpu[-10:])) if n else float("nan"),
        })

    @staticmethod
    def report(summary: dict) -> str:
        """The window means as text for the terminal."""
        def num(x, spec=".2f"):
            return "n/a" if x is None else format(x, spec)

        c1, c2 = summary["competing_channels"][:2]
        lines = [f"episodes {summary['episodes_done']}/{summary['episodes_total']}, "
                 f"dopamine events: " + ", ".join(f"{k} {v}" for k, v in
                                                  summary["dopamine_events"].items())
                 + f"; eta applied: {summary['eta_applied']}",
                 f"{'window':<12}{'episodes':>10}{'GPi c1-c2':>11}{'D1 c1':>8}{'D1 c2':>8}"
                 f"{'D2 c1':>8}{'D2 c2':>8}{'c1 sel.':>8}  (Hz; c1 = ch{c1}, c2 = ch{c2})"]
        for name, w in summary["windows"].items():
            lines.append(f"{name:<12}{w['episodes'][0]:>5}-{w['episodes'][1]:<4}"
                         f"{num(w[f'GPi_ch{c1}_minus_ch{c2}_Hz']):>11}"
                         f"{num(w[f'MSN_D1_ch{c1}_Hz']):>8}{num(w[f'MSN_D1_ch{c2}_Hz']):>8}"
                         f"{num(w[f'MSN_D2_ch{c1}_Hz']):>8}{num(w[f'MSN_D2_ch{c2}_Hz']):>8}"
                         f"{num(w[f'channel_{c1}_selected_fraction']):>8}")
        lines.append(f"time per episode, first 10 / last 10: wall "
                     f"{num(summary['episode_wall_first10_mean_s'])} / "
                     f"{num(summary['episode_wall_last10_mean_s'])} s, CPU "
                     f"{num(summary['episode_cpu_first10_mean_s'])} / "
                     f"{num(summary['episode_cpu_last10_mean_s'])} s")
        return "\n".join(lines)
