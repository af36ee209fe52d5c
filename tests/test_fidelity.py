"""bgmodel.model.fidelity: the caveats a reduced-scale run states (no NEST)."""
from __future__ import annotations

from bgmodel.model.config import load_config
from bgmodel.model.fidelity import caveats, msns_per_channel


def test_full_scale_has_no_caveat():
    assert caveats(load_config("plasticity")) == []


def test_relays_at_the_msns_scale_are_flagged_with_their_pool():
    lines = caveats(load_config("plasticity", preset="plasticity_small",
                                overrides=["simulation.input_scale=null"]))
    assert len(lines) == 3
    assert "input relays at 0.1 of full size" in lines[0]
    assert "114 CSN inputs from about 254 relays" in lines[0]
    assert "simulation.input_scale to 0.5 or more" in lines[0]
    assert "about 72 MSNs of each type per channel (full scale: 717)" in lines[1]
    assert "+-60%" in lines[1]


def test_relays_at_half_size_leave_the_scatter_which_shrinks_with_more_msns():
    tenth = caveats(load_config("plasticity", preset="plasticity_small",
                                overrides=["simulation.input_scale=0.5"]))
    assert len(tenth) == 2 and "+-60%" in tenth[0]
    fifth = caveats(load_config("plasticity", preset="plasticity_small",
                                overrides=["simulation.input_scale=0.5",
                                           "simulation.scale=0.2"]))
    assert len(fifth) == 2 and "+-42%" in fifth[0]


def test_a_reduced_plasticity_run_is_told_that_cs_plus_learning_lags():
    lines = caveats(load_config("plasticity", preset="plasticity_small"))
    assert "CS+ learning lags full scale's" in lines[-1]
    assert "-5.7 and -4.2 Hz against -25.1 and -21.5" in lines[-1]
    assert "--preset plasticity_medium" in lines[-1]
    # other protocols do not learn, and full scale has nothing to say
    assert not any("CS+" in line for line in
                   caveats(load_config("resting_state", preset="small")))
    assert caveats(load_config("plasticity")) == []


def test_msns_per_channel_follows_the_scale():
    full = msns_per_channel(load_config("plasticity").data)
    tenth = msns_per_channel(load_config("plasticity", preset="plasticity_small").data)
    assert abs(tenth / full - 0.1) < 0.001


def test_the_medium_preset_is_the_evidence_runs_config_and_is_told_its_measured_pace():
    # The evidence runs of docs/evidence/laptop-preset.md were made as plasticity_small
    # with --set simulation.scale=0.3; the preset must be that config, value for value.
    medium = load_config("plasticity", preset="plasticity_medium")
    as_run = load_config("plasticity", preset="plasticity_small",
                         overrides=["simulation.scale=0.3"])
    assert medium.data == as_run.data
    lines = caveats(medium)
    assert len(lines) == 2
    assert "about 215 MSNs of each type per channel" in lines[0] and "+-35%" in lines[0]
    assert "CS+ was learned at full scale's pace" in lines[1]
    assert "x9.1 to x10.7 from episodes 0-9 to 90-99 in 3 seeds" in lines[1]
    assert "-36.9 to -15.3 Hz against -25.1 and -21.5" in lines[1]
    # the run is told which conditions' learning was checked at this scale
    assert "not at all (eta 2 and 4, schizophrenia)" in lines[1]
    assert "lags" not in lines[1]
    # between the two measured scales the lag is assumed, not the pace
    assert "lags" in caveats(load_config("plasticity", preset="plasticity_small",
                                         overrides=["simulation.scale=0.2"]))[-1]
