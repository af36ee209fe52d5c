"""Config loading, merging, overrides and validation errors (no NEST)."""
from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from bgmodel.model.config import CONFIG_DIR, load_config, parse_override, validate_files
from bgmodel.model.schema import ConfigError


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data))
    return path


def test_defaults_load_and_hold_the_spec_numbers():
    cfg = load_config("resting_state")
    assert cfg["nuclei"]["MSN"]["neurons"] == 31728
    assert cfg["nuclei"]["MSN"]["I_e_pA"] == 26.0
    assert cfg["projections"]["CSN->MSN"]["alpha"] == 342
    assert cfg["striatum"]["lambda"] == 0.1 and cfg["striatum"]["kappa"] == 2.0
    assert cfg["plasticity"]["dc"] == pytest.approx(0.00056)
    assert len(cfg["projections"]) == 24
    assert cfg.protocol_name == "resting_state"


def test_preset_overlay_and_override_are_merged_in_order(tmp_path):
    overlay = write(tmp_path, "o.yaml", {"striatum": {"lambda": 0.3}})
    cfg = load_config("resting_state", preset="small", overlays=[overlay],
                      overrides=["striatum.kappa=4"])
    assert cfg["simulation"]["scale"] == 0.1
    assert cfg["striatum"]["lambda"] == 0.3
    assert cfg["striatum"]["kappa"] == 4
    assert cfg["striatum"]["eta"] == 1.0  # untouched defaults survive the merge
    assert cfg.provenance["striatum.lambda"].endswith("o.yaml")


def test_conditions_change_only_their_amplitudes():
    normal = load_config("resting_state")["plasticity"]["amplitudes_in_dc"]
    pd = load_config("resting_state", overlays=[CONFIG_DIR / "conditions/parkinson.yaml"])
    amps = pd["plasticity"]["amplitudes_in_dc"]
    assert amps["burst"]["D1"]["A_plus"] == -1.0 and amps["burst"]["D2"]["A_minus"] == -0.75
    assert amps["burst"]["D1"]["A_minus"] == normal["burst"]["D1"]["A_minus"]
    assert amps["dip"] == normal["dip"]
    sz = load_config("resting_state", overlays=[CONFIG_DIR / "conditions/schizophrenia.yaml"])
    assert sz["plasticity"]["amplitudes_in_dc"]["dip"]["D2"] == {"A_plus": 0.25, "A_minus": -0.25}


@pytest.mark.parametrize("data, path, words", [
    ({"striatum": {"lambada": 0.2}}, "striatum.lambada", "unknown key"),
    ({"striatum": {"lambda": 1.5}}, "striatum.lambda", "<= 1"),
    ({"striatum": {"lambda": -0.1}}, "striatum.lambda", ">= 0"),
    ({"striatum": {"lambda": "high"}}, "striatum.lambda", "a number"),
    ({"nuclei": {"GPi": {"neurons": 0}}}, "nuclei.GPi.neurons", ">= 1"),
    ({"nuclei": {"GPi": {"neurons": -5}}}, "nuclei.GPi.neurons", ">= 1"),
    ({"nuclei": {"GPi": {"neurons": 16.5}}}, "nuclei.GPi.neurons", "an integer"),
    ({"projections": {"CSN->GPx": {"alpha": 1, "p": 1, "d": 0.5, "delay_ms": 1,
                                   "spatial": "focused", "gain": 1}}},
     "projections.CSN->GPx", "target among the nuclei"),
    ({"projections": {"XYZ->GPi": {"alpha": 1, "p": 1, "d": 0.5, "delay_ms": 1,
                                   "spatial": "focused", "gain": 1}}},
     "projections.XYZ->GPi", "source among the nuclei"),
    ({"projections": {"STN->GPi": {"delay_ms": 0.05}}}, "projections.STN->GPi.delay_ms",
     "resolution_ms"),
    ({"projections": {"STN->GPi": {"spatial": "wide"}}}, "projections.STN->GPi.spatial",
     "focused, diffuse"),
    ({"simulation": {"scale": 0}}, "simulation.scale", "> 0"),
])
def test_bad_values_name_file_key_value_and_what_is_allowed(tmp_path, data, path, words):
    overlay = write(tmp_path, "bad.yaml", data)
    with pytest.raises(ConfigError) as err:
        load_config("resting_state", overlays=[overlay])
    message = str(err.value)
    assert "bad.yaml" in message, message
    assert err.value.path == path, message
    assert words in message, message


def test_override_errors_name_the_command_line():
    with pytest.raises(ConfigError) as err:
        load_config("resting_state", overrides=["striatum.lambda=2"])
    assert str(err.value).startswith("--set: striatum.lambda = 2")
    with pytest.raises(ConfigError):
        parse_override("striatum.lambda")


def test_unknown_protocol_and_preset_are_errors():
    with pytest.raises(ConfigError, match="resting_state"):
        load_config("no_such_protocol")
    with pytest.raises(ConfigError, match="small"):
        load_config("resting_state", preset="huge")


def test_every_shipped_config_file_validates():
    files = sorted(CONFIG_DIR.glob("*.yaml")) + sorted(CONFIG_DIR.glob("*/*.yaml"))
    files = [f for f in files if f.parent.name != "sweeps"]
    lines = validate_files(files)
    assert len(lines) == len(files) and all(line.startswith("ok") for line in lines)


def test_validate_command_exits_nonzero_with_the_error(tmp_path):
    bad = write(tmp_path, "bad.yaml", {"striatum": {"lambda": 7}})
    good = CONFIG_DIR / "conditions/parkinson.yaml"
    ok = subprocess.run([sys.executable, "-m", "bgmodel", "validate", str(good)],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "ok" in ok.stdout
    res = subprocess.run([sys.executable, "-m", "bgmodel", "validate", str(bad)],
                         capture_output=True, text=True)
    assert res.returncode == 2
    assert "bad.yaml" in res.stderr and "striatum.lambda" in res.stderr and "<= 1" in res.stderr


def test_digest_changes_with_any_value():
    a = load_config("resting_state")
    b = load_config("resting_state", overrides=["simulation.seed=2"])
    assert a.digest() != b.digest() and a.digest() == load_config("resting_state").digest()


def test_receptors_may_share_a_port_only_with_equal_time_constants():
    from bgmodel.model.derive import neuron_params
    cfg = load_config("resting_state")  # default: GABA shares AMPA's port
    tau = neuron_params(cfg.data, cfg["nuclei"]["GPi"])["tau_syn"]
    assert tau == [cfg["receptors"]["AMPA"]["tau_syn_ms"], cfg["receptors"]["NMDA"]["tau_syn_ms"]]
    three = load_config("resting_state", overrides=[
        "receptors.GABA.port=3", "neuron_model.model=iaf_psc_alpha_multisynapse"])
    assert len(neuron_params(three.data, three["nuclei"]["GPi"])["tau_syn"]) == 3
    with pytest.raises(ConfigError, match="shared with NMDA"):
        load_config("resting_state", overrides=["receptors.GABA.port=2"])
    with pytest.raises(ConfigError, match="without gaps"):
        load_config("resting_state", overrides=["receptors.GABA.port=5"])


def test_a_frozen_config_from_before_a_key_existed_reloads_as_it_ran(tmp_path):
    from bgmodel.model.config import KEYS_ADDED_LATER, from_frozen
    old = load_config("plasticity", overrides=["connectivity.fractional_indegree=drop"]).data
    del old["striatum"]["msn_positions"], old["simulation"]["input_scale"]
    del old["simulation"]["run_piece_ms"]
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(old))
    config = from_frozen(path)
    assert config["striatum"]["msn_positions"] == KEYS_ADDED_LATER["striatum.msn_positions"]
    assert config["simulation"]["input_scale"] is None
    assert config["connectivity"]["fractional_indegree"] == "drop"  # present: kept
    assert "keys added to bgmodel after this run" in config.provenance["striatum.msn_positions"]
    del old["striatum"]["kappa"]  # never optional: still refused
    path.write_text(yaml.safe_dump(old))
    with pytest.raises(ConfigError, match=r"striatum\.kappa.*missing required key"):
        from_frozen(path)


def test_overlays_named_configs_slash_are_found_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = load_config("resting_state", overlays=["configs/conditions/parkinson.yaml"])
    assert "configs/conditions/parkinson.yaml" in cfg.layers
    # A local file of that name wins over bgmodel's own.
    (tmp_path / "configs" / "conditions").mkdir(parents=True)
    (tmp_path / "configs" / "conditions" / "parkinson.yaml").write_text("striatum: {lambda: 0.3}\n")
    assert load_config("resting_state", overlays=["configs/conditions/parkinson.yaml"]
                       )["striatum"]["lambda"] == 0.3
    with pytest.raises(ConfigError, match="does not exist"):
        load_config("resting_state", overlays=["configs/conditions/no_such.yaml"])


def test_the_schema_names_the_extension_s_neuron():
    from bgmodel.model.schema import TWO_PORT_MODEL
    from bgmodel.simulator import nest_extension
    assert TWO_PORT_MODEL == nest_extension.MODEL


@pytest.mark.parametrize("overlay, overrides, path, words", [
    ("physiological", ["dopamine.tonic_Hz=-1"], "dopamine.tonic_Hz", ">= 0"),
    ("physiological", ["dopamine.burst.rate_Hz=2"], "dopamine.burst.rate_Hz", "above tonic"),
    ("rpe", ["dopamine.model=tdlambda"], "dopamine.model", "rule, physiological, rpe"),
    ("rpe", ["dopamine.critic.learning_rat=0.1"], "dopamine.critic.learning_rat",
     "unknown key"),
    ("rpe", ["protocol.reward={kind: bernoulli, p: 1.5, magnitude: 1}"], "protocol.reward.p",
     "in [0.0, 1.0]"),
    ("rpe", ["protocol.omission_probes={every: 0, from_episode: 10}"],
     "protocol.omission_probes.every", ">= 1"),
])
def test_dopamine_section_errors_through_the_loader(overlay, overrides, path, words):
    with pytest.raises(ConfigError) as err:
        load_config("plasticity", overlays=[f"configs/dopamine/{overlay}.yaml"],
                    overrides=overrides)
    assert err.value.path == path and err.value.source == "--set", str(err.value)
    assert words in str(err.value), str(err.value)


def test_a_bad_dopamine_file_names_the_file(tmp_path):
    bad = write(tmp_path, "mine.yaml", {"dopamine": {"units": 0}})
    with pytest.raises(ConfigError) as err:
        load_config("plasticity", overlays=["configs/dopamine/rpe.yaml", bad])
    assert "mine.yaml" in str(err.value) and err.value.path == "dopamine.units"
    assert ">= 1" in err.value.allowed
    # The default is the published rule; a frozen config without the section is `rule`.
    from bgmodel.dopamine.registry import model_name
    assert model_name(load_config("plasticity")) == "rule"
    assert model_name({"simulation": {}}) == "rule"


def test_a_task_overlay_needing_a_signal_model_validates_with_one(tmp_path):
    good = validate_files([CONFIG_DIR / "tasks" / "external_control.yaml"])
    assert good[0].startswith("ok") and "with configs/dopamine/" in good[0]
    bad = write(tmp_path, "bad.yaml", {"protocol": {"external_controller": {
        "fraction": 2, "rewarded_probability": 0.8}}})
    with pytest.raises(ConfigError, match="external_controller.fraction = 2"):
        validate_files([bad])
