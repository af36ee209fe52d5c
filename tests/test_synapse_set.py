"""Canonical synapse order: the same synapses read twice give the same arrays, however
NEST's threads joined their blocks (bgmodel.simulator.synapse_set)."""
from __future__ import annotations

import numpy as np
import pytest

from bgmodel.protocols.plasticity.checkpoint import SynapseState
from bgmodel.simulator.synapse_set import SynapseSet, canonical_order


def test_thread_blocks_in_either_order_give_one_canonical_order():
    # Two collections on 2 virtual processes; targets of vp 0 are even, of vp 1 odd.
    # NEST may list collection 1 as [vp0 block][vp1 block] or [vp1 block][vp0 block].
    src0, tgt0 = np.array([5, 5, 6, 7]), np.array([10, 12, 11, 13])
    vp0 = [(1, 20), (1, 22), (2, 20)]
    vp1 = [(1, 21), (3, 23)]
    first = vp0 + vp1
    second = vp1 + vp0
    arrays = []
    for listing in (first, second):
        src = np.concatenate([src0, [s for s, _ in listing]])
        tgt = np.concatenate([tgt0, [t for _, t in listing]])
        order = canonical_order(tgt, [4, 5], num_vps=2)
        arrays.append((src[order], tgt[order]))
    assert np.array_equal(arrays[0][0], arrays[1][0])
    assert np.array_equal(arrays[0][1], arrays[1][1])
    # Within a block NEST's own order is kept (stable), collections stay apart.
    assert list(arrays[0][1]) == [10, 12, 11, 13, 20, 22, 20, 21, 23]
    with pytest.raises(ValueError, match="9 targets for collections of 8"):
        canonical_order(tgt, [4, 4], num_vps=2)


def test_synapse_set_moves_arrays_between_nest_and_canonical_order():
    collections = (list(range(3)), list(range(4)))
    synapses = SynapseSet(collections)
    assert len(synapses) == 7 and synapses.lengths == [3, 4]
    with pytest.raises(RuntimeError, match="targets read first"):
        synapses.canonical(np.arange(7))
    targets_nest = np.array([3, 2, 5, 7, 4, 9, 6])
    synapses.set_order_from_targets(targets_nest, num_vps=2)
    canon = synapses.canonical(targets_nest)
    assert list(canon) == [2, 3, 5, 4, 6, 7, 9]
    values = np.arange(7.0)
    assert np.array_equal(synapses.canonical(synapses.nest_order(values)), values)
    # Pieces cover every synapse once, offsets in NEST's order.
    pieces = list(synapses.chunks(size=2))
    assert [(o, len(p)) for o, p in pieces] == [(0, 2), (2, 1), (3, 2), (5, 2)]


def test_a_checkpoint_in_old_thread_order_is_recognised():
    """Checkpoints written before the canonical order are rearranged on restore."""
    src = np.array([1, 1, 2, 1, 3])
    tgt = np.array([21, 23, 20, 22, 20])  # one collection, vp1 block first
    saved = SynapseState(src, tgt, np.array([0.1, 0.2, 0.3, 0.4, 0.5]))
    order = canonical_order(tgt, [5], num_vps=2)
    canon = saved.reordered(order)
    assert list(canon.target) == [20, 22, 20, 21, 23]
    assert list(canon.weight) == [0.3, 0.4, 0.5, 0.1, 0.2]
    assert canon.same_synapses(src[order], tgt[order])


@pytest.mark.nest
def test_plastic_synapse_weights_land_on_their_synapses_with_two_threads():
    import nest
    from bgmodel.model.config import load_config
    from bgmodel.model.derive import derive_network
    from bgmodel.simulator import synapse_io
    from bgmodel.simulator.network import build_network

    cfg = load_config("plasticity", preset="small", overrides=["simulation.scale=0.02",
                                                                "simulation.threads=2"])
    net = build_network(derive_network(cfg))
    net.simulate(1.0)
    assert net.virtual_processes == 2
    # The canonical order relies on NEST's placement: node n on virtual process n % vps.
    msn = net.nodes["MSN_D1"]
    assert list(msn.get("vp")) == [int(g) % 2 for g in msn.global_id]

    synapses = net.plastic_synapses()
    src, tgt = synapse_io.endpoints(synapses)
    again = synapse_io.endpoints(net.plastic_synapses())
    assert np.array_equal(src, again[0]) and np.array_equal(tgt, again[1])
    # Distinct weights set in canonical order read back in canonical order...
    weights = 0.5 + np.arange(len(src)) * 1e-6
    synapse_io.set_weights(synapses, weights)
    assert np.array_equal(synapse_io.weights(synapses), weights)
    assert np.array_equal(synapse_io.weights(net.plastic_synapses()), weights)
    # ...and sit on the synapse named by the same position of the endpoints.
    rng = np.random.default_rng(3)
    for i in rng.choice(len(src), size=20, replace=False):
        conns = nest.GetConnections(nest.NodeCollection([int(src[i])]),
                                    nest.NodeCollection([int(tgt[i])]))
        assert weights[i] in np.atleast_1d(conns.get("weight"))
    assert synapse_io.mean_weight(synapses) == pytest.approx(weights.mean(), rel=1e-12)


class FakeCollection:
    """Stands for a NEST SynapseCollection: len, slices, get and set of columns."""

    def __init__(self, columns):
        self.columns = {k: list(v) for k, v in columns.items()}

    def __len__(self):
        return len(self.columns["target"])

    def __getitem__(self, sl):
        return FakeView(self, sl)

    def get(self, keys):
        if isinstance(keys, str):
            return list(self.columns[keys])
        return {k: list(self.columns[k]) for k in keys}

    def set(self, params):
        self.columns["weight"] = [p["weight"] for p in params]


class FakeView:
    def __init__(self, parent, sl):
        self.parent, self.sl = parent, sl

    def __len__(self):
        return len(range(*self.sl.indices(len(self.parent))))

    def get(self, keys):
        if isinstance(keys, str):
            return self.parent.columns[keys][self.sl]
        return {k: self.parent.columns[k][self.sl] for k in keys}

    def set(self, params):
        self.parent.columns["weight"][self.sl] = [p["weight"] for p in params]


def test_network_reads_and_sets_in_canonical_order_whatever_the_block_order(monkeypatch):
    """The same synapses listed with the threads' blocks swapped read the same arrays,
    and weights set in canonical order land on the same synapses (pieces of 2)."""
    from bgmodel.simulator import kernel, synapse_io, synapse_set
    monkeypatch.setattr(kernel, "virtual_processes", lambda: 2)
    monkeypatch.setattr(synapse_set, "SYNAPSE_CHUNK", 2)
    vp0 = [(1, 20, 0.1), (2, 22, 0.2), (3, 20, 0.3)]
    vp1 = [(1, 21, 0.4), (4, 23, 0.5)]
    sets = []
    for listing in (vp0 + vp1, vp1 + vp0):
        cols = {"source": [s for s, _, _ in listing], "target": [t for _, t, _ in listing],
                "weight": [w for _, _, w in listing]}
        sets.append(SynapseSet((FakeCollection(cols),)))
    ends = [synapse_io.endpoints(s) for s in sets]
    assert np.array_equal(ends[0][0], ends[1][0]) and np.array_equal(ends[0][1], ends[1][1])
    assert list(synapse_io.weights(sets[1])) == [0.1, 0.2, 0.3, 0.4, 0.5]
    new = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    for s in sets:
        synapse_io.set_weights(s, new)
        assert np.array_equal(synapse_io.weights(s), new)
    # In NEST's (swapped) order the vp1 synapses come first and got weights 4 and 5.
    assert sets[1].collections[0].columns["weight"] == [4.0, 5.0, 1.0, 2.0, 3.0]
    fresh = SynapseSet(sets[1].collections)  # order found from the targets when needed
    assert list(synapse_io.weights(fresh)) == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert synapse_io.mean_weight(sets[1]) == pytest.approx(3.0)
