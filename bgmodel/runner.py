"""Run a protocol into a run folder: derive, build, simulate, analyse, record everything.

`run_protocol(config, ...)` is what `bgmodel run` and `bgmodel resume` call. It writes
config.yaml and run.json first (status "running"), keeps the status current (done,
failed with the error, interrupted on SIGINT/SIGTERM), and records per-phase timings,
peak memory, versions and the command line.
"""
from __future__ import annotations

import copy
import json
import os
import platform
import resource
import signal
import socket
import sys
import traceback
from pathlib import Path

from . import __version__
from .model.config import ResolvedConfig, from_frozen
from .model.derive import derive_network, input_scale as plan_input_scale
from .model.fidelity import caveats
from .protocols import protocol_class
from .model.schema import ConfigError
from .results.rundir import (PhaseTimer, ReadOnlyRunDirectory, RunDirectory, RunFolderError,
                             atomic_write_text, decided_on_rank0, now_iso,
                             shared_run_directory)


class RunInterrupted(Exception):
    """Raised inside the run when SIGTERM or SIGINT arrives."""


def peak_memory_mb() -> float:
    """Peak resident memory of this process (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def versions() -> dict:
    from .simulator.kernel import nest_version
    import numpy
    return {"bgmodel": __version__, "nest": nest_version(), "python": platform.python_version(),
            "numpy": numpy.__version__}


def _raise_interrupted(signum, frame):
    raise RunInterrupted(signal.Signals(signum).name)


def run_protocol(config: ResolvedConfig, out: str | Path = "log", run_dir: str | Path | None = None,
                 command_line: list[str] | None = None, quiet: bool = False,
                 resume: bool = False) -> tuple[RunDirectory, dict]:
    """Run config's protocol; return the run folder and the protocol's summary.

    Parameters
    ----------
    config : ResolvedConfig
        Validated configuration including its `protocol` section.
    out : path
        Parent folder of new run folders (default log/).
    run_dir : path, optional
        Exact folder to use (sweeps and SLURM tasks pass one); resumed runs pass theirs.
    command_line : list of str
        Recorded in run.json (defaults to sys.argv).
    quiet : bool
        No progress output.
    resume : bool
        Continue an earlier run in `run_dir` from its last checkpoint (protocols
        without checkpoints start again).
    """
    # Under mpiexec with a NEST built with MPI, only rank 0 writes (bgmodel.results.rundir).
    from .simulator import kernel
    # `config` is what the user asked for (config.yaml, the folder's hash); `built` is
    # what is built, which differs only by NEST's own neuron standing in for bgmodel's
    # when the extension cannot be compiled here.
    built, extension = check_neuron_model(config, quiet)
    rundir = shared_run_directory(out, config.protocol_name, config.digest(), run_dir,
                                  rank=kernel.rank(), processes=kernel.processes())
    sim = config["simulation"]
    if not resume and not isinstance(rundir, ReadOnlyRunDirectory):
        atomic_write_text(rundir.config_file, config.to_yaml())
    # A resumed run keeps the layers it was first made from (its config.yaml is their merge).
    layers = rundir.read_meta().get("config_layers") if resume else None
    rundir.update_meta(protocol=config.protocol_name, seed=sim["seed"], threads=sim["threads"],
                       scale=sim["scale"], input_scale=plan_input_scale(sim),
                       config_hash=config.digest(),
                       config_layers=layers or list(config.layers), versions=versions(),
                       command_line=command_line if command_line is not None else sys.argv,
                       host=socket.gethostname(), pid=os.getpid(),
                       started_at=now_iso(), resumed=resume)
    if extension:
        rundir.update_meta(nest_extension=extension)
    # Where a reduced scale departs from full scale: said on every run, -q or not, and
    # kept with the run.
    notes = caveats(config)
    for line in notes:
        print(f"bgmodel: caveat: {line}", file=sys.stderr)
    rundir.update_meta(caveats=notes)
    rundir.set_status("running")
    timer = PhaseTimer()
    old = {s: signal.signal(s, _raise_interrupted) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        with timer("derive"):
            plan = derive_network(built)
        from .simulator.network import build_network
        with timer("build"):
            net = build_network(plan)
            # Under MPI only rank 0 reports progress.
            protocol = protocol_class(config.protocol_name)(built, net, rundir,
                                                            quiet or not rundir.writes)
            protocol.prepare()
        with timer("protocol"):
            summary = protocol.run(resume=resume)
    except RunInterrupted as err:
        rundir.set_status("interrupted", error=f"stopped by {err}", timings_s=timer.seconds,
                          peak_memory_mb=peak_memory_mb(), finished_at=now_iso())
        raise
    except BaseException as err:
        rundir.set_status("failed", error=f"{type(err).__name__}: {err}",
                          traceback=traceback.format_exc(), timings_s=timer.seconds,
                          peak_memory_mb=peak_memory_mb(), finished_at=now_iso())
        raise
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
    timings = dict(timer.seconds)
    timings.update(getattr(protocol, "timings", {}))
    rundir.set_status("done", timings_s=timings, peak_memory_mb=peak_memory_mb(),
                      connections=net.num_connections(), finished_at=now_iso())
    return rundir, summary


def check_neuron_model(config: ResolvedConfig, quiet: bool = False
                       ) -> tuple[ResolvedConfig, dict | None]:
    """Before anything is built: the extension models the config names can be created.

    bgmodel's own neuron bg_iaf_psc_alpha_2port and input relay bg_spike_relay need its
    NEST extension compiled for this environment's NEST: compiled here if missing (once,
    about 15 s). Where it cannot be (no compiler, an unusual NEST), NEST's
    iaf_psc_alpha_multisynapse and spike_train_injector stand in: the same spikes and
    weights bit for bit (tests/test_nest_extension.py, tests/test_spike_relay.py), a
    third slower. One line on stderr says so, why, and how to build the extension.

    Returns the config to build (the given one, or a copy naming NEST's models) and what
    run.json records of the neuron model (None when no extension model is asked for)."""
    from .simulator import nest_extension
    ours = {key: model for key, model in ((NEURON_KEY, nest_extension.MODEL),
                                          (RELAY_KEY, nest_extension.RELAY_MODEL))
            if _get(config, key) == model}
    if not ours:
        return config, None
    try:
        library = nest_extension.build(quiet=quiet)
    except nest_extension.ExtensionError as err:
        reason = " ".join(str(err).split())
        stand_ins = {key: FALLBACKS[key] for key in ours}
        print(f"bgmodel: using NEST's {' and '.join(stand_ins.values())} (same results, "
              f"about a third slower): bgmodel's {' and '.join(ours.values())} could not be "
              f"built ({reason[:300]}); build it with "
              "`python -m bgmodel.simulator.nest_extension`", file=sys.stderr)
        model = config["neuron_model"]["model"]
        return (with_nest_models(config, stand_ins),
                {"model": stand_ins.get(NEURON_KEY, model), "requested": model,
                 "relay_model": stand_ins.get(RELAY_KEY, _get(config, RELAY_KEY)),
                 "fallback_reason": reason})
    info = library.parent / nest_extension.BUILD_INFO
    record = {"model": config["neuron_model"]["model"], "library": library.name,
              "build": library.parent.name, "source_hash": nest_extension.source_hash()}
    if info.is_file():
        record["headers"] = json.loads(info.read_text()).get("headers")
    return config, record


NEURON_KEY, RELAY_KEY = "neuron_model.model", "simulation.relay_model"
# NEST's own models that bgmodel's extension models reproduce bit for bit.
FALLBACKS = {NEURON_KEY: "iaf_psc_alpha_multisynapse", RELAY_KEY: "spike_train_injector"}


def _get(config: ResolvedConfig, key: str):
    section, leaf = key.split(".")
    return config[section][leaf]


def with_nest_models(config: ResolvedConfig, models: dict) -> ResolvedConfig:
    """A copy of `config` with the given dotted keys set to NEST's models, marked as the
    runner's."""
    data = copy.deepcopy(config.data)
    provenance = dict(config.provenance)
    for key, model in models.items():
        section, leaf = key.split(".")
        data[section][leaf] = model
        provenance[key] = "runner (extension fallback)"
    return ResolvedConfig(data=data, provenance=provenance, layers=config.layers)


def resume_run(path: str | Path, quiet: bool = False, episodes: int | None = None,
               checkpoint_every: int | None = None,
               force: bool = False) -> tuple[RunDirectory, dict]:
    """Continue (or, for protocols without checkpoints, redo) the run in `path` with its
    frozen config.

    `episodes` extends a protocol run with episodes (plasticity) to that many episodes:
    a run of fewer episodes is the beginning of the whole protocol, episode for episode,
    so the extended run continues from its last checkpoint as if it had been started
    with the larger count. `checkpoint_every` changes how often it saves checkpoints.
    Nothing else of the frozen config can change: it would change the model mid-run.
    A run still running is refused (two processes would write one folder); `force`
    resumes one recorded as running whose process is known to be gone.

    Under MPI, rank 0 alone checks and changes the folder; the other ranks then read
    the config it wrote."""
    from .simulator import kernel
    rundir = RunDirectory(path)

    def check_and_change() -> None:
        if not rundir.config_file.is_file():
            raise RunFolderError(f"{path}: no config.yaml; not a bgmodel run folder")
        problem = still_running(rundir, force)
        if problem:
            raise RunFolderError(problem)
        config = from_frozen(rundir.config_file)
        changes = {}
        if episodes is not None:
            changes["episodes"] = checked_extension(rundir, config, episodes)
        if checkpoint_every is not None:
            changes["checkpoint_every_episodes"] = checkpoint_every
        if changes:
            changed_config(rundir, config, changes)

    decided_on_rank0(check_and_change, rank=kernel.rank(), processes=kernel.processes())
    config = from_frozen(rundir.config_file)
    return run_protocol(config, run_dir=rundir.path, quiet=quiet, resume=True,
                        command_line=rundir.read_meta().get("command_line"))


def still_running(rundir: RunDirectory, force: bool) -> str | None:
    """Why the run in `rundir` may still be running (None if it is not, or `force`)."""
    if force or rundir.effective_status() != "running":
        return None
    meta = rundir.read_meta()
    where = f"pid {meta.get('pid')} on host {meta.get('host')}"
    if meta.get("host") == socket.gethostname():
        return (f"{rundir.path}: still running ({where}); stop it first (SIGINT or "
                "SIGTERM) or wait for it (--force if that pid is another program now)")
    return (f"{rundir.path}: run.json says running ({where}), which this host cannot "
            "check; if that process is gone (lost node, killed job), resume with --force")


def checked_extension(rundir: RunDirectory, config: ResolvedConfig, episodes: int) -> int:
    """`episodes` if it may replace the frozen protocol.episodes (it never shortens)."""
    proto = config["protocol"]
    if "episodes" not in proto:
        raise ConfigError("resume --episodes", "protocol.episodes", episodes,
                          f"the {config.protocol_name} protocol has no episodes to extend")
    if episodes < proto["episodes"]:
        raise ConfigError("resume --episodes", "protocol.episodes", episodes,
                          f"{rundir.config_file} ran {proto['episodes']} episodes; an "
                          f"extension needs at least {proto['episodes']}")
    return episodes


def changed_config(rundir: RunDirectory, config: ResolvedConfig,
                   changes: dict) -> ResolvedConfig:
    """The frozen config with protocol keys changed, validated and checked by the
    protocol, written back to config.yaml and recorded in run.json's `extensions`."""
    proto = config["protocol"]
    changed = {k: v for k, v in changes.items() if proto.get(k) != v}
    if not changed:
        return config
    new = from_frozen(rundir.config_file, [f"protocol.{k}={v}" for k, v in changed.items()])
    atomic_write_text(rundir.config_file, new.to_yaml())
    history = rundir.read_meta().get("extensions", [])
    history.append({"at": now_iso(),
                    **{f"{k}_from": proto.get(k) for k in changed},
                    **{f"{k}_to": v for k, v in changed.items()}})
    rundir.update_meta(extensions=history)
    return from_frozen(rundir.config_file)
