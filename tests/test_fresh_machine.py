"""A fresh machine, proved on every run of the suite: README's `make run` on a copy of
the checkout, and a non-editable install run from another directory, both with the
packages a fresh machine lacks hidden.

The machines that run the suite may have Boost, libltdl, GSL or Open MPI installed (by
hand, or by scripts/build_nest_mpi.sh); a new user's machine has none of them.
.ci/fresh-machine hides their files in a private mount namespace (root, `unshare -m`),
exactly as on a machine that never had them; .ci/run runs the whole suite that way, and
this test does it on its own when the suite is run otherwise. Everything else (Python,
venv, g++, PyPI) is what a fresh machine has too.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bgmodel.simulator import nest_extension

pytestmark = pytest.mark.nest

REPO = Path(__file__).resolve().parents[1]
FRESH_MACHINE = REPO / ".ci" / "fresh-machine"
# A short resting state for the installed copy (make run runs README's full one).
SHORT = ["--preset", "small", "--set", "simulation.scale=0.02", "--threads", "1",
         "--set", "protocol.duration_ms=400.0", "--set", "protocol.analysis_start_ms=100.0"]


def _require_namespace_tools() -> None:
    # Fail, never skip: without this test nothing shows that a new user's install works.
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        pytest.fail("the fresh-machine test hides the packages a fresh machine lacks in a "
                    "private mount namespace: it needs root and unshare (util-linux). Run "
                    "the suite as root, or run this file alone where you can: "
                    "pytest tests/test_fresh_machine.py")


def _copy_checkout(dest: Path) -> None:
    """What a clean clone of this checkout (with its uncommitted changes) holds: the
    tracked files and the untracked ones git does not ignore; no venv, no build."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others",
                             "--exclude-standard"], cwd=REPO, capture_output=True)
    if listed.returncode != 0:
        pytest.fail(f"{REPO} is not a git checkout: {listed.stderr.decode()}")
    for name in sorted(set(listed.stdout.decode().split("\0")) - {""}):
        source = REPO / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)


def _script(clone: Path, work: Path) -> str:
    short = " ".join(SHORT)
    return textwrap.dedent(f"""\
        set -euo pipefail
        echo "== make run (clean copy, new venv)"
        cd {clone}
        make run VENV={work}/venv-make
        echo "== pip install . (non-editable) into a new venv, run from another directory"
        python3 -m venv {work}/venv-wheel
        {work}/venv-wheel/bin/python -m pip install --quiet {clone}
        mkdir -p {work}/elsewhere && cd {work}/elsewhere
        {work}/venv-wheel/bin/python -c "import bgmodel.model.config as c; print('package', c.PACKAGE_ROOT); print('configs', c.CONFIG_DIR)"
        {work}/venv-wheel/bin/bgmodel run resting_state {short} --out {work}/elsewhere/log
        """)


def _run_folder(log: Path) -> tuple[dict, dict]:
    folders = sorted(log.glob("resting_state_*"))
    assert len(folders) == 1, folders
    meta = json.loads((folders[0] / "run.json").read_text())
    summary = json.loads((folders[0] / "results" / "summary.json").read_text())
    return meta, summary


def test_make_run_and_a_wheel_install_work_without_boost_or_ltdl_headers(tmp_path):
    _require_namespace_tools()
    clone, work = tmp_path / "clone", tmp_path / "work"
    clone.mkdir()
    work.mkdir()
    _copy_checkout(clone)
    script = work / "fresh.sh"
    script.write_text(_script(clone, work))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH"))}
    # The venv of the suite must not leak into the fresh one's PATH.
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not p.startswith(sys.prefix))
    done = subprocess.run([str(FRESH_MACHINE), "bash", str(script)],
                          capture_output=True, text=True, env=env, timeout=1800)
    said = done.stdout + done.stderr
    print(said[-6000:])
    assert done.returncode == 0, said[-6000:]
    assert "no Boost headers on this machine; fetching boost-headers" in said

    # make run: README's run, with the two-port neuron compiled from PyPI's Boost and
    # bgmodel's ltdl declaration, rates printed against their targets.
    meta, summary = _run_folder(clone / "log")
    assert meta["status"] == "done"
    assert meta["nest_extension"]["model"] == nest_extension.MODEL
    assert meta["nest_extension"]["headers"]["boost"].startswith("PyPI boost-headers")
    assert meta["nest_extension"]["headers"]["ltdl"] == "bgmodel compat/ltdl.h"
    assert "population  rate (Hz)" in said and "results: log/resting_state_" in said
    assert summary

    # The wheel: bgmodel and its configs from site-packages, not from the checkout.
    package = next(line.split(" ", 1)[1] for line in said.splitlines()
                   if line.startswith("package "))
    configs = next(line.split(" ", 1)[1] for line in said.splitlines()
                   if line.startswith("configs "))
    assert "site-packages" in package and str(clone) not in package
    assert configs == str(Path(package) / "configs")
    meta, summary = _run_folder(work / "elsewhere" / "log")
    assert meta["status"] == "done"
    assert meta["nest_extension"]["model"] == nest_extension.MODEL
    assert meta["config_layers"][0] == "configs/network.yaml"
    assert summary
