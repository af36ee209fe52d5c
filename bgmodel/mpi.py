"""The one place bgmodel talks to MPI (mpi4py); nothing of bgmodel's is imported here.

Two uses, both through `world()`:
- one network over the MPI ranks of a NEST built with MPI (`mpiexec -n N bgmodel run
  ...`): NEST spreads the neurons over the ranks, each rank records only the spikes of
  its own neurons and holds only the connections onto them, so the simulator gathers
  recorded spikes and connection tables from every rank once per read
  (`allgather_concat`, `allreduce_sum`, `rank_slice`), and every rank takes the same
  protocol decisions. Only rank 0 writes the run folder
  (bgmodel.results.rundir.shared_run_directory, which uses `bcast`);
- a sweep spread over MPI ranks, each running its own NEST built without MPI
  (`bgmodel sweep --executor mpi`): `world(hide_launcher=True)`.
Gathering needs mpi4py built against the MPI that NEST uses (scripts/build_nest_mpi.sh).

Without MPI (the PyPI wheel), NEST has one process, nothing here is called and mpi4py
need not be installed. The single-run mode can only be tested with an MPI-enabled NEST;
see docs/cluster.md for what it covers.
"""
from __future__ import annotations

import os

import numpy as np

# Variables by which a NEST built without MPI recognises an MPI launcher, and then
# exits ("You seem to be using NEST via an MPI launcher ..."); see `world`.
LAUNCHER_VARIABLES = ("PMIX_RANK", "PMI_RANK", "MPI_LOCALNRANKS", "OMPI_COMM_WORLD_SIZE")

GATHER_NEEDS = ("this NEST runs on several MPI processes; gathering their results needs "
                "mpi4py built against the same MPI (scripts/build_nest_mpi.sh)")


class MPIUnavailable(RuntimeError):
    """mpi4py cannot be imported; the message says what needed it."""


def world(needed_for: str = GATHER_NEEDS, hide_launcher: bool = False):
    """MPI.COMM_WORLD of mpi4py.

    Parameters
    ----------
    needed_for : str
        What needs MPI: the start of the error message when mpi4py is missing.
    hide_launcher : bool
        Let a NEST without MPI run inside an mpiexec rank (sweeps). Importing mpi4py has
        already initialised MPI (which read LAUNCHER_VARIABLES), and the ranks of a
        sweep run independent kernels, so NEST need not see the launcher: the variables
        are unset before NEST is imported. A NEST built with MPI is unaffected: it joins
        the MPI world that mpi4py initialised (the sweep executor detects and refuses it).
    """
    try:
        from mpi4py import MPI
    except ImportError as err:
        raise MPIUnavailable(f"{needed_for}: {err}") from None
    if hide_launcher:
        for name in LAUNCHER_VARIABLES:
            os.environ.pop(name, None)
    return MPI.COMM_WORLD


def allgather_concat(*arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Concatenate each rank-local array over all ranks (in rank order), on every rank."""
    parts = world().allgather(arrays)
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(len(arrays)))


def allreduce_sum(values: np.ndarray) -> np.ndarray:
    """Element-wise sum of a float array over all ranks, on every rank."""
    return np.sum(world().allgather(np.asarray(values, dtype=float)), axis=0)


def rank_slice(n_local: int) -> slice:
    """Where this rank's `n_local` items lie in an array concatenated in rank order."""
    comm = world()
    counts = comm.allgather(int(n_local))
    start = int(sum(counts[:comm.Get_rank()]))
    return slice(start, start + int(n_local))


def bcast(value, root: int = 0):
    """`value` of rank `root`, on every rank."""
    return world().bcast(value, root=root)
