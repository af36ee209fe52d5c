"""The sweep folder: frozen inputs, one run folder per point, and the status of each.

    SWEEP_DIR/
      sweep.yaml          the sweep file as given (frozen copy)
      points.json         the points: index, name, varied values, seed, config hash,
                          and the configuration error of points that are not valid
      configs/NAME.yaml   the resolved configuration of every valid point (frozen)
      runs/NAME/          the run folder of every point (bgmodel.results.rundir)
      logs/NAME.log       output of points run by the local executor
      attempts/NAME.K/    earlier unfinished attempts, moved aside before a rerun
      slurm/              job scripts, their settings, submitted job ids, SLURM logs

A point is run from its frozen configuration alone (`run_point`), which is all a SLURM
task or an MPI rank needs. Laying out again into an existing folder is allowed when every
point that has started keeps its index, name and configuration (adding seeds does), so
reruns after failures or time-outs only run what is missing.
"""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..model.config import from_frozen
from ..results.rundir import RunDirectory, atomic_write_json, atomic_write_text, now_iso
from ..model.schema import ConfigError
from .points import expand_points, resolve_points
from .spec import SweepSpec

MANIFEST = "points.json"
# Run-folder statuses after which a point is run again by `bgmodel sweep`.
RERUN_STATUSES = ("missing", "failed", "interrupted")


@dataclass(frozen=True)
class PointRecord:
    """A point as the sweep folder records it."""

    index: int
    name: str
    params: dict
    seed: int
    config_hash: str | None  # None when the point is not valid
    error: str | None        # the configuration error of a point that is not valid

    @property
    def valid(self) -> bool:
        return self.error is None


class SweepFolder:
    """A laid-out sweep."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    # ------------------------------------------------------------------ files
    @property
    def manifest_file(self) -> Path:
        return self.path / MANIFEST

    def exists(self) -> bool:
        return self.manifest_file.is_file()

    def manifest(self) -> dict:
        if not self.exists():
            raise FileNotFoundError(f"{self.path}: no {MANIFEST}; not a bgmodel sweep folder")
        return json.loads(self.manifest_file.read_text())

    def points(self) -> list[PointRecord]:
        return [PointRecord(**p) for p in self.manifest()["points"]]

    def point(self, index: int) -> PointRecord:
        points = self.points()
        if not 0 <= index < len(points):
            raise IndexError(f"{self.path}: point {index} does not exist "
                             f"(points 0..{len(points) - 1})")
        return points[index]

    def run_dir(self, point: PointRecord) -> RunDirectory:
        return RunDirectory(self.path / "runs" / point.name)

    def config_file(self, point: PointRecord) -> Path:
        return self.path / "configs" / f"{point.name}.yaml"

    def log_file(self, point: PointRecord) -> Path:
        return self.path / "logs" / f"{point.name}.log"

    # ------------------------------------------------------------------ status
    def status(self, point: PointRecord) -> str:
        """'invalid', or the run folder's status: missing, running, done, failed,
        interrupted."""
        if not point.valid:
            return "invalid"
        return self.run_dir(point).effective_status()

    def error(self, point: PointRecord) -> str | None:
        """Why a point did not finish (its configuration error or its run's error)."""
        if not point.valid:
            return point.error
        return self.run_dir(point).read_meta().get("error")

    def pending(self) -> list[PointRecord]:
        """Valid points that still have to run (missing, failed or interrupted)."""
        return [p for p in self.points() if p.valid and self.status(p) in RERUN_STATUSES]


def _check_compatible(folder: SweepFolder, new: list[dict]) -> None:
    """Refuse to lay out over started points that would change."""
    old = folder.manifest()["points"]
    for rec in old:
        started = rec["error"] is None and (folder.path / "runs" / rec["name"] / "run.json").is_file()
        if not started:
            continue
        i = rec["index"]
        same = (i < len(new) and new[i]["name"] == rec["name"] and new[i]["seed"] == rec["seed"]
                and new[i]["config_hash"] == rec["config_hash"])
        if not same:
            now = new[i]["name"] if i < len(new) else "no point"
            raise ConfigError(str(folder.manifest_file), f"points[{i}]", rec["name"],
                              f"the same point as the sweep file, which now has {now} there "
                              f"(or a changed configuration); this folder holds runs of "
                              f"another sweep: pass a new --sweep-dir or remove it")


def lay_out(spec: SweepSpec, path: str | Path) -> tuple[SweepFolder, list]:
    """Expand, resolve and freeze a sweep into `path`.

    Every point is resolved (validated) before anything is written. Returns the folder
    and the list of (point, error) pairs of points that are not valid; such points are
    recorded with their error and are never run.

    Raises
    ------
    ConfigError
        For errors of the sweep file as a whole, or when `path` holds started runs of a
        different sweep.
    """
    folder = SweepFolder(path)
    resolved = resolve_points(spec, expand_points(spec))
    records = [{"index": p.index, "name": p.name, "params": p.params, "seed": p.seed,
                "config_hash": cfg.digest() if cfg is not None else None,
                "error": str(err) if err is not None else None}
               for p, cfg, err in resolved]
    if folder.exists():
        _check_compatible(folder, records)
    folder.path.mkdir(parents=True, exist_ok=True)
    atomic_write_text(folder.path / "sweep.yaml", spec.path.read_text())
    for point, config, _ in resolved:
        if config is not None:
            atomic_write_text(folder.path / "configs" / f"{point.name}.yaml", config.to_yaml())
    atomic_write_json(folder.manifest_file, {
        "sweep": spec.name, "protocol": spec.protocol, "source": str(spec.path),
        "laid_out_at": now_iso(), "varied": spec.varied_keys, "seeds": list(spec.seeds),
        "resources": {"threads": spec.resources.threads, "memory_gb": spec.resources.memory_gb,
                      "time": spec.resources.time},
        "points": records})
    invalid = [(p, err) for p, cfg, err in resolved if err is not None]
    return folder, invalid


def _move_aside(folder: SweepFolder, point: PointRecord) -> None:
    """Keep an unfinished attempt for inspection and start the point afresh."""
    rundir = folder.run_dir(point)
    if not rundir.path.exists():
        return
    attempts = folder.path / "attempts"
    attempts.mkdir(exist_ok=True)
    k = 1
    while (attempts / f"{point.name}.{k}").exists():
        k += 1
    shutil.move(str(rundir.path), str(attempts / f"{point.name}.{k}"))


def run_point(folder: SweepFolder, index: int, quiet: bool = True) -> tuple[str, dict | None]:
    """Run one point in this process from its frozen configuration.

    A point already done is skipped. An interrupted run (stopped by a signal, e.g.
    SLURM's time limit, or killed hard while "running") is resumed in its folder: from
    its last checkpoint for protocols that write them, from the start otherwise. A
    failed run is moved to attempts/ and the point starts afresh.

    Returns
    -------
    ("skipped", None), ("done", summary) or ("resumed", summary)

    Raises
    ------
    ConfigError
        For a point that is not valid.
    Exception
        Whatever the run raised (the run folder then says "failed" with the error).
    """
    point = folder.point(index)
    if not point.valid:
        raise ConfigError(str(folder.manifest_file), f"points[{index}]", point.name,
                          f"a valid point; its configuration error: {point.error}")
    status = folder.status(point)
    if status == "done":
        return "skipped", None
    from ..runner import resume_run, run_protocol
    rundir = folder.run_dir(point)
    if status in ("interrupted", "running") and rundir.config_file.is_file():
        # "running" recorded by another host is a task lost with its node: the
        # scheduler runs one task per point, so nothing else writes this folder. A live
        # process on this host is refused (RunFolderError).
        _, summary = resume_run(rundir.path, quiet=quiet, force=not rundir.on_this_host())
        return "resumed", summary
    if status != "missing":
        _move_aside(folder, point)
    config = from_frozen(folder.config_file(point))
    command = ["bgmodel", "sweep-task", str(folder.path), str(index)]
    # Written first so that a failed run also says which point it was.
    RunDirectory.at(rundir.path).update_meta(
        sweep=folder.manifest()["sweep"], sweep_index=index, sweep_params=point.params)
    _, summary = run_protocol(config, run_dir=rundir.path, quiet=quiet, command_line=command)
    return "done", summary


def mark_failed(folder: SweepFolder, point: PointRecord, error: str) -> None:
    """Record a point whose process ended without saying why (killed, crashed hard)."""
    rundir = RunDirectory.at(folder.run_dir(point).path)
    rundir.set_status("failed", error=error, finished_at=now_iso())

