"""One network over two MPI ranks, against the same network in one process.

Run with `make test-nest-mpi`, which builds NEST with MPI into build/venv-mpi
(scripts/build_nest_mpi.sh) and runs this file with that venv's Python. NEST gives the
same results for the same number of virtual processes (ranks x threads) however they
are split, and bgmodel draws every input train in numpy from the run's seed, so two
ranks of one thread must reproduce one process of two threads exactly.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bgmodel.protocols.plasticity.episodes import read_episodes

REPO = Path(__file__).resolve().parents[2]
TINY = ["--scale", "0.02", "--seed", "3", "-q"]
# Open MPI refuses root without these; other MPIs ignore them.
MPI_ENV = {"OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
           "OMPI_MCA_rmaps_base_oversubscribe": "1"}


def _run(cmd, timeout=600):
    env = dict(os.environ, **MPI_ENV)
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


@pytest.fixture(scope="module")
def mpiexec():
    exe = shutil.which("mpiexec")
    assert exe, "mpiexec not found: install the MPI NEST was built with (make nest-mpi)"
    probe = _run([sys.executable, "-c", "import nest; print(nest.build_info['have_mpi'])"])
    assert probe.stdout.strip().splitlines()[-1] == "True", \
        f"{sys.executable}: this NEST has no MPI; run `make test-nest-mpi`"
    return exe


def bgmodel(*args):
    return [sys.executable, "-m", "bgmodel", *args]


def test_two_ranks_give_the_spikes_of_two_threads(mpiexec, tmp_path):
    two_ranks, one_process = tmp_path / "ranks", tmp_path / "threads"
    _run([mpiexec, "-n", "2", *bgmodel("run", "resting_state", *TINY, "--threads", "1",
                                         "--run-dir", str(two_ranks))])
    _run(bgmodel("run", "resting_state", *TINY, "--threads", "2",
                 "--run-dir", str(one_process)))
    meta = json.loads((two_ranks / "run.json").read_text())
    assert meta["status"] == "done"
    a = np.load(two_ranks / "results" / "spikes.npz")
    b = np.load(one_process / "results" / "spikes.npz")
    assert sorted(a.files) == sorted(b.files)
    total = 0
    for key in a.files:
        np.testing.assert_array_equal(a[key], b[key], err_msg=key)
        total += len(a[key])
    assert total > 1000  # the network fired
    ra = json.loads((two_ranks / "results" / "summary.json").read_text())["rates"]
    rb = json.loads((one_process / "results" / "summary.json").read_text())["rates"]
    assert ra == rb


def test_plasticity_over_two_ranks_matches_one_process(mpiexec, tmp_path):
    two_ranks, one_process = tmp_path / "ranks", tmp_path / "threads"
    common = ["--preset", "plasticity_small", *TINY, "--set", "protocol.episodes=3",
              "--set", "protocol.checkpoint_every_episodes=2"]
    _run([mpiexec, "-n", "2", *bgmodel("run", "plasticity", *common, "--threads", "1",
                                         "--run-dir", str(two_ranks))])
    _run(bgmodel("run", "plasticity", *common, "--threads", "2",
                 "--run-dir", str(one_process)))
    ta, tb = read_episodes(two_ranks), read_episodes(one_process)
    assert len(ta["episode"]) == 3
    timing = {"wall_s", "cpu_s", "simulate_s"}
    for col in ta:
        if col in timing:
            continue
        if ta[col].dtype.kind == "f":
            np.testing.assert_allclose(ta[col], tb[col], rtol=1e-12, err_msg=col)
        else:
            assert list(ta[col]) == list(tb[col]), col
    # the weights summary covers both ranks' synapses, and they moved
    assert np.isfinite(ta["w_MSN_D1_ch1"]).all()
    # the checkpoint holds every plastic synapse of both ranks, with the same weights
    # (in rank order there, in thread order here)
    ca = _sorted_synapses(two_ranks / "results" / "checkpoint.npz")
    cb = _sorted_synapses(one_process / "results" / "checkpoint.npz")
    assert len(ca) > 1000
    np.testing.assert_array_equal(ca, cb)
    # only rank 0 wrote: one authors' row per episode
    assert len((two_ranks / "results" / "authors_format" / "GPi_fr.txt")
               .read_text().splitlines()) == 3
    # Extended over the ranks from the checkpoint: rank 0 alone changes the folder
    # (one extension recorded), every rank takes back its share of the weights.
    _run([mpiexec, "-n", "2", *bgmodel("resume", str(two_ranks), "-q", "--episodes", "5")])
    meta = json.loads((two_ranks / "run.json").read_text())
    assert meta["status"] == "done" and meta["episodes_done"] == 5
    assert [(e["episodes_from"], e["episodes_to"]) for e in meta["extensions"]] == [(3, 5)]
    assert list(read_episodes(two_ranks)["episode"]) == list(range(5))
    assert len((two_ranks / "results" / "authors_format" / "GPi_fr.txt")
               .read_text().splitlines()) == 5
    with np.load(two_ranks / "results" / "checkpoint.npz") as cp:
        assert len(cp["plastic_weight"]) == len(ca)


def _sorted_synapses(path) -> np.ndarray:
    """(source, target, weight) rows of a checkpoint, sorted."""
    with np.load(path) as cp:
        rows = np.column_stack([cp["plastic_source"], cp["plastic_target"],
                                cp["plastic_weight"]])
    return rows[np.lexsort(rows.T[::-1])]
