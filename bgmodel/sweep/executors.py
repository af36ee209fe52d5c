"""Run the pending points of a sweep folder: on this machine, or over MPI ranks.

Local: a pool of child processes, each `python -m bgmodel sweep-task SWEEP_DIR INDEX`,
so that every point has a fresh NEST kernel and a crash ends only its own process. At
most cores // threads processes run at once, so processes x threads never exceeds the
cores this process may use.

MPI: every rank runs its share of the points one after the other in its own process and
NEST kernel (points i, i + size, i + 2 size, ... on rank i); rank 0 reports. This needs
mpi4py and a NEST built without MPI (the PyPI wheel): a NEST built with MPI joins all
ranks into one simulation, which is the single-large-run mode (`mpiexec bgmodel run`).
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Callable

from .. import mpi
from .folder import PointRecord, SweepFolder, mark_failed, run_point


@dataclass
class Outcome:
    """What happened to one point."""

    index: int
    name: str
    status: str            # done, failed
    error: str | None = None
    seconds: float = 0.0


def available_cores() -> int:
    """Cores this process may run on (respects taskset, cgroups' cpusets, SLURM)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def pool_size(threads: int, points: int, jobs: int | None = None,
              cores: int | None = None) -> int:
    """Processes to run at once: as many as fit (processes x threads <= cores), at
    least one, at most one per point, and at most `jobs` when given."""
    cores = cores or available_cores()
    size = max(1, cores // max(1, threads))
    if jobs is not None:
        size = min(size, max(1, jobs))
    return max(1, min(size, points))


def _outcome_from_folder(folder: SweepFolder, point: PointRecord, returncode: int,
                         seconds: float) -> Outcome:
    status = folder.status(point)
    if status == "done":
        return Outcome(point.index, point.name, "done", seconds=seconds)
    if folder.run_dir(point).alive_here():
        # Another process (a second sweep?) runs this point: leave its folder alone.
        pid = folder.run_dir(point).read_meta().get("pid")
        return Outcome(point.index, point.name, "failed", seconds=seconds,
                       error=f"another process (pid {pid}) is running this point")
    error = folder.error(point)
    if status in ("missing", "running", "interrupted") and not error:
        # The process ended without recording why: say so in its run folder.
        error = (f"the process ended with exit code {returncode} before the run finished; "
                 f"see {folder.log_file(point)}")
        mark_failed(folder, point, error)
    return Outcome(point.index, point.name, "failed", error=error, seconds=seconds)


def run_local(folder: SweepFolder, points: list[PointRecord], threads: int,
              jobs: int | None = None, report: Callable[[str], None] = print) -> list[Outcome]:
    """Run points in parallel child processes.

    Parameters
    ----------
    folder : SweepFolder
    points : list of PointRecord
        The points to run (normally `folder.pending()`).
    threads : int
        NEST threads of every run (the sweep's resources.threads).
    jobs : int, optional
        At most this many processes (never more than cores // threads).
    report : callable
        Receives one line per finished point.
    """
    size = pool_size(threads, len(points), jobs)
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), PYTHONUNBUFFERED="1")
    waiting, running, outcomes = list(points), {}, []
    (folder.path / "logs").mkdir(parents=True, exist_ok=True)
    try:
        while waiting or running:
            while waiting and len(running) < size:
                point = waiting.pop(0)
                log = open(folder.log_file(point), "ab")
                cmd = [sys.executable, "-m", "bgmodel", "sweep-task", str(folder.path),
                       str(point.index), "--quiet"]
                proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
                running[proc] = (point, log, time.perf_counter())
            time.sleep(0.05)
            for proc in [p for p in running if p.poll() is not None]:
                point, log, t0 = running.pop(proc)
                log.close()
                outcome = _outcome_from_folder(folder, point, proc.returncode,
                                               time.perf_counter() - t0)
                outcomes.append(outcome)
                report(format_outcome(outcome, len(outcomes), len(points)))
    finally:
        # Interrupted (Ctrl-C): stop the children; each marks its run "interrupted".
        for proc, (point, log, _) in running.items():
            proc.terminate()
        for proc, (point, log, _) in running.items():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()
    return sorted(outcomes, key=lambda o: o.index)


def format_outcome(outcome: Outcome, done: int, total: int) -> str:
    head = f"[{done}/{total}] {outcome.status:<6} {outcome.name}"
    if outcome.status == "done":
        return f"{head} ({outcome.seconds:.1f} s)"
    return f"{head}: {outcome.error}"


def mpi_world():
    """MPI.COMM_WORLD (bgmodel.mpi), with the launcher hidden from NEST; exits with the
    reason when mpi4py is missing."""
    try:
        return mpi.world("bgmodel sweep --executor mpi needs mpi4py and an MPI "
                         "(pip install -e .[mpi])", hide_launcher=True)
    except mpi.MPIUnavailable as err:
        raise SystemExit(str(err)) from None


def run_mpi_points(folder_path, pending: list[int] | None, report: Callable[[str], None] = print
                   ) -> list[Outcome] | None:
    """Run the pending points spread over the MPI ranks; rank 0 returns every outcome,
    the other ranks None.

    Parameters
    ----------
    folder_path : path
        The laid-out sweep folder (rank 0 has laid it out before calling this).
    pending : list of int or None
        Point indices to run, as rank 0 knows them (other ranks pass None).
    """
    comm = mpi_world()
    rank, size = comm.Get_rank(), comm.Get_size()
    pending = comm.bcast(pending, root=0)
    from ..simulator import kernel
    if kernel.processes() > 1:
        # Only rank 0 says it; every rank stops.
        if rank == 0:
            report("bgmodel sweep --executor mpi: this NEST is built with MPI, so all ranks "
                   "would join one simulation; use --executor local or SLURM for sweeps, "
                   "and `mpiexec bgmodel run` for one large run")
        raise SystemExit(2)
    folder = SweepFolder(folder_path)
    mine = pending[rank::size]
    outcomes = []
    for index in mine:
        point = folder.point(index)
        t0 = time.perf_counter()
        try:
            run_point(folder, index, quiet=True)
            outcome = Outcome(index, point.name, "done", seconds=time.perf_counter() - t0)
        except Exception as err:  # the run folder holds the traceback
            outcome = Outcome(index, point.name, "failed", error=f"{type(err).__name__}: {err}",
                              seconds=time.perf_counter() - t0)
        outcomes.append(outcome)
        report(f"[rank {rank}] " + format_outcome(outcome, len(outcomes), len(mine)))
    gathered = comm.gather(outcomes, root=0)
    if rank != 0:
        return None
    return sorted((o for part in gathered for o in part), key=lambda o: o.index)
