"""From a validated configuration to everything the builder needs, without NEST.

`derive_network(config)` returns a `NetworkPlan`, everything the builder
(bgmodel.simulator.network) needs and all it reads: the kernel settings, the populations
with their scaled sizes, positions and channel membership, one `ConnectionPlan` record
per (source population, target population, receptor set) with its in-degree, weights,
delay, mask and synapse model, and the `DopaminePlan` (SNc groups, their volume
transmitters, the STDP parameters of the plastic synapses per dopamine event). The striatal specifics are explicit steps with their own
names: `split_msn_targets` (D1/D2 targets), `split_msn_to_pallidum` (lambda overlap),
`split_msn_collaterals` (structural and functional asymmetry) and the plastic
corticostriatal synapses.

Formulas (model-spec.md, "Derived quantities"):
    nu = alpha                                   for sources without anatomical count
    nu = count_src / count_tgt * p * alpha       otherwise
    K  = min(nu / R, N_src)                      N_src: full-scale source size
    a  = cosh(LX (1 - d)) / cosh(LX),  LX = lx sqrt(4 Ri / (dx Rm))
    w  = nu / K * a * wPSP * gain
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np

MSN_D1, MSN_D2 = "MSN_D1", "MSN_D2"
EXCITATORY_RECEPTORS = ("AMPA", "NMDA")
INHIBITORY_RECEPTORS = ("GABA",)


@dataclass(frozen=True)
class Population:
    """One population to create: BG neurons, input relays or SNc relays."""

    name: str
    kind: str  # "nucleus", "input" or "snc"
    size: int
    positions: np.ndarray | None  # (size, 2) in the unit square, None for SNc
    channels: tuple  # per channel: indices (0-based, into this population) inside it
    params: Mapping = field(default_factory=dict)  # NEST neuron parameters
    rate_Hz: float = 0.0  # background rate of input relays


@dataclass(frozen=True)
class ProjectionDerivation:
    """Numbers of one projection of model-spec.md before the striatal splits."""

    name: str
    source: str
    target: str
    nu: float
    indegree: float
    attenuation: float
    weights: Mapping[str, float]  # receptor -> weight (pA)
    delay_ms: float
    mask_radius: float
    spatial: str


@dataclass(frozen=True)
class ConnectionPlan:
    """One call of the builder: source population -> target population."""

    projection: str
    source: str
    target: str
    indegree: float  # mean in-degree per target neuron (fractional part drawn)
    weights: Mapping[str, float]  # receptor -> weight; AMPA+NMDA share their pairs
    ports: Mapping[str, int]
    delay_ms: float
    mask_radius: float
    synapse_model: str  # "static" or "plastic_D1" / "plastic_D2"
    role: str = "main"  # which striatal step made it
    distinct_sources: bool = False  # floor(K) drawn without replacement (no multapses)

    @property
    def integer_indegree(self) -> int:
        return int(math.floor(self.indegree))

    @property
    def fractional_indegree(self) -> float:
        return self.indegree - math.floor(self.indegree)


@dataclass(frozen=True)
class SimulationPlan:
    """Kernel and run settings of the builder (the `simulation` section and the neuron
    model)."""

    resolution_ms: float
    threads: int
    seed: int
    relay_model: str  # "bg_spike_relay", "spike_train_injector" or "parrot_neuron"
    input_horizon_ms: float
    run_piece_ms: float
    neuron_model: str  # NEST model of every BG neuron


@dataclass(frozen=True)
class SncGroup:
    """The SNc relays of one dopamine event, which drive that event's volume
    transmitter when the event is delivered."""

    event: str
    population: str  # snc_population(event)
    neurons: int
    rate_Hz: float  # while the event is delivered
    duration_ms: float


BURST_DIP_SYNAPSE = "bg_stdp_dopamine_burst_dip_synapse"  # bgmodel's NEST extension


@dataclass(frozen=True)
class SignalPlan:
    """The spiking SNc of a signal dopamine model (dopamine.model not `rule`).

    Per group, `units` SNc relays firing tonically at `tonic_Hz` (each fed by its own
    Poisson train of one inhomogeneous_poisson_generator) drive one volume transmitter.
    The plastic synapses are copies of `synapse_model` with, per cell (D1, D2), a
    baseline `amplitudes[cell]["b"]` (spikes/ms), the burst set (used while n > b) and
    the dip set (while n < b) of amplitudes. `b` is the mean arriving rate,
    units * tonic_Hz / 1000.

    Calibration (docs/dopamine.md), per cell: the paper's burst amplitudes times
    `burst_scale` = rule burst spikes / the model's burst excess, the paper's dip
    amplitudes negated and times `dip_scale` = rule dip spikes / the model's pause
    deficit, so that a rewarded (punished) episode changes the weights as much as the
    rule's burst (dip) at the same eligibility. With dopamine.baseline `mean_rate` the
    baseline is `b` and excess and deficit are the linear spike counts of base.py; with
    `neutral` (the default) the baseline and both gains are chosen together so that
    tonic firing is neutral (bgmodel.dopamine.baseline)."""

    model: str
    groups: Mapping[str, str]  # group -> population name
    units: int
    tonic_Hz: float
    b: float
    synapse_model: str
    amplitudes: Mapping[str, Mapping[str, float]]  # cell -> A_plus_burst, ..., A_minus_dip
    calibration: Mapping[str, float]
    # group -> share of every MSN's plastic in-degree that its transmitter reaches
    shares: Mapping[str, float] = field(default_factory=dict)
    # Routing by channel (the vector model): group -> {MSN_D1: (start, stop), MSN_D2:
    # ...}, the contiguous block of each MSN layer whose plastic synapses (all of them)
    # are on the group's transmitter; empty: every group reaches its share of every MSN.
    targets: Mapping[str, Mapping[str, tuple]] = field(default_factory=dict)

    def synapse_models(self, base: str) -> dict:
        """Group -> (NEST model name of the group's copy of the plastic model `base`,
        the group's share). One group keeps `base` itself (the runs before groups
        existed, bit for bit); several get `base`_<group>, each on its group's
        transmitter."""
        shares = self.shares or {g: 1.0 / len(self.groups) for g in self.groups}
        if len(self.groups) == 1:
            return {g: (base, shares[g]) for g in self.groups}
        return {g: (f"{base}_{g}", shares[g]) for g in self.groups}


@dataclass(frozen=True)
class DopaminePlan:
    """SNc groups and volume transmitters, one per dopamine event (in config order:
    the first is where the plastic synapses start), and the plastic synapses' STDP
    parameters: those common to all, and the amplitudes per event and cell (D1, D2).
    With a signal model (`signal` set) the events are not built: the spiking SNc of
    `signal` is."""

    groups: Mapping[str, SncGroup]
    deliver_interval: int  # of the volume transmitters (multiples of the min delay)
    stdp_common: Mapping[str, float]
    amplitudes: Mapping[str, Mapping[str, Mapping[str, float]]]  # event -> cell -> A_*
    model: str = "rule"
    signal: SignalPlan | None = None


@dataclass(frozen=True)
class NetworkPlan:
    """Everything the builder needs; pure data."""

    populations: Mapping[str, Population]
    connections: tuple
    projections: Mapping[str, ProjectionDerivation]
    channel_centres: np.ndarray
    scale: float
    extent: float
    input_scale: float = 1.0
    simulation: SimulationPlan | None = None
    dopamine: DopaminePlan | None = None


# ----------------------------------------------------------------------------- geometry
def channel_centres(channels: Mapping) -> np.ndarray:
    """Centres of the action channels: corners of a hexagon around the origin."""
    angles = np.deg2rad(channels["first_corner_angle_deg"] + 60.0 * np.arange(channels["count"]))
    return channels["hex_radius"] * np.column_stack([np.cos(angles), np.sin(angles)])


def periodic_distance(points: np.ndarray, centre: np.ndarray, extent: float) -> np.ndarray:
    """Euclidean distance on the periodic square of side `extent` (a number, or one per
    axis) from `centre`: one point, or one per row of `points`."""
    delta = np.abs(points - centre)
    delta = np.minimum(delta, extent - delta)
    return np.hypot(delta[:, 0], delta[:, 1])


def channel_members(positions: np.ndarray, centres: np.ndarray, radius: float,
                    extent: float) -> tuple:
    """Indices of the neurons inside each channel disc."""
    return tuple(np.flatnonzero(periodic_distance(positions, c, extent) <= radius)
                 for c in centres)


def channel_block_keys(positions: np.ndarray, centres: np.ndarray, radius: float,
                       extent: float, channels) -> np.ndarray:
    """Per neuron, the place of the first of `channels` whose disc holds it, or
    len(channels) when none does (the rest)."""
    keys = np.full(len(positions), len(channels), dtype=np.int64)
    for k in reversed(range(len(channels))):
        inside = periodic_distance(positions, centres[channels[k]], extent) <= radius
        keys[inside] = k
    return keys


def sort_by_channel(positions: np.ndarray, centres: np.ndarray, radius: float,
                    extent: float, channels) -> np.ndarray:
    """The positions reordered so that the neurons of each of `channels` come in one
    block, in the order of `channels`, then the rest (stable: each block keeps the
    drawn order). NEST connects spatially only onto a contiguous slice of a layer."""
    keys = channel_block_keys(positions, centres, radius, extent, channels)
    return positions[np.argsort(keys, kind="stable")]


def channel_blocks(positions: np.ndarray, centres: np.ndarray, radius: float,
                   extent: float, channels) -> list:
    """[(start, stop)] of each of `channels`, then of the rest, in positions sorted by
    `sort_by_channel`."""
    keys = channel_block_keys(positions, centres, radius, extent, channels)
    if np.any(np.diff(keys) < 0):
        raise ValueError("positions not sorted by channel (sort_by_channel)")
    bounds = np.searchsorted(keys, np.arange(len(channels) + 2))
    return [(int(bounds[k]), int(bounds[k + 1])) for k in range(len(channels) + 1)]


def channel_routing(cfg: Mapping) -> dict | None:
    """Group -> channel (None: the MSNs outside every routed channel) of a dopamine
    model that routes by channel (the vector model, per_channel); None otherwise."""
    from ..dopamine.registry import DEFAULT_SECTION, MODELS, make_model
    section = cfg.get("dopamine", DEFAULT_SECTION)
    if section["model"] not in MODELS:
        return None
    return make_model(section, np.random.default_rng(0)).synapse_channels()


def routed_channels(routing: Mapping) -> list:
    return [c for c in routing.values() if c is not None]


def grid_positions(n: int, extent: float, rng: np.random.Generator,
                   box: Mapping | None = None) -> np.ndarray:
    """`n` positions on a regular grid: the smallest square grid that holds n points,
    of which a random subset of n is kept (sorted, row by row).

    Without `box` the grid fills the layer and each point is its cell's centre (the
    spec). A `box` ({lower, size, points}) puts the grid's cells in the square
    [lower, lower + size)^2 and each point at its cell's centre or lower-left corner;
    the authors' code uses corners, on [-0.4, 0.5) for GPi and STN."""
    side = int(math.ceil(math.sqrt(n)))
    if box is None:
        lower, size, offset = -extent / 2, extent, 0.5
    else:
        lower, size = box["lower"], box["size"]
        offset = 0.5 if box["points"] == "centre" else 0.0
    coords = (np.arange(side) + offset) / side * size + lower
    xx, yy = np.meshgrid(coords, coords, indexing="ij")
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    if len(grid) > n:
        grid = grid[np.sort(rng.choice(len(grid), size=n, replace=False))]
    return grid


def uniform_positions(n: int, extent: float, rng: np.random.Generator) -> np.ndarray:
    """`n` positions drawn uniformly in the square [-extent/2, extent/2)^2."""
    return rng.uniform(-extent / 2, extent / 2, size=(n, 2))


# ----------------------------------------------------------------------------- formulas
def input_scale(sim: Mapping) -> float:
    """Factor on the input relays: simulation.input_scale, or simulation.scale if null."""
    value = sim.get("input_scale")
    return sim["scale"] if value is None else value


def scaled_size(n: int, scale: float) -> int:
    """Neurons kept at `scale` (at least one)."""
    return max(1, int(round(n * scale)))


def attenuation(nucleus: Mapping, d: float, Ri: float, Rm: float) -> float:
    """Dendritic attenuation of a contact at distal fraction d on the target."""
    lx = nucleus["lx_m"] * math.sqrt(4.0 * Ri / (nucleus["dx_m"] * Rm))
    return math.cosh(lx * (1.0 - d)) / math.cosh(lx)


def source_count(cfg: Mapping, name: str):
    """Anatomical count of a nucleus or input (None: nu = alpha)."""
    if name in cfg["nuclei"]:
        return cfg["nuclei"][name]["anatomical_count"]
    return cfg["inputs"][name]["anatomical_count"]


def full_size(cfg: Mapping, name: str) -> int:
    if name in cfg["nuclei"]:
        return cfg["nuclei"][name]["neurons"]
    return cfg["inputs"][name]["relays"]


def is_excitatory(cfg: Mapping, source: str) -> bool:
    if source in cfg["inputs"]:
        return True
    return cfg["nuclei"][source]["transmitter"] == "glutamate"


def derive_projection(cfg: Mapping, name: str) -> ProjectionDerivation:
    """nu, in-degree, attenuation and weights of one projection (model-spec.md)."""
    proj = cfg["projections"][name]
    source, target = name.split("->")
    conn = cfg["connectivity"]
    count_src = source_count(cfg, source)
    if count_src is None:
        nu = float(proj["alpha"])
    else:
        count_tgt = cfg["nuclei"][target]["anatomical_count"]
        nu = count_src / count_tgt * proj["p"] * proj["alpha"]
    indegree = min(nu / conn["redundancy"], float(full_size(cfg, source)))
    att = attenuation(cfg["nuclei"][target], proj["d"], conn["Ri"], conn["Rm"])
    receptors = EXCITATORY_RECEPTORS if is_excitatory(cfg, source) else INHIBITORY_RECEPTORS
    weights = {}
    if indegree > 0:
        weights = {r: nu / indegree * att * cfg["receptors"][r]["wPSP"] * proj["gain"]
                   for r in receptors}
    radius = conn["focused_radius"] if proj["spatial"] == "focused" else conn["diffuse_radius"]
    return ProjectionDerivation(name=name, source=source, target=target, nu=nu,
                                indegree=indegree, attenuation=att, weights=weights,
                                delay_ms=proj["delay_ms"], mask_radius=radius,
                                spatial=proj["spatial"])


# ----------------------------------------------------------------------------- striatum
def _plan(cfg, d: ProjectionDerivation, source, target, indegree, weight_factor=1.0,
          synapse_model="static", role="main") -> ConnectionPlan:
    ports = {r: cfg["receptors"][r]["port"] for r in d.weights}
    if cfg["connectivity"]["fractional_indegree"] == "drop":
        # Weights stay nu / K: only the number of synapses changes, as in the authors' code.
        # (1e-9: a share such as 0.5 * 70 may land just below its integer)
        indegree = float(math.floor(indegree + 1e-9))
    distinct = d.name in cfg["connectivity"].get("distinct_sources", ())
    return ConnectionPlan(projection=d.name, source=source, target=target, indegree=indegree,
                          weights={r: w * weight_factor for r, w in d.weights.items()},
                          ports=ports, delay_ms=d.delay_ms, mask_radius=d.mask_radius,
                          synapse_model=synapse_model, role=role,
                          distinct_sources=distinct)


def split_msn_targets(cfg, d: ProjectionDerivation) -> list:
    """A projection onto MSN reaches D1 and D2 alike, each with the full in-degree;
    CSN/PTN->MSN are plastic with D1- and D2-specific synapse models."""
    st = cfg["striatum"]
    if d.name in st["plastic_projections"]:
        gain = st["plastic_weight_gain"]
        return [_plan(cfg, d, d.source, MSN_D1, d.indegree, gain, "plastic_D1", "plastic"),
                _plan(cfg, d, d.source, MSN_D2, d.indegree, gain, "plastic_D2", "plastic")]
    return [_plan(cfg, d, d.source, MSN_D1, d.indegree),
            _plan(cfg, d, d.source, MSN_D2, d.indegree)]


def split_msn_to_pallidum(cfg, d: ProjectionDerivation) -> list:
    """lambda overlap: MSN->GPi takes 1-lambda of its in-degree from D1 and lambda from
    D2; MSN->GPe the reverse. Other MSN efferents split by d1_fraction."""
    lam = cfg["striatum"]["lambda"]
    if d.target == "GPi":
        d1_share = 1.0 - lam
    elif d.target == "GPe":
        d1_share = lam
    else:
        d1_share = cfg["striatum"]["d1_fraction"]
    plans = []
    for pop, share in ((MSN_D1, d1_share), (MSN_D2, 1.0 - d1_share)):
        if share > 0:
            plans.append(_plan(cfg, d, pop, d.target, d.indegree * share, role="lambda_split"))
    return plans


def split_msn_collaterals(cfg, d: ProjectionDerivation) -> list:
    """MSN->MSN asymmetries: in-degree fractions per D1/D2 pair (structural) and
    kappa on the weights of D2 collaterals (functional)."""
    st = cfg["striatum"]
    pops = {"D1": MSN_D1, "D2": MSN_D2}
    plans = []
    for pair, fraction in st["collateral_indegree_fraction"].items():
        src, tgt = pair.split("->")
        factor = st["kappa"] if src == "D2" else 1.0
        if fraction > 0:
            plans.append(_plan(cfg, d, pops[src], pops[tgt], d.indegree * fraction, factor,
                               role="asymmetry"))
    return plans


def plan_connections(cfg: Mapping, d: ProjectionDerivation) -> list:
    """The builder's records for one projection."""
    if d.indegree <= 0:
        return []
    if d.source == "MSN" and d.target == "MSN":
        return split_msn_collaterals(cfg, d)
    if d.source == "MSN":
        return split_msn_to_pallidum(cfg, d)
    if d.target == "MSN":
        return split_msn_targets(cfg, d)
    return [_plan(cfg, d, d.source, d.target, d.indegree)]


# ----------------------------------------------------------------------------- network
def neuron_params(cfg: Mapping, nucleus: Mapping) -> dict:
    """NEST parameters of the BG neuron for one nucleus (iaf_psc_alpha_multisynapse and
    bg_iaf_psc_alpha_2port take the same ones)."""
    common = cfg["neuron_model"]
    # One synaptic time constant per port; receptors may share a port when their time
    # constants are equal (config validation checks it), which sums their currents.
    taus = {r["port"]: r["tau_syn_ms"] for r in cfg["receptors"].values()}
    return {
        "C_m": nucleus["C_m_pF"], "tau_m": nucleus["tau_m_ms"], "V_th": nucleus["V_th_mV"],
        "I_e": nucleus["I_e_pA"], "E_L": common["E_L_mV"], "V_reset": common["V_reset_mV"],
        "V_m": common["V_m_init_mV"], "V_min": common["V_min_mV"],
        "t_ref": common["t_ref_ms"], "tau_syn": [taus[p] for p in sorted(taus)],
    }


def stdp_common_params(cfg: Mapping) -> dict:
    """NEST parameters shared by every plastic synapse model (stdp_dopamine_synapse)."""
    plast = cfg["plasticity"]
    return {"tau_plus": plast["tau_plus_ms"], "tau_c": plast["tau_c_ms"],
            "tau_n": plast["tau_n_ms"], "Wmax": plast["Wmax"], "Wmin": plast["Wmin"],
            "b": plast["b"]}


def stdp_amplitudes(cfg: Mapping, event: str, cell: str) -> dict:
    """A_plus and A_minus of `cell`'s (D1, D2) plastic synapses during `event`."""
    plast = cfg["plasticity"]
    amps = plast["amplitudes_in_dc"][event][cell]
    return {"A_plus": amps["A_plus"] * plast["dc"], "A_minus": amps["A_minus"] * plast["dc"]}


def derive_populations(cfg: Mapping, seed: int) -> dict:
    """Scaled sizes, positions and channel membership of every population.

    Positions come from a generator seeded by the run's seed, so the same seed gives
    the same layers whatever the thread count."""
    extent = cfg["connectivity"]["layer_extent"]
    centres = channel_centres(cfg["channels"])
    radius = cfg["channels"]["radius"]
    rng = np.random.default_rng([seed, 0xB6])
    pops: dict[str, Population] = {}

    def place(n, spec):
        if spec["placement"] == "uniform":
            return uniform_positions(n, extent, rng)
        return grid_positions(n, extent, rng, spec.get("grid_box"))

    sizes = population_sizes(cfg)
    routing = channel_routing(cfg)

    def msn_order(pos):
        # Dopamine routed by channel: each channel's MSNs in one block (the builder
        # connects a group's synapses onto a slice of the layer).
        if routing is None:
            return pos
        return sort_by_channel(pos, centres, radius, extent, routed_channels(routing))

    for name, nuc in cfg["nuclei"].items():
        params = neuron_params(cfg, nuc)
        if name == "MSN":
            n_d1 = sizes[MSN_D1]
            if cfg["striatum"]["msn_positions"] == "paired":
                # n // 2 places, each holding one D1 and one D2 MSN (an odd n loses one).
                d1_pos = msn_order(place(n_d1, nuc))
                halves = (d1_pos, d1_pos.copy())
            else:
                positions = place(n_d1 + sizes[MSN_D2], nuc)
                halves = (msn_order(positions[:n_d1]), msn_order(positions[n_d1:]))
            for sub, pos in zip((MSN_D1, MSN_D2), halves):
                pops[sub] = Population(sub, "nucleus", len(pos), pos,
                                       channel_members(pos, centres, radius, extent), params)
        else:
            n = sizes[name]
            pos = place(n, nuc)
            pops[name] = Population(name, "nucleus", n, pos,
                                    channel_members(pos, centres, radius, extent), params)
    for name, inp in cfg["inputs"].items():
        n = sizes[name]
        pos = place(n, inp)
        pops[name] = Population(name, "input", n, pos,
                                channel_members(pos, centres, radius, extent),
                                rate_Hz=inp["rate_Hz"])
    signal = derive_signal(cfg, pops)
    if signal is None:
        for event in cfg["snc"]["events"]:
            name = snc_population(event)
            pops[name] = Population(name, "snc", cfg["snc"]["neurons_per_event"], None, ())
    else:
        for name in signal.groups.values():
            pops[name] = Population(name, "snc", signal.units, None, ())
    return pops


def snc_population(event: str) -> str:
    """Name of the population of SNc relays of dopamine event `event`."""
    return f"SNc_{event}"


def rule_event_spikes(cfg: Mapping, event: str) -> float:
    """SNc spikes of one event of the rule (snc.events): relays * rate * duration."""
    spec = cfg["snc"]["events"][event]
    return cfg["snc"]["neurons_per_event"] * spec["rate_Hz"] * spec["duration_ms"] / 1000.0


def signal_targets(cfg: Mapping, routing: Mapping | None,
                   populations: Mapping | None) -> dict:
    """Group -> {MSN_D1: (start, stop), MSN_D2: ...} of a model routed by channel ({}
    otherwise): the blocks of the MSN layers sorted by `sort_by_channel`."""
    if routing is None:
        return {}
    if populations is None:
        populations = derive_populations(cfg, cfg["simulation"]["seed"])
    centres = channel_centres(cfg["channels"])
    radius, extent = cfg["channels"]["radius"], cfg["connectivity"]["layer_extent"]
    channels = routed_channels(routing)
    blocks = {cell: channel_blocks(populations[cell].positions, centres, radius, extent,
                                   channels) for cell in (MSN_D1, MSN_D2)}
    order = {c: k for k, c in enumerate(channels)}
    return {g: {cell: blocks[cell][order[c] if c is not None else len(channels)]
                for cell in (MSN_D1, MSN_D2)} for g, c in routing.items()}


def derive_signal(cfg: Mapping, populations: Mapping | None = None) -> SignalPlan | None:
    """The spiking SNc and burst/dip synapses of a signal dopamine model; None for
    `rule`. Amplitudes follow the calibration of SignalPlan's docstring."""
    from ..dopamine.registry import DEFAULT_SECTION, MODELS, make_model
    section = cfg.get("dopamine", DEFAULT_SECTION)
    if section["model"] not in MODELS:
        return None
    model = make_model(section, np.random.default_rng(0))  # static numbers only
    events = cfg["plasticity"]["amplitudes_in_dc"]
    if not {"burst", "dip"} <= set(events) or not {"burst", "dip"} <= set(cfg["snc"]["events"]):
        raise ValueError("a signal dopamine model needs the `burst` and `dip` events of "
                         "plasticity.amplitudes_in_dc and snc.events (its calibration)")
    rule_burst, rule_dip = rule_event_spikes(cfg, "burst"), rule_event_spikes(cfg, "dip")
    mean_b = model.baseline_b()
    amplitudes, calibration = {}, {"baseline": model.baseline_mode,
                                   "rule_burst_spikes": rule_burst, "rule_dip_spikes": rule_dip}
    for cell in ("D1", "D2"):
        burst, dip = stdp_amplitudes(cfg, "burst", cell), stdp_amplitudes(cfg, "dip", cell)
        cal = (mean_rate_calibration(model, rule_burst, rule_dip)
               if model.baseline_mode == "mean_rate"
               else neutral_calibration(cfg, model, burst, dip, rule_burst, rule_dip))
        b, burst_scale, dip_scale = cal.b, cal.burst_scale, cal.dip_scale
        calibration[cell] = {"b": b, "burst_scale": burst_scale, "dip_scale": dip_scale,
                             "model_burst_excess_spikes": cal.burst_excess,
                             "model_pause_deficit_spikes": cal.pause_deficit,
                             "tonic_neutral": cal.neutral}
        amplitudes[cell] = {"A_plus_burst": burst["A_plus"] * burst_scale,
                            "A_minus_burst": burst["A_minus"] * burst_scale,
                            "A_plus_dip": -dip["A_plus"] * dip_scale,
                            "A_minus_dip": -dip["A_minus"] * dip_scale,
                            "b": b}
    return SignalPlan(model=section["model"],
                      groups={g: snc_population(g) for g in model.groups},
                      units=model.units, tonic_Hz=model.tonic_Hz, b=mean_b,
                      synapse_model=BURST_DIP_SYNAPSE, amplitudes=amplitudes,
                      calibration=calibration, shares=model.synapse_shares(),
                      targets=signal_targets(cfg, model.synapse_channels(), populations))


# NEST's default tau_minus of the neurons' postsynaptic trace (ms); bgmodel sets no other.
TAU_MINUS_MS = 20.0


def mean_rate_calibration(model, rule_burst: float, rule_dip: float):
    """b = the mean arriving rate, gains from the linear spike counts of base.py
    (dopamine.baseline: mean_rate, the first version's numbers)."""
    from ..dopamine.baseline import Calibration
    excess, deficit = model.burst_excess_spikes(), model.pause_deficit_spikes()
    return Calibration(b=model.baseline_b(), burst_scale=rule_burst / excess,
                       dip_scale=rule_dip / deficit, neutral=None, burst_excess=excess,
                       pause_deficit=deficit, tonic_above=float("nan"),
                       tonic_below=float("nan"))


def neutral_calibration(cfg: Mapping, model, burst: Mapping, dip: Mapping,
                        rule_burst: float, rule_dip: float):
    """b and gains of one cell type's synapses for which tonic firing is neutral
    (bgmodel.dopamine.baseline)."""
    from ..dopamine import baseline
    plast = cfg["plasticity"]
    samples = baseline.cached_samples(model.units, model.tonic_Hz, float(plast["tau_n_ms"]),
                                      tuple(map(float, model.reference_burst())),
                                      tuple(map(float, model.reference_pause())))
    k_burst = baseline.eligibility_gain(burst, plast["tau_plus_ms"], TAU_MINUS_MS)
    k_dip = -baseline.eligibility_gain(dip, plast["tau_plus_ms"], TAU_MINUS_MS)
    return baseline.calibrate(samples, model.baseline_b(), k_burst, k_dip, rule_burst, rule_dip)


def derive_dopamine(cfg: Mapping, populations: Mapping | None = None) -> DopaminePlan:
    """SNc groups, volume transmitters and STDP parameters from `snc` and `plasticity`
    (the rule), or the spiking SNc of a signal model (`dopamine`; `populations` give
    the MSN blocks of a model that routes by channel)."""
    signal = derive_signal(cfg, populations)
    if signal is not None:
        common = dict(stdp_common_params(cfg), b=signal.b)
        return DopaminePlan(groups={}, deliver_interval=cfg["plasticity"]["deliver_interval"],
                            stdp_common=common, amplitudes={}, model=signal.model,
                            signal=signal)
    snc = cfg["snc"]
    groups = {event: SncGroup(event, snc_population(event), snc["neurons_per_event"],
                              float(spec["rate_Hz"]), float(spec["duration_ms"]))
              for event, spec in snc["events"].items()}
    amplitudes = {event: {cell: stdp_amplitudes(cfg, event, cell) for cell in ("D1", "D2")}
                  for event in snc["events"]}
    return DopaminePlan(groups=groups,
                        deliver_interval=cfg["plasticity"]["deliver_interval"],
                        stdp_common=stdp_common_params(cfg), amplitudes=amplitudes)


def derive_simulation(cfg: Mapping, seed: int) -> SimulationPlan:
    """Kernel and run settings (`simulation`, `neuron_model.model`)."""
    sim = cfg["simulation"]
    return SimulationPlan(resolution_ms=sim["resolution_ms"], threads=sim["threads"],
                          seed=seed, relay_model=sim["relay_model"],
                          input_horizon_ms=sim["input_horizon_ms"],
                          run_piece_ms=sim["run_piece_ms"],
                          neuron_model=cfg["neuron_model"]["model"])


def derive_network(cfg: Mapping, seed: int | None = None) -> NetworkPlan:
    """Derive the whole network from a validated config (dict or ResolvedConfig)."""
    data = getattr(cfg, "data", cfg)
    seed = data["simulation"]["seed"] if seed is None else seed
    projections = {name: derive_projection(data, name) for name in data["projections"]}
    connections = []
    for d in projections.values():
        # with fractional_indegree "drop", a share below one source is not wired at all
        connections.extend(c for c in plan_connections(data, d) if c.indegree > 0)
    populations = derive_populations(data, seed)
    return NetworkPlan(populations=populations,
                       connections=tuple(connections), projections=projections,
                       channel_centres=channel_centres(data["channels"]),
                       scale=data["simulation"]["scale"],
                       input_scale=input_scale(data["simulation"]),
                       extent=data["connectivity"]["layer_extent"],
                       simulation=derive_simulation(data, seed),
                       dopamine=derive_dopamine(data, populations))


def mask_fraction(radius: float, extent: float) -> float:
    """Fraction of a periodic square layer of side `extent` that a circular mask of
    `radius` covers (1 for a mask that covers the whole layer)."""
    if radius >= extent * math.sqrt(0.5):
        return 1.0
    if radius <= extent / 2:
        return math.pi * radius ** 2 / extent ** 2
    raise ValueError(f"mask radius {radius} between half the layer and its half-diagonal "
                     "is not supported")


# At most this share of the sources inside a mask can be drawn without replacement: the
# pool varies with each target's position around its mean.
DISTINCT_DRAW_LIMIT = 0.8


def population_sizes(cfg: Mapping) -> dict:
    """Neurons of each BG and input population at the config's scales (derive_populations'
    sizes, without placing anyone)."""
    scale = cfg["simulation"]["scale"]
    sizes = {}
    for name, nuc in cfg["nuclei"].items():
        n = scaled_size(nuc["neurons"], scale) if nuc["scaled"] else nuc["neurons"]
        if name == "MSN":
            if cfg["striatum"]["msn_positions"] == "paired":
                sizes[MSN_D1] = sizes[MSN_D2] = n // 2
            else:
                sizes[MSN_D1] = int(round(n * cfg["striatum"]["d1_fraction"]))
                sizes[MSN_D2] = n - sizes[MSN_D1]
        else:
            sizes[name] = n
    for name, inp in cfg["inputs"].items():
        sizes[name] = scaled_size(inp["relays"], input_scale(cfg["simulation"]))
    return sizes


def distinct_sources_shortfalls(cfg: Mapping) -> dict:
    """Projections of connectivity.distinct_sources whose masks hold too few sources to
    draw floor(K) distinct ones: name -> why (empty when every one fits)."""
    sizes = population_sizes(cfg)
    extent = cfg["connectivity"]["layer_extent"]
    problems = {}
    for name in cfg["connectivity"].get("distinct_sources", ()):
        for plan in plan_connections(cfg, derive_projection(cfg, name)):
            pool = sizes[plan.source] * mask_fraction(plan.mask_radius, extent)
            if plan.integer_indegree > DISTINCT_DRAW_LIMIT * pool:
                problems[name] = (
                    f"{name} draws {plan.integer_indegree} distinct {plan.source} sources "
                    f"per {plan.target} neuron, but its mask holds about {pool:.0f} of the "
                    f"{sizes[plan.source]} at this scale (at most "
                    f"{DISTINCT_DRAW_LIMIT:.0%} of them can be drawn); remove it from the "
                    "list or use a larger simulation.scale / input_scale")
                break
    return problems


def population_of_nucleus(name: str) -> tuple:
    """Populations that make up a nucleus name (MSN is D1 + D2)."""
    return (MSN_D1, MSN_D2) if name == "MSN" else (name,)
