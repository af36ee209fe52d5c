"""Options shared by every command that builds a configuration."""
from __future__ import annotations

import argparse

from ..model.config import load_config


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """--preset, --scale, --threads, --seed, -c/--config and --set."""
    g = parser.add_argument_group("configuration")
    g.add_argument("--preset", default=None, help="run preset: small or full (configs/presets/)")
    g.add_argument("--scale", type=float, default=None,
                   help="shrink MSNs and input relays by this factor (0 < scale <= 1)")
    g.add_argument("--threads", type=int, default=None, help="NEST threads")
    g.add_argument("--seed", type=int, default=None, help="seed of every random draw")
    g.add_argument("-c", "--config", dest="overlays", action="append", default=[],
                   metavar="FILE", help="overlay YAML merged onto the defaults (repeatable), "
                   "e.g. configs/conditions/parkinson.yaml")
    g.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override one value, e.g. --set striatum.lambda=0.2 (repeatable)")


def config_from_args(args, protocol):
    """Resolved config from the common options (flags become --set overrides so that
    they are validated and recorded like any other value)."""
    overrides = list(args.overrides)
    for flag, key in (("scale", "simulation.scale"), ("threads", "simulation.threads"),
                      ("seed", "simulation.seed")):
        value = getattr(args, flag, None)
        if value is not None:
            overrides.append(f"{key}={value}")
    return load_config(protocol, preset=args.preset, overlays=args.overlays,
                       overrides=overrides)
