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


def plasticity_overlays(folder: Path) -> list[str]:
    """-c options: the unmistakable input and 5-episode schedule of tests/test_plasticity.py
    (bursts in episodes 0 and 1, no dopamine in 3 and 4), threads left to the command."""
    import yaml

    from test_plasticity import BASE, KILLED

    base = {k: dict(v) if isinstance(v, dict) else v for k, v in BASE.items()}
    base["simulation"] = {k: v for k, v in BASE["simulation"].items() if k != "threads"}
    args = []
    for k, layer in enumerate((base, KILLED)):
        path = folder / f"overlay{k}.yaml"
        path.write_text(yaml.safe_dump(layer))
        args += ["-c", str(path)]
    return args


def assert_same_tables(ta, tb):
    """episodes.csv of two runs, every column but the timings."""
    assert list(ta) == list(tb)
    for col in ta:
        if col in ("wall_s", "cpu_s", "simulate_s"):
            continue
        if ta[col].dtype.kind == "f":
            np.testing.assert_allclose(ta[col], tb[col], rtol=1e-12, err_msg=col)
        else:
            assert list(ta[col]) == list(tb[col]), col


def test_plasticity_over_two_ranks_matches_one_process(mpiexec, tmp_path):
    two_ranks, one_process = tmp_path / "ranks", tmp_path / "threads"
    common = ["--preset", "small", *plasticity_overlays(tmp_path), *TINY,
              "--set", "protocol.episodes=3", "--set", "protocol.checkpoint_every_episodes=2"]
    _run([mpiexec, "-n", "2", *bgmodel("run", "plasticity", *common, "--threads", "1",
                                         "--run-dir", str(two_ranks))])
    _run(bgmodel("run", "plasticity", *common, "--threads", "2",
                 "--run-dir", str(one_process)))
    ta, tb = read_episodes(two_ranks), read_episodes(one_process)
    assert len(ta["episode"]) == 3
    assert_same_tables(ta, tb)
    # The weights summary covers both ranks' synapses, and they moved: each burst after
    # the first raises the mean D1 weight of the rewarded channel.
    w = ta["w_MSN_D1_ch1"]
    assert np.isfinite(w).all()
    bursts = [k for k in range(1, 3) if ta["dopamine_event"][k] == "burst"]
    assert bursts, ta["dopamine_event"]
    assert all(w[k] > w[k - 1] for k in bursts), w
    # the checkpoint holds every plastic synapse of both ranks, with the same weights
    # (in rank order there, in thread order here)
    ca = _sorted_synapses(two_ranks / "results" / "checkpoint.npz")
    cb = _sorted_synapses(one_process / "results" / "checkpoint.npz")
    assert len(ca) > 1000
    np.testing.assert_array_equal(ca, cb)
    # only rank 0 wrote: one authors' row per episode
    assert len((two_ranks / "results" / "authors_format" / "GPi_fr.txt")
               .read_text().splitlines()) == 3
    kept = (two_ranks / "results" / "episodes.csv").read_text().splitlines()
    # Extended over the ranks from the checkpoint: rank 0 alone changes the folder
    # (one extension recorded), every rank takes back its share of the weights. The
    # one process extended the same way is the same run again, weight for weight.
    _run([mpiexec, "-n", "2", *bgmodel("resume", str(two_ranks), "-q", "--episodes", "5")])
    _run(bgmodel("resume", str(one_process), "-q", "--episodes", "5"))
    meta = json.loads((two_ranks / "run.json").read_text())
    assert meta["status"] == "done" and meta["episodes_done"] == 5 and meta["resumed"]
    assert [(e["episodes_from"], e["episodes_to"]) for e in meta["extensions"]] == [(3, 5)]
    ta, tb = read_episodes(two_ranks), read_episodes(one_process)
    assert list(ta["episode"]) == list(range(5))
    assert (two_ranks / "results" / "episodes.csv").read_text().splitlines()[:4] == kept
    assert_same_tables(ta, tb)
    assert len((two_ranks / "results" / "authors_format" / "GPi_fr.txt")
               .read_text().splitlines()) == 5
    # The resumed episodes (no dopamine) start from the checkpoint's weights: a rank
    # that lost its share would start from the initial ones, a burst's change away.
    w = ta["w_MSN_D1_ch1"]
    assert np.all(np.abs(w[3:] - w[2]) < 0.2 * (w[1] - w[0])), w
    fa = _sorted_synapses(two_ranks / "results" / "checkpoint.npz")
    fb = _sorted_synapses(one_process / "results" / "checkpoint.npz")
    np.testing.assert_array_equal(fa[:, :2], ca[:, :2])  # the same synapses
    np.testing.assert_array_equal(fa, fb)


def _table(path: Path, skip=("wall_s", "simulate_s")) -> list[dict]:
    import csv
    with open(path, newline="") as fh:
        return [{k: v for k, v in row.items() if k not in skip} for row in csv.DictReader(fh)]


def test_action_selection_over_two_ranks_matches_one_process(mpiexec, tmp_path):
    """A 2 x 2 input grid of tests/test_action_selection.py, one network over two ranks
    of one thread and in one process of two threads: the same tables."""
    from test_action_selection import OVERRIDES

    two_ranks, one_process = tmp_path / "ranks", tmp_path / "threads"
    common = ["--preset", "small", *TINY]
    for o in OVERRIDES:
        if not o.startswith("simulation.threads"):
            common += ["--set", o]
    _run([mpiexec, "-n", "2", *bgmodel("run", "action_selection", *common, "--threads", "1",
                                         "--run-dir", str(two_ranks))])
    _run(bgmodel("run", "action_selection", *common, "--threads", "2",
                 "--run-dir", str(one_process)))
    assert json.loads((two_ranks / "run.json").read_text())["status"] == "done"
    a, b = two_ranks / "results", one_process / "results"
    for name in ("selection.csv", "rates.csv", "rest_rates.csv"):
        rows = _table(a / name)
        assert rows == _table(b / name), name
    assert len(_table(a / "selection.csv")) == 4  # one row per step: rank 0 alone wrote
    rates = [float(r["rate_Hz"]) for r in _table(a / "rates.csv") if r["population"] == "GPi"]
    assert max(rates) > 10  # the network fired
    sa, sb = (json.loads((p / "summary.json").read_text()) for p in (a, b))
    for s in (sa, sb):
        for key in [k for k in s if "wall" in k]:
            del s[key]
    assert sa == sb and sa["complete"] and sa["steps_done"] == 4
    with np.load(a / "sampled_relays.npz") as ra, np.load(b / "sampled_relays.npz") as rb:
        assert sorted(ra.files) == sorted(rb.files)
        for key in ra.files:
            np.testing.assert_array_equal(ra[key], rb[key], err_msg=key)


def _sorted_synapses(path) -> np.ndarray:
    """(source, target, weight) rows of a checkpoint, sorted."""
    from bgmodel.protocols.plasticity.checkpoint import load_checkpoint
    plastic = load_checkpoint(path).plastic
    rows = np.column_stack([plastic.source, plastic.target, plastic.weight])
    return rows[np.lexsort(rows.T[::-1])]
