"""One run across the MPI ranks of a NEST built with MPI (`mpiexec -n N bgmodel run ...`).

With MPI, NEST spreads the neurons over the ranks: each rank records only the spikes of
its own neurons and holds only the connections onto them. bgmodel then
- gathers recorded spikes (and connection tables) from every rank once per read, so
  that every rank sees the same data and takes the same protocol decisions
  (Network.take_spikes / connection_table call `allgather_concat`), and
- lets only rank 0 write the run folder (`shared_run_directory`): the other ranks get
  a `ReadOnlyRunDirectory` whose writes do nothing.
Gathering needs mpi4py built against the MPI that NEST uses (scripts/build_nest_mpi.sh).

Without MPI (the PyPI wheel), NEST has one process and nothing here changes anything.
This mode can only be tested with an MPI-enabled NEST; see docs/cluster.md for what it
covers.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .rundir import RunDirectory


def _comm():
    try:
        from mpi4py import MPI
    except ImportError as err:
        raise RuntimeError("this NEST runs on several MPI processes; gathering their "
                           "results needs mpi4py built against the same MPI "
                           f"(scripts/build_nest_mpi.sh): {err}") from None
    return MPI.COMM_WORLD


def allgather_concat(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Concatenate each rank-local array over all ranks (in rank order), on every rank."""
    parts = _comm().allgather(arrays)
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(len(arrays)))


def allreduce_sum(values: np.ndarray) -> np.ndarray:
    """Element-wise sum of a float array over all ranks, on every rank."""
    return np.sum(_comm().allgather(np.asarray(values, dtype=float)), axis=0)


def rank_slice(n_local: int) -> slice:
    """Where this rank's `n_local` items lie in an array concatenated in rank order."""
    comm = _comm()
    counts = comm.allgather(int(n_local))
    start = int(sum(counts[:comm.Get_rank()]))
    return slice(start, start + int(n_local))


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


def decided_on_rank0(decide):
    """decide() evaluated on rank 0 only and its result (or the error it raised) given
    to every rank: for checks and changes of the run folder, which rank 0 alone writes."""
    from .network import nest_processes, nest_rank
    if nest_processes() == 1:
        return decide()
    outcome = None
    if nest_rank() == 0:
        try:
            outcome = ("value", decide())
        except Exception as err:  # every rank raises it, none waits for rank 0
            outcome = ("error", err)
    kind, value = _comm().bcast(outcome, root=0)
    if kind == "error":
        raise value
    return value


def shared_run_directory(out, protocol: str, digest: str, run_dir=None) -> RunDirectory:
    """The run folder of this run: rank 0 makes it and tells the others its path.

    Parameters
    ----------
    out : path
        Parent of a new run folder (when `run_dir` is None).
    protocol, digest : str
        Name the new folder (bgmodel.rundir.run_name).
    run_dir : path, optional
        Exact folder.
    """
    from .network import nest_processes, nest_rank
    if nest_processes() == 1:
        return RunDirectory.at(run_dir) if run_dir is not None else \
            RunDirectory.create(out, protocol, digest)
    path = None
    if nest_rank() == 0:
        rundir = RunDirectory.at(run_dir) if run_dir is not None else \
            RunDirectory.create(out, protocol, digest)
        path = str(rundir.path)
    path = _comm().bcast(path, root=0)
    return RunDirectory(path) if nest_rank() == 0 else ReadOnlyRunDirectory(path)
