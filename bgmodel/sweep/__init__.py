"""Parameter sweeps: sweep files, sweep folders, executors, SLURM and result tables.

    spec       parse and check a sweep file (configs/sweeps/*.yaml) -> SweepSpec
    points     expand a sweep into points (values + seed) and resolve each config
    folder     lay out a sweep folder (frozen configs, one run folder per point),
               point status, run one point from its frozen config
    executors  run pending points locally (process pool) or over MPI ranks
    slurm      job-array scripts from slurm/ templates, submission, status
    collect    one table (CSV + .npz of columns) of every point's results

Nothing here imports NEST; runs import it in their own process (or rank).
"""
from .folder import SweepFolder, lay_out, run_point
from .points import SweepPoint, expand_points, resolve_points
from .spec import SweepSpec, parse_sweep

__all__ = ["SweepFolder", "SweepPoint", "SweepSpec", "expand_points", "lay_out",
           "parse_sweep", "resolve_points", "run_point"]
