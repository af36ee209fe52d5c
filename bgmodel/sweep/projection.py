"""Projected wall time of a sweep from bench figures (bgmodel.bench.figures) and the
packing rule (bgmodel.sweep.packing). No NEST.

Each run's time comes from its resolved configuration and the bench figures of its
protocol at its scale:

    resting_state   set-up + simulated seconds x wall s per simulated second
    plasticity      set-up (build, warm-up) + episodes x s per episode
                    + checkpoints x s per checkpoint

The runs are then dealt out, longest first, to the nodes x processes slots of the
packing; the projected wall time is when the last slot finishes. A scale the bench did
not measure gives no projection unless extrapolation is asked for, and then the
assumption is printed.
"""
from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

from .packing import Packing, choose_packing

EPISODE_KEYS = ("stimulus_ms", "pause_after_stimulus_ms", "dopamine_window_ms",
                "pause_after_dopamine_ms")


@dataclass(frozen=True)
class RunWork:
    """What one run of a sweep simulates."""

    protocol: str
    scale: float
    simulated_s: float = 0.0        # resting_state
    episodes: int = 0               # plasticity
    episode_ms: float = 0.0
    checkpoints: int = 0

    def describe(self) -> str:
        if self.protocol == "plasticity":
            return (f"{self.episodes} episodes of {self.episode_ms / 1000:g} s, "
                    f"{self.checkpoints} checkpoints")
        return f"{self.simulated_s:g} simulated s"


def work_of_config(config: dict) -> RunWork:
    """The work of a run from its resolved configuration (a dict, e.g. a frozen
    configs/NAME.yaml of a sweep folder)."""
    proto = config["protocol"]
    scale = float(config["simulation"]["scale"])
    name = proto["name"]
    if name == "plasticity":
        episodes = int(proto["episodes"])
        every = int(proto["checkpoint_every_episodes"])
        return RunWork(name, scale, episodes=episodes,
                       episode_ms=float(sum(proto[k] for k in EPISODE_KEYS)),
                       checkpoints=episodes // every + (episodes % every != 0))
    if "duration_ms" in proto:
        return RunWork(name, scale, simulated_s=float(proto["duration_ms"]) / 1000.0)
    return RunWork(name, scale)


def run_seconds(work: RunWork, figures: dict) -> float:
    """Wall seconds of one run from bench figures of its protocol, scale and threads.
    Episodes longer or shorter than the measured ones cost in proportion."""
    if work.protocol == "plasticity":
        episode_s = figures["episode_s"]
        measured_ms = figures.get("episode_ms")
        if measured_ms:
            episode_s *= work.episode_ms / measured_ms
        return (figures["setup_s"] + work.episodes * episode_s
                + work.checkpoints * figures["checkpoint_s"])
    return figures["setup_s"] + work.simulated_s * figures["wall_s_per_simulated_s"]


def makespan(durations: list[float], slots: int) -> float:
    """Wall time to run every duration on `slots` parallel slots, longest first, each
    run to the slot that frees first."""
    if not durations:
        return 0.0
    free = [0.0] * max(1, slots)
    for d in sorted(durations, reverse=True):
        heapq.heappush(free, heapq.heappop(free) + d)
    return max(free)


@dataclass
class Projection:
    """The projection of a sweep, or why there is none."""

    runs: int
    groups: dict                                  # (protocol, scale) -> [RunWork]
    packing: Packing | None = None
    per_run_s: dict = field(default_factory=dict)  # threads -> mean seconds per run
    memory_gb: dict = field(default_factory=dict)  # threads -> memory per run (GB)
    lines: list = field(default_factory=list)      # figures per run, per thread count
    notes: list = field(default_factory=list)      # assumptions (extrapolation, memory)
    missing: list = field(default_factory=list)    # why no projection
    wall_s: dict = field(default_factory=dict)     # nodes -> projected wall seconds
    as_asked: tuple | None = None                  # (Packing, wall_s) at the sweep's threads


def _figures_for(bench, protocol, scale, threads, extrapolate):
    found = bench.find(protocol, scale, threads)
    if found is None and extrapolate:
        found = bench.extrapolated(protocol, scale, threads)
    return found


def project(works: list[RunWork], bench=None, cores: int = 1, nodes: list[int] = (1,),
            memory_gb_per_node: float | None = None, memory_gb_per_run: float | None = None,
            extrapolate: bool = False, sweep_threads: int | None = None) -> Projection:
    """Projection of running `works` on nodes of `cores` cores.

    Parameters
    ----------
    works : list of RunWork
        The runs still to do.
    bench : bgmodel.bench.figures.Bench, optional
        Without it only the default packing is given (no times).
    cores, memory_gb_per_node : node size (memory None: not a limit).
    nodes : list of int
        Node counts to project for.
    memory_gb_per_run : float, optional
        Memory of a run where the bench has no peak memory (the sweep's
        resources.memory_gb).
    extrapolate : bool
        Scale the figures of the largest measured scale to unmeasured scales
        (linear in the scale) instead of refusing.
    sweep_threads : int, optional
        The sweep's resources.threads: when measured and not the packing's, the
        projection with it is given too (`as_asked`).
    """
    groups: dict = {}
    for w in works:
        groups.setdefault((w.protocol, w.scale), []).append(w)
    proj = Projection(len(works), groups)
    if bench is None:
        proj.packing = choose_packing(cores, memory_gb_per_node, None, memory_gb_per_run)
        if memory_gb_per_node is not None and memory_gb_per_run:
            proj.notes.append(f"memory per run {memory_gb_per_run:g} GB: the sweep's "
                              f"resources.memory_gb")
        return proj
    # Thread counts at which every group has figures.
    candidates = None
    for protocol, scale in groups:
        threads = set(bench.threads(protocol))
        candidates = threads if candidates is None else candidates & threads
        if not bench.threads(protocol):
            proj.missing.append(f"{bench.path} has no {protocol} measurement; measure it "
                                f"with bgmodel bench")
        elif not any(bench.find(protocol, scale, t) for t in threads) and not extrapolate:
            proj.missing.append(
                f"{bench.path} has no {protocol} measurement at scale {scale:g} (measured "
                f"scales: {', '.join(f'{s:g}' for s in bench.scales(protocol))}); measure "
                f"it (bgmodel bench --scales {scale:g} ...) or pass --extrapolate to scale "
                f"the largest measured scale's figures linearly in the scale")
    if proj.missing:
        return proj
    seconds, memory_from_sweep = {}, set()
    for threads in sorted(candidates or ()):
        per_group = {key: _figures_for(bench, key[0], key[1], threads, extrapolate)
                     for key in groups}
        if any(f is None for f in per_group.values()):
            continue
        durations = [run_seconds(w, per_group[(w.protocol, w.scale)].figures)
                     for w in works]
        seconds[threads] = durations
        memories = [f.memory_gb for f in per_group.values() if f.memory_gb is not None]
        proj.memory_gb[threads] = max(memories) if memories else memory_gb_per_run
        if not memories:
            memory_from_sweep.add(threads)
        proj.notes += [f.note for f in per_group.values() if f.note and f.note not in proj.notes]
        for (protocol, scale), group in groups.items():
            fig = per_group[(protocol, scale)].figures
            one = run_seconds(group[0], fig)
            proj.lines.append(f"{threads:>3} thread(s): {protocol} scale {scale:g} "
                              f"({group[0].describe()}): {_breakdown(group[0], fig)} = "
                              f"{_hours(one)} per run"
                              + (f", memory {proj.memory_gb[threads]:.1f} GB"
                                 if proj.memory_gb[threads] else ""))
    if not seconds:
        proj.missing.append(f"{bench.path} has no thread count measured for every "
                            f"protocol and scale of the sweep")
        return proj
    proj.per_run_s = {t: sum(d) / len(d) for t, d in seconds.items()}
    proj.packing = choose_packing(cores, memory_gb_per_node, proj.per_run_s, proj.memory_gb)
    if (memory_gb_per_node is not None and memory_gb_per_run
            and proj.packing.threads in memory_from_sweep):
        proj.notes.append(f"memory per run {memory_gb_per_run:g} GB: the sweep's "
                          f"resources.memory_gb (the bench gives no peak memory here)")
    durations = seconds[proj.packing.threads]
    for n in nodes:
        proj.wall_s[n] = makespan(durations, n * proj.packing.processes)
    if sweep_threads in seconds and sweep_threads != proj.packing.threads:
        # What the sweep's own resources.threads would give, for comparison.
        try:
            alone = choose_packing(cores, memory_gb_per_node,
                                   {sweep_threads: proj.per_run_s[sweep_threads]}, proj.memory_gb)
        except ValueError:  # does not fit on the node: nothing to compare
            return proj
        proj.as_asked = (alone, {n: makespan(seconds[sweep_threads], n * alone.processes)
                                 for n in nodes})
    return proj


def _breakdown(work: RunWork, fig: dict) -> str:
    if work.protocol == "plasticity":
        episode_s = run_seconds(RunWork("plasticity", work.scale, episodes=1,
                                        episode_ms=work.episode_ms),
                                {**fig, "setup_s": 0.0, "checkpoint_s": 0.0})
        return (f"set-up {fig['setup_s']:.0f} s + {work.episodes} x {episode_s:.3g} s + "
                f"{work.checkpoints} x {fig['checkpoint_s']:.3g} s")
    return (f"set-up {fig['setup_s']:.0f} s + {work.simulated_s:g} x "
            f"{fig['wall_s_per_simulated_s']:.2f} s")


def _hours(seconds: float) -> str:
    return f"{seconds / 3600:.2f} h" if seconds >= 600 else f"{seconds:.0f} s"


def describe(proj: Projection, cores: int, memory_gb_per_node: float | None,
             sweep_threads: int | None = None, bench=None) -> list[str]:
    """The projection as lines for the terminal."""
    node = f"{cores}-core node(s)" + (f" with {memory_gb_per_node:g} GB"
                                      if memory_gb_per_node is not None else "")
    if bench is not None:
        m = bench.machine
        head = (f"projection of {proj.runs} run(s) from {bench.path} (bench machine: "
                f"{m.get('hostname', '?')}, {m.get('available_cores', '?')} cores; "
                f"{m.get('date', '?')}):")
    else:
        head = f"packing of {proj.runs} run(s) (no --bench: no times):"
    lines = [head]
    lines += [f"  cannot project: {m}" for m in proj.missing]
    lines += [f"  {line}" for line in proj.lines]
    lines += [f"  assumed: {n}" for n in proj.notes]
    if proj.packing is None:
        return lines
    lines.append(f"  packing on {node}: {proj.packing.describe()}"
                 f"{' (' + proj.packing.reason + ')' if proj.packing.reason else ''}")
    lines += _wall_lines(proj.runs, proj.packing, proj.wall_s)
    if proj.as_asked is not None:
        packing, wall_s = proj.as_asked
        lines.append(f"  with the sweep's resources.threads ({packing.threads}) instead: "
                     f"{packing.describe()}")
        lines += _wall_lines(proj.runs, packing, wall_s)
    if sweep_threads is not None and sweep_threads != proj.packing.threads:
        lines.append(f"  the sweep asks for resources.threads: {sweep_threads}; the packing "
                     f"above runs {proj.packing.threads} thread(s) per run (set "
                     f"resources.threads: {proj.packing.threads} in the sweep file to use it)")
    return lines


def _wall_lines(runs: int, packing: Packing, wall_s: dict) -> list[str]:
    lines = []
    for n, wall in wall_s.items():
        slots = n * packing.processes
        waves = math.ceil(runs / slots) if runs else 0
        lines.append(f"  {n} node(s), {slots} runs at once: {runs} runs in {waves} "
                     f"wave(s), projected wall time {_hours(wall)}"
                     + (f" ({wall / 86400:.1f} days)" if wall >= 2 * 86400 else ""))
    return lines
