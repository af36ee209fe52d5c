"""Signal dopamine models wired into NEST and the plasticity protocol, on tiny networks
(2 % scale, one thread, short episodes): events in episodes.csv, SNc spikes saved, the
critic's TD values, the model state checkpointed and resumed, pauses below tonic, and
the baseline b making tonic firing neutral. `rule` stays bit-identical: test_digest.py.

Episodes here: stimulus 300 ms, pause 200 ms (the SNc count windows are 200 ms long),
reward time 500 ms, then 400 ms; 40 Hz on 20 relays of channel 1 and nothing on
channel 2, so channel 1 (the rewarded one) is always selected.
"""
import copy
import dataclasses
import shutil

import numpy as np
import pytest
import yaml

from bgmodel.model.config import load_config
from bgmodel.model.derive import derive_network
from bgmodel.protocols.plasticity.checkpoint import load_checkpoint
from bgmodel.protocols.plasticity.episodes import read_episodes
from bgmodel.results.rundir import RunDirectory

pytestmark = pytest.mark.nest

TIMING = {
    "simulation": {"scale": 0.02, "threads": 1},
    "plasticity": {"tau_c_ms": 100.0},
    "protocol": {
        "warmup_ms": 200.0, "stimulus_ms": 300.0, "pause_after_stimulus_ms": 200.0,
        "dopamine_window_ms": 200.0, "pause_after_dopamine_ms": 200.0,
        "input_levels_Hz": {"strong": 40.0, "weak": 0.0},
        "sampled_relays": {"per_channel": 20, "scale_with_network": False},
        "episodes": 6, "checkpoint_every_episodes": 2, "probes": [],
        "dopamine": {"none_in_last_episodes": 0},
    },
}
# Responses inside the short episodes: cue at 50-150 ms, reward response 550-650 ms
# (burst) or 550-700 ms (pause).
SHORT_RESPONSES = {"cue": {"latency_ms": 50.0, "duration_ms": 100.0},
                   "reward": {"latency_ms": 50.0, "burst_duration_ms": 100.0,
                              "pause_duration_ms": 150.0}}
RPE = {"dopamine": {**SHORT_RESPONSES, "units": 20},
       "protocol": {"omission_probes": {"every": 100, "from_episode": 4}}}
PHYSIOLOGICAL = {"dopamine": {"units": 20, "tonic_Hz": 10.0,
                              "burst": {"latency_ms": 50.0, "duration_ms": 100.0},
                              "pause": {"latency_ms": 50.0, "duration_ms": 150.0}},
                 "protocol": {"reward": {"kind": "bernoulli", "p": 0.0, "magnitude": 1.0},
                              "episodes": 4}}


def overlays(folder, *layers):
    paths = []
    for k, layer in enumerate(layers):
        path = folder / f"overlay{k}.yaml"
        path.write_text(yaml.safe_dump(layer))
        paths.append(str(path))
    return paths


def make_config(folder, model, *layers):
    return load_config("plasticity", preset="small",
                       overlays=[f"configs/dopamine/{model}.yaml"]
                       + overlays(folder, TIMING, *layers))


def run_protocol(config, folder, resume=False, keep_checkpoints=None):
    from bgmodel.protocols.plasticity.protocol import Plasticity
    from bgmodel.simulator.network import build_network
    net = build_network(derive_network(config))
    rundir = RunDirectory.at(folder)
    rundir.config_file.write_text(config.to_yaml())  # as the runner does (plots read it)
    proto = Plasticity(config, net, rundir, quiet=True)
    if keep_checkpoints is not None:
        write = proto.write_checkpoint

        def write_and_keep(done):
            write(done)
            keep_checkpoints[done] = folder.parent / f"{folder.name}_at{done}"
            shutil.copytree(folder, keep_checkpoints[done])
        proto.write_checkpoint = write_and_keep
    proto.prepare()
    proto.run(resume=resume)
    return proto


@pytest.fixture(scope="module")
def rpe_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rpe")
    config = make_config(folder, "rpe", RPE)
    kept = {}
    proto = run_protocol(config, folder / "run", keep_checkpoints=kept)
    return {"config": config, "proto": proto, "folder": folder / "run", "kept": kept,
            "table": read_episodes(folder / "run" / "results" / "episodes.csv")}


def test_events_and_critic_values_in_the_table(rpe_run):
    t = rpe_run["table"]
    assert list(t["selected_channel"]) == [1] * 6
    assert list(t["rewarded_channel"]) == [1] * 6
    assert list(t["omitted"]) == [0, 0, 0, 0, 1, 0]
    assert list(t["reward"]) == [1, 1, 1, 1, 0, 1]
    # TD(0) by hand: V += 0.1 (r - V), recorded before the update.
    v, values, errors = 0.0, [], []
    for r in [1, 1, 1, 1, 0, 1]:
        values.append(v)
        errors.append(r - v)
        v += 0.1 * (r - v)
    np.testing.assert_allclose(t["value_snc"], values, rtol=1e-12)
    np.testing.assert_allclose(t["rpe_snc"], errors, rtol=1e-12)
    np.testing.assert_allclose(t["cue_rpe_snc"], values, rtol=1e-12)
    assert list(t["dopamine_event"]) == ["burst"] * 4 + ["pause", "burst"]
    assert rpe_run["proto"].signal.model.critics["snc"].value("channel1_strong") == \
        pytest.approx(v, rel=1e-12)


def test_snc_spikes_are_saved_and_match_the_window_counts(rpe_run):
    results = rpe_run["folder"] / "results"
    t = rpe_run["table"]
    with np.load(results / "snc_spikes.npz") as data:
        ids, times = data["snc_ids"], data["snc_times_ms"]
    assert ids.dtype == np.uint32 and times.dtype == np.float64 and len(ids) == len(times)
    assert ids.max() < 20
    for k, start in enumerate(t["t_start_ms"]):
        for window, offset in (("stimulus", 0.0), ("baseline", 300.0), ("reward", 500.0)):
            n = np.count_nonzero((times >= start + offset) & (times < start + offset + 200.0))
            assert n == t[f"snc_snc_{window}"][k], (k, window)
    # Bursts (20 units at 4 + 16 * (1 - V) Hz for 100 ms) above tonic (20 x 4 Hz, 200 ms).
    rewarded = t["reward"] > 0
    assert t["snc_snc_reward"][rewarded].sum() > t["snc_snc_baseline"][rewarded].sum()


def test_model_state_checkpointed_and_resumed(rpe_run, tmp_path):
    """Resume from the checkpoint after 2 episodes: the model state restored is the
    checkpoint's, and what the protocol promises (everything but NEST's spikes and
    weights) ends as in the uninterrupted run: the model state bit for bit and the
    task's columns of the remaining rows."""
    kept = rpe_run["kept"]
    assert sorted(kept) == [2, 4, 6]
    cp = load_checkpoint(kept[2] / "results" / "checkpoint.npz")
    assert cp.state["dopamine_model"]["model"] == "rpe"
    folder = tmp_path / "resumed"
    shutil.copytree(kept[2], folder)
    proto = run_protocol(rpe_run["config"], folder, resume=True)
    assert proto.signal.state() == rpe_run["proto"].signal.state()
    resumed = read_episodes(folder / "results" / "episodes.csv")
    full = rpe_run["table"]
    for col in ("episode", "t_start_ms", "rewarded_channel", "reward", "omitted",
                "value_snc", "rpe_snc", "cue_rpe_snc", "selected_channel"):
        np.testing.assert_array_equal(resumed[col], full[col], err_msg=col)
    assert list(resumed["dopamine_event"]) == list(full["dopamine_event"])
    # The first rows are the interrupted run's; its spikes before the resumed episode too.
    with np.load(folder / "results" / "snc_spikes.npz") as a, \
            np.load(kept[2] / "results" / "snc_spikes.npz") as b:
        early = a["snc_times_ms"] < full["t_start_ms"][2]
        np.testing.assert_array_equal(a["snc_times_ms"][early], b["snc_times_ms"])
        assert np.all(a["snc_times_ms"][~early] >= full["t_start_ms"][2])


def test_pauses_fire_fewer_snc_spikes_than_tonic(tmp_path):
    """physiological with reward probability 0: every outcome is a pause (150 ms of
    silence in the 200-ms reward window), from the recorded SNc spikes."""
    config = make_config(tmp_path, "physiological", PHYSIOLOGICAL)
    run_protocol(config, tmp_path / "run")
    t = read_episodes(tmp_path / "run" / "results" / "episodes.csv")
    assert list(t["snc_response"]) == ["pause"] * 4
    assert list(t["dopamine_event"]) == ["pause"] * 4
    # tonic: 20 units x 10 Hz x 0.2 s = 40 per window; pause: 10 expected.
    assert t["snc_snc_reward"].sum() < 0.5 * t["snc_snc_baseline"].sum()
    assert 100 < t["snc_snc_baseline"].sum() < 220


def plastic_mean(net):
    from bgmodel.simulator import synapse_io
    return synapse_io.mean_weight(net.plastic_synapses())


def tonic_drift(config, b=None, equal_sets=False, seconds=4.0):
    """Mean plastic weight change over `seconds` of tonic SNc firing at rest, with
    every synapse model's baseline replaced by `b` (None: the plan's), and the dip
    amplitudes by the burst ones when `equal_sets` (then the synapse is NEST's
    stdp_dopamine_synapse)."""
    from bgmodel.simulator.network import build_network
    plan = derive_network(config)
    signal = plan.dopamine.signal
    amps = {cell: dict(a) for cell, a in signal.amplitudes.items()}
    for a in amps.values():
        if b is not None:
            a["b"] = b
        if equal_sets:
            a.update(A_plus_dip=a["A_plus_burst"], A_minus_dip=a["A_minus_burst"])
    signal = dataclasses.replace(signal, amplitudes=amps)
    dopamine = dataclasses.replace(plan.dopamine, signal=signal)
    net = build_network(dataclasses.replace(plan, dopamine=dopamine))
    net.simulate(200.0)
    before = plastic_mean(net)
    net.simulate(seconds * 1000.0)
    return plastic_mean(net) - before, before


def test_the_baseline_makes_tonic_firing_neutral(tmp_path):
    """With equal amplitude sets, b = units * tonic / 1000 removes the drift that tonic
    firing causes with b = 0. With the calibrated (different) sets, that b leaves a
    drift (fluctuations of n rectified into different amplitudes above and below b);
    the neutral baselines (one per cell type, bgmodel.dopamine.baseline) remove most
    of it, over the same SNc trains."""
    config = make_config(tmp_path, "physiological", {"dopamine": {"units": 20}})
    signal = derive_network(config).dopamine.signal
    b = signal.b
    assert b == pytest.approx(20 * 4.0 / 1000)
    assert signal.amplitudes["D1"]["b"] > b > signal.amplitudes["D2"]["b"]
    equal, w0 = tonic_drift(config, b, equal_sets=True)
    equal_zero, _ = tonic_drift(config, 0.0, equal_sets=True)
    mean_rate_config = make_config(tmp_path, "physiological",
                                   {"dopamine": {"units": 20, "baseline": "mean_rate"}})
    mean_rate, _ = tonic_drift(mean_rate_config, seconds=8.0)
    neutral, _ = tonic_drift(config, seconds=8.0)
    print(f"tonic drift over 4 s (mean w {w0:.4f}): equal sets b = {b}: {equal:.3e}, "
          f"b = 0: {equal_zero:.3e}; calibrated sets over 8 s: b = mean rate "
          f"{mean_rate:.3e}, neutral baselines {neutral:.3e}")
    assert abs(equal) < 0.2 * abs(equal_zero)
    assert abs(neutral) < 0.35 * abs(mean_rate)


def test_plot_run_draws_the_snc_psth_and_the_critic(rpe_run, tmp_path):
    from bgmodel.plotting.plasticity import plot_run
    files = plot_run(rpe_run["folder"], tmp_path)
    assert {f.name for f in files} >= {"trajectory.png", "dopamine.png"}
