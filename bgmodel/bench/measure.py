"""The measurements of `bgmodel bench`: one child process each, figures from its folder.

Each measurement is `python -m bgmodel run PROTOCOL --scale S --threads T --run-dir DIR`
in a fresh process (a fresh NEST kernel, its own peak memory), run one after the other
so that they do not slow each other down. The figures are read back from the run
folder, as any run records them:

    run.json             timings_s (derive, build, simulate / warmup, episodes,
                         checkpoints), peak_memory_mb, versions
    results/episodes.csv wall_s of every plasticity episode
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..model.config import read_yaml
from ..model.schema import ConfigError
from .machine import load_average

PROTOCOLS = ("resting_state", "plasticity")
SOURCE = "bgmodel bench"


@dataclass(frozen=True)
class BenchSettings:
    """What `bgmodel bench` measures."""

    scales: tuple[float, ...]
    threads: tuple[int, ...]
    episodes: int = 3
    resting_ms: float = 500.0
    checkpoint_every: int = 1
    overrides: tuple[str, ...] = ()   # --set values passed to every run


def check_settings(settings: BenchSettings, cores: int) -> None:
    """Refuse bad values before anything runs.

    Raises
    ------
    ConfigError
        Naming the option, the value and what is allowed.
    """
    for s in settings.scales:
        if not 0 < s <= 1:
            raise ConfigError(SOURCE, "--scales", s, "numbers with 0 < scale <= 1")
    for t in settings.threads:
        if t < 1:
            raise ConfigError(SOURCE, "--threads", t, "integers >= 1")
        if t > cores:
            raise ConfigError(SOURCE, "--threads", t,
                              f"at most the {cores} core(s) this process may use "
                              f"(more threads than cores would measure the contention)")
    if settings.episodes < 1:
        raise ConfigError(SOURCE, "--episodes", settings.episodes, "an integer >= 1")
    if settings.checkpoint_every < 1:
        raise ConfigError(SOURCE, "--checkpoint-every", settings.checkpoint_every,
                          "an integer >= 1 (the run always checkpoints after its last "
                          "episode)")
    if not settings.resting_ms > 0:
        raise ConfigError(SOURCE, "--resting-ms", settings.resting_ms, "a duration > 0 ms")


def protocol_overrides(protocol: str, settings: BenchSettings) -> list[str]:
    """--set values that make a protocol short enough to measure."""
    if protocol == "resting_state":
        # Rates are not the point here; the analysis window only has to fit.
        return [f"protocol.duration_ms={settings.resting_ms}",
                f"protocol.analysis_start_ms={settings.resting_ms / 2}"]
    return [f"protocol.episodes={settings.episodes}",
            f"protocol.checkpoint_every_episodes={settings.checkpoint_every}"]


def run_command(protocol: str, scale: float, threads: int, settings: BenchSettings,
                run_dir: Path) -> list[str]:
    """The child's command line."""
    cmd = [sys.executable, "-m", "bgmodel", "run", protocol, "--scale", str(scale),
           "--threads", str(threads), "--run-dir", str(run_dir), "--quiet"]
    for value in list(settings.overrides) + protocol_overrides(protocol, settings):
        cmd += ["--set", value]
    return cmd


def checkpoints_written(episodes: int, every: int) -> int:
    """Checkpoints of a plasticity run: every `every` episodes and after the last."""
    return episodes // every + (episodes % every != 0)


def _episode_walls(run_dir: Path) -> list[float]:
    path = run_dir / "results" / "episodes.csv"
    if not path.is_file():
        return []
    with path.open(newline="") as f:
        return [float(row["wall_s"]) for row in csv.DictReader(f)]


def figures_of_run(protocol: str, run_dir: Path, settings: BenchSettings) -> dict:
    """The figures of one finished run, from its run.json (and episodes.csv).

    resting_state: setup_s (derive + build), simulate_s, wall_s_per_simulated_s.
    plasticity: setup_s (derive + build + warm-up + synapse sets (+ restore): all before
    the first episode),
    episode_s (mean wall s per episode), episode_walls_s, checkpoint_s (mean wall s
    per checkpoint), checkpoints. Both: build_s, peak_memory_mb.
    """
    meta = RunMeta(run_dir)
    t = meta.timings
    out = {"build_s": t.get("build"), "derive_s": t.get("derive"),
           "peak_memory_mb": meta.data.get("peak_memory_mb"),
           "connections": meta.data.get("connections")}
    if protocol == "resting_state":
        simulated_s = settings.resting_ms / 1000.0
        out.update(simulated_s=simulated_s, simulate_s=t.get("simulate"),
                   setup_s=t.get("derive", 0.0) + t.get("build", 0.0),
                   wall_s_per_simulated_s=t["simulate"] / simulated_s)
        return out
    walls = _episode_walls(run_dir)
    n_cp = checkpoints_written(len(walls), settings.checkpoint_every)
    out.update(episodes=len(walls), episode_ms=meta.episode_ms, warmup_s=t.get("warmup"),
               setup_s=sum(t.get(k, 0.0) for k in ("derive", "build", "warmup",
                                                   "synapse_sets", "restore")),
               episode_s=sum(walls) / len(walls) if walls else None,
               episode_walls_s=[round(w, 3) for w in walls],
               checkpoints=n_cp,
               checkpoint_s=t.get("checkpoints", 0.0) / n_cp if n_cp else None)
    return out


class RunMeta:
    """run.json and config.yaml of a run folder, as the bench reads them."""

    def __init__(self, run_dir: Path):
        self.path = Path(run_dir)
        meta_file = self.path / "run.json"
        self.data = json.loads(meta_file.read_text()) if meta_file.is_file() else {}
        self.timings = self.data.get("timings_s", {})

    @property
    def episode_ms(self) -> float | None:
        """Simulated length of one plasticity episode (from the resolved config)."""
        config_file = self.path / "config.yaml"
        if not config_file.is_file():
            return None
        p = read_yaml(config_file).get("protocol", {})
        keys = ("stimulus_ms", "pause_after_stimulus_ms", "dopamine_window_ms",
                "pause_after_dopamine_ms")
        return float(sum(p[k] for k in keys)) if all(k in p for k in keys) else None


def measure(protocol: str, scale: float, threads: int, settings: BenchSettings,
            out_dir: Path, log=print) -> dict:
    """Run one measurement in a child process and return its record.

    The record holds protocol, scale, threads, run_dir, status ('done' or 'failed'),
    the child's wall time, and the figures of `figures_of_run` when it finished.
    """
    run_dir = out_dir / f"{protocol}_scale{scale:g}_threads{threads}"
    log_file = out_dir / f"{run_dir.name}.log"
    cmd = run_command(protocol, scale, threads, settings, run_dir)
    # NEST's OpenMP threads and any BLAS below numpy: no more than asked.
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), PYTHONUNBUFFERED="1")
    # Wall times on a shared machine move with its load: keep it with the figures.
    load = load_average()
    t0 = time.perf_counter()
    with log_file.open("wb") as f:
        done = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, env=env)
    record = {"protocol": protocol, "scale": scale, "threads": threads,
              "run_dir": str(run_dir), "process_wall_s": round(time.perf_counter() - t0, 3),
              "status": "done" if done.returncode == 0 else "failed",
              "load_average_before": load, "load_average_after": load_average()}
    meta = RunMeta(run_dir)
    record["versions"] = meta.data.get("versions", {})
    if done.returncode != 0:
        tail = log_file.read_text(errors="replace").strip().splitlines()[-3:]
        record["error"] = meta.data.get("error") or " / ".join(tail) or \
            f"exit code {done.returncode}"
        return record
    record.update(figures_of_run(protocol, run_dir, settings))
    return record


def summary_line(record: dict) -> str:
    """One line per measurement for the terminal."""
    head = f"{record['protocol']:<13} scale {record['scale']:<5g} {record['threads']:>2} thread(s): "
    if record["status"] != "done":
        return head + f"FAILED: {record.get('error')}"

    def s(x):
        return "n/a" if x is None else f"{x:.1f} s"
    mem = record.get("peak_memory_mb")
    mem = "n/a" if mem is None else f"{mem / 1024:.2f} GB"
    if record["protocol"] == "resting_state":
        return head + (f"build {s(record['build_s'])}, "
                       f"{record['wall_s_per_simulated_s']:.2f} s per simulated s, "
                       f"peak {mem}")
    return head + (f"set-up {s(record['setup_s'])} (build {s(record['build_s'])}), "
                   f"{s(record['episode_s'])} per episode, {s(record['checkpoint_s'])} per "
                   f"checkpoint ({record['checkpoints']}), peak {mem}")
