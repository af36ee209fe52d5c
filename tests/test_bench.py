"""`bgmodel bench`, the packing rule and the projected wall time of a sweep.

Everything but the last test runs without NEST: bench figures, run folders and bench
JSONs are constructed here. The last test runs `bgmodel bench` on the tiniest network
and checks what it writes, never how long it took.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bgmodel.bench.figures import load_bench
from bgmodel.bench.measure import (BenchSettings, check_settings, checkpoints_written,
                                   figures_of_run)
from bgmodel.cli import main as cli_main
from bgmodel.model.schema import ConfigError
from bgmodel.sweep.packing import choose_packing
from bgmodel.sweep.projection import RunWork, makespan, run_seconds

from sweep_files import write_sweep


# ----------------------------------------------------------------------------- packing
def test_default_packing_runs_two_thread_runs_side_by_side():
    p = choose_packing(16)
    assert (p.processes, p.threads) == (8, 2)
    assert "2-thread" in p.reason and p.runs_per_hour is None
    assert (choose_packing(1).processes, choose_packing(1).threads) == (1, 1)
    assert (choose_packing(3).processes, choose_packing(3).threads) == (1, 2)


def test_default_packing_respects_node_memory():
    p = choose_packing(16, memory_gb=10, memory_per_run_gb=4)
    assert (p.processes, p.threads) == (2, 2)


def test_measured_packing_takes_most_runs_per_hour():
    # 8 x 2 threads at 2.19 h per run (3.65 runs/h) beats 1 x 16 threads at 1.03 h.
    p = choose_packing(16, seconds_per_run={2: 7884.0, 16: 3708.0})
    assert (p.processes, p.threads) == (8, 2)
    assert p.runs_per_hour == pytest.approx(8 * 3600 / 7884.0)
    # One wide run wins when threads scale well: 1 x 4 at 100 s (36/h) vs 4 x 1 at 1000 s.
    p = choose_packing(4, seconds_per_run={1: 1000.0, 4: 100.0})
    assert (p.processes, p.threads) == (1, 4)


def test_memory_changes_the_packing():
    seconds = {1: 100.0, 2: 60.0}
    # Cores alone: 8 x 1 thread (288 runs/h) beats 4 x 2 threads (240 runs/h).
    assert choose_packing(8, seconds_per_run=seconds).threads == 1
    # 8 GB for 4 GB runs: two processes either way, so the faster 2-thread run wins.
    p = choose_packing(8, memory_gb=8, seconds_per_run=seconds, memory_per_run_gb=4)
    assert (p.processes, p.threads) == (2, 2)
    # Memory per thread count: 1-thread runs need 8 GB, only one fits.
    p = choose_packing(8, memory_gb=16, seconds_per_run=seconds,
                       memory_per_run_gb={1: 8, 2: 2})
    assert (p.processes, p.threads) == (4, 2)


def test_packing_tie_takes_fewer_threads_and_skips_what_does_not_fit():
    assert choose_packing(4, seconds_per_run={1: 400.0, 2: 200.0}).threads == 1
    # 8 threads measured but only 4 cores: not a candidate.
    assert choose_packing(4, seconds_per_run={2: 200.0, 8: 10.0}).threads == 2


def test_packing_errors_name_the_limits():
    with pytest.raises(ValueError, match="no run fits on a node of 4 core"):
        choose_packing(4, seconds_per_run={8: 10.0})
    with pytest.raises(ValueError, match=r"no run fits .* 2 GB .* 4 GB"):
        choose_packing(4, memory_gb=2, seconds_per_run={1: 10.0}, memory_per_run_gb=4)
    with pytest.raises(ValueError, match=r"cores per node = 0 .* integer >= 1"):
        choose_packing(0)


# ----------------------------------------------------------------------------- bench input
@pytest.mark.parametrize("field, value, key", [
    ("scales", (0.0,), "--scales"), ("scales", (1.5,), "--scales"),
    ("threads", (0,), "--threads"), ("threads", (3,), "--threads"),
    ("episodes", 0, "--episodes"), ("resting_ms", -1.0, "--resting-ms"),
    ("checkpoint_every", 0, "--checkpoint-every")])
def test_bad_bench_settings_name_option_and_value(field, value, key):
    settings = dict(scales=(0.1,), threads=(1,))
    settings[field] = value
    with pytest.raises(ConfigError) as err:
        check_settings(BenchSettings(**settings), cores=2)
    shown = value[0] if isinstance(value, tuple) else value
    assert err.value.path == key and err.value.value == shown
    assert "allowed" in str(err.value)
    if field == "threads" and shown == 3:
        assert "at most the 2 core(s)" in str(err.value)


def test_bench_command_refuses_bad_input_before_running(tmp_path):
    # More threads than any machine has: refused before a child starts, nothing written.
    out = tmp_path / "b.json"
    done = subprocess.run([sys.executable, "-m", "bgmodel", "bench", "--scales", "0.1",
                           "--threads", "100000", "--output", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "--threads = 100000 is not allowed" in done.stderr and "core(s)" in done.stderr
    assert not out.exists()
    done = subprocess.run([sys.executable, "-m", "bgmodel", "bench", "--scales", "0",
                           "--output", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "--scales = 0.0 is not allowed" in done.stderr
    assert not out.exists()


# ----------------------------------------------------------------------------- run folders
def _fake_run(path, timings, walls=None, peak=512.0):
    (path / "results").mkdir(parents=True)
    (path / "run.json").write_text(json.dumps({"status": "done", "timings_s": timings,
                                               "peak_memory_mb": peak}))
    (path / "config.yaml").write_text(
        "protocol:\n  stimulus_ms: 1000.0\n  pause_after_stimulus_ms: 500.0\n"
        "  dopamine_window_ms: 300.0\n  pause_after_dopamine_ms: 1000.0\n")
    if walls is not None:
        rows = "\n".join(f"{i},{w}" for i, w in enumerate(walls))
        (path / "results" / "episodes.csv").write_text("episode,wall_s\n" + rows + "\n")


def test_figures_of_a_plasticity_run_folder(tmp_path):
    _fake_run(tmp_path, {"derive": 1.0, "build": 4.0, "warmup": 5.0, "checkpoints": 9.0,
                         "episodes": 40.0}, walls=[10.0, 12.0, 14.0])
    fig = figures_of_run("plasticity", tmp_path, BenchSettings((0.1,), (1,), episodes=3,
                                                               checkpoint_every=2))
    assert checkpoints_written(3, 2) == 2 and checkpoints_written(4, 2) == 2
    assert fig["setup_s"] == pytest.approx(10.0)   # derive + build + warm-up
    assert fig["episode_s"] == pytest.approx(12.0)
    assert fig["checkpoints"] == 2 and fig["checkpoint_s"] == pytest.approx(4.5)
    assert fig["episode_ms"] == 2800.0 and fig["peak_memory_mb"] == 512.0


def test_figures_of_a_resting_state_run_folder(tmp_path):
    _fake_run(tmp_path, {"derive": 0.5, "build": 2.5, "simulate": 1.5, "analysis": 0.1})
    fig = figures_of_run("resting_state", tmp_path, BenchSettings((0.1,), (1,),
                                                                  resting_ms=500.0))
    assert fig["setup_s"] == pytest.approx(3.0)
    assert fig["wall_s_per_simulated_s"] == pytest.approx(3.0)


def test_bench_json_errors_name_the_key(tmp_path):
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"measurements": [
        {"protocol": "plasticity", "scale": 0.1, "threads": 1, "setup_s": 1.0,
         "episode_s": 2.0}]}))
    with pytest.raises(ConfigError, match=r"measurements\[0\]\.checkpoint_s = None"):
        load_bench(path)
    with pytest.raises(ConfigError, match="an existing bench JSON"):
        load_bench(tmp_path / "none.json")


# ----------------------------------------------------------------------------- projection
def test_run_seconds_and_makespan():
    work = RunWork("plasticity", 0.1, episodes=10, episode_ms=2800.0, checkpoints=2)
    fig = {"setup_s": 20.0, "episode_s": 5.0, "episode_ms": 1400.0, "checkpoint_s": 3.0}
    assert run_seconds(work, fig) == pytest.approx(20 + 10 * 10.0 + 2 * 3.0)
    rest = RunWork("resting_state", 1.0, simulated_s=3.0)
    assert run_seconds(rest, {"setup_s": 25.0, "wall_s_per_simulated_s": 2.0}) == 31.0
    assert makespan([10.0] * 5, 2) == 30.0
    assert makespan([7.0, 5.0, 4.0, 3.0], 2) == 10.0   # 7+3 and 5+4
    assert makespan([], 4) == 0.0


def _bench_json(path, scale):
    measurements = [
        {"protocol": "plasticity", "scale": scale, "threads": 1, "status": "done",
         "setup_s": 10.0, "episode_s": 20.0, "episode_ms": 2800.0, "checkpoint_s": 5.0,
         "peak_memory_mb": 1024.0},
        {"protocol": "plasticity", "scale": scale, "threads": 2, "status": "done",
         "setup_s": 10.0, "episode_s": 12.0, "episode_ms": 2800.0, "checkpoint_s": 5.0,
         "peak_memory_mb": 1024.0},
        {"protocol": "plasticity", "scale": scale, "threads": 4, "status": "failed"}]
    path.write_text(json.dumps({"machine": {"hostname": "testhost", "available_cores": 4,
                                            "date": "2026-12-01"},
                                "measurements": measurements}))
    return path


@pytest.fixture
def plasticity_sweep(tmp_path):
    # 2 lambdas x 3 seeds = 6 runs of 10 episodes, a checkpoint every 5: 2 each.
    return write_sweep(tmp_path / "proj.yaml", protocol="plasticity",
                       preset="plasticity_small",
                       set={"simulation.scale": 0.1, "protocol.episodes": 10,
                            "protocol.checkpoint_every_episodes": 5},
                       grid={"striatum.lambda": [0.0, 0.2]}, seeds=[1, 2, 3],
                       resources={"threads": 1, "memory_gb": 3, "time": "01:00:00"})


def _run_cli(capsys, *args):
    code = cli_main([str(a) for a in args])
    return code, capsys.readouterr()


def test_dry_run_projection_from_a_bench_json(tmp_path, capsys, plasticity_sweep):
    bench = _bench_json(tmp_path / "bench.json", 0.1)
    code, out = _run_cli(capsys, "sweep", plasticity_sweep, "--dry-run", "--out",
                         tmp_path / "sweeps", "--bench", bench, "--cores-per-node", 4,
                         "--nodes", 1, 3)
    assert code == 0
    text = out.out
    # Per run: 10 + 10 x 20 + 2 x 5 = 220 s at 1 thread; 10 + 10 x 12 + 2 x 5 = 140 s at 2.
    assert "1 thread(s): plasticity scale 0.1 (10 episodes of 2.8 s, 2 checkpoints): " \
           "set-up 10 s + 10 x 20 s + 2 x 5 s = 220 s per run" in text
    assert "= 140 s per run" in text
    # 4 x 1 thread: 65.5 runs/h; 2 x 2 threads: 51.4 runs/h.
    assert "packing on 4-core node(s): 4 process(es) x 1 thread(s) per node" in text
    # 6 runs of 220 s on 4 slots: two waves, 440 s; on 12 slots: one wave, 220 s.
    assert "1 node(s), 4 runs at once: 6 runs in 2 wave(s), projected wall time 440 s" in text
    assert "3 node(s), 12 runs at once: 6 runs in 1 wave(s), projected wall time 220 s" in text
    assert "cannot project" not in text


def test_dry_run_projection_with_node_memory(tmp_path, capsys, plasticity_sweep):
    bench = _bench_json(tmp_path / "bench.json", 0.1)
    # 2 GB for 1 GB runs: two processes fit, so 2-thread runs (140 s) win.
    code, out = _run_cli(capsys, "sweep", plasticity_sweep, "--dry-run", "--out",
                         tmp_path / "sweeps", "--bench", bench, "--cores-per-node", 4,
                         "--memory-gb-per-node", 2)
    assert "packing on 4-core node(s) with 2 GB: 2 process(es) x 2 thread(s)" in out.out
    assert "6 runs in 3 wave(s), projected wall time 420 s" in out.out
    assert "set resources.threads: 2 in the sweep file" in out.out


def test_dry_run_projection_says_when_the_scale_was_not_measured(tmp_path, capsys,
                                                                  plasticity_sweep):
    bench = _bench_json(tmp_path / "bench.json", 0.05)
    code, out = _run_cli(capsys, "sweep", plasticity_sweep, "--dry-run", "--out",
                         tmp_path / "sweeps", "--bench", bench, "--cores-per-node", 4)
    assert code == 0
    assert "cannot project" in out.out
    assert "no plasticity measurement at scale 0.1 (measured scales: 0.05)" in out.out
    assert "projected wall time" not in out.out
    code, out = _run_cli(capsys, "sweep", plasticity_sweep, "--dry-run", "--out",
                         tmp_path / "sweeps", "--bench", bench, "--cores-per-node", 4,
                         "--extrapolate")
    assert "assumed: plasticity at scale 0.1, 1 thread(s): not measured; taken as 2 x " \
           "the figures at scale 0.05" in out.out
    # Doubled: 20 + 10 x 40 + 2 x 10 = 440 s per run.
    assert "= 440 s per run" in out.out and "projected wall time" in out.out


def test_slurm_dry_run_prints_the_layout_and_packing(tmp_path, capsys, plasticity_sweep):
    bench = _bench_json(tmp_path / "bench.json", 0.1)
    code, out = _run_cli(capsys, "slurm", plasticity_sweep, "--dry-run", "--out",
                         tmp_path / "sweeps", "--bench", bench, "--cores-per-node", 4,
                         "--max-parallel", 8)
    assert code == 0
    assert "job layout: 6 array task(s), each --cpus-per-task=1 (NEST threads) " \
           "--mem=3072M --time=01:00:00; at most 8 at once" in out.out
    assert "4 process(es) x 1 thread(s) per node" in out.out
    assert not (tmp_path / "sweeps" / "proj" / "slurm" / "array.sh").exists()


def test_projection_without_bench_gives_the_default_packing(tmp_path, capsys,
                                                            plasticity_sweep):
    code, out = _run_cli(capsys, "sweep", plasticity_sweep, "--dry-run", "--out",
                         tmp_path / "sweeps", "--cores-per-node", 16,
                         "--memory-gb-per-node", 64)
    assert "no --bench: no times" in out.out
    assert "8 process(es) x 2 thread(s) per node" in out.out


# ----------------------------------------------------------------------------- real run
@pytest.mark.nest
def test_bench_runs_and_writes_its_json(tmp_path):
    """The tiniest network: 100 ms of resting state and one plasticity episode."""
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "bgmodel", "bench", "--scales", "0.02", "--threads", "1",
         "--episodes", "1", "--resting-ms", "100", "--output", str(out),
         "--runs-dir", str(tmp_path / "runs")],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(out.read_text())
    machine = data["machine"]
    assert machine["available_cores"] >= 1 and machine["cpu_count"] >= 1
    assert machine["nest"] and machine["bgmodel"] and machine["hostname"]
    assert machine["memory_gb"] > 0 and machine["date"]
    rest, plast = data["measurements"]
    assert rest["protocol"] == "resting_state" and plast["protocol"] == "plasticity"
    for m in (rest, plast):
        assert m["status"] == "done" and m["scale"] == 0.02 and m["threads"] == 1
        assert m["build_s"] > 0 and m["peak_memory_mb"] > 0 and m["setup_s"] > 0
    assert rest["simulated_s"] == 0.1 and rest["wall_s_per_simulated_s"] > 0
    assert plast["episodes"] == 1 and len(plast["episode_walls_s"]) == 1
    assert plast["checkpoints"] == 1 and plast["checkpoint_s"] > 0
    assert (tmp_path / "runs" / "plasticity_scale0.02_threads1" / "results"
            / "checkpoint.npz").is_file()
    lines = done.stdout.splitlines()
    assert any(l.startswith("resting_state") and "per simulated s" in l for l in lines)
    assert any(l.startswith("plasticity") and "per checkpoint (1)" in l for l in lines)
    # What the bench wrote is what the projection reads.
    bench = load_bench(out)
    assert bench.find("plasticity", 0.02, 1) is not None


def test_projection_refuses_a_bad_node(tmp_path, capsys, plasticity_sweep):
    code, out = _run_cli(capsys, "sweep", plasticity_sweep, "--dry-run", "--out",
                         tmp_path / "s", "--cores-per-node", -2)
    assert code == 2
    assert "--cores-per-node = -2 is not allowed; an integer >= 1" in out.err
    assert "projected wall time" not in out.out
