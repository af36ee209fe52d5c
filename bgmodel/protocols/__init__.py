"""Protocols: objects that drive a built Network and write results to a run folder.

Each protocol module defines a class with
    name: str
    __init__(self, config, network, rundir, progress_quiet)
    prepare(self)            -- recorders, stimuli (after the network is built)
    run(self, resume=False)  -- simulate, write results as it goes, return a summary dict
    report(summary) -> str   -- staticmethod: the summary as text for the terminal
and is listed in PROTOCOLS (name -> "module:Class", imported on demand).
"""
from __future__ import annotations

import importlib

PROTOCOLS = {
    "resting_state": "bgmodel.protocols.resting_state:RestingState",
    "action_selection": "bgmodel.protocols.action_selection:ActionSelection",
    "plasticity": "bgmodel.protocols.plasticity:Plasticity",
}


def protocol_class(name: str):
    """The protocol class registered under `name`."""
    if name not in PROTOCOLS:
        raise KeyError(f"unknown protocol {name!r}; known: {', '.join(sorted(PROTOCOLS))}")
    module, cls = PROTOCOLS[name].split(":")
    return getattr(importlib.import_module(module), cls)
