"""What the model is, without NEST: the configuration and everything derived from it.

    schema.py          typed schema of the network's config, a docstring on every field;
                       nodes (Field, Ref, Record, MapOf, ListOf) and the checks
    config.py          loading, merging (network, protocol, preset, overlays, --set),
                       provenance and validation of a run's configuration
    reference.py       docs/configuration.md, generated from the schema
    derive.py          the pure derivation step: config -> NetworkPlan (sizes,
                       positions, channels, in-degrees, weights, striatal steps, SNc
                       groups, volume transmitters, STDP parameters, kernel settings)
    inputs.py          Poisson trains of the input relays, drawn from the run's seed
    channel_input.py   which input relays of a channel a protocol stimulates
"""
