"""bgmodel.dopamine.critic: TD updates against hand-computed values."""
import json

import pytest

from bgmodel.dopamine.critic import PRE_CUE, TDCritic, action_state


def test_td_updates_by_hand():
    c = TDCritic(0.5)
    assert c.update("A", 1.0) == 1.0  # delta = 1 - 0; V = 0.5
    assert c.value("A") == 0.5
    assert c.update("A", 1.0) == 0.5  # V = 0.75
    assert c.update("A", 0.0) == -0.75  # V = 0.375
    assert c.value("A") == 0.375
    assert c.value("B") == 0.0 and c.value(None) == 0.0
    assert c.cue_error("A") == 0.375


def test_gamma_and_next_state():
    c = TDCritic(0.5, gamma=0.9)
    c.values = {"cue": 0.0, "delay": 2.0}
    # delta = r + gamma V(next) - V(state) = 0 + 0.9 * 2 - 0
    assert c.update("cue", 0.0, "delay") == pytest.approx(1.8)
    assert c.value("cue") == pytest.approx(0.9)
    assert c.cue_error("delay") == pytest.approx(1.8)


def test_cs_shift_along_a_delay_chain():
    # cue -> t1 -> t2 -> reward: TD(0) moves the error from the reward back to the cue.
    c = TDCritic(0.3, gamma=1.0)
    chain = ["cue", "t1", "t2"]

    def episode():
        errors = [c.cue_error("cue")]
        for s, nxt in zip(chain, chain[1:] + [None]):
            errors.append(c.update(s, 1.0 if nxt is None else 0.0, nxt))
        return errors

    first = episode()
    for _ in range(200):
        last = episode()
    assert first[0] == 0.0 and first[-1] == 1.0
    assert last[0] == pytest.approx(1.0, abs=1e-6) and abs(last[-1]) < 1e-6


def test_asymmetric_rates():
    c = TDCritic(0.2, 0.05)
    assert c.tau == pytest.approx(0.8)
    c.update("A", 1.0)  # 0.2 * 1
    c.update("A", 0.0)  # 0.2 - 0.05 * 0.2
    assert c.value("A") == pytest.approx(0.19)


def test_invalid_parameters_and_pre_cue():
    with pytest.raises(ValueError):
        TDCritic(0.0)
    with pytest.raises(ValueError):
        TDCritic(0.1, gamma=1.5)
    with pytest.raises(ValueError, match="pre-cue"):
        TDCritic(0.1).update(PRE_CUE, 1.0)


def test_state_round_trip_bit_exact():
    c = TDCritic(0.1)
    for r in (1.0, 0.3, 0.7, 1e-17):
        c.update(action_state("A", 1), r)
        c.update("B", r / 3)
    copy = TDCritic(0.1)
    copy.load_state(json.loads(json.dumps(c.state())))
    assert copy.values == c.values
    assert copy.update("B", 1.0) == c.update("B", 1.0)
    assert action_state("A", 1) == "A|ch1"
