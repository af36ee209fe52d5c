"""What the running NEST kernel says about itself: version, MPI processes, rank.

Imports nothing of bgmodel's, so that any layer may ask (the runner decides who writes
the run folder from `rank` and `processes`).
"""
from __future__ import annotations

import os

os.environ.setdefault("PYNEST_QUIET", "1")
import nest  # noqa: E402


def nest_version() -> str:
    return nest.__version__


def processes() -> int:
    """MPI processes sharing this NEST kernel (1 unless NEST is built with MPI and
    started under mpiexec)."""
    return int(nest.NumProcesses())


def rank() -> int:
    """This process's rank among them (0 without MPI)."""
    return int(nest.Rank())


def virtual_processes() -> int:
    """Threads times MPI processes: NEST places node n on virtual process n % this."""
    return int(nest.GetKernelStatus("total_num_virtual_procs"))
