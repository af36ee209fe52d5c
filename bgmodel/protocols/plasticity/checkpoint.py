"""Checkpoints of the plasticity protocol (results/checkpoint.npz), without NEST.

A checkpoint holds what a rebuilt network cannot derive from the frozen config and
seed: the weights of every plastic synapse (with the source and target node ids that
identify them, to check that the rebuilt network is the same), whether striatum.eta has
been applied to the outgoing weights of the D2 MSNs (those synapses are static, so the
flag restores them exactly: Network.set_outgoing_weight_factor), and the protocol state
(episodes done, random generators). It is written atomically, so a run killed while
writing keeps the previous one. Not saved, hence a resumed run is statistically,
not bitwise, the same: eligibility and dopamine traces of the synapses, membrane
states, spikes in flight and NEST's random streams (docs/plasticity.md).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...results.rundir import atomic_save_npz

FORMAT_VERSION = 1


@dataclass
class SynapseState:
    """Weights of a set of synapses, identified by (source, target) node ids, in the
    canonical order of bgmodel.simulator.synapse_set."""

    source: np.ndarray
    target: np.ndarray
    weight: np.ndarray

    def same_synapses(self, source: np.ndarray, target: np.ndarray) -> bool:
        """Whether (source, target) lists the same synapses in the same order."""
        return (len(source) == len(self.source) and np.array_equal(source, self.source)
                and np.array_equal(target, self.target))

    def reordered(self, order: np.ndarray) -> "SynapseState":
        """The same synapses listed in `order` (a permutation of their positions)."""
        return SynapseState(self.source[order], self.target[order], self.weight[order])


@dataclass
class Checkpoint:
    """State of a plasticity run after `episodes_done` episodes."""

    episodes_done: int
    plastic: SynapseState
    eta_applied: bool
    state: dict = field(default_factory=dict)  # protocol state (JSON-serialisable)


def save_checkpoint(path: str | Path, cp: Checkpoint) -> Path:
    """Write `cp` atomically as a compressed npz."""
    meta = {"format": FORMAT_VERSION, "episodes_done": int(cp.episodes_done),
            "eta_applied": bool(cp.eta_applied), "state": cp.state}
    return atomic_save_npz(
        path, meta=np.array(json.dumps(meta)),
        plastic_source=cp.plastic.source.astype(np.int64),
        plastic_target=cp.plastic.target.astype(np.int64),
        plastic_weight=cp.plastic.weight.astype(np.float64))


def load_checkpoint(path: str | Path) -> Checkpoint:
    """Read a checkpoint written by `save_checkpoint`."""
    with np.load(path) as data:
        meta = json.loads(str(data["meta"]))
        if meta.get("format") != FORMAT_VERSION:
            raise ValueError(f"{path}: checkpoint format {meta.get('format')}, "
                             f"this bgmodel reads {FORMAT_VERSION}")
        plastic = SynapseState(data["plastic_source"], data["plastic_target"],
                               data["plastic_weight"])
    return Checkpoint(episodes_done=int(meta["episodes_done"]), plastic=plastic,
                      eta_applied=bool(meta["eta_applied"]), state=meta.get("state", {}))
