"""`bgmodel resume` refuses folders it must not touch, with a clear message."""
from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from bgmodel.results.rundir import RunDirectory, RunFolderError, atomic_write_text
from bgmodel.runner import resume_run


def running_folder(tmp_path, host, pid):
    rd = RunDirectory.at(tmp_path / "run")
    atomic_write_text(rd.config_file, "protocol: {name: resting_state}\n")
    rd.update_meta(protocol="resting_state", host=host, pid=pid)
    rd.set_status("running")
    return rd


def test_a_run_still_running_here_is_not_resumed(tmp_path):
    rd = running_folder(tmp_path, socket.gethostname(), os.getpid())
    with pytest.raises(RunFolderError, match=r"still running \(pid \d+ on host"):
        resume_run(rd.path, quiet=True)
    assert rd.read_meta()["status"] == "running"  # untouched


def test_a_run_running_elsewhere_needs_force(tmp_path):
    rd = running_folder(tmp_path, "another-node", 12345)
    with pytest.raises(RunFolderError, match="cannot check.*--force"):
        resume_run(rd.path, quiet=True, force=False)


def test_cli_names_the_folder_and_exits_2(tmp_path, repo):
    rd = running_folder(tmp_path, socket.gethostname(), os.getpid())
    for args, expected in ((["resume", str(rd.path)], "still running"),
                           (["resume", str(tmp_path)], "no config.yaml; not a bgmodel run")):
        proc = subprocess.run([sys.executable, "-m", "bgmodel", *args], cwd=repo,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2, proc.stderr
        assert expected in proc.stderr and "Traceback" not in proc.stderr


def test_force_goes_past_the_running_check(tmp_path):
    from bgmodel.model.schema import ConfigError
    rd = running_folder(tmp_path, "another-node", 12345)
    # Past the check, the (deliberately incomplete) frozen config is what fails.
    with pytest.raises(ConfigError):
        resume_run(rd.path, quiet=True, force=True)


def test_config_errors_survive_pickling_between_mpi_ranks():
    import pickle
    from bgmodel.model.schema import ConfigError
    err = pickle.loads(pickle.dumps(ConfigError("a.yaml", "striatum.lambda", 2, "0 to 1")))
    assert (err.source, err.path, err.value, err.allowed) == ("a.yaml", "striatum.lambda", 2,
                                                              "0 to 1")
    assert "striatum.lambda = 2 is not allowed" in str(err)


def test_the_stop_hook_reads_its_environment():
    """BGMODEL_STOP_AFTER_EPISODE / BGMODEL_STOP_SIGNAL (tests stop runs with them)."""
    import signal

    from bgmodel.protocols.plasticity.stop_hook import StopHook

    assert StopHook.from_environment({}) is None
    assert StopHook.from_environment({"BGMODEL_STOP_AFTER_EPISODE": "3"}) == \
        StopHook(3, signal.SIGTERM)
    assert StopHook.from_environment({"BGMODEL_STOP_AFTER_EPISODE": "2",
                                      "BGMODEL_STOP_SIGNAL": "sigkill"}) == \
        StopHook(2, signal.SIGKILL)
    for bad in ({"BGMODEL_STOP_AFTER_EPISODE": "0"}, {"BGMODEL_STOP_AFTER_EPISODE": "x"},
                {"BGMODEL_STOP_AFTER_EPISODE": "1", "BGMODEL_STOP_SIGNAL": "HUP"}):
        with pytest.raises(ValueError, match="BGMODEL_STOP_AFTER_EPISODE"):
            StopHook.from_environment(bad)
