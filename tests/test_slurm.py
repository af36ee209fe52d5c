"""SLURM for real: a one-node cluster on this machine runs a job array of tiny sweep
points submitted by `bgmodel slurm --submit`; `bgmodel slurm status` and `bgmodel
collect` read the outcome, and `--resubmit` submits the failed point again.

The fixture installs Debian's slurm-wlm and munge when they are missing (apt-get; this
needs root), writes munge's key and slurm.conf into a temporary folder, starts munged,
slurmctld and slurmd in the foreground as its own child processes, and stops them at
the end. If the cluster cannot start, the test fails with the reason and the daemons'
logs: it never skips.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from bgmodel.sweep import SweepFolder
from bgmodel.sweep.collect import read_table

from sweep_files import CRASHING, bgmodel, summary, write_sweep

pytestmark = pytest.mark.nest

PACKAGES = ("slurm-wlm", "munge")
DAEMONS = ("munged", "slurmctld", "slurmd")


def _tail(path: Path, lines: int = 15) -> str:
    if not path.is_file():
        return f"({path.name}: none)"
    return f"--- {path.name}:\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _install_packages() -> str | None:
    """Install SLURM and munge where they are missing; say what was installed (None if
    nothing was)."""
    if all(shutil.which(d) for d in DAEMONS) and shutil.which("sbatch"):
        return None
    if os.geteuid() != 0:
        pytest.fail("SLURM and munge are not installed and installing them needs root: "
                    "apt-get install slurm-wlm munge")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update"], ["apt-get", "install", "-y", *PACKAGES]):
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
        if done.returncode != 0:
            pytest.fail(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    missing = [d for d in DAEMONS if not shutil.which(d)]
    if missing:
        pytest.fail(f"after installing {PACKAGES}, still missing: {missing}")
    set_up = [line.split()[2] for line in done.stdout.splitlines()
              if line.startswith("Setting up ")]
    return (f"tests/test_slurm.py installed Debian packages with apt-get (root): "
            f"{' '.join(PACKAGES)}, {len(set_up)} packages in all: {' '.join(set_up)}")


def _free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def _slurm_conf(root: Path, munge_socket: Path) -> str:
    host = socket.gethostname()
    node = subprocess.run(["slurmd", "-C"], capture_output=True, text=True,
                          check=True).stdout.splitlines()[0]
    ctld_port, d_port = _free_ports(2)
    return "\n".join([
        "ClusterName=bgmodeltest",
        f"SlurmctldHost={host}",
        "SlurmUser=root",
        "SlurmdUser=root",
        "AuthType=auth/munge",
        "CredType=cred/munge",
        f"AuthInfo=socket={munge_socket}",
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_Core",
        "MpiDefault=pmi2",
        "MailProg=/bin/true",
        "ReturnToService=2",
        "AccountingStorageType=accounting_storage/none",
        "JobCompType=jobcomp/none",
        # Finished jobs stay visible to scontrol for the status checks.
        "MinJobAge=600",
        f"SlurmctldPort={ctld_port}",
        f"SlurmdPort={d_port}",
        f"StateSaveLocation={root / 'state'}",
        f"SlurmdSpoolDir={root / 'spool'}",
        f"SlurmctldPidFile={root / 'slurmctld.pid'}",
        f"SlurmdPidFile={root / 'slurmd.pid'}",
        f"SlurmctldLogFile={root / 'slurmctld.log'}",
        f"SlurmdLogFile={root / 'slurmd.log'}",
        f"{node} State=UNKNOWN",
        f"PartitionName=test Nodes={host} Default=YES MaxTime=INFINITE State=UP",
    ]) + "\n"


def _wait(predicate, timeout: float, interval: float = 0.5) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(interval)
    return False


@pytest.fixture(scope="module")
def slurm_cluster(tmp_path_factory, notices):
    """Environment (SLURM_CONF) of a running one-node SLURM cluster."""
    t0 = time.perf_counter()
    installed = _install_packages()
    if installed:
        notices.append(installed)
    t_install = time.perf_counter() - t0
    root = tmp_path_factory.mktemp("slurm")
    for sub in ("state", "spool", "munge"):
        (root / sub).mkdir()
    munge = root / "munge"
    munge.chmod(0o755)  # munged refuses a socket folder others may write to
    key = munge / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o600)
    socket_path = munge / "munge.socket"
    conf = root / "slurm.conf"
    conf.write_text(_slurm_conf(root, socket_path))
    env = dict(os.environ, SLURM_CONF=str(conf))
    logs = [munge / "munged.log", root / "slurmctld.log", root / "slurmd.log"]
    started: list[subprocess.Popen] = []

    def stop() -> None:
        for proc in reversed(started):
            proc.terminate()
        for proc in reversed(started):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def fail(why: str) -> None:
        stop()
        pytest.fail(f"the SLURM test cluster did not start: {why}\n"
                    + "\n".join(_tail(p) for p in logs))

    started.append(subprocess.Popen(
        ["munged", "--foreground", "--force", f"--key-file={key}", f"--socket={socket_path}",
         f"--pid-file={munge / 'munged.pid'}", f"--log-file={munge / 'munged.log'}",
         f"--seed-file={munge / 'munged.seed'}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT))
    if not _wait(socket_path.exists, 10):
        fail("munged made no socket")
    for daemon in ("slurmctld", "slurmd"):
        started.append(subprocess.Popen([daemon, "-D"], env=env, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.STDOUT))

    def node_idle() -> bool:
        if any(p.poll() is not None for p in started):
            fail("a daemon exited: " + ", ".join(f"{d} {p.returncode}" for d, p in
                                                  zip(DAEMONS, started) if p.poll() is not None))
        out = subprocess.run(["sinfo", "--noheader", "--format=%T"], env=env,
                             capture_output=True, text=True)
        return out.returncode == 0 and out.stdout.strip() == "idle"

    if not _wait(node_idle, 30):
        fail("the node did not become idle within 30 s")
    print(f"\nSLURM fixture: packages {t_install:.1f} s, cluster up after "
          f"{time.perf_counter() - t0:.1f} s")
    yield env
    stop()


def test_job_array_runs_sweep_points_and_collect_reads_them(slurm_cluster, tmp_path):
    env = slurm_cluster
    t0 = time.perf_counter()
    sweep_file = write_sweep(tmp_path / "array.yaml",
                             grid={"striatum.lambda": [0.1, 0.2, 0.3]},
                             points=[{"striatum.lambda": 0.4, **CRASHING}],
                             resources={"threads": 1, "memory_gb": 0.5, "time": "00:05:00"})
    sweep_dir = tmp_path / "sweep"
    sub = bgmodel("slurm", sweep_file, "--sweep-dir", sweep_dir, "--submit",
                  "--max-parallel", "2", cwd=tmp_path, env=env)
    assert sub.returncode == 0, sub.stdout + sub.stderr
    assert "submitted job array" in sub.stdout
    script = (sweep_dir / "slurm" / "array.sh").read_text()
    assert "#SBATCH --array=0-3%2\n" in script

    def status() -> subprocess.CompletedProcess:
        return bgmodel("slurm", "status", sweep_dir, cwd=tmp_path, env=env)

    def settled() -> bool:
        out = status().stdout
        return " pending " not in out and " running " not in out and "missing" not in out

    if not _wait(settled, 180, interval=1.0):
        logs = sorted((sweep_dir / "slurm" / "logs").glob("*.out"))
        pytest.fail("the array did not finish in 180 s:\n" + status().stdout
                    + "\n".join(_tail(p) for p in logs))
    final = status()
    assert final.returncode == 1  # one point failed
    assert "3 done, 1 failed" in final.stdout
    folder = SweepFolder(sweep_dir)
    points = folder.points()
    crash_line = [l for l in final.stdout.splitlines() if points[3].name in l][0]
    assert "failed" in crash_line and "KernelException" in crash_line
    for p in points[:3]:
        meta = folder.run_dir(p).read_meta()
        assert meta["status"] == "done"
        assert meta["command_line"][1:] == ["sweep-task", str(sweep_dir.resolve()), str(p.index)]
    assert len(list((sweep_dir / "slurm" / "logs").glob("*.out"))) == 4

    collected = bgmodel("collect", sweep_dir, cwd=tmp_path, env=env)
    assert collected.returncode == 0, collected.stderr
    table = read_table(sweep_dir / "collected.npz")
    assert list(table["status"]) == ["done", "done", "done", "failed"]
    np.testing.assert_array_equal(table["striatum.lambda"], [0.1, 0.2, 0.3, 0.4])
    for i, p in enumerate(points[:3]):
        gpi = summary(sweep_dir, p.name)["rates"]["GPi"]["rate_Hz"]
        assert table["rates.GPi.rate_Hz"][i] == gpi > 10
        assert table["wall_time_s"][i] > 0
    assert "KernelException" in table["error"][3]

    resub = bgmodel("slurm", "status", sweep_dir, "--resubmit", cwd=tmp_path, env=env)
    assert "resubmitted 1 point(s)" in resub.stdout, resub.stdout + resub.stderr
    assert "#SBATCH --array=3%2\n" in (sweep_dir / "slurm" / "resubmit-1.sh").read_text()
    assert _wait(lambda: (sweep_dir / "attempts" / f"{points[3].name}.1").is_dir()
                 and settled(), 120, interval=1.0), status().stdout
    assert "3 done, 1 failed" in status().stdout
    print(f"\nSLURM array test: {time.perf_counter() - t0:.1f} s")


def test_interrupted_points_are_resubmitted_and_resume_from_their_checkpoint(slurm_cluster,
                                                                            tmp_path):
    """Two tiny plasticity points (5 episodes, checkpoints after 2, 4 and 5) stop with
    SIGTERM after episode 3, as a task does at its time limit (SLURM sends SIGTERM; the
    run sends it to itself at a known episode here: bgmodel.protocols.plasticity.
    stop_hook). `bgmodel slurm status` reports them, `--resubmit` runs them again and
    each resumes in its folder from its checkpoint: also the one whose run.json says
    it is still running on another host (a node lost with its task)."""
    import copy
    import json

    import yaml

    from bgmodel.protocols.plasticity.episodes import read_episodes
    from bgmodel.protocols.plasticity.stop_hook import STOP_AFTER_EPISODE, STOP_SIGNAL
    from test_plasticity import BASE, KILLED

    env = slurm_cluster
    t0 = time.perf_counter()
    base = copy.deepcopy(BASE)
    del base["simulation"]["threads"]  # a sweep sets threads through its resources
    overlays = []
    for k, layer in enumerate((base, KILLED)):
        overlays.append(tmp_path / f"overlay{k}.yaml")
        overlays[-1].write_text(yaml.safe_dump(layer))
    sweep_file = write_sweep(tmp_path / "stopped.yaml", protocol="plasticity", set={},
                             overlays=[p.name for p in overlays], seeds=[1, 2],
                             resources={"threads": 1, "memory_gb": 1, "time": "00:05:00"})
    sweep_dir = tmp_path / "sweep"
    stopping = dict(env, **{STOP_AFTER_EPISODE: "3", STOP_SIGNAL: "TERM"})
    sub = bgmodel("slurm", sweep_file, "--sweep-dir", sweep_dir, "--submit",
                  "--max-parallel", "2", cwd=tmp_path, env=stopping)
    assert sub.returncode == 0, sub.stdout + sub.stderr

    def status() -> subprocess.CompletedProcess:
        return bgmodel("slurm", "status", sweep_dir, cwd=tmp_path, env=env)

    def settled() -> bool:
        out = status().stdout
        return " pending " not in out and " running " not in out and "missing" not in out

    def logs() -> str:
        return "\n".join(_tail(p) for p in sorted((sweep_dir / "slurm" / "logs").glob("*.out")))

    assert _wait(settled, 180, interval=1.0), status().stdout + logs()
    folder = SweepFolder(sweep_dir)
    points = folder.points()
    first = status()
    assert first.stdout.splitlines()[-1] == "2 failed", first.stdout + logs()
    kept = {}
    for p in points:
        line = next(l for l in first.stdout.splitlines() if p.name in l)
        assert "stopped by SIGTERM" in line, line
        rd = folder.run_dir(p)
        meta = rd.read_meta()
        assert meta["status"] == "interrupted" and meta["error"] == "stopped by SIGTERM"
        results = rd.path / "results"
        assert list(read_episodes(results / "episodes.csv")["episode"]) == [0, 1, 2]
        with np.load(results / "checkpoint.npz") as cp:
            assert json.loads(str(cp["meta"]))["episodes_done"] == 2
        kept[p.name] = (results / "episodes.csv").read_text().splitlines()[:3]
    # The second point's node was lost while it ran: run.json says running elsewhere.
    lost = folder.run_dir(points[1])
    lost.update_meta(status="running", host="lost-node.invalid")
    assert lost.effective_status() == "running"  # which this host cannot check
    line = next(l for l in status().stdout.splitlines() if points[1].name in l)
    assert " failed " in line and "while running" in line, line

    resub = bgmodel("slurm", "status", sweep_dir, "--resubmit", cwd=tmp_path, env=env)
    assert "resubmitted 2 point(s)" in resub.stdout, resub.stdout + resub.stderr
    assert _wait(settled, 180, interval=1.0), status().stdout + logs()
    assert "2 done" in status().stdout, status().stdout + logs()
    assert not (sweep_dir / "attempts").exists()  # resumed in place, not started afresh
    for p in points:
        rd = folder.run_dir(p)
        meta = rd.read_meta()
        assert meta["status"] == "done" and meta["resumed"] is True, meta
        assert meta["episodes_done"] == 5 and meta["host"] == socket.gethostname()
        assert meta["command_line"][1:] == ["sweep-task", str(sweep_dir.resolve()),
                                            str(p.index)]
        results = rd.path / "results"
        table = read_episodes(results / "episodes.csv")
        assert list(table["episode"]) == list(range(5))
        # the checkpoint's rows are kept, the others done again in the protocol's time
        assert (results / "episodes.csv").read_text().splitlines()[:3] == kept[p.name]
        assert list(table["t_start_ms"]) == [200.0 + 450.0 * k for k in range(5)]
        with np.load(results / "checkpoint.npz") as cp:
            assert json.loads(str(cp["meta"]))["episodes_done"] == 5
    history = [h["status"] for h in folder.run_dir(points[0]).read_meta()["status_history"]]
    assert history == ["running", "interrupted", "running", "done"]
    print(f"\nSLURM resubmission test: {time.perf_counter() - t0:.1f} s")
