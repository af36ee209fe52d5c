"""bgmodel.dopamine.physiological: bursts, pauses, calibration."""
import numpy as np
import pytest
from dopamine_helpers import REWARD_MS, outcome, section

from bgmodel.dopamine.physiological import PhysiologicalModel
from bgmodel.dopamine.registry import make_model


def model():
    return make_model(section("physiological"), np.random.default_rng(1))


def test_reward_bursts_no_reward_pauses_no_outcome_stays_tonic():
    m = model()
    assert isinstance(m, PhysiologicalModel) and m.groups == ("snc",)
    burst = m.episode_signal(outcome(reward=1.0))["snc"]
    assert [(w.start_ms, w.stop_ms, w.rate_Hz) for w in burst.windows] == [
        (REWARD_MS + 100, REWARD_MS + 300, 20.0)]
    pause = m.episode_signal(outcome(reward=0.0, omitted=True))["snc"]
    assert [(w.start_ms, w.stop_ms, w.rate_Hz) for w in pause.windows] == [
        (REWARD_MS + 100, REWARD_MS + 400, 0.0)]
    assert m.episode_signal(outcome(reward_time_ms=None))["snc"].windows == ()
    assert m.episode_record(outcome(reward=0.0)) == {"snc_response": "pause"}
    assert m.cue_signal("A", 0.0)["snc"].windows == ()


def test_pause_gives_fewer_spikes_than_tonic():
    m = model()
    pause = m.episode_signal(outcome(reward=0.0))
    window = (REWARD_MS + 100, REWARD_MS + 400)
    tonic = m.tonic_Hz * m.units * 0.3
    assert pause.expected_spikes("snc", *window, units=m.units) == 0.0 < tonic


def test_calibration():
    m = model()
    assert m.baseline_b() == pytest.approx(10 * 4.0 / 1000)
    assert m.burst_excess_spikes() == pytest.approx(10 * 16 * 0.2)
    assert -m.pause_deficit_spikes() == pytest.approx(-10 * 4 * 0.3)
    # The derivation scales the amplitudes by the rule's burst (snc.events: one relay,
    # 20 Hz, 300 ms, b = 0: 6 spikes) over this burst's excess.
    from bgmodel.model.config import load_config
    from bgmodel.model.derive import derive_signal
    cfg = load_config("plasticity", overlays=["configs/dopamine/physiological.yaml"],
                      overrides=["dopamine.baseline=mean_rate"])
    signal = derive_signal(cfg.data)
    calibration = signal.calibration
    assert calibration["rule_burst_spikes"] == 6.0
    for cell in ("D1", "D2"):
        assert calibration[cell]["burst_scale"] == pytest.approx(6 / 32)
        assert calibration[cell]["dip_scale"] == pytest.approx(8 / 12)
        assert signal.amplitudes[cell]["b"] == pytest.approx(0.04)


def test_state_round_trip_and_wrong_model():
    m = model()
    other = model()
    m.rng.random(3)
    other.load_state(m.state())
    assert other.rng.random() == m.rng.random()
    with pytest.raises(ValueError, match="cannot be loaded"):
        other.load_state({**m.state(), "model": "rpe"})
