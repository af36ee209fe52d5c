"""Paper figures and standard views: the plotted data equal the data they come from.

The trajectory figures are drawn from the authors' published runs in
../shared/reference-data (next to the repository) and each curve is compared with
numbers read from their text files independently of bgmodel's readers.
"""
from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest
import yaml

from bgmodel import cli
from bgmodel.results.authors_format import EpisodeWriter
from bgmodel.model.config import CONFIG_DIR, load_config
from bgmodel.plotting import registry, stdp
from bgmodel.plotting.contact_sheet import contact_sheet
from bgmodel.results.rundir import RunDirectory
from bgmodel.results.runsets import find_runs

# ../shared/reference-data beside the repository, or wherever BGMODEL_REFERENCE_DATA says.
REFERENCE = Path(os.environ.get("BGMODEL_REFERENCE_DATA", "")
                 or Path(__file__).resolve().parents[1].parent / "shared" / "reference-data")
NORMAL_02 = "run4_k_4_l_02_m_1"
NORMAL_0 = "run4_k_4_l_002_m_1"
PARKINSON_02 = "run4_k_4_l_02_m_1_p_no_conv"


@pytest.fixture(scope="module")
def reference() -> Path:
    if not (REFERENCE / NORMAL_02).is_dir():
        pytest.fail(f"reference data missing: {REFERENCE} must hold the authors' runs "
                    f"({NORMAL_02}, {NORMAL_0}, {PARKINSON_02})")
    return REFERENCE


@pytest.fixture(scope="module")
def runset(reference):
    return find_runs([reference])


def column(folder: Path, stem: str, channel: int, start: int, stop: int) -> np.ndarray:
    """One channel of one authors' file, read with plain numpy."""
    return np.loadtxt(folder / f"{stem}_fr.txt")[start:stop, channel]


def runs_of(reference: Path, condition: str) -> list:
    """The condition's log folders the figures must use (not the 'x'-marked ones)."""
    return sorted(p for p in (reference / condition).glob("log*") if not p.name.endswith("x"))


def line(fig, gid: str):
    found = [ln for ax in fig.axes for ln in ax.get_lines() if ln.get_gid() == gid]
    assert len(found) == 1, f"{gid}: {len(found)} lines; have " + ", ".join(
        str(ln.get_gid()) for ax in fig.axes for ln in ax.get_lines() if ln.get_gid())
    return found[0]


def gids(fig) -> set:
    return {ln.get_gid() for ax in fig.axes for ln in ax.get_lines() if ln.get_gid()}


# ----------------------------------------------------------------------------- finding runs
def test_reference_runs_are_found_and_labelled(runset, reference):
    assert len(runset) == 14
    assert [str(p.name) for p, _ in runset.skipped] == ["log3x"]
    labels = {(r.path.parent.name, r.label.condition, r.label.lam, r.label.kappa, r.label.eta)
              for r in runset.runs}
    assert labels == {(NORMAL_0, "normal", 0.0, 4.0, 1.0), (NORMAL_02, "normal", 0.2, 4.0, 1.0),
                      (PARKINSON_02, "parkinson", 0.2, 4.0, 1.0)}
    assert len(runset.select("normal", 0.0, 4.0, 1.0)) == 6  # log1m ('m') is kept
    # one log folder or one condition folder resolve too
    assert [r.name for r in find_runs([reference / NORMAL_02 / "log1"]).runs] == [f"{NORMAL_02}/log1"]
    assert len(find_runs([reference / PARKINSON_02]).runs) == 3
    # a run reached twice counts once, where it was first found (picks 3C's run)
    both = find_runs([reference / NORMAL_02 / "log1", reference])
    assert len(both) == 14 and both.runs[0].name == f"{NORMAL_02}/log1"


def _bgmodel_run(parent: Path, name: str, status: str, overlays=(), overrides=(), episodes=3):
    """A bgmodel plasticity run folder as the protocol leaves it (no simulation)."""
    config = load_config("plasticity", preset="small", overlays=overlays, overrides=overrides)
    run = RunDirectory.at(parent / name)
    run.config_file.write_text(config.to_yaml())
    run.update_meta(protocol="plasticity")
    run.set_status(status)
    writer = EpisodeWriter(run.results / "authors_format",
                           {k: config["striatum"][k] for k in ("lambda", "kappa", "eta")},
                           np.zeros((6, 2)))
    rates = {p: np.arange(5.0) + k for k, p in enumerate(
        ("GPi", "MSN", "MSN_D1", "MSN_D2", "FSI", "GPe", "STN"))}
    for ep in range(episodes):
        writer.append(rates, 1)
    return run.path


def test_bgmodel_run_folders_in_a_sweep_folder_are_found_and_labelled(tmp_path):
    sweep = tmp_path / "sweep"
    _bgmodel_run(sweep / "runs", "pd", "done", overlays=[CONFIG_DIR / "conditions" / "parkinson.yaml"],
                 overrides=["striatum.lambda=0.3", "striatum.kappa=2"])
    _bgmodel_run(sweep / "runs", "sz", "done",
                 overlays=[CONFIG_DIR / "conditions" / "schizophrenia.yaml"])
    _bgmodel_run(sweep / "runs", "eta", "done", overrides=["striatum.eta=4"], episodes=5)
    _bgmodel_run(sweep / "attempts", "old", "running")
    found = find_runs([sweep])
    labels = {r.path.name: (r.label.condition, r.label.lam, r.label.kappa, r.label.eta)
              for r in found.runs}
    assert labels == {"pd": ("parkinson", 0.3, 2.0, 1.0), "sz": ("schizophrenia", 0.1, 2.0, 1.0),
                      "eta": ("normal", 0.1, 2.0, 4.0)}
    assert {r.path.name: r.episodes for r in found.runs}["eta"] == 5
    assert [(p.name, why) for p, why in found.skipped] == [("old", "status running, not done")]


# ----------------------------------------------------------------------------- trajectories
def test_4a_mean_and_sd_are_those_of_the_runs_columns(runset, reference):
    result, _ = registry.draw_from_runs(registry.FIGURES["4A"], runset)
    logs = runs_of(reference, NORMAL_0)
    assert len(logs) == 6
    for stem, name in (("MSN_d1", "D1"), ("GPi", "GPi")):
        for ch in (1, 2):
            matrix = np.column_stack([column(p, stem, ch, 0, 100) for p in logs])
            drawn = line(result.fig, f"mean|{name} ch{ch}")
            np.testing.assert_array_equal(drawn.get_xdata(), np.arange(100))
            np.testing.assert_allclose(drawn.get_ydata(), matrix.mean(axis=1), rtol=1e-12)
            np.testing.assert_allclose(result.data[f"{name} ch{ch} sd"], matrix.std(axis=1), rtol=1e-12)
    # each run's channel-1 dots are its own column
    first = line(result.fig, f"{NORMAL_0}/log0|D1 ch1")
    np.testing.assert_allclose(first.get_ydata(), column(logs[0], "MSN_d1", 1, 0, 100))
    # the paper's numbers: D1 channel 1 rises about tenfold over CS+
    mean = line(result.fig, "mean|D1 ch1").get_ydata()
    assert mean[:10].mean() < 0.25 and mean[90:100].mean() > 1.0


def test_3c_draws_the_run_given_across_the_three_phases(reference):
    log1 = reference / NORMAL_02 / "log1"
    result, notes = registry.draw_from_runs(registry.FIGURES["3C"], find_runs([log1]))
    fig = result.fig
    for stem, gid in (("MSN_d1", "run|D1 ch1"), ("MSN_d2", "run|D2 ch2"), ("GPi", "run|GPi ch1"),
                      ("GPi", "run|GPi ch2")):
        ch = int(gid[-1])
        np.testing.assert_allclose(line(fig, gid).get_ydata(), column(log1, stem, ch, 0, 228))
    assert f"{NORMAL_02}/log1" in fig.get_suptitle()
    # phase boundaries between episodes 100|101 and 130|131
    xs = sorted({ln.get_xdata()[0] for ax in fig.axes for ln in ax.get_lines()
                 if ln.get_linestyle() not in ("None", "") and ln.get_gid() is None
                 and len(set(ln.get_xdata())) == 1})
    assert xs == [100.5, 130.5]


def test_8b_uses_the_complete_parkinson_run_and_says_which_were_left_out(runset, reference):
    result, notes = registry.draw_from_runs(registry.FIGURES["8B"], runset)
    log2 = reference / PARKINSON_02 / "log2"
    np.testing.assert_allclose(line(result.fig, "run|D1 ch1").get_ydata(),
                               column(log2, "MSN_d1", 1, 0, 228))
    assert any("log0: 211 episodes" in n for n in notes)
    assert any("log1: 184 episodes" in n for n in notes)
    # Parkinson's: no CS+ learning of D1 channel 1 (model-spec: falls to ~0.04 Hz)
    assert column(log2, "MSN_d1", 1, 90, 100).mean() < 0.1


def test_kappa_figures_draw_the_groups_present_and_name_the_missing(runset, reference):
    for fig_id, start, stop in (("4D", 0, 100), ("5A", 131, 225), ("6AB", 131, 225)):
        result, _ = registry.draw_from_runs(registry.FIGURES[fig_id], runset)
        present = gids(result.fig)
        assert not any("κ=2" in g for g in present)
        for lam, folder in (("0", NORMAL_0), ("0.2", NORMAL_02)):
            logs = runs_of(reference, folder)
            for stem, name in (("MSN_d1", "D1"), ("MSN_d2", "D2")) + ((("GPi", "GPi"),) if fig_id != "6AB" else ()):
                for ch in (1, 2):
                    expected = np.mean([column(p, stem, ch, start, stop) for p in logs], axis=0)
                    drawn = line(result.fig, f"λ={lam}|κ=4|{name} ch{ch}")
                    np.testing.assert_array_equal(drawn.get_xdata(), np.arange(start, stop))
                    np.testing.assert_allclose(drawn.get_ydata(), expected, rtol=1e-12)
        footnote = " ".join(t.get_text() for t in result.fig.texts)
        assert "(λ=0, κ=2)" in footnote and f"bgmodel figures {fig_id}" in footnote
    # CS- converges at lambda 0.2 (GPi ch2 ends below ch1) but not at lambda 0
    result, _ = registry.draw_from_runs(registry.FIGURES["5A"], runset)
    end = slice(-20, None)
    gap = {lam: line(result.fig, f"λ={lam}|κ=4|GPi ch2").get_ydata()[end].mean()
           - line(result.fig, f"λ={lam}|κ=4|GPi ch1").get_ydata()[end].mean() for lam in ("0", "0.2")}
    assert gap["0.2"] < 0 < gap["0"]


def test_6c_and_7d_means_over_runs(runset, reference):
    logs = runs_of(reference, NORMAL_02)
    for fig_id, key in (("6C", "λ=0.2"), ("7D", "η=1")):
        result, _ = registry.draw_from_runs(registry.FIGURES[fig_id], runset)
        for stem, ch, name in (("MSN_d1", 1, "D1 ch1"), ("MSN_d2", 2, "D2 ch2"),
                               ("GPi", 1, "GPi ch1"), ("GPi", 2, "GPi ch2")):
            expected = np.mean([column(p, stem, ch, 0, 225) for p in logs], axis=0)
            np.testing.assert_allclose(line(result.fig, f"{key}|{name}").get_ydata(), expected,
                                       rtol=1e-12)
        assert len(result.data[f"{key}|runs"]) == 5


# ----------------------------------------------------------------------------- STDP windows
@pytest.mark.parametrize("fig_id, condition", [("3D", "normal"), ("8F", "normal"),
                                               ("8C", "parkinson"), ("8E", "schizophrenia")])
def test_stdp_windows_follow_the_config_amplitudes(fig_id, condition):
    result = registry.FIGURES[fig_id].draw()
    overlays = [] if condition == "normal" else [CONFIG_DIR / "conditions" / f"{condition}.yaml"]
    cfg = yaml.safe_load((CONFIG_DIR / "network.yaml").read_text())["plasticity"]
    amps = load_config(None, overlays=overlays)["plasticity"]["amplitudes_in_dc"]
    tau = cfg["tau_plus_ms"]
    for cell in ("D1", "D2"):
        for event in ("burst", "dip"):
            a = amps[event][cell]
            pre_post = line(result.fig, f"{cell} {event}|pre-post")
            post_pre = line(result.fig, f"{cell} {event}|post-pre")
            x, y = pre_post.get_xdata(), pre_post.get_ydata()
            assert x[0] == 0 and y[0] == pytest.approx(a["A_plus"])
            k = int(np.argmin(abs(x - tau)))
            assert y[k] == pytest.approx(a["A_plus"] * math.exp(-x[k] / tau))
            x, y = post_pre.get_xdata(), post_pre.get_ydata()
            k = int(np.argmin(abs(x + tau)))
            assert y[k] == pytest.approx(-a["A_minus"] * math.exp(x[k] / tau))
    if condition == "parkinson":  # the disorder reverses D1 potentiation after a burst
        assert line(result.fig, "D1 burst|pre-post").get_ydata()[0] == pytest.approx(-1.0)
    if condition == "schizophrenia":
        assert line(result.fig, "D2 dip|pre-post").get_ydata()[0] == pytest.approx(0.25)


def test_stdp_window_formula():
    dt_pos, dw_pos, dt_neg, dw_neg = stdp.stdp_window(2.0, 0.5, 10.0, 30.0)
    assert dw_pos[dt_pos == 10.0][0] == pytest.approx(2.0 / math.e)
    assert dw_neg[dt_neg == -30.0][0] == pytest.approx(-0.5 / math.e)


# ----------------------------------------------------------------------------- command
def test_list_names_every_figure_what_it_needs_and_how_to_make_it(capsys):
    assert cli.main(["figures", "--list"]) == 0
    out = capsys.readouterr().out
    for fig_id in registry.FIGURES:
        assert f"\n{fig_id} " in "\n" + out
    # 4D needs kappa 2 at lambda 0.4
    assert "--set striatum.lambda=0.4 --set striatum.kappa=2 --set striatum.eta=1 --seed $seed" in out
    assert ("bgmodel run plasticity -c configs/conditions/schizophrenia.yaml "
            "--set striatum.lambda=0.2 --set striatum.kappa=4") in out
    assert "configs/sweeps/paper_figures.yaml" in out


def test_a_figure_without_runs_says_which_runs_to_make(capsys, tmp_path):
    assert cli.main(["figures", "8D", "7D", "--out", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "figure 8D" in out and "figure 7D" in out
    assert ("bgmodel run plasticity -c configs/conditions/schizophrenia.yaml "
            "--set striatum.lambda=0.2 --set striatum.kappa=4 --set striatum.eta=1 --seed 1") in out
    assert ("for seed in 1 2 3 4 5; do bgmodel run plasticity --set striatum.lambda=0.2 "
            "--set striatum.kappa=4 --set striatum.eta=2 --seed $seed --out runs; done") in out
    assert list(tmp_path.iterdir()) == []


def test_command_writes_png_and_pdf_and_a_contact_sheet(reference, tmp_path, capsys):
    rc = cli.main(["figures", "3C", "8C", "8D", "--runs", str(reference / NORMAL_02 / "log1"),
                   "--out", str(tmp_path), "--contact-sheet"])
    assert rc == 1  # 8D has no runs
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["contact_sheet.png", "fig3C.pdf", "fig3C.png", "fig8C.pdf", "fig8C.png"]
    assert "figure 8D" in capsys.readouterr().out


def test_contact_sheet_tiles_every_image(tmp_path):
    import matplotlib.image as mpimg
    from bgmodel.plotting import style
    paths = []
    for k in range(5):
        fig, ax = style.figure(figsize=(2, 2))
        ax.plot([0, 1], [0, k])
        paths += style.save(fig, tmp_path / f"fig{k}", ("png",))
    out = contact_sheet(paths, tmp_path / "sheet.png", columns=3, cell_in=2.0)
    height, width = mpimg.imread(out).shape[:2]
    assert width == pytest.approx(3 * 2.0 * 150, abs=2)
    assert height == pytest.approx(2 * 2.0 * 0.95 * 150, abs=2)  # 5 images: 2 rows of 3


# ----------------------------------------------------------------------------- resting state
def _resting_run(tmp_path) -> Path:
    """A resting-state run folder with hand-made results (the protocol's file layout)."""
    config = load_config("resting_state", preset="small", overrides=["simulation.scale=0.02"])
    run = RunDirectory.at(tmp_path / "rs")
    run.config_file.write_text(config.to_yaml())
    run.update_meta(protocol="resting_state")
    run.set_status("done")
    rates = {"MSN": 0.3, "MSN_D1": 0.2, "MSN_D2": 0.4, "FSI": 12.0, "STN": 30.0, "GPe": 60.0,
             "GPi": 70.0}
    targets = {n: config["nuclei"]["MSN" if n.startswith("MSN") else n]["rate_target_Hz"] for n in rates}
    summary = {"protocol": "resting_state", "analysis_window_ms": [100.0, 300.0],
               "rates": {n: {"rate_Hz": r, "target_Hz": targets[n],
                             "in_range": targets[n][0] <= r <= targets[n][1]} for n, r in rates.items()}}
    run.write_result_json("summary.json", summary)
    rng = np.random.default_rng(1)
    spikes = {}
    for name, n in (("MSN_D1", 317), ("GPi", 168)):
        spikes[f"{name}_senders"] = rng.integers(0, n, 400).astype(np.uint32)
        spikes[f"{name}_times_ms"] = rng.uniform(0, 300, 400)
    run.save_result_arrays("spikes.npz", **spikes)
    t = np.arange(100.0, 300.0)
    run.save_result_arrays("population_rate.npz", t_ms=t, MSN=np.full(200, 0.3), GPi=np.sin(t) + 70)
    return run.path, spikes, summary


def test_resting_state_views_show_the_run_results(tmp_path, capsys):
    from bgmodel.plotting import resting_state
    from bgmodel.plotting import style
    path, spikes, summary = _resting_run(tmp_path)
    assert cli.main(["plot", str(path)]) == 0
    names = sorted(p.name for p in (path / "figures").iterdir())
    assert names == sorted(f"{v}.{e}" for v in ("raster", "rates", "population_rate")
                           for e in ("png", "pdf"))
    # raster: the spikes inside the analysis window, of every shown neuron
    sizes = resting_state._population_sizes(path)
    assert sizes["MSN_D1"] + sizes["MSN_D2"] == round(31728 * 0.02) and sizes["GPi"] == 168
    loaded = {n: (spikes[f"{n}_senders"].astype(np.int64), spikes[f"{n}_times_ms"])
              for n in ("MSN_D1", "GPi")}
    fig = resting_state.draw_raster(loaded, sizes, (100.0, 300.0))
    for name, n in (("MSN_D1", sizes["MSN_D1"]), ("GPi", 168)):
        coll = [c for ax in fig.axes for c in ax.collections if c.get_gid() == f"raster|{name}"][0]
        senders, times = loaded[name]
        shown = np.unique(np.linspace(0, n - 1, min(n, resting_state.MAX_RASTER_NEURONS)).astype(int))
        keep = np.isin(senders, shown) & (times >= 100) & (times < 300)
        np.testing.assert_allclose(np.sort(coll.get_offsets()[:, 0]), np.sort(times[keep]))
    style.save(fig, tmp_path / "r", ("png",))
    # rates: one dot per population at its rate
    fig = resting_state.draw_rates(summary)
    for name, r in summary["rates"].items():
        assert line(fig, f"rate|{name}").get_xdata()[0] == r["rate_Hz"]
    style.save(fig, tmp_path / "q", ("png",))


@pytest.mark.nest
def test_resting_state_views_of_a_real_tiny_run(tmp_path):
    from bgmodel.plotting import resting_state
    from bgmodel.runner import run_protocol
    config = load_config("resting_state", preset="small", overrides=[
        "simulation.scale=0.02", "simulation.threads=1", "protocol.duration_ms=400",
        "protocol.analysis_start_ms=100"])
    rundir, summary = run_protocol(config, out=tmp_path, quiet=True)
    written = resting_state.plot_run(rundir.path, tmp_path / "views")
    assert sorted(p.name for p in written) == sorted(
        f"{v}.{e}" for v in ("raster", "rates", "population_rate") for e in ("png", "pdf"))
    assert all(p.stat().st_size > 1000 for p in written)


# ----------------------------------------------------------------------------- 1E-G
@pytest.mark.nest
def test_connectivity_maps_of_a_tiny_network():
    from bgmodel.model.derive import MSN_D1, MSN_D2, periodic_distance
    from bgmodel.plotting import connectivity
    config = load_config(None, preset="small", overrides=["simulation.scale=0.02",
                                                          "simulation.threads=1"])
    sample = connectivity.sample_connectivity(config)
    reach = config["channels"]["radius"] + config["connectivity"]["focused_radius"]
    fig_e = connectivity.draw_afferents(sample)
    for ch in (1, 2):
        for pop in (MSN_D1, MSN_D2):
            idx = fig_e.data[f"ch{ch}|{pop}"]
            assert len(idx) > 10
            # focused cortical input reaches MSNs at most channel radius + mask radius away
            d = periodic_distance(sample.positions[pop][idx], sample.centres[ch], sample.extent)
            assert d.max() <= reach + 1e-9
            scatter = [c for c in fig_e.fig.axes[0].collections if c.get_gid() == f"ch{ch}|{pop}"][0]
            np.testing.assert_allclose(scatter.get_offsets(), sample.positions[pop][idx])
    for src, name in ((MSN_D1, "D1"), (MSN_D2, "D2")):
        result = connectivity.draw_collaterals(sample, src)
        for ch in (1, 2):
            source = result.data[f"ch{ch}|source"]
            assert source is not None
            centre = sample.positions[src][source]
            for pop in (MSN_D1, MSN_D2):
                targets = result.data[f"ch{ch}|{name}->{pop}"]
                d = periodic_distance(sample.positions[pop][targets], centre, sample.extent)
                assert d.max() <= config["connectivity"]["focused_radius"] + 1e-9
        # the title counts what is drawn
        title = result.fig.axes[0].get_title()
        for ch in (1, 2):
            assert (f"ch{ch}: {len(result.data[f'ch{ch}|{name}->{MSN_D1}'])} D1, "
                    f"{len(result.data[f'ch{ch}|{name}->{MSN_D2}'])} D2 targets") in title
