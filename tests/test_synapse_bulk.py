"""Bulk synapse access through bgmodel's NEST extension (bgmodel.simulator.synapse_bulk):
the same arrays as PyNEST in the same (canonical) order, so checkpoints written either
way line up; weights written land on their synapses; clear errors."""
import numpy as np
import pytest

pytestmark = pytest.mark.nest


def build(threads=2, extra=()):
    from bgmodel.model.config import load_config
    from bgmodel.model.derive import derive_network
    from bgmodel.simulator.network import build_network
    cfg = load_config("plasticity", preset="small",
                      overrides=["simulation.scale=0.02", f"simulation.threads={threads}",
                                 *extra])
    net = build_network(derive_network(cfg))
    net.simulate(1.0)  # NEST sorts its connections before the first simulation
    return net


def read_with_pynest(net):
    from bgmodel.simulator import nest_extension, synapse_bulk, synapse_io
    synapse_bulk.detach()
    try:
        synapses = net.plastic_synapses()
        src, tgt = synapse_io.endpoints(synapses)
        return src, tgt, synapse_io.weights(synapses)
    finally:
        synapse_bulk.attach(nest_extension.library_path())


@pytest.mark.parametrize("threads", [1, 2])
def test_bulk_reads_pynest_arrays_in_canonical_order_and_writes_land_on_their_synapses(threads):
    from bgmodel.simulator import synapse_bulk, synapse_io
    net = build(threads)
    assert synapse_bulk.available()
    synapses = net.plastic_synapses()
    assert synapse_io.uses_bulk(synapses)
    bulk = synapse_bulk.read(synapses.models)
    src, tgt, w = read_with_pynest(net)
    assert len(src) == len(synapses) > 1000
    np.testing.assert_array_equal(bulk["source"], src)
    np.testing.assert_array_equal(bulk["target"], tgt)
    np.testing.assert_array_equal(bulk["weight"], w)

    # Distinct weights written in bulk order are read back by PyNEST on the same synapses.
    new = 0.25 + np.arange(len(src)) * 1e-7
    synapse_io.set_weights(synapses, new)
    assert synapse_io.weights(synapses).tolist() == new.tolist()
    _, _, seen = read_with_pynest(net)
    np.testing.assert_array_equal(seen, new)
    assert synapse_io.mean_weight(synapses) == pytest.approx(new.mean(), rel=1e-12)


def test_bulk_errors_name_the_model_and_the_sizes():
    from bgmodel.simulator import synapse_bulk
    net = build(1)
    models = net.plastic_synapses().models
    with pytest.raises(synapse_bulk.BulkAccessError, match="no synapse model named 'no_such'"):
        synapse_bulk.count("no_such")
    n = sum(synapse_bulk.count(m) for m in models)
    with pytest.raises(synapse_bulk.BulkAccessError, match=f"3 weights for {n} synapses"):
        synapse_bulk.write_weights(models, np.ones(3))


def test_sets_filtered_by_target_and_networks_without_the_extension_use_pynest():
    from bgmodel.simulator import synapse_bulk, synapse_io
    net = build(1)
    some = net.plastic_synapses("MSN_D1", [0, 1, 2])
    assert some.positions is not None and not synapse_io.uses_bulk(some)
    assert len(synapse_io.weights(some)) == len(some) > 0

    net = build(1, ["neuron_model.model=iaf_psc_alpha_multisynapse",
                    "simulation.relay_model=spike_train_injector"])
    assert not synapse_bulk.available()
    synapses = net.plastic_synapses()
    assert not synapse_io.uses_bulk(synapses)
    with pytest.raises(synapse_bulk.BulkAccessError, match="not loaded"):
        synapse_bulk.count(synapses.models[0])
    assert len(synapse_io.weights(synapses)) == len(synapses)


def test_subsets_by_target_read_the_same_weights_by_bulk_position():
    from bgmodel.simulator import synapse_bulk, synapse_io
    net = build(2)
    synapses = net.plastic_synapses()
    synapse_io.set_weights(synapses, 0.3 + np.arange(len(synapses)) * 1e-7)
    some = net.plastic_synapses("MSN_D2", [0, 3, 7, 11])
    assert some.positions is not None and sum(map(len, some.positions.values())) == len(some) > 0
    by_position = synapse_io.mean_weight(some)
    synapse_bulk.detach()
    try:
        assert synapse_io.mean_weight(net.plastic_synapses("MSN_D2", [0, 3, 7, 11])) == by_position
    finally:
        from bgmodel.simulator import nest_extension
        synapse_bulk.attach(nest_extension.library_path())
    model = some.models[0]
    n = synapse_bulk.count(model)
    with pytest.raises(synapse_bulk.BulkAccessError, match="positions must ascend"):
        synapse_bulk.read_weights_at({model: np.array([5, 2])})
    with pytest.raises(synapse_bulk.BulkAccessError, match=f"within 0..{n - 1}"):
        synapse_bulk.read_weights_at({model: np.array([n])})
