"""Sweeps: sweep files, expansion into points, the sweep folder, skipping done points,
failure reporting, SLURM scripts and status logic, and the collected table.

Most tests need no NEST; the last one runs a tiny sweep with the local executor."""
from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path

import numpy as np
import pytest

from bgmodel.model.config import from_frozen
from bgmodel.results.rundir import RunDirectory
from bgmodel.model.schema import ConfigError
from bgmodel.sweep import (SweepFolder, expand_points, lay_out, parse_sweep, resolve_points,
                           run_point)
from bgmodel.sweep.collect import collect, flatten_numeric, read_table, write_table
from bgmodel.sweep.executors import pool_size
from bgmodel.sweep.points import resolve_point
from bgmodel.sweep.slurm import (TaskState, array_spec, load_settings, point_states, render,
                                 resubmittable, write_script)

from sweep_files import CRASHING, bgmodel, summary, write_sweep


# ----------------------------------------------------------------------------- parsing
def test_grid_points_and_seeds_expand_seed_by_seed(tmp_path):
    spec = parse_sweep(write_sweep(
        tmp_path / "s.yaml",
        grid={"striatum.kappa": [2, 4], "striatum.lambda": [0.0, 0.1, 0.2]},
        points=[{"striatum.kappa": 4, "striatum.lambda": 0.5}], seeds=[3, 7]))
    points = expand_points(spec)
    assert len(points) == (2 * 3 + 1) * 2
    assert [p.index for p in points] == list(range(14))
    assert [p.seed for p in points] == [3] * 7 + [7] * 7
    assert points[0].name == "kappa-2_lambda-0_seed-3"
    assert points[5].params == {"striatum.kappa": 4, "striatum.lambda": 0.2}
    assert points[6].name == "kappa-4_lambda-0.5_seed-3"
    assert points[13].name == "kappa-4_lambda-0.5_seed-7"
    assert spec.varied_keys == ["striatum.kappa", "striatum.lambda"]


def test_paper_sweep_file_has_the_published_grid(repo):
    spec = parse_sweep(repo / "configs" / "sweeps" / "paper_fig4-7.yaml")
    points = expand_points(spec)
    assert len(points) == 2 * 5 * 3 * 5
    combos = {(p.params["striatum.kappa"], p.params["striatum.lambda"], p.params["striatum.eta"])
              for p in points}
    assert combos == {(k, l, e) for k in (2, 4) for l in (0, 0.1, 0.2, 0.3, 0.4)
                      for e in (1, 2, 4)}
    assert sorted({p.seed for p in points}) == [1, 2, 3, 4, 5]
    last = resolve_point(spec, points[-1])
    assert last.protocol_name == "plasticity" and last["protocol"]["episodes"] == 230
    assert last["simulation"]["scale"] == 1.0 and last["simulation"]["threads"] == 8
    assert last["striatum"]["eta"] == 4.0 and last["simulation"]["seed"] == 5


@pytest.mark.parametrize("sweep_file", sorted((Path(__file__).resolve().parents[1]
                                                / "configs" / "sweeps").glob("*.yaml")),
                         ids=lambda p: p.name)
def test_every_shipped_sweep_file_parses_and_every_point_resolves(sweep_file):
    spec = parse_sweep(sweep_file)
    points = expand_points(spec)
    grid = 1
    for values in spec.grid.values():
        grid *= len(values)
    assert len(points) == (grid + len(spec.points)) * len(spec.seeds)
    assert len({p.name for p in points}) == len(points)
    for point in points:
        config = resolve_point(spec, point)
        assert config.protocol_name == spec.protocol
        assert config["simulation"]["seed"] == point.seed
        for key, value in point.params.items():
            if key == "condition":
                continue
            node = config.data
            for part in key.split("."):
                node = node[part]
            assert node == value, (point.name, key)


def test_the_figure_sweep_that_figures_list_names_is_shipped_and_holds_its_conditions(repo):
    from bgmodel.plotting.registry import PAPER_SWEEP
    spec = parse_sweep(repo / PAPER_SWEEP)
    points = expand_points(spec)
    assert len(points) == (10 + 5) * 5
    conditions = {p.params.get("condition") for p in points}
    assert conditions == {None, "parkinson", "schizophrenia"}
    parkinson = resolve_point(spec, next(p for p in points
                                         if p.params.get("condition") == "parkinson"))
    healthy = resolve_point(spec, points[0])
    assert parkinson["plasticity"] != healthy["plasticity"]


def test_names_use_whole_keys_when_their_last_parts_clash(tmp_path):
    spec = parse_sweep(write_sweep(tmp_path / "s.yaml", grid={
        "nuclei.STN.I_e_pA": [9.0], "nuclei.GPe.I_e_pA": [11.0, 12.5]}))
    names = [p.name for p in expand_points(spec)]
    assert names == ["nuclei.STN.I_e_pA-9_nuclei.GPe.I_e_pA-11_seed-1",
                     "nuclei.STN.I_e_pA-9_nuclei.GPe.I_e_pA-12.5_seed-1"]


def test_point_config_has_values_seed_threads_and_condition(tmp_path):
    spec = parse_sweep(write_sweep(
        tmp_path / "s.yaml", grid={"condition": [None, "parkinson"],
                                   "striatum.eta": [2.0]}, seeds=[5],
        resources={"threads": 3}))
    healthy, parkinson = expand_points(spec)
    assert parkinson.name == "condition-parkinson_eta-2_seed-5"
    assert healthy.name == "condition-none_eta-2_seed-5"
    cfg_h, cfg_p = resolve_point(spec, healthy), resolve_point(spec, parkinson)
    for cfg in (cfg_h, cfg_p):
        assert cfg["striatum"]["eta"] == 2.0
        assert cfg["simulation"]["seed"] == 5
        assert cfg["simulation"]["threads"] == 3
        assert cfg["simulation"]["scale"] == 0.02
        assert cfg["protocol"]["duration_ms"] == 500.0
    assert cfg_p["plasticity"]["amplitudes_in_dc"]["burst"]["D1"]["A_plus"] == -1.0
    assert cfg_h["plasticity"]["amplitudes_in_dc"]["burst"]["D1"]["A_plus"] > 0


def test_unquoted_wall_time_is_read_as_a_time(tmp_path):
    path = tmp_path / "s.yaml"
    write_sweep(path)
    # YAML 1.1 reads 12:00:00 unquoted as the integer 43200 (base 60).
    path.write_text(path.read_text().replace("time: 00:05:00", "time: 12:00:00"))
    spec = parse_sweep(path)
    assert spec.resources.time == "12:00:00"
    assert spec.resources.time_s == 43200


@pytest.mark.parametrize("fields, key, value", [
    ({"grdi": {"striatum.kappa": [2]}}, "grdi", {"striatum.kappa": [2]}),
    ({"grid": {"striatum.kappa": 2}}, "grid.striatum.kappa", 2),
    ({"grid": {"striatum.kappa": []}}, "grid.striatum.kappa", []),
    ({"grid": {"striatum.kappa": [2, 2]}}, "grid.striatum.kappa", [2, 2]),
    ({"grid": {"simulation.seed": [1, 2]}}, "grid.simulation.seed", "simulation.seed"),
    ({"set": {"simulation.threads": 4}}, "set.simulation.threads", "simulation.threads"),
    ({"grid": {"condition": ["alzheimer"]}}, "grid.condition[0]", "alzheimer"),
    ({"seeds": [1, 1]}, "seeds", [1, 1]),
    ({"seeds": [0]}, "seeds", [0]),
    ({"resources": {"threads": 0}}, "resources.threads", 0),
    ({"resources": {"time": "3 hours"}}, "resources.time", "3 hours"),
    ({"resources": {"cpus": 2}}, "resources.cpus", 2),
    ({"protocol": "resting"}, "protocol", "resting"),
    ({"preset": "huge"}, "preset", "huge"),
    ({"overlays": ["no/such/file.yaml"]}, "overlays[0]", "no/such/file.yaml"),
    ({"points": [{"striatum.kappa": {"x": 1}}]}, "points[0].striatum.kappa", {"x": 1}),
])
def test_sweep_file_errors_name_file_key_value_and_allowed(tmp_path, fields, key, value):
    path = write_sweep(tmp_path / "bad.yaml", **fields)
    with pytest.raises(ConfigError) as info:
        parse_sweep(path)
    err = info.value
    assert err.source == str(path)
    assert err.path == key
    assert err.value == value
    assert err.allowed


def test_a_point_repeated_by_the_grid_is_an_error(tmp_path):
    spec = parse_sweep(write_sweep(tmp_path / "s.yaml", grid={"striatum.kappa": [2, 4]},
                                   points=[{"striatum.kappa": 4}]))
    with pytest.raises(ConfigError, match="repeats point 1"):
        expand_points(spec)


def test_invalid_points_are_found_before_anything_runs(tmp_path):
    path = write_sweep(tmp_path / "s.yaml", grid={"striatum.lambda": [0.1, 1.5]},
                       points=[{"striatum.lamda": 0.2}])
    spec = parse_sweep(path)
    resolved = resolve_points(spec, expand_points(spec))
    assert [err is None for _, _, err in resolved] == [True, False, False]
    bad_value, bad_key = resolved[1][2], resolved[2][2]
    assert bad_value.path == "striatum.lambda" and bad_value.value == 1.5
    assert bad_value.source.startswith(str(path)) and "point 1" in bad_value.source
    assert "<= 1" in bad_value.allowed
    assert bad_key.path == "striatum.lamda" and "allowed keys here" in bad_key.allowed


# ----------------------------------------------------------------------------- folder
def test_lay_out_freezes_the_sweep_and_every_valid_point(tmp_path):
    path = write_sweep(tmp_path / "s.yaml", grid={"striatum.lambda": [0.1, 0.2]},
                       points=[{"striatum.lamda": 0.3}], seeds=[1, 2])
    folder, invalid = lay_out(parse_sweep(path), tmp_path / "sweep")
    assert (folder.path / "sweep.yaml").read_text() == path.read_text()
    points = folder.points()
    assert len(points) == 6 and len(invalid) == 2
    for p in points:
        if p.valid:
            config = from_frozen(folder.config_file(p))
            assert config.digest() == p.config_hash
            assert config["simulation"]["seed"] == p.seed
            assert config["striatum"]["lambda"] == p.params["striatum.lambda"]
            assert folder.status(p) == "missing"
        else:
            assert "striatum.lamda" in p.error
            assert not folder.config_file(p).exists()
            assert folder.status(p) == "invalid"
    assert [p.index for p in folder.pending()] == [0, 1, 3, 4]


def test_lay_out_keeps_started_points_and_refuses_to_change_them(tmp_path):
    path = write_sweep(tmp_path / "s.yaml", grid={"striatum.lambda": [0.1, 0.2]})
    folder, _ = lay_out(parse_sweep(path), tmp_path / "sweep")
    first = folder.points()[0]
    RunDirectory.at(folder.run_dir(first).path).set_status("done")
    # More seeds append points: the started one keeps its index, so this is allowed.
    write_sweep(path, grid={"striatum.lambda": [0.1, 0.2]}, seeds=[1, 2])
    folder, _ = lay_out(parse_sweep(path), tmp_path / "sweep")
    assert len(folder.points()) == 4 and folder.points()[0] == first
    assert [p.index for p in folder.pending()] == [1, 2, 3]
    # A new grid value would move the started point: refused, naming the folder.
    write_sweep(path, grid={"striatum.lambda": [0.05, 0.1, 0.2]})
    with pytest.raises(ConfigError, match="another sweep") as info:
        lay_out(parse_sweep(path), tmp_path / "sweep")
    assert info.value.source.endswith("points.json")
    # So would a changed shared value.
    write_sweep(path, grid={"striatum.lambda": [0.1, 0.2]}, seeds=[1, 2],
                set={"simulation.scale": 0.03, "protocol.duration_ms": 500.0,
                     "protocol.analysis_start_ms": 200.0})
    with pytest.raises(ConfigError, match="another sweep"):
        lay_out(parse_sweep(path), tmp_path / "sweep")


def test_run_point_skips_done_resumes_interrupted_and_restarts_failed(tmp_path, monkeypatch):
    import bgmodel.runner as runner
    calls = []
    monkeypatch.setattr(runner, "resume_run",
                        lambda path, quiet=False, force=False:
                        calls.append(("resume", path, force)) or (None, {}))
    monkeypatch.setattr(runner, "run_protocol", lambda config, run_dir, **kw:
                        calls.append(("run", run_dir, config["striatum"]["lambda"])) or (None, {}))
    path = write_sweep(tmp_path / "s.yaml", grid={"striatum.lambda": [0.1, 0.2, 0.3, 0.4]},
                       points=[{"striatum.lamda": 1}])
    folder, _ = lay_out(parse_sweep(path), tmp_path / "sweep")
    p = folder.points()
    done, interrupted, failed = (RunDirectory.at(folder.run_dir(q).path) for q in p[:3])
    done.set_status("done")
    interrupted.config_file.write_text("frozen")
    interrupted.set_status("interrupted", error="stopped by SIGTERM")
    interrupted.update_meta(host=socket.gethostname())  # ran here: no --force needed
    failed.set_status("failed", error="RuntimeError: x")
    assert run_point(folder, 0) == ("skipped", None)
    assert run_point(folder, 1) == ("resumed", {})
    assert run_point(folder, 2) == ("done", {})
    assert run_point(folder, 3) == ("done", {})
    assert calls == [("resume", interrupted.path, False), ("run", failed.path, 0.3),
                     ("run", folder.run_dir(p[3]).path, 0.4)]
    # The failed attempt was kept aside; the fresh run knows its point.
    assert (folder.path / "attempts" / f"{p[2].name}.1" / "run.json").is_file()
    assert failed.read_meta()["sweep_index"] == 2 and "error" not in failed.read_meta()
    with pytest.raises(ConfigError, match="a valid point"):
        run_point(folder, 4)


def test_pool_never_oversubscribes_the_cores():
    assert pool_size(threads=1, points=10, cores=2) == 2
    assert pool_size(threads=2, points=10, cores=16) == 8
    assert pool_size(threads=4, points=10, cores=2) == 1
    assert pool_size(threads=1, points=10, cores=16, jobs=3) == 3
    assert pool_size(threads=1, points=1, cores=16) == 1


# ----------------------------------------------------------------------------- SLURM
def test_template_rendering_drops_empty_options_and_rejects_unknown_names():
    text = "#SBATCH --partition={{partition}}\n{{modules}}\necho {{x}}\n#SBATCH --a={{a}}\n"
    out = render(text, {"partition": "", "modules": "", "x": "1", "a": "b"})
    assert out == "echo 1\n#SBATCH --a=b\n"
    with pytest.raises(ConfigError, match="known placeholder"):
        render("{{nope}}", {"x": 1})
    assert array_spec([0, 1, 2, 5, 7, 8], 3) == "0-2,5,7-8%3"
    assert array_spec([4], 50) == "4%50"


def test_cluster_settings_are_checked(tmp_path):
    settings = load_settings(None, partition="short", max_parallel=4)
    assert settings["partition"] == "short" and settings["max_parallel"] == 4
    assert settings["modules"] == [] and settings["account"] == ""
    cluster = tmp_path / "cluster.yaml"
    cluster.write_text("partition: long\nmodules: [nest/3.10]\nnodes: 4\n")
    with pytest.raises(ConfigError) as info:
        load_settings(cluster)
    assert info.value.source == str(cluster) and info.value.path == "nodes"


def test_job_array_script(tmp_path):
    path = write_sweep(tmp_path / "s.yaml", grid={"striatum.lambda": [0.1, 0.2, 0.3]},
                       resources={"threads": 2, "memory_gb": 1.5, "time": "02:00:00"})
    folder, _ = lay_out(parse_sweep(path), tmp_path / "sweep")
    settings = load_settings(None, max_parallel=2, modules=["nest/3.10", "python/3.11"],
                             setup=["source ~/venvs/bg/bin/activate"])
    script = write_script(folder, settings, [0, 1, 2]).read_text()
    assert "#SBATCH --array=0-2%2\n" in script
    assert "#SBATCH --cpus-per-task=2\n" in script
    assert "#SBATCH --mem=1536M\n" in script
    assert "#SBATCH --time=02:00:00\n" in script
    assert "--partition" not in script and "--account" not in script
    assert "module load nest/3.10 python/3.11\n" in script
    assert "source ~/venvs/bg/bin/activate\n" in script
    assert f"sweep-task {folder.path.resolve()} \"${{SLURM_ARRAY_TASK_ID}}\"" in script
    assert "{{" not in script
    check = subprocess.run(["bash", "-n", str(folder.path / "slurm" / "array.sh")],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    with_partition = write_script(folder, load_settings(None, partition="short"), [1]).read_text()
    assert "#SBATCH --partition=short\n" in with_partition
    assert "#SBATCH --array=1%50\n" in with_partition


def test_point_states_from_run_folders_and_the_queue(tmp_path):
    path = write_sweep(tmp_path / "s.yaml",
                       grid={"striatum.lambda": [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]},
                       points=[{"striatum.lambda": 2.0}])
    folder, _ = lay_out(parse_sweep(path), tmp_path / "sweep")
    p = folder.points()
    RunDirectory.at(folder.run_dir(p[0]).path).set_status("done")
    RunDirectory.at(folder.run_dir(p[1]).path).set_status("failed", error="ValueError: boom")
    RunDirectory.at(folder.run_dir(p[2]).path).update_meta(host="node17", pid=1)
    RunDirectory(folder.run_dir(p[2]).path).set_status("running")
    tasks = {2: TaskState("9_2", "RUNNING"), 3: TaskState("9_3", "PENDING"),
             4: TaskState("9_4", "TIMEOUT")}
    rows = point_states(folder, tasks)
    states = [(r["state"], r["detail"]) for r in rows]
    assert states[0] == ("done", "")
    assert states[1] == ("failed", "ValueError: boom")
    assert states[2] == ("running", "job 9_2")
    assert states[3] == ("pending", "job 9_3")
    assert states[4][0] == "failed" and "TIMEOUT" in states[4][1]
    assert states[5] == ("missing", "")
    assert states[6][0] == "failed" and "invalid point" in states[6][1]
    # The job of point 2 is gone although its run says running: killed hard.
    rows = point_states(folder, {})
    assert rows[2]["state"] == "failed" and "no SLURM job" in rows[2]["detail"]
    assert resubmittable(rows, folder) == [1, 2, 3, 4, 5]


# ----------------------------------------------------------------------------- collect
def test_flatten_numeric_leaves():
    data = {"protocol": "x", "rates": {"GPi": {"rate_Hz": 70.5, "in_range": True,
                                               "target_Hz": [59.1, 79.5]}},
            "trace": list(range(100)), "n": 3, "note": None}
    assert flatten_numeric(data) == {"rates.GPi.rate_Hz": 70.5, "rates.GPi.in_range": 1.0,
                                     "rates.GPi.target_Hz[0]": 59.1,
                                     "rates.GPi.target_Hz[1]": 79.5, "n": 3.0}


def test_collect_table_csv_and_npz(tmp_path):
    path = write_sweep(tmp_path / "s.yaml", grid={"striatum.lambda": [0.1, 0.2, 0.3]},
                       points=[{"striatum.lamda": 1}])
    folder, _ = lay_out(parse_sweep(path), tmp_path / "sweep")
    p = folder.points()
    history = [{"status": "running", "at": "2026-01-01T10:00:00+00:00"},
               {"status": "interrupted", "at": "2026-01-01T10:00:02+00:00"},
               {"status": "running", "at": "2026-01-01T11:00:00+00:00"},
               {"status": "done", "at": "2026-01-01T11:00:01.75+00:00"}]
    for point, rate in ((p[0], 70.25), (p[1], 65.5)):
        rd = RunDirectory.at(folder.run_dir(point).path)
        # A resumed run: its wall time adds up both attempts.
        rd.update_meta(timings_s={"build": 1.5, "simulate": 2.25}, peak_memory_mb=300.0,
                       status="done", status_history=history)
        # `seed` collides with a table column: it becomes summary.seed.
        rd.write_result_json("summary.json", {"rates": {"GPi": {"rate_Hz": rate}}, "seed": 9})
    RunDirectory.at(folder.run_dir(p[2]).path).set_status("failed", error="RuntimeError: x")
    table = collect([folder.path])
    assert table["striatum.lambda"] == [0.1, 0.2, 0.3, None]
    assert table["striatum.lamda"] == [None, None, None, 1]
    assert table["status"] == ["done", "done", "failed", "failed"]
    assert table["error"][2] == "RuntimeError: x"
    assert table["error"][3].startswith("invalid configuration")
    assert table["wall_time_s"][:2] == [3.75, 3.75]
    assert table["timings_s.simulate"][:2] == [2.25, 2.25]
    assert table["rates.GPi.rate_Hz"][:2] == [70.25, 65.5]
    assert np.isnan(table["rates.GPi.rate_Hz"][2])
    assert table["summary.seed"][:2] == [9.0, 9.0] and table["seed"] == [1, 1, 1, 1]
    csv_path, npz_path = write_table(table, folder.path / "collected")
    arrays = read_table(npz_path)
    assert list(arrays) == list(table)
    assert arrays["seed"].dtype == np.int64
    np.testing.assert_array_equal(arrays["rates.GPi.rate_Hz"][:2], [70.25, 65.5])
    assert list(arrays["status"]) == table["status"]
    header, *rows = csv_path.read_text().splitlines()
    assert header.split(",")[:4] == ["sweep", "index", "name", "striatum.lambda"]
    assert len(rows) == 4
    assert rows[0].split(",")[header.split(",").index("rates.GPi.rate_Hz")] == "70.25"


# ----------------------------------------------------------------------------- local run
@pytest.mark.nest
def test_local_sweep_reports_failures_and_reruns_only_what_is_missing(tmp_path):
    sweep_file = write_sweep(
        tmp_path / "local.yaml", grid={"striatum.lambda": [0.1, 0.3]},
        points=[{"striatum.lambda": 0.2, **CRASHING}, {"striatum.lamda": 0.2}])
    sweep_dir = tmp_path / "out"
    dry = bgmodel("sweep", sweep_file, "--sweep-dir", sweep_dir, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "4 points, 0 already done, 3 to run" in dry.stdout
    assert not (sweep_dir / "runs").exists()

    first = bgmodel("sweep", sweep_file, "--sweep-dir", sweep_dir)
    assert first.returncode == 1, first.stdout + first.stderr
    # As many processes as cores, one thread each, at most one per pending point.
    assert f"running {pool_size(threads=1, points=3)} at a time x 1 thread(s)" in first.stdout
    assert "striatum.lamda" in first.stderr            # reported before anything ran
    folder = SweepFolder(sweep_dir)
    good, crash, invalid = folder.points()[:2], folder.points()[2], folder.points()[3]
    assert [folder.status(p) for p in good] == ["done", "done"]
    assert folder.status(crash) == "failed"
    assert "Resolution must be greater than or equal to one tic" in folder.error(crash)
    assert f"failed {crash.name}: KernelException" in first.stdout
    assert folder.status(invalid) == "invalid" and not folder.run_dir(invalid).path.exists()
    rates = {p.name: summary(sweep_dir, p.name)["rates"] for p in good}
    assert all(r["GPi"]["rate_Hz"] > 10 for r in rates.values())
    done_meta = {p.name: folder.run_dir(p).read_meta() for p in good}
    assert done_meta[good[0].name]["sweep_index"] == 0
    assert done_meta[good[0].name]["command_line"][1:] == ["sweep-task", str(sweep_dir), "0"]

    second = bgmodel("sweep", sweep_file, "--sweep-dir", sweep_dir)
    assert second.returncode == 1
    assert "4 points, 2 already done, 1 to run" in second.stdout
    for p in good:  # untouched
        assert folder.run_dir(p).read_meta() == done_meta[p.name]
    assert (sweep_dir / "attempts" / f"{crash.name}.1" / "run.json").is_file()
    assert folder.status(crash) == "failed"

    collected = bgmodel("collect", sweep_dir)
    assert collected.returncode == 0, collected.stderr
    table = read_table(sweep_dir / "collected.npz")
    assert list(table["status"]) == ["done", "done", "failed", "failed"]
    np.testing.assert_array_equal(table["striatum.lambda"][:3], [0.1, 0.3, 0.2])
    assert table["wall_time_s"][0] > 0 and table["wall_time_s"][1] > 0
    assert table["rates.GPi.rate_Hz"][0] == rates[good[0].name]["GPi"]["rate_Hz"]
    assert np.isnan(table["rates.GPi.rate_Hz"][2])
    assert "KernelException" in table["error"][2]
    assert table["error"][3].startswith("invalid configuration")
    assert json.loads((sweep_dir / "points.json").read_text())["points"][3]["error"]


def test_a_point_run_by_a_live_process_here_is_left_alone(tmp_path):
    from bgmodel.sweep.executors import _outcome_from_folder
    path = write_sweep(tmp_path / "s.yaml", grid={"striatum.lambda": [0.1]})
    folder, _ = lay_out(parse_sweep(path), tmp_path / "sweep")
    point = folder.points()[0]
    live = RunDirectory.at(folder.run_dir(point).path)
    live.update_meta(host=socket.gethostname(), pid=os.getpid())
    live.set_status("running")
    outcome = _outcome_from_folder(folder, point, returncode=2, seconds=1.0)
    assert outcome.status == "failed" and f"pid {os.getpid()}" in outcome.error
    assert live.read_meta()["status"] == "running" and "error" not in live.read_meta()
