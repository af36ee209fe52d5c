"""Checkpoints of the plasticity protocol (results/checkpoint.npz), without NEST.

A checkpoint holds what a rebuilt network cannot derive from the frozen config and
seed: the weights of every plastic synapse (with the source and target node ids that
identify them, to check that the rebuilt network is the same), whether striatum.eta has
been applied to the outgoing weights of the D2 MSNs (those synapses are static, so the
flag restores them exactly: Network.set_outgoing_weight_factor), and the protocol state
(episodes done, random generators). It is written atomically, so a run killed while
writing keeps the previous one.

Format 2 keeps the synapses' node ids, which never change during a run, in a file of
their own beside it (plastic_synapses.npz, compressed, written when missing or
different); checkpoint.npz holds the weights uncompressed and the SHA-256 of the node
ids, which loading checks. Compressing 7.3 million node-id pairs and weights every
checkpoint took about 3 s at full scale; the weights alone are written in a fraction of
that. Format 1 (everything in checkpoint.npz) is still read. Not saved, hence a resumed run is statistically,
not bitwise, the same: eligibility and dopamine traces of the synapses, membrane
states, spikes in flight and NEST's random streams (docs/plasticity.md).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...results.rundir import atomic_save_npz

FORMAT_VERSION = 2
READABLE_FORMATS = (1, 2)
# Beside checkpoint.npz: the node ids of the plastic synapses (format 2).
SYNAPSES_FILE = "plastic_synapses.npz"


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

    def endpoints_digest(self) -> str:
        """SHA-256 of the node ids (int64, source then target)."""
        h = hashlib.sha256()
        for ids in (self.source, self.target):
            h.update(np.ascontiguousarray(ids, dtype=np.int64).tobytes())
        return h.hexdigest()

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


def synapses_path(checkpoint_path: str | Path) -> Path:
    return Path(checkpoint_path).with_name(SYNAPSES_FILE)


def save_checkpoint(path: str | Path, cp: Checkpoint) -> Path:
    """Write `cp` atomically: the weights into `path`, the node ids beside it when that
    file is missing or holds other synapses."""
    digest = cp.plastic.endpoints_digest()
    ids_path = synapses_path(path)
    if _stored_digest(ids_path) != digest:
        atomic_save_npz(ids_path, digest=np.array(digest),
                        source=cp.plastic.source.astype(np.int64),
                        target=cp.plastic.target.astype(np.int64))
    meta = {"format": FORMAT_VERSION, "episodes_done": int(cp.episodes_done),
            "eta_applied": bool(cp.eta_applied), "state": cp.state,
            "plastic_endpoints_sha256": digest}
    return atomic_save_npz(path, compress=False, meta=np.array(json.dumps(meta)),
                           plastic_weight=cp.plastic.weight.astype(np.float64))


def _stored_digest(ids_path: Path) -> str | None:
    if not ids_path.is_file():
        return None
    try:
        with np.load(ids_path) as data:
            return str(data["digest"])
    except (OSError, KeyError, ValueError):
        return None


def load_checkpoint(path: str | Path) -> Checkpoint:
    """Read a checkpoint written by `save_checkpoint` (format 1 or 2)."""
    with np.load(path) as data:
        meta = json.loads(str(data["meta"]))
        version = meta.get("format")
        if version not in READABLE_FORMATS:
            raise ValueError(f"{path}: checkpoint format {version}, this bgmodel reads "
                             f"{', '.join(map(str, READABLE_FORMATS))}")
        weight = data["plastic_weight"]
        if version == 1:
            plastic = SynapseState(data["plastic_source"], data["plastic_target"], weight)
    if version == 2:
        plastic = _with_endpoints(Path(path), weight, meta["plastic_endpoints_sha256"])
    return Checkpoint(episodes_done=int(meta["episodes_done"]), plastic=plastic,
                      eta_applied=bool(meta["eta_applied"]), state=meta.get("state", {}))


def _with_endpoints(path: Path, weight: np.ndarray, digest: str) -> SynapseState:
    ids_path = synapses_path(path)
    if not ids_path.is_file():
        raise ValueError(f"{path}: the node ids of its synapses ({ids_path.name}) are "
                         "missing beside it; cannot resume")
    with np.load(ids_path) as data:
        state = SynapseState(data["source"], data["target"], weight)
    if state.endpoints_digest() != digest or len(state.source) != len(weight):
        raise ValueError(f"{path}: {ids_path.name} holds other synapses than the "
                         "checkpoint (SHA-256 of the node ids differs); cannot resume")
    return state
