"""A set of synapses read and written as one array in a canonical order (no NEST here).

NEST's GetConnections collects each thread's connections in a block and joins the
blocks in whichever order the threads finish, so two reads of the same network (a run
and its rebuild on resume) can list the same synapses in different orders. Within a
block the order is deterministic. The canonical order puts, collection by collection,
the synapses in the order of their target's virtual process (where NEST keeps them),
stably, so each block keeps its own order: the same network read twice gives the same
arrays. The collections are anything with len() and slicing (NEST SynapseCollections).
"""
from __future__ import annotations

from typing import Iterator, Sequence

import numpy as np

# Synapses per PyNEST call: PyNEST turns every synapse it reads or sets into a
# dictionary, so 7 million at once take about 10 GB; pieces keep that small at the
# same speed (docs/benchmarks.md).
SYNAPSE_CHUNK = 100_000


def canonical_order(targets: np.ndarray, lengths: Sequence[int], num_vps: int) -> np.ndarray:
    """Permutation that puts an array listed collection by collection (`lengths`) into
    canonical order: within each collection, stably by target virtual process."""
    targets = np.asarray(targets, dtype=np.int64)
    if len(targets) != sum(lengths):
        raise ValueError(f"{len(targets)} targets for collections of {sum(lengths)} synapses")
    collection = np.repeat(np.arange(len(lengths)), lengths)
    return np.lexsort((targets % num_vps, collection))


class SynapseSet:
    """NEST synapse collections read and set as one array (see the module doc)."""

    def __init__(self, collections: tuple = (), models: tuple[str, ...] | None = None,
                 positions: dict | None = None):
        self.collections = tuple(collections)
        # The synapse models of the collections, one collection per model, and, for a
        # subset of their synapses, its positions per model in bulk order on this
        # process; bgmodel.simulator.synapse_bulk reads such sets without PyNEST.
        self.models = tuple(models) if models is not None else None
        self.positions = positions
        self.order: np.ndarray | None = None  # canonical position -> NEST position

    def __len__(self) -> int:
        return sum(len(c) for c in self.collections)

    @property
    def lengths(self) -> list[int]:
        return [len(c) for c in self.collections]

    def chunks(self, size: int | None = None) -> Iterator[tuple[int, object]]:
        """(offset in NEST order, piece) for pieces of at most `size` synapses."""
        size = size or SYNAPSE_CHUNK
        offset = 0
        for conns in self.collections:
            n = len(conns)
            for start in range(0, n, size):
                stop = min(n, start + size)
                yield offset + start, conns if (start, stop) == (0, n) else conns[start:stop]
            offset += n

    def set_order_from_targets(self, targets_nest_order: np.ndarray, num_vps: int) -> None:
        """Fix the canonical order from the targets, listed in NEST's order."""
        self.order = canonical_order(targets_nest_order, self.lengths, num_vps)

    def canonical(self, values_nest_order: np.ndarray) -> np.ndarray:
        """An array in NEST's order, rearranged into canonical order."""
        return np.asarray(values_nest_order)[self._order()]

    def nest_order(self, values_canonical: np.ndarray) -> np.ndarray:
        """An array in canonical order, rearranged into NEST's order."""
        values_canonical = np.asarray(values_canonical)
        out = np.empty_like(values_canonical)
        out[self._order()] = values_canonical
        return out

    def _order(self) -> np.ndarray:
        if self.order is None:
            raise RuntimeError("the canonical order needs the targets read first "
                               "(Network.synapse_endpoints or Network.ensure_order)")
        return self.order
