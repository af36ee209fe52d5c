"""Plasticity protocol on a tiny network (NEST): dopamine from SNc through the right
volume transmitter, weight changes, eta, files per episode, kill and resume.

The network is the small preset at scale 0.02 (one thread). Episodes are short
(450 ms, with dopamine events of 150 and 200 ms at 40 Hz and an eligibility trace
of 100 ms) and the input is made unmistakable (40 Hz on 20 relays of the strong
channel, nothing on the weak one), so that the selection, hence the dopamine, is known
in advance. Phases of the test run (8 episodes):
    0-2 CS+ (channel 1 strong: bursts), 3 "reversed" (channel 2 strong, a CS+ phase no
    rule rewards: no dopamine), 4 generalization probe (channel 1 strong: no dopamine),
    5-7 CS- with channel 1 strong (dips; none in the last episode).
"""
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
import yaml

from bgmodel.results.authors_format import RATE_FILES, read_run
from bgmodel.protocols.plasticity.checkpoint import load_checkpoint
from bgmodel.model.config import load_config
from bgmodel.model.derive import derive_network
from bgmodel.protocols.plasticity.episodes import read_episodes
from bgmodel.results.rundir import RunDirectory
from bgmodel.dopamine.rule import DopamineRule, dopamine_event

pytestmark = pytest.mark.nest

BASE = {
    "simulation": {"scale": 0.02, "threads": 1},
    # Shorter dopamine events at a higher rate: about 6 and 8 spikes, as published.
    "snc": {"events": {"burst": {"rate_Hz": 40.0, "duration_ms": 150.0},
                       "dip": {"rate_Hz": 40.0, "duration_ms": 200.0}}},
    # Eligibility decays within an episode (published: 700 ms over 2800 ms episodes),
    # so that each event acts on its own episode's pairings.
    "plasticity": {"tau_c_ms": 100.0},
    "protocol": {
        "warmup_ms": 200.0,
        "stimulus_ms": 200.0,
        "pause_after_stimulus_ms": 50.0,
        "dopamine_window_ms": 150.0,
        "pause_after_dopamine_ms": 50.0,
        "input_levels_Hz": {"strong": 40.0, "weak": 0.0},
        "sampled_relays": {"per_channel": 20, "scale_with_network": False},
    },
}
LOOP = {
    "striatum": {"eta": 2.0},
    "protocol": {
        "episodes": 8,
        "phases": {
            "CS+": {"first_episode": 0, "last_episode": 2},
            "reversed": {"first_episode": 3, "last_episode": 3, "task": 1,
                         "pattern": "channel2_strong", "stdp_event": "burst",
                         "authors_flag": "F"},
            "generalization": {"first_episode": 4, "last_episode": 4},
            "CS-": {"first_episode": 5, "last_episode": 7, "pattern": "channel1_strong"},
        },
        "probes": [{"episode": 4, "pattern": "channel1_strong", "authors_flag": "T1"}],
        "dopamine": {"none_in_last_episodes": 1},
        "checkpoint_every_episodes": 4,
    },
}
KILLED = {
    "protocol": {
        "episodes": 5,
        "phases": {"CS+": {"first_episode": 0, "last_episode": 1},
                   "generalization": {"first_episode": 2, "last_episode": 2},
                   "CS-": {"first_episode": 3, "last_episode": 4}},
        "probes": [],
        "dopamine": {"none_in_last_episodes": 0},
        "checkpoint_every_episodes": 2,
    },
}
D2_OUTGOING = ("MSN_D1", "MSN_D2", "GPe", "GPi")


def episode_start_ms(k: int) -> float:
    """Protocol time at which episode k of BASE starts."""
    proto = BASE["protocol"]
    period = sum(proto[key] for key in ("stimulus_ms", "pause_after_stimulus_ms",
                                        "dopamine_window_ms", "pause_after_dopamine_ms"))
    return proto["warmup_ms"] + k * period


def write_overlays(folder, *layers):
    paths = []
    for k, layer in enumerate(layers):
        path = folder / f"overlay{k}.yaml"
        path.write_text(yaml.safe_dump(layer))
        paths.append(path)
    return paths


def pathway_weights(net, source, target, n=300):
    """Weights of the first n synapses source -> target (reading all takes long)."""
    import nest
    conns = nest.GetConnections(source=net.nodes[source], target=net.nodes[target])
    return np.atleast_1d(np.asarray(conns[:n].get("weight"), dtype=float))


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    """The 8-episode run, driven in this process; everything read from NEST is taken
    here (later tests reset the kernel)."""
    from bgmodel.simulator.network import build_network
    from bgmodel.protocols.plasticity.protocol import Plasticity

    folder = tmp_path_factory.mktemp("plasticity_loop")
    config = load_config("plasticity", preset="small",
                         overlays=write_overlays(folder, BASE, LOOP))
    net = build_network(derive_network(config))
    rundir = RunDirectory.at(folder / "run")
    proto = Plasticity(config, net, rundir, quiet=True)
    proto.prepare()
    before = {t: pathway_weights(net, "MSN_D2", t) for t in D2_OUTGOING}
    d1_before = pathway_weights(net, "MSN_D1", "GPi")
    files_per_episode = []
    record = proto.record_episode

    def record_and_count(ep, row, rates):
        record(ep, row, rates)
        table = read_episodes(rundir.results / "episodes.csv")
        gpi = (rundir.results / "authors_format" / "GPi_fr.txt").read_text().splitlines()
        files_per_episode.append((ep.index, len(table["episode"]), len(gpi)))

    proto.record_episode = record_and_count
    initial = {}
    make_sets = proto.make_synapse_sets

    def make_sets_and_read():
        make_sets()
        initial.update(proto.mean_weights())

    proto.make_synapse_sets = make_sets_and_read
    summary = proto.run()
    after = {t: pathway_weights(net, "MSN_D2", t) for t in D2_OUTGOING}
    return {"config": config, "proto": proto, "rundir": rundir, "summary": summary,
            "table": read_episodes(rundir.results / "episodes.csv"),
            "initial_weights": initial, "files_per_episode": files_per_episode,
            "d2_before": before, "d2_after": after,
            "d1_gpi_before": d1_before, "d1_gpi_after": pathway_weights(net, "MSN_D1", "GPi")}


def test_schedule_in_the_table(loop):
    t = loop["table"]
    assert list(t["episode"]) == list(range(8))
    assert list(t["phase"]) == ["CS+"] * 3 + ["reversed", "generalization"] + ["CS-"] * 3
    assert list(t["task"]) == [1, 1, 1, 1, -1, -1, -1, -1]
    assert list(t["probe"]) == [0, 0, 0, 0, 1, 0, 0, 0]
    assert list(t["input_CSN_ch1_Hz"]) == [40, 40, 40, 0, 40, 40, 40, 40]
    assert list(t["input_PTN_ch2_Hz"]) == [0, 0, 0, 72, 0, 0, 0, 0]
    assert list(t["selected_channel"]) == [1, 1, 1, 2, 1, 1, 1, 1]


def test_dopamine_only_when_the_rule_says_so(loop):
    t, proto = loop["table"], loop["proto"]
    assert list(t["dopamine_event"]) == ["burst"] * 3 + ["none"] * 2 + ["dip"] * 2 + ["none"]
    rules = [DopamineRule.from_config(r) for r in loop["config"]["protocol"]["dopamine"]["rules"]]
    readout = proto.readout
    for k, ep in enumerate(proto.schedule):
        rates = {pop: [t[f"{pop}_ch{c}_Hz"][k] for c in readout] for pop in proto.read}
        sel = int(t["selected_channel"][k])
        assert t["dopamine_event"][k] == (dopamine_event(ep, rules, sel, rates, readout)
                                         or "none")


def test_snc_spikes_reach_only_their_event(loop):
    t = loop["table"]
    for k, event in enumerate(t["dopamine_event"]):
        burst, dip = t["snc_spikes_burst"][k], t["snc_spikes_dip"][k]
        assert (burst > 0) == (event == "burst"), k
        assert (dip > 0) == (event == "dip"), k
    # 40 Hz for 150 ms (burst) and 200 ms (dip): about 6 and 8 spikes.
    assert 1 <= t["snc_spikes_burst"][:3].mean() <= 15
    assert 1 <= t["snc_spikes_dip"][5:7].mean() <= 20


def test_d1_weights_rise_after_bursts_and_fall_after_dips(loop):
    t = loop["table"]
    d1 = np.concatenate([[loop["initial_weights"]["w_MSN_D1_ch1"]], t["w_MSN_D1_ch1"]])
    d2 = np.concatenate([[loop["initial_weights"]["w_MSN_D2_ch1"]], t["w_MSN_D2_ch1"]])
    change_d1, change_d2 = np.diff(d1), np.diff(d2)
    assert np.all(change_d1[0:3] > 0), change_d1
    assert np.all(change_d1[5:7] < 0), change_d1
    # Dips potentiate D2 synapses (D2 dip amplitudes A_plus = dc, A_minus = -dc).
    assert np.all(change_d2[5:7] > 0), change_d2
    # Without dopamine (b = 0) weights stop moving once the dopamine trace of the last
    # event has decayed (episode 3 still sees the tail of episode 2's burst).
    assert abs(change_d1[4]) < 0.01 * change_d1[0:3].min()


def test_eta_applied_once_at_the_first_dip(loop):
    t = loop["table"]
    assert list(t["eta_applied"]) == [0, 0, 0, 0, 0, 1, 1, 1]
    for target in D2_OUTGOING:
        before, after = loop["d2_before"][target], loop["d2_after"][target]
        assert len(before) > 0
        np.testing.assert_allclose(after, 2.0 * before, rtol=1e-12)
    np.testing.assert_array_equal(loop["d1_gpi_after"], loop["d1_gpi_before"])


def test_files_written_every_episode(loop):
    assert loop["files_per_episode"] == [(k, k + 1, k + 1) for k in range(8)]
    results = loop["rundir"].results
    authors = read_run(results / "authors_format")
    assert authors.episodes == 8
    assert set(authors.rates) == set(RATE_FILES)
    np.testing.assert_allclose(authors.rates["GPi"][:, 1], loop["table"]["GPi_ch1_Hz"])
    np.testing.assert_allclose(authors.rates["MSN_D1"][:, 2], loop["table"]["MSN_D1_ch2_Hz"])
    assert list(authors.task) == list(loop["table"]["task"])
    assert authors.labels == {"lambda": 0.1, "kappa": 2.0, "eta": 2.0}
    assert (results / "authors_format" / "do_tests.txt").read_text().strip() == "F"
    cp = load_checkpoint(results / "checkpoint.npz")
    assert cp.episodes_done == 8 and cp.eta_applied
    assert len(cp.plastic.weight) == len(cp.plastic.source) > 0
    assert loop["summary"]["episodes_done"] == 8
    assert loop["summary"]["dopamine_events"] == {"burst": 3, "dip": 2, "none": 3}


def test_restore_puts_the_checkpoint_into_the_rebuilt_network(loop, tmp_path):
    """What `bgmodel resume` does after its warm-up, checked on NEST: every plastic
    weight is the checkpoint's, the D2 MSNs' outgoing weights are their planned value
    times eta (once, not eta squared), and the protocol's and the input trains' random
    generators are where the checkpoint left them (runs after `loop`: it resets the
    kernel)."""
    from bgmodel.protocols.plasticity.protocol import Plasticity
    from bgmodel.results.rng import rng_state
    from bgmodel.simulator import synapse_io
    from bgmodel.simulator.network import build_network

    cp = load_checkpoint(loop["rundir"].results / "checkpoint.npz")
    assert cp.episodes_done == 8 and cp.eta_applied
    config = loop["config"]
    net = build_network(derive_network(config))
    proto = Plasticity(config, net, RunDirectory.at(tmp_path / "run"), quiet=True)
    proto.prepare()
    planned = {t: pathway_weights(net, "MSN_D2", t) for t in D2_OUTGOING}
    net.simulate(config["protocol"]["warmup_ms"])
    proto.make_synapse_sets()
    # Before the restore the rebuilt run is elsewhere, so each check below can fail.
    assert not np.array_equal(synapse_io.gathered_weights(proto.all_plastic), cp.plastic.weight)
    proto.rng.random(3)  # the protocol draws its sample at set-up: move it on
    assert rng_state(proto.rng) != cp.state["rng"]
    inputs = proto._input_rngs()
    assert set(inputs) == set(cp.state["input_rngs"]) and inputs
    assert all(rng_state(r) != cp.state["input_rngs"][k] for k, r in inputs.items())
    assert not proto.eta_applied

    proto.restore_checkpoint(cp)

    src, tgt = synapse_io.gathered_endpoints(proto.all_plastic)
    np.testing.assert_array_equal(src, cp.plastic.source)
    np.testing.assert_array_equal(tgt, cp.plastic.target)
    np.testing.assert_array_equal(synapse_io.gathered_weights(proto.all_plastic),
                                  cp.plastic.weight)
    means = proto.mean_weights()  # the last row of the run that wrote the checkpoint
    assert means and all(means[k] == loop["table"][k][-1] for k in means), means
    assert proto.eta_applied
    for target in D2_OUTGOING:
        restored = pathway_weights(net, "MSN_D2", target)
        np.testing.assert_allclose(restored, 2.0 * planned[target], rtol=1e-12, err_msg=target)
        np.testing.assert_array_equal(restored, loop["d2_after"][target])
    assert rng_state(proto.rng) == cp.state["rng"]
    for name, rng in inputs.items():
        assert rng_state(rng) == cp.state["input_rngs"][name], name


@pytest.mark.parametrize("condition, event, expected", [
    (None, "burst", {"D1": (1.0, 0.25), "D2": (1 / 3, 0.75)}),
    (None, "dip", {"D1": (-0.025, 0.025), "D2": (1.0, -1.0)}),
    ("parkinson", "burst", {"D1": (-1.0, 0.25), "D2": (1 / 3, -0.75)}),
    ("schizophrenia", "dip", {"D1": (-0.025, 0.025), "D2": (0.25, -0.25)}),
])
def test_condition_amplitudes_and_volume_transmitter_in_nest(loop, repo, condition, event,
                                                              expected):
    """The synapse models get the event's amplitudes (in units of dc) and volume
    transmitter (runs after `loop`: it resets the kernel)."""
    import nest
    from bgmodel.simulator.network import PLASTIC_MODEL, Network

    overlays = [repo / "configs" / "conditions" / f"{condition}.yaml"] if condition else []
    config = load_config("plasticity", preset="small", overlays=overlays,
                         overrides=["simulation.scale=0.02", "simulation.threads=1"])
    net = Network(derive_network(config))
    net.setup_kernel()
    net.create()
    net.set_dopamine_event(event)
    dc = config["plasticity"]["dc"]
    for cell, (a_plus, a_minus) in expected.items():
        d = nest.GetDefaults(PLASTIC_MODEL[f"plastic_{cell}"])
        assert d["A_plus"] == pytest.approx(a_plus * dc)
        assert d["A_minus"] == pytest.approx(a_minus * dc)
        assert d["volume_transmitter"].global_id == net.volume_transmitters[event].global_id


def run_cli(args, repo, **kw):
    return subprocess.Popen([sys.executable, "-m", "bgmodel", *args], cwd=repo,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, **kw)


# The stopped runs of KILLED stop themselves once 3 episodes are done
# (bgmodel.protocols.plasticity.stop_hook); their last checkpoint is after episode 2, so
# the resume cuts episode 3 back and does it again.
STOP_AFTER = 3
TIMING = ("wall_s", "cpu_s", "simulate_s")
# The schedule's columns: the same in every run of one config, resumed or not.
SCHEDULE = ("episode", "phase", "task", "pattern", "probe", "stdp_event", "t_start_ms",
            "input_CSN_ch1_Hz", "input_CSN_ch2_Hz", "input_PTN_ch1_Hz", "input_PTN_ch2_Hz")
WEIGHTS = ("w_MSN_D1_ch1", "w_MSN_D1_ch2", "w_MSN_D2_ch1", "w_MSN_D2_ch2")


def killed_run_args(folder, run):
    overlays = write_overlays(folder, BASE, KILLED)
    return (["run", "plasticity", "--preset", "small", "-q", "--run-dir", str(run)]
            + [a for p in overlays for a in ("-c", str(p))])


def without_stop_hook() -> dict:
    from bgmodel.protocols.plasticity.stop_hook import STOP_AFTER_EPISODE, STOP_SIGNAL
    return {k: v for k, v in os.environ.items() if k not in (STOP_AFTER_EPISODE, STOP_SIGNAL)}


def assert_rows_equal(a, b, rows, columns):
    for col in columns:
        assert list(a[col][rows]) == list(b[col][rows]), col


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, repo):
    """episodes.csv of the KILLED run left alone."""
    folder = tmp_path_factory.mktemp("uninterrupted")
    proc = run_cli(killed_run_args(folder, folder / "run"), repo, env=without_stop_hook())
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out.decode()
    return read_episodes(folder / "run" / "results" / "episodes.csv")


@pytest.mark.parametrize("name, exit_code", [("TERM", 143), ("INT", 130), ("KILL", -9)])
def test_a_run_stopped_by_a_signal_is_interrupted_and_resumes(uninterrupted, tmp_path, repo,
                                                              name, exit_code):
    """A run stops itself with SIGTERM, SIGINT or SIGKILL after episode 3 (its last
    checkpoint: episode 2); `bgmodel resume` continues it from the checkpoint. What
    docs/plasticity.md promises: the rows before the checkpoint stay as they were (and
    until the stop the run is the uninterrupted one, bit for bit); after it, the schedule
    and the dopamine are the same and the weights go on from the checkpoint's; the
    spikes differ (fresh warm-up, NEST's streams not restored)."""
    from bgmodel.protocols.plasticity.stop_hook import STOP_AFTER_EPISODE, STOP_SIGNAL

    run = tmp_path / "run"
    env = dict(without_stop_hook(), **{STOP_AFTER_EPISODE: str(STOP_AFTER), STOP_SIGNAL: name})
    proc = run_cli(killed_run_args(tmp_path, run), repo, env=env)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == exit_code, out.decode()
    rd = RunDirectory(run)
    meta = rd.read_meta()
    if name == "KILL":  # no chance to write: run.json says running, its pid is gone
        assert meta["status"] == "running" and rd.effective_status() == "interrupted"
    else:
        assert meta["status"] == "interrupted" and rd.effective_status() == "interrupted"
        assert meta["error"] == f"stopped by SIG{name}"
        assert f"run interrupted (SIG{name})" in out.decode()
    table_path = run / "results" / "episodes.csv"
    stopped = read_episodes(table_path)
    assert list(stopped["episode"]) == list(range(STOP_AFTER))
    assert read_run(run / "results" / "authors_format").episodes == STOP_AFTER
    cp = load_checkpoint(run / "results" / "checkpoint.npz")
    assert cp.episodes_done == 2
    columns = [c for c in uninterrupted if c not in TIMING]
    assert_rows_equal(stopped, uninterrupted, slice(None, STOP_AFTER), columns)
    lines_before = table_path.read_text().splitlines()

    resumed = run_cli(["resume", str(run), "-q"], repo, env=without_stop_hook())
    out, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, out.decode()
    meta = rd.read_meta()
    assert meta["status"] == "done" and meta["resumed"] is True and meta["episodes_done"] == 5
    assert [h["status"] for h in meta["status_history"]] == (
        ["running"] + ([] if name == "KILL" else ["interrupted"]) + ["running", "done"])
    final = read_episodes(table_path)
    assert list(final["episode"]) == list(range(5))
    lines = table_path.read_text().splitlines()
    assert lines[:1 + cp.episodes_done] == lines_before[:1 + cp.episodes_done]
    assert lines[1 + cp.episodes_done] != lines_before[1 + cp.episodes_done]  # done again
    assert_rows_equal(final, uninterrupted, slice(None), SCHEDULE + ("dopamine_event",))
    # Strong input on one channel (episodes 3, 4) is selected whatever the spikes.
    assert_rows_equal(final, uninterrupted, slice(3, None), ("selected_channel",))
    # Weights go on from the checkpoint's: they differ from the uninterrupted run's only
    # by the traces a checkpoint does not keep, a small part of their change in the run.
    moved = max(np.ptp(uninterrupted[w]) for w in WEIGHTS)
    assert moved > 0
    for w in WEIGHTS:
        np.testing.assert_allclose(final[w], uninterrupted[w], rtol=0, atol=0.2 * moved,
                                   err_msg=w)
    assert read_run(run / "results" / "authors_format").episodes == 5
    assert load_checkpoint(run / "results" / "checkpoint.npz").episodes_done == 5


def test_finished_run_is_extended_by_resume_episodes(tmp_path, repo):
    """`bgmodel resume RUN --episodes N` continues a finished 3-episode run to 5 from
    its final checkpoint, keeps the first rows, records the extension; shrinking fails."""
    # Two threads: NEST lists their synapses in either order; the checkpoint must not care.
    overlays = write_overlays(tmp_path, BASE, KILLED, {"protocol": {"episodes": 3},
                                                       "simulation": {"threads": 2}})
    run = tmp_path / "run"
    first = run_cli(["run", "plasticity", "--preset", "small", "-q", "--run-dir", str(run)]
                    + [a for p in overlays for a in ("-c", str(p))], repo)
    out, _ = first.communicate(timeout=300)
    assert first.returncode == 0, out.decode()
    table = run / "results" / "episodes.csv"
    before = table.read_text().splitlines()
    assert len(before) == 1 + 3
    assert load_checkpoint(run / "results" / "checkpoint.npz").episodes_done == 3

    shrink = run_cli(["resume", str(run), "-q", "--episodes", "2"], repo)
    out, _ = shrink.communicate(timeout=120)
    assert shrink.returncode == 2, out.decode()
    assert "protocol.episodes" in out.decode() and "at least 3" in out.decode()
    too_long = run_cli(["resume", str(run), "-q", "--episodes", "6"], repo)
    out, _ = too_long.communicate(timeout=120)
    assert too_long.returncode == 2, out.decode()  # the phases end at episode 4
    assert "protocol.episodes" in out.decode()

    extended = run_cli(["resume", str(run), "-q", "--episodes", "5", "--checkpoint-every", "1"], repo)
    out, _ = extended.communicate(timeout=300)
    assert extended.returncode == 0, out.decode()
    rd = RunDirectory(run)
    meta = rd.read_meta()
    assert meta["status"] == "done" and meta["episodes_done"] == 5
    ext, = meta["extensions"]
    assert (ext["episodes_from"], ext["episodes_to"]) == (3, 5)
    assert (ext["checkpoint_every_episodes_from"], ext["checkpoint_every_episodes_to"]) == (2, 1)
    assert yaml.safe_load(rd.config_file.read_text())["protocol"]["episodes"] == 5
    after = table.read_text().splitlines()
    assert after[:4] == before
    assert list(read_episodes(table)["episode"]) == list(range(5))
    assert list(read_episodes(table)["t_start_ms"]) == [episode_start_ms(k) for k in range(5)]
    assert read_run(run / "results" / "authors_format").episodes == 5
    assert load_checkpoint(run / "results" / "checkpoint.npz").episodes_done == 5


def test_plot_run_draws_the_trajectory(loop, tmp_path, monkeypatch):
    from bgmodel.plotting import style
    from bgmodel.plotting.plasticity import plot_run
    from bgmodel.results.rundir import atomic_write_text

    rundir = loop["rundir"]
    atomic_write_text(rundir.config_file, loop["config"].to_yaml())
    figures = []
    save = style.save

    def keep(fig, *args, **kw):
        figures.append(fig)
        return save(fig, *args, **kw)

    monkeypatch.setattr(style, "save", keep)
    written = plot_run(rundir.path, tmp_path)
    assert sorted(p.name for p in written) == ["trajectory.pdf", "trajectory.png"]
    assert all(p.stat().st_size > 1000 for p in written)
    # The lines are episodes.csv's columns, each against the episode.
    table = read_episodes(rundir.results / "episodes.csv")
    (fig,) = figures
    gpi, contrast, msn, weights = fig.axes[:4]

    def lines(ax):
        out = {}
        for line in ax.get_lines():
            if not line.get_label().startswith("_"):
                np.testing.assert_array_equal(line.get_xdata(), table["episode"])
                out[line.get_label()] = np.asarray(line.get_ydata(), dtype=float)
        return out

    assert lines(gpi).keys() == {"ch1", "ch2"}
    for c in (1, 2):
        np.testing.assert_array_equal(lines(gpi)[f"ch{c}"], table[f"GPi_ch{c}_Hz"])
    (diff,) = [l for l in contrast.get_lines() if len(l.get_xdata()) == len(table["episode"])]
    np.testing.assert_array_equal(diff.get_ydata(), table["GPi_ch1_Hz"] - table["GPi_ch2_Hz"])
    for ax, column in ((msn, "MSN_{cell}_ch{c}_Hz"), (weights, "w_MSN_{cell}_ch{c}")):
        drawn = lines(ax)
        assert len(drawn) == 4
        for cell in ("D1", "D2"):
            for c in (1, 2):
                np.testing.assert_array_equal(drawn[f"{cell} ch{c}"],
                                              table[column.format(cell=cell, c=c)])
    # dopamine markers at the episodes that got the event
    for event in ("burst", "dip"):
        (marks,) = [m for m in contrast.collections if m.get_label() == f"dopamine {event}"]
        np.testing.assert_array_equal(marks.get_offsets()[:, 0],
                                      table["episode"][table["dopamine_event"] == event])
