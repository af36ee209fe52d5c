"""Plasticity protocol without NEST: phase schedule, selection, dopamine rule, config
cross-checks, condition overlays, the episode table and checkpoints."""
import math

import numpy as np
import pytest

from bgmodel.dopamine.rule import DopamineRule, RuleDopamine, RuleOutcome, dopamine_event
from bgmodel.model.config import load_config, validate
from bgmodel.model.schema import ConfigError
from bgmodel.results.rng import restore_rng, rng_state
from bgmodel.protocols.plasticity.checkpoint import (Checkpoint, SynapseState, load_checkpoint,
                                                     save_checkpoint)
from bgmodel.protocols.plasticity.episodes import (EpisodeTable, read_episodes, table_columns,
                                                   window_means)
from bgmodel.protocols.plasticity.schedule import build_schedule, episode_times, selected_channel

READOUT = (0, 1, 2, 3, 4)


@pytest.fixture(scope="module")
def config():
    return load_config("plasticity")


@pytest.fixture(scope="module")
def schedule(config):
    return build_schedule(config["protocol"])


def rules_of(config):
    return [DopamineRule.from_config(r) for r in config["protocol"]["dopamine"]["rules"]]


def rates(d2_ch2=10.0):
    """Rates per population over the readout channels, D2 channel 2 as given."""
    return {"MSN_D2": [1.0, 1.0, d2_ch2, 1.0, 1.0]}


# ----------------------------------------------------------------------------- schedule
def test_published_schedule_phases_and_inputs(schedule):
    assert len(schedule) == 230
    phases = [ep.phase for ep in schedule]
    assert phases[:101] == ["CS+"] * 101
    assert phases[101:131] == ["generalization"] * 30
    assert phases[131:] == ["CS-"] * 99
    assert [ep.task for ep in schedule] == [1] * 101 + [-1] * 129
    for ep in schedule[:101]:
        assert ep.input_Hz == (13.6, 10.2) and ep.stdp_event == "burst"
    for ep in schedule[131:]:
        assert ep.input_Hz == (10.2, 13.6) and ep.stdp_event == "dip"


def test_generalization_probes_and_silence(config, schedule):
    probes = {ep.index: ep for ep in schedule if ep.probe}
    assert sorted(probes) == [105, 110, 115, 120]
    assert probes[105].input_Hz == probes[115].input_Hz == (13.6, 10.2)
    assert probes[110].input_Hz == probes[120].input_Hz == (10.2, 13.6)
    assert [probes[k].authors_flag for k in (105, 110, 115, 120)] == ["T1", "T2", "T1", "T2"]
    for ep in schedule[101:131]:
        if not ep.probe:
            assert ep.input_Hz == (0.0, 0.0) and ep.authors_flag == "T"
        for selected in (1, 2):
            assert dopamine_event(ep, rules_of(config), selected, rates(), READOUT) is None
    allowed = [ep.index for ep in schedule if ep.dopamine_allowed]
    assert allowed == [k for k in range(228) if k not in (105, 110, 115, 120)]


def test_fewer_episodes_stop_after_cs_plus():
    cfg = load_config("plasticity", overrides=["protocol.episodes=101"])
    sched = build_schedule(cfg["protocol"])
    assert len(sched) == 101 and {ep.phase for ep in sched} == {"CS+"}
    # The last two episodes of the protocol (228, 229) are silent, not those of a run
    # stopped early: the CS+ episodes are those of the whole protocol.
    assert all(ep.dopamine_allowed for ep in sched)


def test_episode_times(config):
    t = episode_times(config["protocol"])
    assert t.period_ms == 2800.0
    assert t.dopamine_start_ms == 1500.0
    assert t.before_decision_ms + t.after_decision_ms == t.period_ms


# ----------------------------------------------------------------------------- decisions
def test_selected_channel_is_strict_minimum():
    assert selected_channel([40.0, 60.0], (1, 2)) == 1
    assert selected_channel([60.0, 40.0], (1, 2)) == 2
    assert selected_channel([50.0, 50.0], (1, 2)) is None
    assert selected_channel([math.nan, 40.0], (1, 2)) is None


def test_dopamine_rule_of_the_paper(config, schedule):
    rules = rules_of(config)
    cs_plus, gen, cs_minus = schedule[50], schedule[125], schedule[150]
    assert dopamine_event(cs_plus, rules, 1, rates(), READOUT) == "burst"
    assert dopamine_event(cs_plus, rules, 2, rates(), READOUT) is None
    assert dopamine_event(cs_plus, rules, None, rates(), READOUT) is None
    assert dopamine_event(cs_minus, rules, 1, rates(10.0), READOUT) == "dip"
    assert dopamine_event(cs_minus, rules, 1, rates(70.0), READOUT) is None
    assert dopamine_event(cs_minus, rules, 2, rates(10.0), READOUT) is None
    assert dopamine_event(gen, rules, 1, rates(), READOUT) is None
    assert dopamine_event(schedule[105], rules, 1, rates(), READOUT) is None
    # The last two episodes get nothing, the one before still does.
    assert dopamine_event(schedule[227], rules, 1, rates(), READOUT) == "dip"
    assert dopamine_event(schedule[228], rules, 1, rates(), READOUT) is None
    assert dopamine_event(schedule[229], rules, 1, rates(), READOUT) is None
    # The same rule behind the dopamine-model interface.
    model = RuleDopamine.from_config(config["protocol"]["dopamine"])
    assert model.event(RuleOutcome(cs_plus, 1, rates(), READOUT)) == "burst"
    assert model.event(RuleOutcome(cs_minus, 1, rates(10.0), READOUT)) == "dip"
    assert model.event(RuleOutcome(gen, 1, rates(), READOUT)) is None


def test_new_dopamine_signal_is_configuration_only():
    """A third event (a pause of tonic SNc firing, say) with its own amplitudes and a
    rule: validated and decided without any code change."""
    cfg = load_config("plasticity", overrides=[
        "snc.events.pause={rate_Hz: 0.0, duration_ms: 300.0}",
        "plasticity.amplitudes_in_dc.pause={D1: {A_plus: 0.0, A_minus: 0.0}, "
        "D2: {A_plus: 0.0, A_minus: 0.0}}",
        "protocol.dopamine.rules=[{phase: CS+, selected_channel: 2, event: pause}]",
    ])
    sched = build_schedule(cfg["protocol"])
    assert dopamine_event(sched[3], rules_of(cfg), 2, rates(), READOUT) == "pause"
    assert dopamine_event(sched[3], rules_of(cfg), 1, rates(), READOUT) is None


# ----------------------------------------------------------------------------- checks
def test_default_config_passes_cross_checks(config):
    validate(config.data, config.provenance)


@pytest.mark.parametrize("override, path", [
    # The phase after the shortened one no longer follows it: that key is named.
    ("protocol.phases.CS+.last_episode=99", "protocol.phases.generalization.first_episode"),
    ("protocol.episodes=231", "protocol.episodes"),
    ("protocol.phases.CS-.pattern=nonsense", "protocol.phases.CS-.pattern"),
    ("protocol.phases.CS+.stdp_event=flash", "protocol.phases.CS+.stdp_event"),
    ("protocol.patterns.channel1_strong=[strong, loud]", "protocol.patterns.channel1_strong"),
    ("protocol.dopamine.eta_at_first=flash", "protocol.dopamine.eta_at_first"),
    ("protocol.dopamine.rules=[{phase: CS+, selected_channel: 3, event: burst}]",
     "protocol.dopamine.rules[0].selected_channel"),
    ("protocol.dopamine.rules=[{phase: CS+, selected_channel: 1, event: flash}]",
     "protocol.dopamine.rules[0].event"),
    ("snc.events.dip.duration_ms=2000", "snc.events.dip.duration_ms"),
    ("protocol.probes=[{episode: 400, pattern: no_input, authors_flag: T}]",
     "protocol.probes[0].episode"),
])
def test_cross_checks_name_the_key(override, path):
    # Checked when the config loads: references by the schema, the rest by the checks
    # the protocol's schema declares (bgmodel.protocols.plasticity.schema).
    with pytest.raises(ConfigError) as err:
        load_config("plasticity", overrides=[override])
    assert err.value.path == path
    moved_neighbour = path == "protocol.phases.generalization.first_episode"
    assert err.value.source == ("configs/protocols/plasticity.yaml" if moved_neighbour
                                else "--set")


def test_schema_rejects_unknown_protocol_key():
    with pytest.raises(ConfigError) as err:
        load_config("plasticity", overrides=["protocol.dopamine.reward=1"])
    assert err.value.path == "protocol.dopamine.reward"


@pytest.mark.parametrize("condition, event, cell, expected", [
    (None, "burst", "D1", {"A_plus": 1.0, "A_minus": 0.25}),
    ("parkinson", "burst", "D1", {"A_plus": -1.0, "A_minus": 0.25}),
    ("parkinson", "burst", "D2", {"A_plus": 1 / 3, "A_minus": -0.75}),
    ("parkinson", "dip", "D2", {"A_plus": 1.0, "A_minus": -1.0}),
    ("schizophrenia", "dip", "D2", {"A_plus": 0.25, "A_minus": -0.25}),
    ("schizophrenia", "burst", "D1", {"A_plus": 1.0, "A_minus": 0.25}),
])
def test_condition_overlays_change_amplitudes(repo, condition, event, cell, expected):
    overlays = [repo / "configs" / "conditions" / f"{condition}.yaml"] if condition else []
    cfg = load_config("plasticity", overlays=overlays)
    amps = cfg["plasticity"]["amplitudes_in_dc"][event][cell]
    assert amps == pytest.approx(expected)


# ----------------------------------------------------------------------------- table
def columns():
    return table_columns(["CSN"], (1, 2), ["GPi", "MSN_D1", "MSN_D2"], READOUT,
                         ["burst", "dip"], (1, 2))


def row(k, gpi1, gpi2, event="none"):
    r = {c: 0.0 for c in columns()}
    r.update(episode=k, phase="CS+", task=1, pattern="p", probe=False, stdp_event="burst",
             selected_channel=1 if gpi1 < gpi2 else 2, dopamine_event=event,
             eta_applied=False, GPi_ch1_Hz=gpi1, GPi_ch2_Hz=gpi2, MSN_D1_ch1_Hz=0.1 * k)
    return r


def test_episode_table_rewrites_and_resumes(tmp_path):
    path = tmp_path / "episodes.csv"
    table = EpisodeTable(path, columns())
    table.write()
    assert path.read_text().strip() == ",".join(columns())
    for k in range(5):
        table.append(row(k, 60.0 - k, 62.0, "burst" if k % 2 else "none"))
        assert len(read_episodes(path)["episode"]) == k + 1
    with pytest.raises(KeyError):
        table.append({"episode": 5})
    again = EpisodeTable(path, columns())
    again.resume(3)
    data = read_episodes(path)
    assert list(data["episode"]) == [0, 1, 2]
    assert list(data["dopamine_event"]) == ["none", "burst", "none"]
    with pytest.raises(ValueError):
        EpisodeTable(path, columns()).resume(4)
    with pytest.raises(ValueError):
        EpisodeTable(path, columns()[:-1]).resume(1)


def test_window_means(tmp_path):
    table = EpisodeTable(tmp_path / "e.csv", columns())
    for k in range(10):
        table.append(row(k, 50.0 - k, 60.0, "burst"))
    data = read_episodes(table.path)
    w = window_means(data, {"early": [0, 1], "late": [8, 20], "gone": [50, 60]}, (1, 2), (1, 2))
    assert set(w) == {"early", "late"}
    assert w["early"]["GPi_ch1_minus_ch2_Hz"] == pytest.approx(-10.5)
    assert w["late"]["episodes"] == [8, 9]
    assert w["late"]["MSN_D1_ch1_Hz"] == pytest.approx(0.85)
    assert w["late"]["channel_1_selected_fraction"] == 1.0
    assert w["late"]["dopamine_events"] == {"burst": 2}


# ----------------------------------------------------------------------------- checkpoint
def test_checkpoint_round_trip(tmp_path):
    rng = np.random.default_rng(7)
    rng.random(3)
    plastic = SynapseState(np.array([1, 1, 2]), np.array([5, 6, 5]), np.array([0.5, 0.6, 0.7]))
    cp = Checkpoint(12, plastic, True, {"episodes_done": 12, "rng": rng_state(rng)})
    path = save_checkpoint(tmp_path / "checkpoint.npz", cp)
    back = load_checkpoint(path)
    assert back.episodes_done == 12 and back.eta_applied
    assert back.plastic.same_synapses(np.array([1, 1, 2]), np.array([5, 6, 5]))
    assert not back.plastic.same_synapses(np.array([1, 2, 1]), np.array([5, 5, 6]))
    np.testing.assert_array_equal(back.plastic.weight, plastic.weight)
    expected = rng.random(4)
    other = np.random.default_rng(0)
    restore_rng(other, back.state["rng"])
    np.testing.assert_array_equal(other.random(4), expected)
    assert not list(tmp_path.glob(".*tmp*"))


def test_checkpoint_keeps_node_ids_beside_it_once_and_checks_they_belong(tmp_path):
    import json
    plastic = SynapseState(np.array([1, 1, 2]), np.array([5, 6, 5]), np.array([0.5, 0.6, 0.7]))
    path = save_checkpoint(tmp_path / "checkpoint.npz", Checkpoint(2, plastic, False, {}))
    ids = tmp_path / "plastic_synapses.npz"
    with np.load(path) as data:
        assert sorted(data.files) == ["meta", "plastic_weight"]
        assert json.loads(str(data["meta"]))["format"] == 2
    written = ids.stat().st_mtime_ns
    later = SynapseState(plastic.source, plastic.target, np.array([0.1, 0.2, 0.3]))
    save_checkpoint(path, Checkpoint(4, later, False, {}))
    assert ids.stat().st_mtime_ns == written  # the same synapses: not written again
    back = load_checkpoint(path)
    assert back.episodes_done == 4 and back.plastic.weight.tolist() == [0.1, 0.2, 0.3]
    assert back.plastic.same_synapses(plastic.source, plastic.target)

    # Node ids of other synapses beside it: refused, naming both files.
    other = SynapseState(np.array([1, 1, 3]), np.array([5, 6, 5]), np.zeros(3))
    save_checkpoint(tmp_path / "x.npz", Checkpoint(1, other, False, {}))
    with pytest.raises(ValueError, match="plastic_synapses.npz holds other synapses"):
        load_checkpoint(path)
    ids.unlink()
    with pytest.raises(ValueError, match="plastic_synapses.npz\\) are missing"):
        load_checkpoint(path)


def test_checkpoints_of_format_1_are_still_read(tmp_path):
    import json
    meta = {"format": 1, "episodes_done": 3, "eta_applied": True, "state": {"a": 1}}
    np.savez_compressed(tmp_path / "checkpoint.npz", meta=np.array(json.dumps(meta)),
                        plastic_source=np.array([1, 2]), plastic_target=np.array([7, 8]),
                        plastic_weight=np.array([0.3, 0.4]))
    back = load_checkpoint(tmp_path / "checkpoint.npz")
    assert back.episodes_done == 3 and back.eta_applied and back.state == {"a": 1}
    assert back.plastic.same_synapses(np.array([1, 2]), np.array([7, 8]))
    assert back.plastic.weight.tolist() == [0.3, 0.4]
