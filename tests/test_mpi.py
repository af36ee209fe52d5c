"""MPI sweeps: `mpiexec -n 2 bgmodel sweep SWEEP.yaml --executor mpi` with mpi4py and the
MPICH wheel from PyPI (`pip install -e .[test]` installs both), against the local
executor on the same points and seeds.

Three points on two ranks: rank 0 runs two of them one after the other in one process,
so the comparison also covers a NEST kernel reset between points."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bgmodel.results.rundir import RunDirectory
from bgmodel.sweep import SweepFolder

from sweep_files import bgmodel, write_sweep

pytestmark = pytest.mark.nest


def mpiexec() -> str:
    """The mpiexec beside this interpreter (the mpich wheel's), else one on PATH."""
    here = Path(sys.executable).parent / "mpiexec"
    found = str(here) if here.is_file() else shutil.which("mpiexec")
    if found is None:
        pytest.fail("mpiexec not found: install the test extras (pip install -e .[test] "
                    "brings mpi4py and the mpich wheel)")
    try:
        import mpi4py  # noqa: F401
    except ImportError as err:
        pytest.fail(f"mpi4py is missing ({err}): pip install -e .[test]")
    return found


def run_outputs(sweep_dir: Path, name: str) -> tuple[dict, dict]:
    results = sweep_dir / "runs" / name / "results"
    with np.load(results / "spikes.npz") as spikes:
        arrays = {k: spikes[k] for k in spikes.files}
    return json.loads((results / "summary.json").read_text()), arrays


def test_mpi_sweep_matches_the_local_executor(tmp_path):
    launcher = mpiexec()
    sweep_file = write_sweep(tmp_path / "mpi.yaml",
                             grid={"striatum.lambda": [0.1, 0.3], "striatum.kappa": [2.0]},
                             points=[{"striatum.lambda": 0.2, "striatum.kappa": 4.0}])
    local_dir, mpi_dir = tmp_path / "local", tmp_path / "mpi"
    local = bgmodel("sweep", sweep_file, "--sweep-dir", local_dir)
    assert local.returncode == 0, local.stdout + local.stderr

    env = dict(os.environ, PATH=f"{Path(launcher).parent}{os.pathsep}{os.environ['PATH']}")
    mpi = subprocess.run([launcher, "-n", "2", sys.executable, "-m", "bgmodel", "sweep",
                          str(sweep_file), "--executor", "mpi", "--sweep-dir", str(mpi_dir)],
                         capture_output=True, text=True, env=env, timeout=300)
    assert mpi.returncode == 0, mpi.stdout + mpi.stderr
    assert "3 to run over 2 MPI ranks" in mpi.stdout
    assert "[rank 0]" in mpi.stdout and "[rank 1]" in mpi.stdout
    assert "3/3 points done" in mpi.stdout

    folder = SweepFolder(mpi_dir)
    names = [p.name for p in folder.points()]
    pids = [folder.run_dir(p).read_meta()["pid"] for p in folder.points()]
    assert pids[0] == pids[2] != pids[1]  # points 0 and 2 on rank 0, point 1 on rank 1
    for name in names:
        local_summary, local_spikes = run_outputs(local_dir, name)
        mpi_summary, mpi_spikes = run_outputs(mpi_dir, name)
        assert mpi_summary == local_summary, name
        assert local_spikes.keys() == mpi_spikes.keys()
        assert sum(len(v) for v in local_spikes.values()) > 0
        for key in local_spikes:
            np.testing.assert_array_equal(mpi_spikes[key], local_spikes[key], err_msg=key)
    # Different parameters give different networks: the comparison is not vacuous.
    assert run_outputs(local_dir, names[0])[0] != run_outputs(local_dir, names[2])[0]


def test_allgather_concat_and_read_only_run_folder_over_two_ranks(tmp_path):
    """The pieces of a single run across ranks that need no MPI-enabled NEST: gathering
    rank-local arrays, and a run folder only rank 0 writes."""
    launcher = mpiexec()
    script = tmp_path / "gather.py"
    script.write_text(
        "import sys, numpy as np\n"
        "from mpi4py import MPI\n"
        "from bgmodel.mpi import allgather_concat, allreduce_sum, rank_slice\n"
        "from bgmodel.protocols.plasticity.episodes import EpisodeTable\n"
        "from bgmodel.results.authors_format import EpisodeWriter\n"
        "from bgmodel.results.rundir import ReadOnlyRunDirectory, RunDirectory\n"
        "rank = MPI.COMM_WORLD.Get_rank()\n"
        "a, b = allgather_concat(np.arange(rank + 1), np.full(rank + 1, 10.0 * rank))\n"
        "path = sys.argv[1]\n"
        "s = allreduce_sum(np.array([rank + 1.0, 2.0]))\n"
        "sl = rank_slice(rank + 2)\n"
        "open(f'{path}.{rank}.txt', 'w').write(f'{a.tolist()} {b.tolist()} {s.tolist()} "
        "{sl.start}:{sl.stop}')\n"
        "rd = RunDirectory.at(path) if rank == 0 else ReadOnlyRunDirectory(path)\n"
        "rd.set_status('running', rank=rank)\n"
        "rd.write_result_json('r.json', {'rank': rank})\n"
        "MPI.COMM_WORLD.Barrier()\n"
        "table = EpisodeTable(rd.results / 'episodes.csv', ['episode', 'rank'], writes=rd.writes)\n"
        "table.append({'episode': 0, 'rank': rank})\n"
        "assert table.as_columns()['rank'].tolist() == [float(rank)]\n"
        "EpisodeWriter(rd.results / 'authors', {'lambda': 0.1, 'kappa': 2, 'eta': 1},\n"
        "              np.zeros((6, 2)), writes=rd.writes).append(\n"
        "    {p: np.zeros(5) for p in ('GPi', 'MSN', 'MSN_D1', 'MSN_D2', 'FSI', 'GPe', 'STN')}, 1)\n")
    out = subprocess.run([launcher, "-n", "2", sys.executable, str(script), str(tmp_path / "run")],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    # every rank got both ranks' arrays in rank order, the sums, and its own slice
    assert (tmp_path / "run.0.txt").read_text() == "[0, 0, 1] [0.0, 10.0, 10.0] [3.0, 4.0] 0:2"
    assert (tmp_path / "run.1.txt").read_text() == "[0, 0, 1] [0.0, 10.0, 10.0] [3.0, 4.0] 2:5"
    run = RunDirectory(tmp_path / "run")
    assert run.read_meta()["rank"] == 0 and run.read_meta()["status"] == "running"
    assert json.loads((run.results / "r.json").read_text()) == {"rank": 0}
    # the episode table and the authors' files: rank 0's rows only, written once
    assert (run.results / "episodes.csv").read_text() == "episode,rank\n0,0\n"
    assert (run.results / "authors" / "current_task.txt").read_text() == "1\n"
