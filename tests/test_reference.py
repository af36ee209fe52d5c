"""docs/configuration.md is what the schema's docstrings generate (no NEST)."""
from bgmodel.model import reference


def test_committed_configuration_reference_is_current():
    assert reference.PAGE.read_text() == reference.page(), \
        "docs/configuration.md is stale: python -m bgmodel.model.reference"


def test_every_key_of_the_default_configs_is_documented():
    text = reference.page()
    for key in ("`simulation.seed`", "`striatum.lambda`", "`projections.<name>.delay_ms`",
                "`protocol.phases.<name>.stdp_event`", "`protocol.dopamine.rules[i].event`",
                "`protocol.grid.rate_step_Hz`", "`protocol.record_spikes_of[i]`"):
        assert key in text, key
