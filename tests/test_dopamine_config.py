"""The `dopamine:` section: the example overlays validate, errors name file, key, value
and what is allowed; the registry builds the model named."""
import copy

import numpy as np
import pytest
from dopamine_helpers import CONFIGS, overlay, section

from bgmodel.dopamine.base import DopamineModel
from bgmodel.dopamine.registry import MODELS, make_model, validate_section
from bgmodel.dopamine.rewards import reward_distribution
from bgmodel.model.schema import ConfigError

OVERLAYS = ("physiological", "rpe", "distributional", "vector")


def test_every_model_has_an_overlay_and_every_overlay_validates():
    assert sorted(p.stem for p in CONFIGS.glob("*.yaml")) == sorted(OVERLAYS)
    assert set(MODELS) == set(OVERLAYS)
    for name in OVERLAYS:
        cls = validate_section(section(name), {"": f"configs/dopamine/{name}.yaml"})
        assert cls is MODELS[name] and cls.name == name
        m = make_model(section(name), np.random.default_rng(0))
        assert isinstance(m, DopamineModel) and m.baseline_b() > 0
    reward_distribution(overlay("distributional")["protocol"]["reward"], "protocol.reward")


def test_every_number_of_the_overlays_is_commented():
    for name in OVERLAYS:
        lines = (CONFIGS / f"{name}.yaml").read_text().splitlines()
        for i, line in enumerate(lines):
            value = line.split(":", 1)[1].strip() if ":" in line else ""
            if value and value[0] in "-0123456789[" and not line.lstrip().startswith("#"):
                assert lines[i - 1].lstrip().startswith("#"), (
                    f"{name}.yaml line {i + 1} has no comment above it: {line}")


def error(sec, provenance=None):
    with pytest.raises(ConfigError) as err:
        validate_section(sec, provenance or {"": "dopamine.yaml"})
    return err.value


def test_unknown_model_lists_the_allowed_names():
    e = error({"model": "tdlambda"})
    assert e.path == "dopamine.model" and e.value == "tdlambda"
    assert "physiological, rpe, distributional" in e.allowed
    assert "dopamine.yaml" in str(e)
    assert "missing" in error({"tonic_Hz": 4.0}).allowed


@pytest.mark.parametrize("name, change, path, says", [
    ("rpe", ("critic", "learning_rate", 0.0), "dopamine.critic.learning_rate", "> 0"),
    ("rpe", ("cue", "duration_ms", -1.0), "dopamine.cue.duration_ms", "> 0"),
    ("rpe", (None, "tonik_Hz", 4.0), "dopamine.tonik_Hz", "unknown key"),
    ("rpe", (None, "max_rate_Hz", 2.0), "dopamine.max_rate_Hz", "at least tonic_Hz"),
    ("physiological", ("burst", "rate_Hz", 3.0), "dopamine.burst.rate_Hz", "above tonic"),
    ("physiological", (None, "units", 0), "dopamine.units", ">= 1"),
    ("distributional", (None, "taus", [0.5, 1.0]), "dopamine.taus", "(0, 1)"),
    ("distributional", (None, "synapse_fractions", [0.5] * 9),
     "dopamine.synapse_fractions", "one probability per value"),
    ("distributional", ("critic", "learning_rate", 0.6), "dopamine.critic.learning_rate",
     "<= 1"),
])
def test_errors_name_the_key(name, change, path, says):
    sec = section(name)
    block, key, value = change
    (sec if block is None else sec[block])[key] = value
    e = error(sec, {"": "base.yaml", path: "mine.yaml"})
    assert e.path == path and says in e.allowed and e.source == "mine.yaml"


def test_action_surprise_is_optional_but_checked():
    sec = section("rpe")
    sec["action_surprise"] = {"beta": 0.5, "temperature_Hz": 0.0, "baseline": "entropy"}
    assert error(sec).path == "dopamine.action_surprise.temperature_Hz"


def test_the_model_does_not_change_its_config():
    sec = section("distributional")
    before = copy.deepcopy(sec)
    m = make_model(sec, np.random.default_rng(0))
    m.config["taus"].append(0.99)
    assert sec == before
