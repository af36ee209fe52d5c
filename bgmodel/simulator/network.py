"""The NEST builder: spatial layers, projections, plastic synapses, SNc and recording.

`Network(plan)` turns a `NetworkPlan` (bgmodel.model.derive) into NEST objects; the plan
carries everything it needs (kernel settings, populations, connections, SNc groups,
volume transmitters, STDP parameters), so the builder never reads the config:

>>> net = Network(plan)
>>> net.setup_kernel(); net.create(); net.connect()
>>> net.simulate(1000.0)

The NEST calls of bgmodel's model live in this package (bgmodel.simulator): the protocols
drive the network through its methods, and read and write synapse sets through
bgmodel.simulator.synapse_io. NEST's built-in models are never changed: the plastic
synapses are copies named `bg_corticostriatal_D1` / `bg_corticostriatal_D2`.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

os.environ.setdefault("PYNEST_QUIET", "1")
import nest  # noqa: E402

from .. import mpi  # noqa: E402
from ..model.derive import ConnectionPlan, NetworkPlan, mask_fraction  # noqa: E402
from ..model.inputs import PoissonInputs  # noqa: E402
from . import kernel  # noqa: E402
from . import nest_extension  # noqa: E402
from . import synapse_bulk  # noqa: E402
from .synapse_set import SynapseSet  # noqa: E402


def install_extension() -> None:
    """Load bgmodel's NEST extension (bg_iaf_psc_alpha_2port) into the fresh kernel.

    ResetKernel unloads modules, so this runs after every reset. The runner has made
    sure that the library is built before the run started (runner.check_neuron_model);
    code that builds networks directly gets it compiled here when missing."""
    library = nest_extension.build()
    # NEST's loader adds the .so itself.
    nest.Install(str(library.with_suffix("")))
    synapse_bulk.attach(library)


PLASTIC_MODEL = {"plastic_D1": "bg_corticostriatal_D1", "plastic_D2": "bg_corticostriatal_D2"}
RELAY_MODEL = "parrot_neuron"
# Input relay models that take the trains drawn in numpy: NEST's injector and bgmodel's
# relay (the same spikes, a cheaper update).
LOADED_RELAY_MODELS = ("spike_train_injector", nest_extension.RELAY_MODEL)


@dataclass
class SpikeData:
    """Spikes of one population: indices into the population and times (ms)."""

    senders: np.ndarray
    times: np.ndarray


class Network:
    """The basal ganglia network in NEST.

    Parameters
    ----------
    plan : NetworkPlan
        Output of `bgmodel.model.derive.derive_network`.
    threads, seed : int, optional
        Instead of the plan's (plan.simulation).
    """

    def __init__(self, plan: NetworkPlan, threads: int | None = None,
                 seed: int | None = None):
        self.plan = plan
        sim = plan.simulation
        self.threads = threads or sim.threads
        self.seed = seed or sim.seed
        self.nodes: dict = {}
        self.generators: dict = {}
        self.volume_transmitters: dict = {}
        self.snc_drive: dict = {}
        self.recorders: dict = {}
        self.stimuli: dict = {}
        self.dopamine_event: str | None = None
        # Plastic key (plastic_D1, plastic_D2) -> {SNc group: (NEST model, share of the
        # in-degree)}: one model reaching all synapses unless a signal model has
        # several groups (SignalPlan.synapse_models).
        self.plastic_models: dict = {key: {None: (model, 1.0)}
                                     for key, model in PLASTIC_MODEL.items()}
        # SNc group -> {MSN_D1: (start, stop), ...}: dopamine routed by channel
        # (SignalPlan.targets); empty: shares of every MSN.
        self.plastic_targets: dict = {}
        self.relay_model = sim.relay_model
        # Relays that are loaded with trains drawn in numpy (bgmodel.model.inputs), rather
        # than parrots driven by NEST's generators.
        self.loaded_relays = sim.relay_model in LOADED_RELAY_MODELS
        inputs = {n: p for n, p in plan.populations.items() if p.kind == "input"}
        self.poisson_inputs = PoissonInputs({n: p.size for n, p in inputs.items()},
                                            {n: p.rate_Hz for n, p in inputs.items()},
                                            sim.resolution_ms, self.seed)
        self.input_horizon_ms = sim.input_horizon_ms
        self._inputs_loaded_until = 0.0
        self._inputs_dirty = True
        self._targets_in_bulk_order: dict[str, np.ndarray] = {}

    # ------------------------------------------------------------------ kernel
    def setup_kernel(self) -> None:
        """Reset NEST and set resolution, threads and the run's seed."""
        nest.ResetKernel()
        synapse_bulk.detach()
        nest.verbosity = nest.VerbosityLevel.ERROR
        nest.SetKernelStatus({
            "resolution": self.plan.simulation.resolution_ms,
            "local_num_threads": self.threads,
            "rng_seed": self.seed,
            "print_time": False,
        })
        if (self.plan.simulation.neuron_model == nest_extension.MODEL
                or self.plan.dopamine.signal is not None
                or self.relay_model == nest_extension.RELAY_MODEL):
            install_extension()

    # ------------------------------------------------------------------ create
    def _layer(self, positions: np.ndarray):
        extent = self.plan.extent
        return nest.spatial.free(positions.tolist(), extent=[extent, extent], edge_wrap=True)

    def create(self) -> None:
        """Create the nuclei, the input relays with their Poisson drive, the SNc relays,
        the volume transmitters and the plastic synapse models."""
        for name, pop in self.plan.populations.items():
            if pop.kind == "nucleus":
                model = self.plan.simulation.neuron_model
                self.nodes[name] = nest.Create(model, positions=self._layer(pop.positions),
                                               params=dict(pop.params))
            elif pop.kind == "input" and self.loaded_relays:
                self.nodes[name] = nest.Create(self.relay_model,
                                               positions=self._layer(pop.positions))
            elif pop.kind == "input":
                relays = nest.Create(RELAY_MODEL, positions=self._layer(pop.positions))
                drive = nest.Create("poisson_generator_ps", params={"rate": pop.rate_Hz})
                # One generator gives every relay its own independent Poisson train.
                nest.Connect(drive, relays, "all_to_all")
                self.nodes[name], self.generators[name] = relays, drive
        self._create_dopamine()

    def _create_dopamine(self) -> None:
        dopamine = self.plan.dopamine
        if dopamine.signal is not None:
            self._create_signal_snc()
            return
        for event, group in dopamine.groups.items():
            snc = nest.Create(RELAY_MODEL, group.neurons)
            drive = nest.Create("poisson_generator", params={"rate": 0.0})
            vt = nest.Create("volume_transmitter",
                             params={"deliver_interval": dopamine.deliver_interval})
            nest.Connect(drive, snc, "all_to_all")
            nest.Connect(snc, vt, "all_to_all")
            self.nodes[group.population] = snc
            self.snc_drive[event] = drive
            self.volume_transmitters[event] = vt
        first = next(iter(dopamine.groups))
        for key, model in PLASTIC_MODEL.items():
            if model not in nest.synapse_models:
                nest.CopyModel("stdp_dopamine_synapse", model, dict(dopamine.stdp_common))
        self.set_dopamine_event(first)

    def _create_signal_snc(self) -> None:
        """A signal model's SNc: per group, `units` parrots, each fed by its own Poisson
        train from one inhomogeneous_poisson_generator (every target of a generator
        gets an independent train), all into the group's volume transmitter; the
        plastic synapses are burst/dip synapse copies on that transmitter. The units
        fire tonically from the start (warm-up included) until `set_snc_steps`."""
        dopamine = self.plan.dopamine
        signal = dopamine.signal
        h = self.plan.simulation.resolution_ms
        for group, population in signal.groups.items():
            snc = nest.Create(RELAY_MODEL, signal.units)
            drive = nest.Create("inhomogeneous_poisson_generator",
                                params={"rate_times": [h], "rate_values": [signal.tonic_Hz],
                                        "allow_offgrid_times": True})
            vt = nest.Create("volume_transmitter",
                             params={"deliver_interval": dopamine.deliver_interval})
            nest.Connect(drive, snc, "all_to_all")
            nest.Connect(snc, vt, "all_to_all")
            self.nodes[population] = snc
            self.snc_drive[group] = drive
            self.volume_transmitters[group] = vt
        self.plastic_targets = dict(signal.targets)
        for key, base in PLASTIC_MODEL.items():
            cell = key.split("_")[1]
            self.plastic_models[key] = signal.synapse_models(base)
            for group, (model, _) in self.plastic_models[key].items():
                params = {**dopamine.stdp_common, **signal.amplitudes[cell],
                          "volume_transmitter": self.volume_transmitters[group]}
                if model not in nest.synapse_models:
                    nest.CopyModel(signal.synapse_model, model, params)
                else:
                    nest.SetDefaults(model, params)
        self.dopamine_event = None

    def set_snc_steps(self, group: str, times_ms, rates_Hz) -> None:
        """Signal models: group `group`'s units fire at rates_Hz[k] from times_ms[k]
        (absolute ms) until the next time, the last rate onwards. Times not after now
        take effect one step from now (NEST's generator needs future times; until then
        the rate programmed before holds)."""
        now, h = self.time_ms, self.plan.simulation.resolution_ms
        times = np.maximum(np.asarray(times_ms, dtype=float), now + h)
        rates = np.asarray(rates_Hz, dtype=float)
        keep = np.append(times[1:] > times[:-1], True)  # of equal times, the last rate
        self.snc_drive[group].set(rate_times=times[keep].tolist(),
                                  rate_values=rates[keep].tolist())

    def set_dopamine_event(self, event: str) -> None:
        """Route the plastic synapses to `event`'s volume transmitter and amplitudes."""
        for key, model in PLASTIC_MODEL.items():
            cell = key.split("_")[1]
            nest.SetDefaults(model, {"volume_transmitter": self.volume_transmitters[event],
                                     **self.plan.dopamine.amplitudes[event][cell]})
        self.dopamine_event = event

    # ------------------------------------------------------------------ connect
    def connect(self) -> None:
        """Wire every ConnectionPlan of the plan."""
        for plan in self.plan.connections:
            self.connect_one(plan)

    def _syn_spec(self, plan: ConnectionPlan, model: str):
        specs = [{"synapse_model": model, "weight": w, "delay": plan.delay_ms,
                  "receptor_type": plan.ports[r]} for r, w in plan.weights.items()]
        return specs[0] if len(specs) == 1 else nest.CollocatedSynapses(*specs)

    def connect_one(self, plan: ConnectionPlan) -> None:
        """Wire one ConnectionPlan: static synapses, or the plastic model of each SNc
        group with its share of the in-degree.

        With several groups, every MSN draws share_g * K plastic sources for group g
        (the group's synapse-model copy, on its transmitter), each share wired as below:
        the mean in-degree stays K, and which synapses a group reaches is random. Routed
        by channel (SignalPlan.targets), each group's block of MSNs draws all K."""
        models = self.plastic_models.get(plan.synapse_model, {None: ("static_synapse", 1.0)})
        if plan.synapse_model in self.plastic_models and self.plastic_targets:
            # Routed by channel: each group's MSNs (a block of the layer) get their whole
            # in-degree on the group's model.
            for group, (model, _) in models.items():
                start, stop = self.plastic_targets[group][plan.target]
                if stop > start:
                    self._connect_indegree(plan, plan.indegree, model,
                                           self.nodes[plan.target][start:stop])
            return
        for model, share in models.values():
            indegree = plan.indegree if len(models) == 1 else plan.indegree * share
            self._connect_indegree(plan, indegree, model)

    def _connect_indegree(self, plan: ConnectionPlan, indegree: float, model: str,
                          target=None) -> None:
        """fixed_indegree for floor(K) sources per target, then pairwise_bernoulli for the
        fractional remainder, so that the mean in-degree is K.

        Focused projections draw sources inside a circular mask on the periodic layer.
        A diffuse mask covers the whole layer, so it is wired without a mask: NEST's
        oversized masks on periodic layers count some sources more than once."""
        source = self.nodes[plan.source]
        target = self.nodes[plan.target] if target is None else target
        fraction = mask_fraction(plan.mask_radius, self.plan.extent)
        spatial = {}
        if fraction < 1.0:
            spatial = {"mask": {"circular": {"radius": plan.mask_radius}}}
        whole = int(math.floor(indegree))
        if whole > 0:
            nest.Connect(source, target,
                         {"rule": "fixed_indegree", "indegree": whole,
                          "allow_multapses": not plan.distinct_sources,
                          "allow_autapses": False, **spatial},
                         self._syn_spec(plan, model))
        remainder = indegree - whole
        if remainder > 1e-12:
            in_mask = len(source) * fraction
            p = min(1.0, remainder / in_mask)
            nest.Connect(source, target,
                         {"rule": "pairwise_bernoulli", "p": p, "allow_autapses": False,
                          **spatial},
                         self._syn_spec(plan, model))

    # ------------------------------------------------------------------ recording
    def record_spikes(self, populations, start_ms: float = 0.0) -> None:
        """Attach an in-memory spike recorder to each named population."""
        for name in populations:
            rec = nest.Create("spike_recorder", params={"record_to": "memory",
                                                        "start": float(start_ms)})
            nest.Connect(self.nodes[name], rec)
            self.recorders[name] = rec

    def take_spikes(self, name: str) -> SpikeData:
        """Spikes recorded since the last call (then cleared from memory), sorted by
        time and sender: the same arrays however NEST split the network over threads
        and MPI ranks."""
        rec = self.recorders[name]
        events = rec.get("events")
        first = self.nodes[name][0].global_id
        senders = np.asarray(events["senders"], dtype=np.int64) - first
        times = np.asarray(events["times"], dtype=float)
        rec.set(n_events=0)
        if kernel.processes() > 1:
            # Each MPI rank recorded its own neurons: every rank gets all spikes.
            senders, times = mpi.allgather_concat(senders, times)
        order = np.lexsort((senders, times))
        return SpikeData(senders=senders[order], times=times[order])

    # ------------------------------------------------------------------ stimulation
    def add_channel_stimulus(self, key: str, input_name: str, relay_indices) -> None:
        """An extra Poisson input (rate 0 until set) onto chosen relays of an input,
        each relay receiving its own independent train."""
        if self.loaded_relays:
            self.poisson_inputs.add_stimulus(key, input_name, relay_indices)
            self._inputs_dirty = True
            return
        relays = self.nodes[input_name]
        ids = sorted(int(relays[int(i)].global_id) for i in relay_indices)
        gen = nest.Create("poisson_generator_ps", params={"rate": 0.0})
        nest.Connect(gen, nest.NodeCollection(ids), "all_to_all")
        self.stimuli[key] = gen

    def set_stimulus(self, key: str, rate_Hz: float, start_ms: float, stop_ms: float) -> None:
        """Extra rate of stimulus `key` during [start_ms, stop_ms) (absolute times)."""
        if self.loaded_relays:
            self.poisson_inputs.set_stimulus(key, rate_Hz, start_ms, stop_ms)
            self._inputs_dirty = True
            return
        self.stimuli[key].set(rate=float(rate_Hz), start=float(start_ms), stop=float(stop_ms))

    def _load_inputs(self, until_ms: float) -> None:
        """Draw and load the relays' trains from now to `until_ms` (or the horizon)."""
        now = self.time_ms
        end = max(until_ms, now + self.input_horizon_ms)
        for name in self.poisson_inputs.sizes:
            trains = self.poisson_inputs.draw(name, now, end)
            self.nodes[name].set([{"spike_times": t} for t in trains])
        self._inputs_loaded_until = end
        self._inputs_dirty = False

    def set_snc(self, event: str, rate_Hz: float, start_ms: float, stop_ms: float) -> None:
        """SNc relays of `event` fire at rate_Hz in [start_ms, stop_ms)."""
        self.snc_drive[event].set(rate=float(rate_Hz), start=float(start_ms),
                                  stop=float(stop_ms))

    # ------------------------------------------------------------------ run
    def simulate(self, duration_ms: float) -> None:
        """Advance the network; input trains are (re)drawn when the stimuli changed or
        the loaded ones run out.

        Long calls run in pieces of at most `simulation.run_piece_ms`, so that SIGTERM
        and SIGINT (handled in Python between pieces) stop a run within seconds."""
        if self.loaded_relays:
            until = self.time_ms + float(duration_ms)
            if self._inputs_dirty or until > self._inputs_loaded_until:
                self._load_inputs(until)
        h = self.plan.simulation.resolution_ms
        steps = int(round(float(duration_ms) / h))
        piece = max(1, int(round(self.plan.simulation.run_piece_ms / h)))
        with nest.RunManager():
            while steps > 0:
                n = min(piece, steps)
                nest.Run(n * h)
                steps -= n

    @property
    def time_ms(self) -> float:
        return float(nest.biological_time)

    def connections(self, source: str, target: str, synapse_model: str | None = None,
                    targets=None, sources=None):
        """NEST SynapseCollection between two populations (optionally onto the target
        neurons with indices `targets` only, and from the source neurons with indices
        `sources` only: reading few connections back is much faster). A plastic model
        of several SNc groups gives a list, one collection per group."""
        tgt = self.nodes[target]
        if targets is not None:
            tgt = tgt[np.asarray(sorted(targets), dtype=int).tolist()]
        src = self.nodes[source]
        if sources is not None:
            src = src[np.unique(np.asarray(sources, dtype=int)).tolist()]
        kw = {"source": src, "target": tgt}
        if synapse_model in self.plastic_models:
            models = [m for m, _ in self.plastic_models[synapse_model].values()]
            if len(models) > 1:
                return [nest.GetConnections(synapse_model=m, **kw) for m in models]
            kw["synapse_model"] = models[0]
        elif synapse_model:
            kw["synapse_model"] = synapse_model
        return nest.GetConnections(**kw)

    def connection_table(self, source: str, target: str, synapse_model: str | None = None,
                         targets=None, sources=None):
        """(source index, target index, weight, receptor) arrays of one pathway."""
        conns = self.connections(source, target, synapse_model, targets, sources)
        keys = ("source", "target", "weight", "receptor")
        columns = {k: [] for k in keys}
        for piece in (conns if isinstance(conns, list) else [conns]):
            if len(piece) == 0:
                continue
            data = piece.get(list(keys))
            for k in keys:
                columns[k].append(np.atleast_1d(data[k]))
        if not columns["source"]:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(0), empty
        src = np.concatenate(columns["source"]).astype(np.int64) - self.nodes[source][0].global_id
        tgt = np.concatenate(columns["target"]).astype(np.int64) - self.nodes[target][0].global_id
        table = (src, tgt, np.concatenate(columns["weight"]).astype(float),
                 np.concatenate(columns["receptor"]).astype(np.int64))
        if kernel.processes() > 1:
            # Connections live on their target's MPI rank: gather the whole pathway.
            table = mpi.allgather_concat(*table)
        return table

    @property
    def processes(self) -> int:
        """MPI processes running this network."""
        return kernel.processes()

    @property
    def virtual_processes(self) -> int:
        """Threads times processes (bgmodel.simulator.synapse_set orders synapses by them)."""
        return kernel.virtual_processes()

    def num_connections(self) -> int:
        return int(nest.num_connections)

    # ------------------------------------------------------------------ synapse sets
    # Read and written with bgmodel.simulator.synapse_io.
    def plastic_model_names(self, group: str | None = None) -> tuple:
        """NEST models of the plastic synapses (D1 then D2; group by group), or of
        SNc group `group`'s synapses only."""
        return tuple(model for per_group in self.plastic_models.values()
                     for g, (model, _) in per_group.items() if group is None or g == group)

    def plastic_synapses(self, target: str | None = None, indices=None,
                         group: str | None = None) -> SynapseSet:
        """The plastic corticostriatal synapses: all of them, or those onto neurons
        `indices` (into population `target`, MSN_D1 or MSN_D2); with `group`, only
        those on SNc group `group`'s transmitter. Make them after the first simulate:
        NEST sorts its connections then. With the extension loaded, a subset also
        carries its bulk positions (synapse_bulk.read_weights_at)."""
        kw = {}
        models = self.plastic_model_names(group)
        if not models:
            raise KeyError(f"no plastic synapses of SNc group {group!r}; groups: "
                           f"{sorted(g for m in self.plastic_models.values() for g in m)}")
        if target is not None:
            pop = self.nodes[target]
            if indices is not None:
                ids = sorted(int(pop[int(i)].global_id) for i in indices)
                pop = nest.NodeCollection(ids) if ids else None
            if pop is None:
                return SynapseSet(())
            kw["target"] = pop
        collections = tuple(nest.GetConnections(synapse_model=model, **kw)
                            for model in models)
        if not kw:
            return SynapseSet(collections, models=models)
        positions = None
        if synapse_bulk.available() and self.time_ms > 0:
            ids = np.asarray(kw["target"].tolist(), dtype=np.int64)
            positions = {m: np.flatnonzero(np.isin(self._bulk_targets(m), ids))
                         for m in models}
        return SynapseSet(collections, models=models, positions=positions)

    def _bulk_targets(self, model: str) -> np.ndarray:
        """Target node ids of a plastic model's synapses on this process, in bulk order
        (read once: connections do not change after the first simulate)."""
        if model not in self._targets_in_bulk_order:
            data = synapse_bulk.read((model,), weights=False)
            self._targets_in_bulk_order[model] = data["target"]
        return self._targets_in_bulk_order[model]

    def set_outgoing_weight_factor(self, source: str, factor: float) -> int:
        """Set every synapse from population `source` to its planned weight times
        `factor` (striatum.eta on the D2 MSNs); return how many synapses were set.

        The weights are set from the plan, not read back and multiplied: reading
        millions of weights from NEST takes minutes, and these static synapses keep
        their planned weight. Setting is idempotent, so a resumed run applies the same
        factor again."""
        plans = [c for c in self.plan.connections if c.source == source]
        weights: dict = {}
        for c in plans:
            if c.synapse_model != "static" or len(c.weights) != 1:
                raise ValueError(f"{c.projection} {c.source}->{c.target}: only static "
                                 "synapses with one receptor can be rescaled from the plan")
            w = next(iter(c.weights.values()))
            if weights.setdefault(c.target, w) != w:
                raise ValueError(f"{source}->{c.target} has several planned weights")
        total = 0
        for target, w in weights.items():
            conns = nest.GetConnections(source=self.nodes[source], target=self.nodes[target],
                                        synapse_model="static_synapse")
            if len(conns):
                conns.set(weight=float(w * factor))
            total += len(conns)
        return total


def build_network(plan: NetworkPlan, threads: int | None = None,
                  seed: int | None = None) -> Network:
    """Set up the kernel, create and connect: the whole network, ready to simulate."""
    net = Network(plan, threads=threads, seed=seed)
    net.setup_kernel()
    net.create()
    net.connect()
    return net
