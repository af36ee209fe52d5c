"""Self-describing run folders, written atomically as the run goes.

A run folder holds:
    config.yaml   the resolved configuration (reload it with config.from_frozen)
    run.json      protocol, seed, threads, versions, command line, host, pid, status
                  (running / done / failed / interrupted), timings per phase, peak memory
    results/      the protocol's results
Every file is written to a temporary name and renamed, so a reader never sees half a file
and a killed run leaves only whole files behind.

Under MPI (one network over the ranks of a NEST built with MPI) rank 0 alone writes the
folder: `shared_run_directory` gives the other ranks a `ReadOnlyRunDirectory` whose
writes do nothing, and `decided_on_rank0` runs checks and changes of the folder on rank
0 and hands the outcome to every rank.
"""
from __future__ import annotations

import io
import json
import os
import socket
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from .. import mpi

STATUSES = ("running", "done", "failed", "interrupted")


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` through a temporary file and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    return atomic_write_bytes(path, text.encode())


def atomic_write_json(path: str | Path, obj: Any) -> Path:
    return atomic_write_text(path, json.dumps(obj, indent=2, sort_keys=False, default=_jsonable) + "\n")


def atomic_save_npz(path: str | Path, compress: bool = True, **arrays) -> Path:
    """np.savez_compressed (np.savez with compress=False), atomically."""
    buf = io.BytesIO()
    (np.savez_compressed if compress else np.savez)(buf, **arrays)
    return atomic_write_bytes(path, buf.getvalue())


def _jsonable(obj):
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"not JSON serialisable: {type(obj)}")


def json_safe(obj):
    """A copy of obj with float NaN replaced by None, so that it is strict JSON."""
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    if isinstance(obj, float) and obj != obj:
        return None
    return obj


def run_name(protocol: str, digest: str, when: datetime | None = None) -> str:
    """Folder name from the protocol, the start time and the config hash."""
    when = when or datetime.now()
    return f"{protocol}_{when:%Y%m%d-%H%M%S}_{digest}"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunDirectory:
    """One run's folder."""

    # False for the view of ranks other than 0 (bgmodel.mpi.ReadOnlyRunDirectory):
    # writers outside this class (episode tables, checkpoints) ask before writing.
    writes = True

    def __init__(self, path: str | Path):
        self.path = Path(path)

    # ------------------------------------------------------------ creation
    @classmethod
    def create(cls, parent: str | Path, protocol: str, digest: str) -> "RunDirectory":
        parent = Path(parent)
        base = run_name(protocol, digest)
        for k in range(1000):
            path = parent / (base if k == 0 else f"{base}-{k}")
            try:
                path.mkdir(parents=True)
                return cls(path)
            except FileExistsError:
                continue
        raise RuntimeError(f"cannot create a run folder under {parent}")

    @classmethod
    def at(cls, path: str | Path) -> "RunDirectory":
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        return cls(path)

    # ------------------------------------------------------------ files
    @property
    def results(self) -> Path:
        return self.path / "results"

    @property
    def config_file(self) -> Path:
        return self.path / "config.yaml"

    @property
    def meta_file(self) -> Path:
        return self.path / "run.json"

    def exists(self) -> bool:
        return self.meta_file.is_file()

    def read_meta(self) -> dict:
        return json.loads(self.meta_file.read_text()) if self.meta_file.is_file() else {}

    def update_meta(self, **fields) -> dict:
        meta = self.read_meta()
        meta.update(fields)
        atomic_write_json(self.meta_file, meta)
        return meta

    def set_status(self, status: str, **fields) -> None:
        if status not in STATUSES:
            raise ValueError(f"status {status!r} not in {STATUSES}")
        history = self.read_meta().get("status_history", [])
        history.append({"status": status, "at": now_iso()})
        self.update_meta(status=status, status_history=history, **fields)

    def on_this_host(self) -> bool:
        """Whether run.json names this host as the one running (or that ran) it."""
        return self.read_meta().get("host") == socket.gethostname()

    def alive_here(self) -> bool:
        """Whether a process on this host is running it now."""
        return self.on_this_host() and self.effective_status() == "running"

    def effective_status(self) -> str:
        """The recorded status, or 'interrupted' for a 'running' run whose process on
        this host is gone (killed with SIGKILL, machine lost)."""
        meta = self.read_meta()
        status = meta.get("status", "missing")
        if status == "running" and meta.get("host") == socket.gethostname():
            pid = meta.get("pid")
            if pid and not pid_alive(int(pid)):
                return "interrupted"
        return status

    def write_result_json(self, name: str, obj: Any) -> Path:
        return atomic_write_json(self.results / name, obj)

    def write_result_text(self, name: str, text: str) -> Path:
        return atomic_write_text(self.results / name, text)

    def save_result_arrays(self, name: str, **arrays) -> Path:
        return atomic_save_npz(self.results / name, **arrays)


def single_run_folder(path: str | Path) -> Path:
    """`path` if it is a run folder (it holds config.yaml), else the one run folder
    directly inside it (an --out folder of one run); ValueError otherwise."""
    path = Path(path)
    if (path / "config.yaml").is_file():
        return path
    inner = [p for p in path.iterdir() if (p / "config.yaml").is_file()]
    if len(inner) != 1:
        raise ValueError(f"{path}: not a run folder, and holds {len(inner)} run folders")
    return inner[0]


class RunFolderError(Exception):
    """A run folder cannot be used as asked (not a run folder, still running)."""


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class PhaseTimer:
    """Wall-clock seconds per named phase, accumulated."""

    def __init__(self):
        self.seconds: dict[str, float] = {}

    def __call__(self, phase: str):
        timer = self

        class _Phase:
            def __enter__(self_inner):
                self_inner.t0 = time.perf_counter()

            def __exit__(self_inner, *exc):
                timer.seconds[phase] = timer.seconds.get(phase, 0.0) + time.perf_counter() - self_inner.t0
                return False

        return _Phase()


# ----------------------------------------------------------------------------- MPI ranks
class ReadOnlyRunDirectory(RunDirectory):
    """The run folder as ranks other than 0 see it: readable, never written."""

    writes = False

    def update_meta(self, **fields) -> dict:
        return self.read_meta()

    def set_status(self, status: str, **fields) -> None:
        return None

    def write_result_json(self, name, obj) -> Path:
        return self.results / name

    def write_result_text(self, name, text) -> Path:
        return self.results / name

    def save_result_arrays(self, name, **arrays) -> Path:
        return self.results / name


def decided_on_rank0(decide, rank: int = 0, processes: int = 1):
    """decide() evaluated on rank 0 only and its result (or the error it raised) given
    to every rank: for checks and changes of the run folder, which rank 0 alone writes.
    `rank` and `processes` are the NEST kernel's (bgmodel.simulator.kernel)."""
    if processes == 1:
        return decide()
    outcome = None
    if rank == 0:
        try:
            outcome = ("value", decide())
        except Exception as err:  # every rank raises it, none waits for rank 0
            outcome = ("error", err)
    kind, value = mpi.bcast(outcome)
    if kind == "error":
        raise value
    return value


def shared_run_directory(out, protocol: str, digest: str, run_dir=None, rank: int = 0,
                         processes: int = 1) -> RunDirectory:
    """The run folder of this run: rank 0 makes it and tells the others its path.

    Parameters
    ----------
    out : path
        Parent of a new run folder (when `run_dir` is None).
    protocol, digest : str
        Name the new folder (`run_name`).
    run_dir : path, optional
        Exact folder.
    rank, processes : int
        The NEST kernel's rank and MPI processes (bgmodel.simulator.kernel).
    """
    def make() -> RunDirectory:
        return RunDirectory.at(run_dir) if run_dir is not None else \
            RunDirectory.create(out, protocol, digest)

    if processes == 1:
        return make()
    path = str(make().path) if rank == 0 else None
    path = mpi.bcast(path)
    return RunDirectory(path) if rank == 0 else ReadOnlyRunDirectory(path)
