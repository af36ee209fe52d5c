"""What every protocol holds: its config, the built network and the run folder."""
from __future__ import annotations


class ProtocolBase:
    """Common set-up of a protocol object (see bgmodel.protocols).

    `check_protocol_config(config, provenance)` of a subclass, when defined, validates
    the protocol section before anything is stored (errors name file, key and value)."""

    name = ""

    def __init__(self, config, network, rundir, quiet=False):
        self.config = getattr(config, "data", config)
        self.check_protocol_config(self.config, getattr(config, "provenance", {}))
        self.proto = self.config["protocol"]
        self.net = network
        self.plan = network.plan
        self.rundir = rundir
        self.quiet = quiet
        self.timings: dict[str, float] = {}  # phase -> wall seconds, merged into run.json

    @staticmethod
    def check_protocol_config(config, provenance) -> None:
        """Cross-checks of the protocol section beyond the schema (none by default)."""
