"""Protocols: objects that drive a built Network and write results to a run folder.

Each protocol declares, beside its code, the schema of its `protocol:` section with the
checks of that section (registered with bgmodel.model.schema.register_protocol when
this package is imported), and a class with
    name: str
    __init__(self, config, network, rundir, progress_quiet)
    prepare(self)            -- recorders, stimuli (after the network is built)
    run(self, resume=False)  -- simulate, write results as it goes, return a summary dict
    report(summary) -> str   -- staticmethod: the summary as text for the terminal
listed in PROTOCOLS (name -> "module:Class", imported on demand).

    common.py             what every protocol holds and the helpers they share
    resting_state.py      the network under its background inputs
    action_selection.py   two channels compete over a grid of input rates
    selection.py          the selection rule and its metrics (no NEST)
    plasticity/           the closed loop of dopamine-modulated learning

A new protocol: a module here with its schema, checks and class, one line below, and
configs/protocols/<name>.yaml.
"""
from __future__ import annotations

import importlib

# Importing them registers their schemas (none of them imports NEST).
from . import action_selection, resting_state  # noqa: F401
from .plasticity import schema as _plasticity_schema  # noqa: F401

PROTOCOLS = {
    "resting_state": "bgmodel.protocols.resting_state:RestingState",
    "action_selection": "bgmodel.protocols.action_selection:ActionSelection",
    "plasticity": "bgmodel.protocols.plasticity.protocol:Plasticity",
}


def protocol_class(name: str):
    """The protocol class registered under `name`."""
    if name not in PROTOCOLS:
        raise KeyError(f"unknown protocol {name!r}; known: {', '.join(sorted(PROTOCOLS))}")
    module, cls = PROTOCOLS[name].split(":")
    return getattr(importlib.import_module(module), cls)
