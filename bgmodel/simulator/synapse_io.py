"""Reading and writing synapse sets in NEST, on one process or over MPI ranks.

A synapse set (bgmodel.simulator.synapse_set.SynapseSet) is a tuple of NEST
SynapseCollections read and written as one array in its canonical order; make sets
after the first simulate (NEST may sort connections when it prepares the first
simulation). Under MPI a synapse lives on its target's rank and GetConnections returns
this rank's share: the `gathered_*` functions and `mean_weight` combine the ranks'
shares (concatenated in rank order), so that every rank sees the same numbers.

Sets that hold every connection of their synapse models (SynapseSet.models) are read
and written through bgmodel's NEST extension when it is loaded (synapse_bulk: about
0.1 us per synapse instead of PyNEST's 5 us). Its bulk order, thread by thread, is the
canonical order, so checkpoints written either way are the same arrays
(tests/test_synapse_bulk.py holds that).
"""
from __future__ import annotations

import math

import numpy as np

from .. import mpi
from . import kernel, synapse_bulk
from .synapse_set import SynapseSet


def uses_bulk(synapses: SynapseSet) -> bool:
    """Whether `synapses` (every synapse of its models) is read and written through
    the extension's bulk calls."""
    return (synapses.models is not None and synapses.positions is None
            and synapse_bulk.available())


def _bulk_subset(synapses: SynapseSet) -> bool:
    """Whether `synapses` is a subset whose weights the extension reads by position."""
    return synapses.positions is not None and synapse_bulk.available()


def columns(synapses: SynapseSet, keys: list[str], dtype) -> list[np.ndarray]:
    """Columns `keys` of a synapse set, in NEST's order, read in pieces."""
    parts: dict[str, list] = {k: [] for k in keys}
    for _, conns in synapses.chunks():
        data = conns.get(keys)
        for k in keys:
            parts[k].append(np.atleast_1d(np.asarray(data[k], dtype=dtype)))
    return [np.concatenate(parts[k]) if parts[k] else np.zeros(0, dtype=dtype)
            for k in keys]


def ensure_order(synapses: SynapseSet) -> None:
    """Read the targets once, for the canonical order, if nothing has yet."""
    if synapses.order is None:
        (tgt,) = columns(synapses, ["target"], np.int64)
        synapses.set_order_from_targets(tgt, kernel.virtual_processes())


def endpoints(synapses: SynapseSet) -> tuple[np.ndarray, np.ndarray]:
    """Source and target node ids of a synapse set (canonical order)."""
    if uses_bulk(synapses):
        data = synapse_bulk.read(synapses.models, weights=False)
        return data["source"], data["target"]
    src, tgt = columns(synapses, ["source", "target"], np.int64)
    synapses.set_order_from_targets(tgt, kernel.virtual_processes())
    return synapses.canonical(src), synapses.canonical(tgt)


def weights(synapses: SynapseSet) -> np.ndarray:
    """Weights of a synapse set (canonical order)."""
    if uses_bulk(synapses):
        return synapse_bulk.read(synapses.models, endpoints=False)["weight"]
    ensure_order(synapses)
    (w,) = columns(synapses, ["weight"], float)
    return synapses.canonical(w)


def set_weights(synapses: SynapseSet, values: np.ndarray) -> None:
    """Set the weights of a synapse set from one array in canonical order."""
    values = np.asarray(values, dtype=float)
    if len(values) != len(synapses):
        raise ValueError(f"{len(values)} weights for {len(synapses)} synapses")
    if uses_bulk(synapses):
        synapse_bulk.write_weights(synapses.models, values)
        return
    ensure_order(synapses)
    values = synapses.nest_order(values)
    for start, conns in synapses.chunks():
        # A list of dicts (what PyNEST makes of a weight list anyway): PyNEST
        # refuses value lists under MPI, although each rank sets its own synapses.
        conns.set([{"weight": w} for w in values[start:start + len(conns)].tolist()])


def mean_weight(synapses: SynapseSet) -> float:
    """Mean weight of a synapse set over all ranks (nan when it is empty). Each rank's
    sum is exact (math.fsum), so it does not depend on the order NEST lists the
    synapses in; the ranks' sums are added in rank order."""
    if uses_bulk(synapses):
        w = synapse_bulk.read(synapses.models, endpoints=False)["weight"]
    elif _bulk_subset(synapses):
        w = synapse_bulk.read_weights_at(synapses.positions)
    else:
        (w,) = columns(synapses, ["weight"], float)  # no order needed
    total = np.array([math.fsum(w), len(w)], dtype=float)
    if kernel.processes() > 1:
        total = mpi.allreduce_sum(total)
    return float(total[0] / total[1]) if total[1] else float("nan")


def gathered_endpoints(synapses: SynapseSet) -> tuple[np.ndarray, np.ndarray]:
    """Source and target node ids of a synapse set on all ranks."""
    ends = endpoints(synapses)
    if kernel.processes() > 1:
        ends = mpi.allgather_concat(*ends)
    return ends


def gathered_weights(synapses: SynapseSet) -> np.ndarray:
    """Weights of a synapse set on all ranks."""
    w = weights(synapses)
    if kernel.processes() > 1:
        (w,) = mpi.allgather_concat(w)
    return w


def set_gathered_weights(synapses: SynapseSet, values: np.ndarray) -> None:
    """Set a synapse set's weights from an array over all ranks (the order of
    `gathered_weights`): each rank sets its own share."""
    if kernel.processes() > 1:
        values = np.asarray(values)[mpi.rank_slice(len(synapses))]
    set_weights(synapses, values)
