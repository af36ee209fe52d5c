"""What every protocol holds and the helpers they share.

`ProtocolBase` keeps a protocol's config, the built network and the run folder. The
helpers read what every protocol reads the same way: which populations get a spike
recorder (`recorded_populations`), the spikes taken from all of them
(`ProtocolBase.take_all_spikes`), per-channel rates with MSN pooled from D1 and D2
(`population_channel_rates`), and the extra input onto sampled relays of a channel
(`stimulate_sampled_relays`). The schema nodes that several protocols' sections share
stand here too (`populations`, `STIMULATED_INPUTS`, `SAMPLED_RELAYS`).
"""
from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import numpy as np

from ..model.channel_input import stimulus_key
from ..model.derive import MSN_D1, MSN_D2, NetworkPlan, population_of_nucleus
from ..model.schema import Field, ListOf, MapOf, Record, Ref, num
from ..results.analysis import channel_rates


# ----------------------------------------------------------------------------- schema
def populations(doc: str) -> ListOf:
    """A list of population names: nuclei, inputs, or the MSN pools MSN_D1 and MSN_D2."""
    return ListOf(Ref(doc, among=("nuclei", "inputs"), extra=(MSN_D1, MSN_D2), sort=True,
                      allowed="a population among {names}"), doc)


# Shared by the protocols that stimulate channels through sampled input relays.
STIMULATED_INPUTS = MapOf(num("extra rate of a sampled relay per Hz of stimulus rate "
                              "(CSN 1, PTN 1.8)", minimum=0),
                          "inputs that receive the extra rate, by name, with their rate "
                          "factor", min_items=1,
                          key=Ref("an input population", among=("inputs",),
                                  allowed="an input population: {names}"))
SAMPLED_RELAYS = Record({
    "per_channel": Field("int", "relays per input and channel receiving the extra rate, at "
                         "full scale", minimum=1),
    "scale_with_network": Field("bool", "multiply per_channel by the input relays' "
                                "scale (simulation.input_scale, or scale): the same "
                                "share of stimulated inputs per MSN at every scale); always "
                                "capped at the relays in the channel"),
}, doc="which relays of a channel receive the extra rate")


# ----------------------------------------------------------------------------- protocols
class ProtocolBase:
    """Common set-up of a protocol object (see bgmodel.protocols).

    A protocol's config section is validated with the config (its module declares the
    schema and checks), so a protocol object only reads it."""

    name = ""

    def __init__(self, config, network, rundir, quiet=False):
        self.config = getattr(config, "data", config)
        self.proto = self.config["protocol"]
        self.net = network
        self.plan = network.plan
        self.rundir = rundir
        self.quiet = quiet
        self.timings: dict[str, float] = {}  # phase -> wall seconds, merged into run.json
        self.recorded: list[str] = []  # populations with a spike recorder

    def take_all_spikes(self) -> dict:
        """Spikes of every recorded population since the last call (then cleared)."""
        return {name: self.net.take_spikes(name) for name in self.recorded}


def recorded_populations(plan: NetworkPlan, names: Iterable[str]) -> list[str]:
    """The plan's populations that make up `names` (MSN: MSN_D1 and MSN_D2), in plan
    order."""
    wanted = {p for name in names for p in population_of_nucleus(name)}
    return [p for p in plan.populations if p in wanted]


def population_channel_rates(plan: NetworkPlan, spikes: Mapping, name: str,
                             channels: Sequence[int], t0: float, t1: float) -> np.ndarray:
    """Rates (Hz) of population `name` in each of `channels` during [t0, t1); MSN is
    pooled from D1 and D2 (weighted by their neurons in the channel); nan for a channel
    without neurons."""
    counts = np.zeros(len(channels))
    sizes = np.zeros(len(channels))
    for part in population_of_nucleus(name):
        pop = plan.populations[part]
        members = [pop.channels[c] for c in channels]
        n = np.array([len(m) for m in members], dtype=float)
        rates = channel_rates(spikes[part].senders, spikes[part].times, members, t0, t1)
        counts += np.where(n > 0, rates, 0.0) * n
        sizes += n
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sizes > 0, counts / sizes, np.nan)


def stimulate_sampled_relays(network, rundir, sampled: dict) -> None:
    """Give every sampled relay group (bgmodel.model.channel_input) its extra Poisson
    input (rate 0 until the protocol sets it) and save the indices to
    results/sampled_relays.npz."""
    arrays = {}
    for (input_name, ch), idx in sampled.items():
        key = stimulus_key(input_name, ch)
        network.add_channel_stimulus(key, input_name, idx)
        arrays[key] = idx.astype(np.uint32)
    rundir.save_result_arrays("sampled_relays.npz", **arrays)
