"""Several SNc groups wired into NEST (issue 21): one synapse-model copy per group and
cell type on the group's own volume transmitter, each reaching its share of every MSN's
plastic in-degree; a group's dopamine reaches its synapses only; per-group weights in
episodes.csv; one group with tau = 0.5 is the `rpe` model bit for bit. Tiny networks
(2 % scale, one thread), the short episodes of test_dopamine_wiring.py."""
import math

import nest
import numpy as np
import pytest
from test_dopamine_wiring import RPE, SHORT_RESPONSES, make_config, run_protocol

from bgmodel.model.config import load_config
from bgmodel.model.derive import derive_network, mask_fraction
from bgmodel.model.schema import ConfigError
from bgmodel.protocols.plasticity.episodes import read_episodes
from bgmodel.simulator.network import build_network

pytestmark = pytest.mark.nest

GROUPS = {"dopamine": {**SHORT_RESPONSES, "taus": [0.2, 0.5, 0.8],
                       "synapse_fractions": [0.5, 0.3, 0.2]}}


@pytest.fixture(scope="module")
def grouped(tmp_path_factory):
    folder = tmp_path_factory.mktemp("groups")
    config = make_config(folder, "distributional", GROUPS)
    return build_network(derive_network(config))


def test_one_model_copy_per_group_and_cell_on_its_transmitter(grouped):
    net = grouped
    assert set(net.volume_transmitters) == {"snc0", "snc1", "snc2"}
    for cell in ("D1", "D2"):
        for g, vt in net.volume_transmitters.items():
            model = f"bg_corticostriatal_{cell}_{g}"
            assert nest.GetDefaults(model)["volume_transmitter"].global_id == vt.global_id
    assert "bg_corticostriatal_D1" not in net.plastic_model_names()


def test_each_group_gets_its_share_of_every_msns_indegree(grouped):
    """Per group: floor(K share) sources per MSN and receptor, plus a Bernoulli draw of
    mean K share - floor(K share) (binomial, 5 sd): counts against the formula."""
    net = grouped
    plan = next(c for c in net.plan.connections
                if c.projection == "CSN->MSN" and c.target == "MSN_D1")
    targets = len(net.nodes["MSN_D1"])
    receptors = len(plan.weights)
    in_mask = len(net.nodes["CSN"]) * mask_fraction(plan.mask_radius, net.plan.extent)
    total = 0
    for g, share in {"snc0": 0.5, "snc1": 0.3, "snc2": 0.2}.items():
        conns = nest.GetConnections(source=net.nodes["CSN"], target=net.nodes["MSN_D1"],
                                    synapse_model=f"bg_corticostriatal_D1_{g}")
        k = plan.indegree * share
        whole, rest = math.floor(k), k - math.floor(k)
        per_receptor = len(conns) / receptors
        extra = per_receptor - targets * whole
        p = rest / in_mask
        sd = math.sqrt(targets * in_mask * p * (1 - p))
        assert extra >= 0 and abs(extra - targets * rest) < 5 * sd + 1, (g, extra)
        # every MSN has at least floor(K share) sources of the group
        counts = np.bincount(np.asarray(conns.get("target")) - net.nodes["MSN_D1"][0].global_id,
                             minlength=targets)
        assert counts.min() >= whole * receptors
        total += per_receptor
    assert abs(total / targets - plan.indegree) < 0.5


def test_a_groups_dopamine_reaches_only_its_synapses(grouped):
    """snc1 fires at 30 Hz, snc0 and snc2 are silent: only snc1's synapses see dopamine
    (their trace n), the others' n stays exactly 0."""
    net = grouped
    for g in net.volume_transmitters:
        net.set_snc_steps(g, [0.0], [30.0 if g == "snc1" else 0.0])
    net.simulate(600.0)
    for g in net.volume_transmitters:
        n = np.asarray(nest.GetConnections(synapse_model=f"bg_corticostriatal_D1_{g}")
                       .get("n"))
        if g == "snc1":
            assert (n > 0).mean() > 0.5
        else:
            assert np.all(n == 0.0), g


def test_distinct_sources_refused_for_plastic_projections_with_groups(tmp_path):
    with pytest.raises(ConfigError, match="connectivity.distinct_sources.*CSN->MSN"):
        load_config("plasticity", preset="small",
                    overlays=["configs/dopamine/distributional.yaml"],
                    overrides=["connectivity.distinct_sources=[CSN->MSN]"])


def test_per_group_weights_in_the_table_and_the_view(tmp_path):
    config = make_config(tmp_path, "distributional", GROUPS)
    run_protocol(config, tmp_path / "run")
    t = read_episodes(tmp_path / "run" / "results" / "episodes.csv")
    with np.load(tmp_path / "run" / "results" / "snc_spikes.npz") as spikes:
        assert int(spikes["episodes_done"]) == 6
    from bgmodel.plotting.plasticity import plot_run
    names = {p.name for p in plot_run(tmp_path / "run")}
    assert {"trajectory.png", "dopamine.png", "distributional.png"} <= names
    for cell in ("MSN_D1", "MSN_D2"):
        per_group = [t[f"w_{cell}_ch1_snc{i}"] for i in range(3)]
        assert all(np.all(np.isfinite(w)) for w in per_group)
        # the channel's mean lies between its groups' means
        both = t[f"w_{cell}_ch1"]
        assert np.all(both >= np.min(per_group, axis=0) - 1e-12)
        assert np.all(both <= np.max(per_group, axis=0) + 1e-12)


def test_one_group_at_half_is_rpe_bit_for_bit(tmp_path):
    """distributional with taus [0.5] and rpe's learning rate and units: the same
    table (group snc0 for snc) and the same plastic weights."""
    same = {"dopamine": {"taus": [0.5], "units": 20, "critic": {"learning_rate": 0.1}},
            "protocol": {"reward": {"values": [1.0], "probabilities": [1.0]},
                         "episodes": 3}}
    runs = {}
    for model, layers in (("rpe", (RPE, {"protocol": {"episodes": 3}})),
                          ("distributional", (RPE, same))):
        folder = tmp_path / model
        folder.mkdir()
        proto = run_protocol(make_config(folder, model, *layers), folder / "run")
        weights = np.sort(np.asarray(proto.net.plastic_synapses().collections[0]
                                     .get("weight")))
        runs[model] = (read_episodes(folder / "run" / "results" / "episodes.csv"), weights)
    (rpe, w_rpe), (dist, w_dist) = runs["rpe"], runs["distributional"]
    assert np.array_equal(w_rpe, w_dist)
    for column in rpe:
        if column in ("wall_s", "cpu_s", "simulate_s"):
            continue
        other = column.replace("_snc_", "_snc0_") if column.startswith("snc_") else column
        other = other[:-4] + "_snc0" if other.endswith("_snc") else other
        a, b = rpe[column], dist[other]
        if a.dtype.kind == "f":
            assert np.array_equal(a, b, equal_nan=True), column
        else:
            assert np.array_equal(a, b), column
