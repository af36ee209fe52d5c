"""`bgmodel run resting_state` end to end on a tiny network, as a user runs it."""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import yaml

pytestmark = pytest.mark.nest

TINY = ["--preset", "small", "--set", "simulation.scale=0.02", "--threads", "1",
        "--set", "protocol.duration_ms=800", "--set", "protocol.analysis_start_ms=300"]


def run_cli(tmp_path, *extra):
    cmd = [sys.executable, "-m", "bgmodel", "run", "resting_state", *TINY, "--out",
           str(tmp_path), "--quiet", *extra]
    res = subprocess.run(cmd, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    path = res.stdout.strip().splitlines()[-1].split("results: ")[1]
    return res, path


@pytest.fixture(scope="module")
def first_run(tmp_path_factory):
    return run_cli(tmp_path_factory.mktemp("runs"), "--seed", "5")


def test_run_folder_records_everything_needed_to_redo_it(first_run):
    res, path = first_run
    from pathlib import Path
    run = Path(path)
    assert run.name.startswith("resting_state_")
    meta = json.loads((run / "run.json").read_text())
    assert meta["status"] == "done" and meta["seed"] == 5 and meta["threads"] == 1
    assert set(meta["versions"]) >= {"bgmodel", "nest", "python"}
    assert meta["command_line"][:3] == ["bgmodel", "run", "resting_state"]
    assert {"derive", "build", "simulate", "analysis"} <= set(meta["timings_s"])
    assert meta["peak_memory_mb"] > 0
    cfg = yaml.safe_load((run / "config.yaml").read_text())
    assert cfg["simulation"]["seed"] == 5 and cfg["simulation"]["scale"] == 0.02
    assert meta["config_hash"] in run.name
    # The hash is that of what the folder holds: config.yaml reloaded and hashed anew.
    from bgmodel.model.config import from_frozen
    assert from_frozen(run / "config.yaml").digest() == meta["config_hash"]
    assert run.name.endswith("_" + meta["config_hash"])


# Rates of this tiny network (seed 5, one thread) as bgmodel 0.x on NEST 3.10.0 gave
# them. The same seed gives the same spikes, so they move only when the model, the
# wiring or NEST's random streams change; the tolerances (one MSN spike is ~2.5 % of
# the MSN rates here) stay below what a changed parameter does: a 10 % change of any
# nucleus's drive moves its rate by more. Re-record them when a change is meant to.
RECORDED_RATES_HZ = {"MSN": 0.6236, "MSN_D1": 0.6289, "MSN_D2": 0.6183, "FSI": 12.1038,
                     "STN": 21.5, "GPe": 71.2867, "GPi": 74.0}
RELATIVE_TOLERANCE = {"MSN": 0.08, "MSN_D1": 0.08, "MSN_D2": 0.08, "FSI": 0.02,
                      "STN": 0.02, "GPe": 0.02, "GPi": 0.02}


def test_every_nucleus_fires_at_its_recorded_seeded_rate(first_run):
    from pathlib import Path
    _, path = first_run
    rates = json.loads((Path(path) / "results" / "summary.json").read_text())["rates"]
    assert set(rates) == set(RECORDED_RATES_HZ)
    for name, recorded in RECORDED_RATES_HZ.items():
        assert rates[name]["rate_Hz"] == pytest.approx(recorded, rel=RELATIVE_TOLERANCE[name]), name


def test_results_rates_population_rate_and_binary_spikes(first_run):
    res, path = first_run
    from pathlib import Path
    results = Path(path) / "results"
    summary = json.loads((results / "summary.json").read_text())
    rates = summary["rates"]
    assert set(rates) == {"MSN", "MSN_D1", "MSN_D2", "FSI", "STN", "GPe", "GPi"}
    assert 30 < rates["GPi"]["rate_Hz"] < 120 and 20 < rates["GPe"]["rate_Hz"] < 110
    assert rates["MSN"]["rate_Hz"] < 5
    # the terminal shows every rate next to its target range
    for name in rates:
        assert name in res.stdout
    assert "59.1-79.5" in res.stdout
    arate = np.load(results / "population_rate.npz")
    assert len(arate["t_ms"]) == 500 and np.all(np.diff(arate["t_ms"]) == 1.0)
    spikes = np.load(results / "spikes.npz")
    times = spikes["GPi_times_ms"]
    assert spikes["GPi_senders"].dtype == np.uint32 and spikes["GPi_senders"].max() < 168
    # A(t) integrates to the mean rate over the analysis window
    assert arate["GPi"].mean() == pytest.approx(rates["GPi"]["rate_Hz"], rel=1e-9)
    n_window = np.sum((times >= 300) & (times < 800))
    assert n_window / 168 / 0.5 == pytest.approx(rates["GPi"]["rate_Hz"], rel=1e-9)
    assert "rate_Hz" in (results / "rates.csv").read_text()


def test_same_seed_same_spikes_other_seed_other_spikes(first_run, tmp_path):
    _, path_a = first_run
    _, path_b = run_cli(tmp_path, "--seed", "5")
    _, path_c = run_cli(tmp_path, "--seed", "6")
    a = np.load(f"{path_a}/results/spikes.npz")
    b = np.load(f"{path_b}/results/spikes.npz")
    c = np.load(f"{path_c}/results/spikes.npz")
    for key in a.files:
        assert np.array_equal(a[key], b[key]), key
    assert not np.array_equal(a["GPi_times_ms"], c["GPi_times_ms"])


def test_bad_override_fails_before_simulating(tmp_path):
    cmd = [sys.executable, "-m", "bgmodel", "run", "resting_state", "--out", str(tmp_path),
           "--set", "striatum.lambda=3"]
    res = subprocess.run(cmd, capture_output=True, text=True)
    assert res.returncode == 2 and "striatum.lambda" in res.stderr
    assert not list(tmp_path.iterdir())  # no run folder for a config that never ran


def test_info_prints_the_derived_network_without_nest():
    code = ("import sys, bgmodel.cli; bgmodel.cli.main(['info', '--preset', 'small']);"
            "print('nest' in sys.modules)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    assert "MSN_D1" in out and "bg_corticostriatal_D1" in out
    assert "CSN->MSN" in out and "114.000" in out and "plastic_D1" in out
    assert "neurons: bg_iaf_psc_alpha_2port, receptor ports 1 AMPA+GABA" in out
    assert out.strip().endswith("False")


def test_info_says_when_fractional_indegrees_are_dropped():
    from bgmodel.commands.info import describe
    from bgmodel.model.config import CONFIG_DIR, load_config
    mean = describe(load_config("resting_state", preset="small"))
    drop = describe(load_config("resting_state", preset="small",
                                overlays=[CONFIG_DIR / "variants" / "published_wiring.yaml"]))
    assert "fractional_indegree" not in mean and "1.667" in mean  # PTN->MSN keeps K
    assert "(fractional_indegree drop: K above is floor(K) per target" in drop
    assert "K < 1, not wired: STN->FSI" in drop and "1.667" not in drop


def test_run_json_records_the_layers_and_the_extension_and_a_resume_keeps_them(tmp_path):
    from pathlib import Path
    from bgmodel.simulator import nest_extension
    _, path = run_cli(tmp_path, "--seed", "7", "-c", "configs/conditions/parkinson.yaml",
                      "--set", "striatum.lambda=0.1")
    run = Path(path)
    meta = json.loads((run / "run.json").read_text())
    assert meta["config_layers"] == ["configs/network.yaml", "configs/protocols/resting_state.yaml",
                                     "configs/presets/small.yaml",
                                     "configs/conditions/parkinson.yaml", "--set", "--set",
                                     "--set", "--set", "--set", "--set"]
    library = nest_extension.library_path()
    assert meta["nest_extension"] == {
        "model": nest_extension.MODEL, "library": library.name, "build": library.parent.name,
        "source_hash": nest_extension.source_hash(),
        "headers": meta["nest_extension"]["headers"]}
    assert set(meta["nest_extension"]["headers"]) == {"boost", "ltdl"}
    # A reduced-scale run keeps the caveats it printed (bgmodel.model.fidelity).
    assert len(meta["caveats"]) == 2 and "MSNs of each type per channel" in meta["caveats"][1]
    first_spikes = dict(np.load(run / "results" / "spikes.npz"))
    # A resume (the resting state starts again) reloads config.yaml, one layer, but
    # keeps the record of the layers the run was made from; same seed, same spikes.
    res = subprocess.run([sys.executable, "-m", "bgmodel", "resume", str(run), "--quiet"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    again = json.loads((run / "run.json").read_text())
    assert again["resumed"] is True and again["status"] == "done"
    assert again["config_layers"] == meta["config_layers"]
    assert again["nest_extension"] == meta["nest_extension"]
    assert again["config_hash"] == meta["config_hash"]
    spikes = np.load(run / "results" / "spikes.npz")
    for key, value in first_spikes.items():
        np.testing.assert_array_equal(spikes[key], value)


def test_the_views_plot_the_runs_own_data(first_run):
    """bgmodel plot's resting-state views, checked on what they draw: the rates panel on
    summary.json, A(t) on population_rate.npz, the raster on spikes.npz."""
    from pathlib import Path
    from bgmodel.plotting import resting_state as views
    _, path = first_run
    run = Path(path)
    summary = json.loads((run / "results" / "summary.json").read_text())
    fig = views.draw_rates(summary)
    for name, rate in summary["rates"].items():
        (point,) = [line for ax in fig.axes for line in ax.get_lines()
                    if line.get_gid() == f"rate|{name}"]
        assert point.get_xdata()[0] == rate["rate_Hz"]
    with np.load(run / "results" / "population_rate.npz") as z:
        arate = {k: z[k] for k in z.files}
    fig = views.draw_population_rate(arate)
    drawn = {line.get_gid(): line for ax in fig.axes for line in ax.get_lines() if line.get_gid()}
    assert set(drawn) == {f"A|{n}" for n in arate if n != "t_ms"}
    for name in arate:
        if name != "t_ms":
            np.testing.assert_array_equal(drawn[f"A|{name}"].get_ydata(), arate[name])
            np.testing.assert_array_equal(drawn[f"A|{name}"].get_xdata(), arate["t_ms"])
    # The raster: every spike of the neurons shown inside the window, none outside it.
    with np.load(run / "results" / "spikes.npz") as z:
        senders, times = z["GPi_senders"].astype(np.int64), z["GPi_times_ms"]
    window = summary["analysis_window_ms"]
    fig = views.draw_raster({"GPi": (senders, times)}, {"GPi": 168}, window)
    (dots,) = [c for ax in fig.axes for c in ax.collections if c.get_gid() == "raster|GPi"]
    xy = np.asarray(dots.get_offsets())
    # At most MAX_RASTER_NEURONS of the 168, evenly spaced, one row each.
    shown = np.unique(np.linspace(0, 167, views.MAX_RASTER_NEURONS).astype(int))
    keep = (times >= window[0]) & (times < window[1]) & np.isin(senders, shown)
    assert len(xy) == keep.sum() > 0
    np.testing.assert_array_equal(xy[:, 0], times[keep])
    np.testing.assert_array_equal(xy[:, 1], np.searchsorted(shown, senders[keep]))
    written = views.plot_run(run, run / "figures-test")
    assert sorted(p.name for p in written) == sorted(
        f"{n}.{ext}" for n in ("raster", "rates", "population_rate") for ext in ("png", "pdf"))
