"""Action selection: two channels compete over a grid of cortical input rates.

After a warm-up (in which the rest rates are measured), every grid step (i, j) drives
sampled relays of the two competing channels with extra Poisson input (channel 1 at
i * rate_step_Hz, channel 2 at j * rate_step_Hz, times each stimulated input's factor:
PTN 1.8 x CSN) for `stimulus_ms`, then pauses for `pause_ms`. Spikes are taken from
memory after every step and cleared, so each step costs the same whatever its rank.

Writes to results/, rewritten atomically after every step:
    rates.csv           step, i, j, rate_ch1_Hz, rate_ch2_Hz, population, channel,
                        rate_Hz: mean rate during the stimulus per population and readout
                        channel; <INPUT>_stimulated rows hold the rate of the sampled
                        relays of the competing channels
    selection.csv       one row per step: input rates, GPi rates and rest of the two
                        channels, outcome, expected outcome, correct, wall times
    summary.json        selection metrics (bgmodel.protocols.selection.selection_metrics), the
                        rest rates, the rule, per-step wall times, steps done
and once, before the grid:
    rest_rates.csv      population, channel, rate_Hz in the rest window of the warm-up
                        (channel "all": the whole population)
    sampled_relays.npz  <INPUT>_ch<c>: indices (into the input population) of the relays
                        that receive the extra rate
"""
from __future__ import annotations

import time
from typing import Iterable, Mapping

import numpy as np

from ..model.channel_input import sample_stimulated_relays, stimulus_key
from ..model.derive import population_of_nucleus
from ..model.schema import Field, Problem, Record, num, pos, register_protocol
from ..results.analysis import channel_rates, mean_rate, window
from ..results.progress import Progress
from ..results.rundir import json_safe
from .common import (SAMPLED_RELAYS, STIMULATED_INPUTS, ProtocolBase,
                     population_channel_rates, populations, recorded_populations,
                     stimulate_sampled_relays)
from .selection import (classify, expected_outcome, grid_steps, rest_references,
                        selection_metrics)

RATES_HEADER = "step,i,j,rate_ch1_Hz,rate_ch2_Hz,population,channel,rate_Hz"
SELECTION_HEADER = ("step,i,j,rate_ch1_Hz,rate_ch2_Hz,gpi_ch1_Hz,gpi_ch2_Hz,gpi_rest_ch1_Hz,"
                    "gpi_rest_ch2_Hz,outcome,expected,correct,wall_s,simulate_s")
SELECTION_POPULATION = "GPi"
STIMULATED_SUFFIX = "_stimulated"


def check_competition(proto: Mapping, root: Mapping) -> Iterable[Problem]:
    """Two distinct competing channels, and grid levels that are not negative."""
    count = root["channels"]["count"]
    chans = proto["competing_channels"]
    if len(chans) != 2 or len(set(chans)) != 2 or not all(0 <= c < count for c in chans):
        yield Problem("protocol.competing_channels", chans,
                      f"two distinct channel indices in 0..{count - 1}")
    for key in ("channel1_levels", "channel2_levels"):
        levels = proto["grid"][key]
        if not levels or any(v < 0 for v in levels):
            yield Problem(f"protocol.grid.{key}", levels, "a non-empty list of levels >= 0")


def check_rest_window(proto: Mapping, root: Mapping) -> Iterable[Problem]:
    """The rest window lies in the warm-up."""
    start, stop = proto["rest_window_ms"]
    if start < 0 or stop > proto["warmup_ms"] or stop <= start:
        yield Problem("protocol.rest_window_ms", proto["rest_window_ms"],
                      f"a window [start, stop) with 0 <= start < stop <= warmup_ms "
                      f"({proto['warmup_ms']})")


SCHEMA = Record({
    "name": Field("str", "protocol name"),
    "warmup_ms": pos("simulated time before the first grid step (ms)"),
    "rest_window_ms": Field("range", "window of the warm-up [start, stop) (ms) in which the "
                            "rest rates (the GPi selection reference) are measured"),
    "stimulus_ms": pos("duration of the extra input of each grid step (ms); rates are read "
                       "over it"),
    "pause_ms": num("time without extra input after each stimulus (ms)", minimum=0),
    "competing_channels": Field("int_list", "the two channels that compete: [channel 1, "
                                "channel 2] of the grid"),
    "grid": Record({
        "channel1_levels": Field("int_list", "levels i of channel 1 (rate i * rate_step_Hz), "
                                 "outer loop"),
        "channel2_levels": Field("int_list", "levels j of channel 2 (rate j * rate_step_Hz), "
                                 "inner loop"),
        "rate_step_Hz": num("extra rate per level (Hz)", minimum=0),
    }, doc="the grid of channel-1 / channel-2 input rates"),
    "stimulated_inputs": STIMULATED_INPUTS,
    "sampled_relays": SAMPLED_RELAYS,
    "read_populations": populations("populations whose per-channel rates are tabulated "
                                    "(MSN pools MSN_D1 and MSN_D2)"),
    "selection": Record({
        "rest_reference": Field("str", "GPi rest rate a channel is compared with: its own "
                                "warm-up rate (per_channel) or that of all GPi neurons "
                                "(overall)", choices=("per_channel", "overall")),
        "threshold": num("a channel is selected when its GPi rate is below the rest rate by "
                         "more than this", minimum=0),
        "threshold_unit": Field("str", "unit of threshold: a rate drop in Hz, or a fraction "
                                "of the rest rate", choices=("Hz", "fraction_of_rest")),
        "margin_Hz": num("competition margin: a channel past the threshold is selected only "
                         "if its GPi rate is also below the other channel's by more than "
                         "this (null: the threshold alone)", minimum=0, nullable=True),
    }, doc="selection rule (outcome families after Girard et al. 2021, Eur J Neurosci)"),
}, doc="action selection (configs/protocols/action_selection.yaml)",
    checks=(check_competition, check_rest_window))
register_protocol("action_selection", SCHEMA)


def _fmt(x: float) -> str:
    return f"{x:.6g}"


def _margin_text(margin_Hz) -> str:
    return "" if margin_Hz is None else f", below the other channel by > {margin_Hz:g} Hz"


class ActionSelection(ProtocolBase):
    """The action-selection protocol (see the module docstring)."""

    name = "action_selection"

    def __init__(self, config, network, rundir, quiet=False):
        super().__init__(config, network, rundir, quiet)
        grid = self.proto["grid"]
        self.steps = grid_steps(grid["channel1_levels"], grid["channel2_levels"],
                                grid["rate_step_Hz"])
        self.competing = tuple(self.proto["competing_channels"])
        self.readout = tuple(self.config["channels"]["readout"])
        self.read = tuple(self.proto["read_populations"])
        # Populations with a spike recorder: the read ones (MSN as D1 + D2) and GPi.
        self.recorded = recorded_populations(self.plan, self.read + (SELECTION_POPULATION,))
        self.sampled: dict[tuple[str, int], np.ndarray] = {}
        self.rest: dict = {}
        self.rate_rows: list[str] = []
        self.selection_rows: list[str] = []
        self.records: list[dict] = []

    # ------------------------------------------------------------------ set-up
    def prepare(self) -> None:
        """Sample the stimulated relays, add their generators, attach spike recorders."""
        sim = self.config["simulation"]
        # Seeded by the run's seed, independent of NEST's streams and thread count.
        rng = np.random.default_rng([sim["seed"], 0xA5E1])
        self.sampled = sample_stimulated_relays(self.plan, self.proto["stimulated_inputs"],
                                                self.competing, self.proto["sampled_relays"],
                                                self.plan.input_scale, rng)
        stimulate_sampled_relays(self.net, self.rundir, self.sampled)
        self.net.record_spikes(self.recorded, start_ms=0.0)

    # ------------------------------------------------------------------ rates
    def population_channel_rates(self, spikes: dict, name: str, t0: float, t1: float) -> list:
        """Rates (Hz) of population `name` (MSN pooled) in each readout channel."""
        return population_channel_rates(self.plan, spikes, name, self.readout, t0,
                                        t1).tolist()

    def overall_rate(self, spikes: dict, name: str, t0: float, t1: float) -> float:
        parts = population_of_nucleus(name)
        n_spikes = sum(int(window(spikes[p].times, t0, t1).sum()) for p in parts)
        return mean_rate(n_spikes, sum(self.plan.populations[p].size for p in parts), t1 - t0)

    def competing_gpi_rates(self, spikes: dict, t0: float, t1: float) -> list:
        pop = self.plan.populations[SELECTION_POPULATION]
        members = [pop.channels[c] for c in self.competing]
        sp = spikes[SELECTION_POPULATION]
        return [float(r) for r in channel_rates(sp.senders, sp.times, members, t0, t1)]

    # ------------------------------------------------------------------ warm-up
    def warm_up(self) -> dict:
        """Simulate the warm-up, measure rest rates; return the spikes taken."""
        self.net.simulate(self.proto["warmup_ms"])
        spikes = self.take_all_spikes()
        t0, t1 = self.proto["rest_window_ms"]
        rows = []
        per_pop = {}
        for name in dict.fromkeys(self.read + (SELECTION_POPULATION,)):
            rates = self.population_channel_rates(spikes, name, t0, t1)
            overall = self.overall_rate(spikes, name, t0, t1)
            per_pop[name] = {"channels": dict(zip(map(str, self.readout), rates)),
                             "all": overall}
            rows += [f"{name},{c},{_fmt(r)}" for c, r in zip(self.readout, rates)]
            rows.append(f"{name},all,{_fmt(overall)}")
        gpi_competing = self.competing_gpi_rates(spikes, t0, t1)
        sel = self.proto["selection"]
        self.rest = {
            "window_ms": [t0, t1],
            "rates_Hz": per_pop,
            "gpi_competing_Hz": gpi_competing,
            "gpi_overall_Hz": per_pop[SELECTION_POPULATION]["all"],
            "reference_Hz": rest_references(gpi_competing, per_pop[SELECTION_POPULATION]["all"],
                                            sel["rest_reference"]),
        }
        self.rundir.write_result_text("rest_rates.csv",
                                      "population,channel,rate_Hz\n" + "\n".join(rows) + "\n")
        return spikes

    # ------------------------------------------------------------------ one step
    def step_window(self, k: int) -> tuple[float, float]:
        """Absolute start and stop (ms) of step k's stimulus."""
        start = self.proto["warmup_ms"] + k * (self.proto["stimulus_ms"] + self.proto["pause_ms"])
        return start, start + self.proto["stimulus_ms"]

    def run_step(self, k: int) -> dict:
        """Stimulate, simulate and analyse grid step k; return its record and spikes.

        Returns
        -------
        dict with the step's GridStep, window, rates {(population, channel): Hz},
        GPi rates of the competing channels, outcome, expected, correct, timings, and
        the spikes taken (cleared from NEST's memory).
        """
        t_start = time.perf_counter()
        step = self.steps[k]
        start, stop = self.step_window(k)
        if abs(self.net.time_ms - start) > 1e-6:
            raise RuntimeError(f"grid step {k} starts at {start} ms but the network is at "
                               f"{self.net.time_ms} ms; run the warm-up and steps in order")
        for input_name, factor in self.proto["stimulated_inputs"].items():
            for ch, rate in zip(self.competing, (step.rate_ch1_Hz, step.rate_ch2_Hz)):
                self.net.set_stimulus(stimulus_key(input_name, ch), rate * factor,
                                      start, stop)
        t_sim = time.perf_counter()
        self.net.simulate(self.proto["stimulus_ms"] + self.proto["pause_ms"])
        simulate_s = time.perf_counter() - t_sim
        spikes = self.take_all_spikes()
        rates = {}
        for name in self.read:
            for c, r in zip(self.readout, self.population_channel_rates(spikes, name, start, stop)):
                rates[(name, c)] = r
        for input_name in self.proto["stimulated_inputs"]:
            if input_name not in spikes:
                continue
            sp = spikes[input_name]
            members = [self.sampled[(input_name, ch)] for ch in self.competing]
            for ch, r in zip(self.competing,
                             channel_rates(sp.senders, sp.times, members, start, stop)):
                rates[(input_name + STIMULATED_SUFFIX, ch)] = float(r)
        gpi = self.competing_gpi_rates(spikes, start, stop)
        sel = self.proto["selection"]
        ref = self.rest["reference_Hz"]
        result = classify(gpi[0], gpi[1], ref[0], ref[1], sel["threshold"], sel["threshold_unit"],
                          sel["margin_Hz"])
        expected = expected_outcome(step.rate_ch1_Hz, step.rate_ch2_Hz)
        return {"step": step, "window_ms": (start, stop), "rates": rates, "gpi": gpi,
                "outcome": result, "expected": expected,
                "correct": expected is not None and result == expected,
                "simulate_s": simulate_s, "t_start": t_start, "spikes": spikes}

    # ------------------------------------------------------------------ results
    def record_step(self, rec: dict) -> None:
        """Append a step to the tables and rewrite them and the summary atomically."""
        s = rec["step"]
        head = f"{s.step},{s.i},{s.j},{_fmt(s.rate_ch1_Hz)},{_fmt(s.rate_ch2_Hz)}"
        self.rate_rows += [f"{head},{pop},{ch},{_fmt(r)}" for (pop, ch), r in rec["rates"].items()]
        ref = self.rest["reference_Hz"]
        self.rundir.write_result_text("rates.csv", RATES_HEADER + "\n"
                                      + "\n".join(self.rate_rows) + "\n")
        rec["wall_s"] = time.perf_counter() - rec["t_start"]
        self.records.append({"step": s.step, "i": s.i, "j": s.j, "rate_ch1_Hz": s.rate_ch1_Hz,
                             "rate_ch2_Hz": s.rate_ch2_Hz, "gpi_ch1_Hz": rec["gpi"][0],
                             "gpi_ch2_Hz": rec["gpi"][1], "outcome": rec["outcome"],
                             "expected": rec["expected"], "correct": rec["correct"],
                             "wall_s": rec["wall_s"], "simulate_s": rec["simulate_s"]})
        self.selection_rows.append(
            f"{head},{_fmt(rec['gpi'][0])},{_fmt(rec['gpi'][1])},{_fmt(ref[0])},{_fmt(ref[1])},"
            f"{rec['outcome']},{rec['expected'] or 'tie'},{rec['correct']},"
            f"{rec['wall_s']:.3f},{rec['simulate_s']:.3f}")
        self.rundir.write_result_text("selection.csv", SELECTION_HEADER + "\n"
                                      + "\n".join(self.selection_rows) + "\n")
        self.rundir.write_result_json("summary.json", self.summary())

    def summary(self) -> dict:
        """Metrics of the steps done so far, the rest rates and the per-step times
        (NaN written as null, so that summary.json is strict JSON)."""
        return json_safe(self._summary())

    def _summary(self) -> dict:
        recs = self.records
        col = {key: [r[key] for r in recs] for key in
               ("rate_ch1_Hz", "rate_ch2_Hz", "gpi_ch1_Hz", "gpi_ch2_Hz", "outcome", "wall_s")}
        metrics = selection_metrics(col["rate_ch1_Hz"], col["rate_ch2_Hz"], col["gpi_ch1_Hz"],
                                    col["gpi_ch2_Hz"], col["outcome"])
        wall = col["wall_s"]
        return {
            "protocol": self.name,
            "complete": len(recs) == len(self.steps),
            "steps_done": len(recs),
            "steps_total": len(self.steps),
            "competing_channels": list(self.competing),
            "lambda": self.config["striatum"]["lambda"],
            "scale": self.config["simulation"]["scale"],
            "sampled_relays": {stimulus_key(k[0], k[1]): int(len(v))
                               for k, v in self.sampled.items()},
            "selection_rule": dict(self.proto["selection"]),
            "rest": self.rest,
            "metrics": metrics,
            "step_wall_s": wall,
            "step_wall_first10_mean_s": float(np.mean(wall[:10])) if wall else float("nan"),
            "step_wall_last10_mean_s": float(np.mean(wall[-10:])) if wall else float("nan"),
        }

    # ------------------------------------------------------------------ run
    def run(self, resume: bool = False) -> dict:
        """Warm-up, then every grid step; results are written after each step."""
        if resume:
            Progress(0, "step", self.quiet).message(
                "action_selection keeps no checkpoints: starting again from the warm-up")
        t0 = time.perf_counter()
        self.warm_up()
        self.timings["warmup"] = time.perf_counter() - t0
        ref = self.rest["reference_Hz"]
        # Time per step and time left count from the first step, not the warm-up.
        progress = Progress(len(self.steps), "step", self.quiet)
        progress.message(f"warm-up done: GPi rest ch{self.competing[0]} {ref[0]:.1f} Hz, "
                         f"ch{self.competing[1]} {ref[1]:.1f} Hz")
        t_grid = time.perf_counter()
        for k in range(len(self.steps)):
            rec = self.run_step(k)
            self.record_step(rec)
            s = rec["step"]
            progress.update(k + 1, f"ch1 {s.rate_ch1_Hz:.1f} Hz, ch2 {s.rate_ch2_Hz:.1f} Hz: "
                                   f"GPi {rec['gpi'][0]:.1f} / {rec['gpi'][1]:.1f} Hz -> "
                                   f"{rec['outcome']}")
        self.timings["grid"] = time.perf_counter() - t_grid
        return self.summary()

    @staticmethod
    def report(summary: dict) -> str:
        """The selection metrics as text for the terminal."""
        def num(x, spec=".2f"):
            return "n/a" if x is None else format(x, spec)

        m = summary["metrics"]
        rest = summary["rest"]["reference_Hz"]
        ch = summary["competing_channels"]
        lines = [f"steps {summary['steps_done']}/{summary['steps_total']}, GPi rest "
                 f"ch{ch[0]} {rest[0]:.1f} Hz, ch{ch[1]} {rest[1]:.1f} Hz "
                 f"(rule: drop > {summary['selection_rule']['threshold']:g} "
                 f"{summary['selection_rule']['threshold_unit']}, "
                 f"{summary['selection_rule']['rest_reference']} rest"
                 f"{_margin_text(summary['selection_rule'].get('margin_Hz'))})",
                 f"single correct selection: {m['correct_single_selections']} of "
                 f"{m['unequal_steps']} steps with unequal input "
                 f"({num(m['selection_fraction'])})"]
        for group in ("unequal", "equal"):
            counts = ", ".join(f"{k} {v}" for k, v in m["outcome_counts"][group].items())
            lines.append(f"outcomes, {group} inputs: {counts}")
        fit = m["contrast_fit"]
        lines.append(f"GPi contrast (ch2 - ch1) vs input difference (ch1 - ch2): slope "
                     f"{num(fit['slope'], '.3f')}, intercept {num(fit['intercept_Hz'])} Hz")
        lines.append(f"wall time per step: first 10 {num(summary['step_wall_first10_mean_s'])} s, "
                     f"last 10 {num(summary['step_wall_last10_mean_s'])} s")
        return "\n".join(lines)
