"""Typed schema of bgmodel's configuration, with a docstring on every field.

The schema is data: `Field`, `Record`, `MapOf` and `ListOf` nodes that know how to check
a value and say what is allowed. `validate(config, provenance)` walks a merged config and
raises `ConfigError` naming the file that set the offending value, its key path, the
value and what is allowed. Protocol sections are registered per protocol name with
`register_protocol`, so new protocols add their schema without touching this module.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .nest_extension import MODEL as TWO_PORT_MODEL


class ConfigError(ValueError):
    """A configuration value is not allowed.

    Attributes
    ----------
    source : str
        File (or ``--set``) that set the value.
    path : str
        Dotted key path, e.g. ``striatum.lambda``.
    value : Any
        The offending value.
    allowed : str
        What would have been accepted.
    """

    def __init__(self, source: str, path: str, value: Any, allowed: str):
        self.source, self.path, self.value, self.allowed = source, path, value, allowed
        super().__init__(f"{source}: {path} = {value!r} is not allowed; {allowed}")

    def __reduce__(self):
        # Picklable with its fields (errors raised on MPI rank 0 travel to the others).
        return (type(self), (self.source, self.path, self.value, self.allowed))


# ----------------------------------------------------------------------------- nodes
@dataclass
class Field:
    """A leaf value with a type and an optional range check."""

    kind: str  # "number", "int", "str", "bool", "range", "str_list", "int_list", "any"
    doc: str
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple | None = None
    nullable: bool = False

    def allowed(self) -> str:
        words = {
            "number": "a number", "int": "an integer", "str": "a string",
            "bool": "true or false", "range": "a pair [min, max] with min <= max",
            "str_list": "a list of strings", "int_list": "a list of integers",
            "any": "any value",
        }[self.kind]
        if self.choices:
            words = "one of " + ", ".join(map(str, self.choices))
        if self.minimum is not None:
            words += f" {'>' if self.exclusive_minimum else '>='} {self.minimum}"
        if self.maximum is not None:
            words += f" and <= {self.maximum}"
        if self.nullable:
            words += " (or null)"
        return f"expected {words}: {self.doc}"


@dataclass
class Record:
    """A mapping with a fixed set of named fields, all required unless optional."""

    fields: Mapping[str, Any]
    doc: str = ""
    optional: tuple = ()


@dataclass
class MapOf:
    """A mapping from free keys (checked by `key_check`) to values of one schema."""

    value: Any
    doc: str
    key_check: Callable[[str, Mapping], str | None] | None = None  # returns an error
    min_items: int = 0


@dataclass
class ListOf:
    """A list of values of one schema."""

    item: Any
    doc: str


# ----------------------------------------------------------------------------- checks
def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _check_leaf(spec: Field, value: Any, path: str, source: str) -> None:
    def fail():
        raise ConfigError(source, path, value, spec.allowed())

    if value is None:
        if spec.nullable:
            return
        fail()
    if spec.kind == "number" and not _is_number(value):
        fail()
    if spec.kind == "int" and not (isinstance(value, int) and not isinstance(value, bool)):
        fail()
    if spec.kind == "str" and not isinstance(value, str):
        fail()
    if spec.kind == "bool" and not isinstance(value, bool):
        fail()
    if spec.kind == "range":
        if not (isinstance(value, list) and len(value) == 2 and all(map(_is_number, value))
                and value[0] <= value[1]):
            fail()
        return
    if spec.kind == "str_list":
        if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            fail()
    if spec.kind == "int_list":
        if not (isinstance(value, list)
                and all(isinstance(v, int) and not isinstance(v, bool) for v in value)):
            fail()
    if spec.choices is not None:
        items = value if isinstance(value, list) else [value]
        if any(v not in spec.choices for v in items):
            fail()
    if _is_number(value):
        if spec.minimum is not None:
            if value < spec.minimum or (spec.exclusive_minimum and value == spec.minimum):
                fail()
        if spec.maximum is not None and value > spec.maximum:
            fail()


def check(spec: Any, value: Any, path: str, provenance: Mapping[str, str]) -> None:
    """Check `value` against `spec`; raise ConfigError at the first problem."""
    source = source_of(provenance, path)
    if isinstance(spec, Field):
        _check_leaf(spec, value, path, source)
        return
    if isinstance(spec, ListOf):
        if not isinstance(value, list):
            raise ConfigError(source, path, value, f"expected a list: {spec.doc}")
        for i, item in enumerate(value):
            check(spec.item, item, f"{path}[{i}]", provenance)
        return
    if not isinstance(value, dict):
        raise ConfigError(source, path, value, "expected a mapping (key: value)")
    if isinstance(spec, Record):
        for key in value:
            if key not in spec.fields:
                raise ConfigError(source_of(provenance, _join(path, key)), _join(path, key),
                                  value[key],
                                  f"unknown key; allowed keys here: {', '.join(spec.fields)}")
        for key, sub in spec.fields.items():
            if key not in value:
                if key in spec.optional:
                    continue
                raise ConfigError(source, _join(path, key), None, "missing required key")
            check(sub, value[key], _join(path, key), provenance)
        return
    if isinstance(spec, MapOf):
        if len(value) < spec.min_items:
            raise ConfigError(source, path, value, f"at least {spec.min_items} entries: {spec.doc}")
        for key, sub in value.items():
            sub_path = _join(path, str(key))
            if spec.key_check is not None:
                problem = spec.key_check(str(key), value)
                if problem:
                    raise ConfigError(source_of(provenance, sub_path), sub_path, key, problem)
            check(spec.value, sub, sub_path, provenance)
        return
    raise TypeError(f"unknown schema node {spec!r}")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def source_of(provenance: Mapping[str, str], path: str) -> str:
    """The file that set `path`, or the nearest parent's file."""
    probe = path
    while True:
        if probe in provenance:
            return provenance[probe]
        if "." not in probe and "[" not in probe:
            return provenance.get("", "<config>")
        probe = probe.rsplit("[", 1)[0] if probe.endswith("]") else probe.rsplit(".", 1)[0]


# ----------------------------------------------------------------------------- schema
def num(doc, **kw):
    return Field("number", doc, **kw)


def pos(doc, **kw):
    return Field("number", doc, minimum=0, exclusive_minimum=True, **kw)


GRID_BOX = Record({
    "lower": num("lower-left corner of the grid's square, on both axes"),
    "size": pos("side of the grid's square"),
    "points": Field("str", "where in each grid cell the neuron sits: the cell's centre, or "
                    "its lower-left corner (the authors' code)", choices=("centre", "corner")),
}, doc="the square a grid population fills (absent: the whole layer, cell centres)")

NUCLEUS = Record({
    "neurons": Field("int", "neurons at full scale", minimum=1),
    "anatomical_count": pos("neurons in the macaque nucleus (derives in-degrees)"),
    "C_m_pF": pos("membrane capacitance (pF)"),
    "tau_m_ms": pos("membrane time constant (ms)"),
    "V_th_mV": num("spike threshold (mV, relative to E_L = 0)"),
    "I_e_pA": num("constant input current (pA)"),
    "lx_m": pos("dendritic length (m), for the attenuation of distal contacts"),
    "dx_m": pos("dendritic diameter (m)"),
    "placement": Field("str", "neuron positions", choices=("uniform", "grid")),
    "grid_box": GRID_BOX,
    "scaled": Field("bool", "whether simulation.scale shrinks this nucleus"),
    "transmitter": Field("str", "what its synapses release", choices=("GABA", "glutamate")),
    "rate_target_Hz": Field("range", "resting-state firing-rate range (Hz)"),
}, doc="a basal ganglia nucleus of iaf_psc_alpha_multisynapse neurons", optional=("grid_box",))

INPUT = Record({
    "relays": Field("int", "relay (parrot) neurons at full scale", minimum=1),
    "rate_Hz": num("background Poisson rate of every relay (Hz)", minimum=0),
    "anatomical_count": pos("neurons in the macaque source (null: nu = alpha)", nullable=True),
    "placement": Field("str", "relay positions", choices=("uniform", "grid")),
    "grid_box": GRID_BOX,
    "rate_target_Hz": Field("range", "plausible rate range (Hz)"),
}, doc="a cortical or thalamic input population", optional=("grid_box",))

RECEPTOR = Record({
    "port": Field("int", "receptor port of the BG neuron (1-based)", minimum=1),
    "tau_syn_ms": pos("synaptic time constant (ms)"),
    "wPSP": num("weight per unit of nu/K*attenuation (pA)"),
})

PROJECTION = Record({
    "alpha": num("in-degree parameter alpha", minimum=0),
    "p": num("projection fraction", minimum=0, maximum=1),
    "d": num("distal-contact fraction", minimum=0, maximum=1),
    "delay_ms": pos("synaptic delay (ms), at least simulation.resolution_ms"),
    "spatial": Field("str", "mask type", choices=("focused", "diffuse")),
    "gain": num("weight gain", minimum=0),
})

AMPLITUDE = Record({"A_plus": num("potentiation amplitude (units of dc)"),
                    "A_minus": num("depression amplitude (units of dc)")})

NETWORK_SCHEMA_FIELDS = {
    "simulation": Record({
        "resolution_ms": pos("NEST time step (ms)"),
        "threads": Field("int", "OpenMP threads per process", minimum=1),
        "seed": Field("int", "seed of every random draw of the run", minimum=1,
                      maximum=2**31 - 1),
        "scale": pos("multiplies the sizes of scaled nuclei and of the input relays",
                     maximum=1.0),
        "input_scale": pos("multiplies the sizes of the input relays instead of scale "
                           "(null: scale)", maximum=1.0, nullable=True),
        "relay_model": Field("str", "input relays: injectors loaded with numpy-drawn Poisson "
                             "trains, or parrots fed by poisson_generator_ps",
                             choices=("spike_train_injector", "parrot_neuron")),
        "input_horizon_ms": pos("how far ahead input trains are drawn (ms)"),
        "run_piece_ms": pos("longest piece of simulated time between checks for signals "
                            "(ms)"),
    }, doc="kernel and run settings"),
    "neuron_model": Record({
        "model": Field("str", "NEST model of every BG neuron: NEST's "
                       "iaf_psc_alpha_multisynapse, or bgmodel's bg_iaf_psc_alpha_2port "
                       "(the same equations on exactly two ports, compiled by `python -m "
                       "bgmodel.nest_extension`)",
                       choices=("iaf_psc_alpha_multisynapse", TWO_PORT_MODEL)),
        "E_L_mV": num("resting potential (mV)"),
        "V_reset_mV": num("reset potential (mV)"),
        "V_m_init_mV": num("initial membrane potential (mV)"),
        "V_min_mV": num("lower bound of the membrane potential (mV)"),
        "t_ref_ms": num("refractory period (ms)", minimum=0),
    }),
    "receptors": Record({"AMPA": RECEPTOR, "NMDA": RECEPTOR, "GABA": RECEPTOR}),
    "nuclei": MapOf(NUCLEUS, "basal ganglia nuclei by name (MSN, FSI, STN, GPe, GPi)",
                    min_items=1),
    "inputs": MapOf(INPUT, "input relay populations by name (CSN, PTN, CMPf)"),
    "striatum": Record({
        "d1_fraction": num("fraction of MSNs that are D1", minimum=0, maximum=1),
        "msn_positions": Field(
            "str", "where the MSNs sit: 'separate' gives every MSN its own uniform random "
            "place; 'paired' puts a D1 and a D2 MSN at each of half as many places, as "
            "the authors' code does (needs d1_fraction 0.5)",
            choices=("separate", "paired")),
        "lambda": num("D1/D2 pathway overlap (overlap_d1d2)", minimum=0, maximum=1),
        "kappa": num("weight multiplier of D2 -> MSN collaterals (syn_asymm)", minimum=0),
        "eta": num("one-off multiplier of D2 outgoing weights at the first dip", minimum=0),
        "collateral_indegree_fraction": Record({
            k: num(f"fraction of the MSN->MSN in-degree for {k}", minimum=0, maximum=1)
            for k in ("D1->D1", "D1->D2", "D2->D1", "D2->D2")}),
        "plastic_weight_gain": num("initial weight factor of plastic synapses", minimum=0),
        "plastic_projections": Field("str_list", "projections onto MSN that are plastic"),
    }),
    "connectivity": Record({
        "redundancy": pos("R of the outDegreeAbs rule (K = nu / R)"),
        "focused_radius": pos("mask radius of focused projections"),
        "diffuse_radius": pos("mask radius of diffuse projections"),
        "Ri": pos("axial resistivity for the dendritic attenuation"),
        "Rm": pos("membrane resistivity for the dendritic attenuation"),
        "layer_extent": pos("side of the periodic square layer"),
        "fractional_indegree": Field(
            "str", "what becomes of the fractional part of an in-degree K: 'mean' adds "
            "random connections so that the mean in-degree is K (model-spec.md); 'drop' "
            "keeps floor(K), as the authors' code does in effect",
            choices=("mean", "drop")),
    }),
    "channels": Record({
        "count": Field("int", "number of action channels", minimum=1),
        "radius": pos("channel disc radius"),
        "hex_radius": num("distance of channel centres from the origin", minimum=0),
        "first_corner_angle_deg": num("angle of channel 0's centre (degrees)"),
        "readout": Field("int_list", "channels whose rates the protocols read"),
    }),
    "projections": MapOf(PROJECTION, "projections 'SOURCE->TARGET'", min_items=1),
    "plasticity": Record({
        "tau_plus_ms": pos("STDP potentiation time constant (ms)"),
        "tau_c_ms": pos("eligibility trace time constant (ms)"),
        "tau_n_ms": pos("dopamine trace time constant (ms)"),
        "Wmax": num("maximal weight"),
        "Wmin": num("minimal weight"),
        "b": num("dopamine baseline"),
        "dc": pos("amplitude unit of the STDP amplitudes"),
        "amplitudes_in_dc": MapOf(Record({"D1": AMPLITUDE, "D2": AMPLITUDE}),
                                  "STDP amplitudes per dopamine event (burst, dip)"),
        "deliver_interval": Field("int", "volume transmitter delivery interval "
                                  "(multiples of the minimum delay)", minimum=1),
    }),
    "snc": Record({
        "neurons_per_event": Field("int", "SNc relays per dopamine event", minimum=1),
        "events": MapOf(Record({"rate_Hz": num("SNc rate during the event (Hz)", minimum=0),
                                "duration_ms": pos("event duration (ms)")}),
                        "dopamine events (burst, dip), each with its volume transmitter",
                        min_items=1),
    }),
}

# Protocol sections, registered by name by each protocol module.
PROTOCOL_SCHEMAS: dict[str, Record] = {}


def register_protocol(name: str, record: Record) -> None:
    """Register the schema of the `protocol:` section of protocol `name`."""
    PROTOCOL_SCHEMAS[name] = record


RESTING_STATE_SCHEMA = Record({
    "name": Field("str", "protocol name"),
    "duration_ms": pos("simulated time (ms)"),
    "analysis_start_ms": num("start of the analysis window (ms)", minimum=0),
    "population_rate_bin_ms": pos("bin of the population rate A(t) (ms)"),
    "record_spikes_of": Field("str_list", "populations whose spike trains are saved"),
})
register_protocol("resting_state", RESTING_STATE_SCHEMA)


# Shared by the protocols that stimulate channels through sampled input relays.
STIMULATED_INPUTS = MapOf(num("extra rate of a sampled relay per Hz of stimulus rate "
                              "(CSN 1, PTN 1.8)", minimum=0),
                          "inputs that receive the extra rate, by name, with their rate "
                          "factor", min_items=1)
SAMPLED_RELAYS = Record({
    "per_channel": Field("int", "relays per input and channel receiving the extra rate, at "
                         "full scale", minimum=1),
    "scale_with_network": Field("bool", "multiply per_channel by the input relays' "
                                "scale (simulation.input_scale, or scale): the same "
                                "share of stimulated inputs per MSN at every scale); always "
                                "capped at the relays in the channel"),
}, doc="which relays of a channel receive the extra rate")

ACTION_SELECTION_SCHEMA = Record({
    "name": Field("str", "protocol name"),
    "warmup_ms": pos("simulated time before the first grid step (ms)"),
    "rest_window_ms": Field("range", "window of the warm-up [start, stop) (ms) in which the "
                            "rest rates (the GPi selection reference) are measured"),
    "stimulus_ms": pos("duration of the extra input of each grid step (ms); rates are read "
                       "over it"),
    "pause_ms": num("time without extra input after each stimulus (ms)", minimum=0),
    "competing_channels": Field("int_list", "the two channels that compete: [channel 1, "
                                "channel 2] of the grid"),
    "grid": Record({
        "channel1_levels": Field("int_list", "levels i of channel 1 (rate i * rate_step_Hz), "
                                 "outer loop"),
        "channel2_levels": Field("int_list", "levels j of channel 2 (rate j * rate_step_Hz), "
                                 "inner loop"),
        "rate_step_Hz": num("extra rate per level (Hz)", minimum=0),
    }, doc="the grid of channel-1 / channel-2 input rates"),
    "stimulated_inputs": STIMULATED_INPUTS,
    "sampled_relays": SAMPLED_RELAYS,
    "read_populations": Field("str_list", "populations whose per-channel rates are tabulated "
                              "(MSN pools MSN_D1 and MSN_D2)"),
    "selection": Record({
        "rest_reference": Field("str", "GPi rest rate a channel is compared with: its own "
                                "warm-up rate (per_channel) or that of all GPi neurons "
                                "(overall)", choices=("per_channel", "overall")),
        "threshold": num("a channel is selected when its GPi rate is below the rest rate by "
                         "more than this", minimum=0),
        "threshold_unit": Field("str", "unit of threshold: a rate drop in Hz, or a fraction "
                                "of the rest rate", choices=("Hz", "fraction_of_rest")),
    }, doc="selection rule (outcome families after Girard et al. 2021, Eur J Neurosci)"),
})
register_protocol("action_selection", ACTION_SELECTION_SCHEMA)


PLASTICITY_SCHEMA = Record({
    "name": Field("str", "protocol name"),
    "warmup_ms": num("simulated time before the first episode (ms)", minimum=0),
    "episodes": Field("int", "number of episodes", minimum=1),
    "stimulus_ms": pos("extra input to the competing channels at the start of each "
                       "episode (ms); rates are read over it"),
    "pause_after_stimulus_ms": num("pause between the stimulus and the dopamine window (ms)",
                                   minimum=0),
    "dopamine_window_ms": num("slot of the episode in which SNc may fire (ms); an event "
                              "longer than the slot runs into the next pause", minimum=0),
    "pause_after_dopamine_ms": num("pause after the dopamine window (ms)", minimum=0),
    "competing_channels": Field("int_list", "the channels that receive input and compete "
                                "(lowest GPi rate is selected)"),
    "input_levels_Hz": MapOf(num("extra CSN rate of a sampled relay at this level (Hz)",
                                 minimum=0),
                             "input levels by name (strong, weak, zero)", min_items=1),
    "stimulated_inputs": STIMULATED_INPUTS,
    "sampled_relays": SAMPLED_RELAYS,
    "patterns": MapOf(Field("str_list", "input level name per competing channel"),
                      "stimulus patterns by name", min_items=1),
    "phases": MapOf(Record({
        "first_episode": Field("int", "first episode of the phase", minimum=0),
        "last_episode": Field("int", "last episode of the phase (inclusive)", minimum=0),
        "task": Field("int", "task label of the authors' format (+1 CS+, -1 CS-)",
                      choices=(1, -1)),
        "pattern": Field("str", "stimulus pattern of the phase's episodes"),
        "stdp_event": Field("str", "dopamine event whose STDP amplitudes and volume "
                            "transmitter the plastic synapses use during the phase"),
        "authors_flag": Field("str", "do_tests flag written to the authors' format"),
    }), "consecutive phases covering every episode, by name", min_items=1),
    "probes": ListOf(Record({
        "episode": Field("int", "episode whose pattern the probe replaces", minimum=0),
        "pattern": Field("str", "stimulus pattern of the probe"),
        "authors_flag": Field("str", "do_tests flag written to the authors' format"),
    }), "test episodes without dopamine"),
    "dopamine": Record({
        "rules": ListOf(Record({
            "phase": Field("str", "phase in which the rule applies"),
            "selected_channel": Field("int", "the rule matches when this channel is "
                                      "selected", minimum=0),
            "event": Field("str", "dopamine event SNc delivers (snc.events)"),
            "rate_conditions": ListOf(Record({
                "population": Field("str", "population read during the stimulus"),
                "channel": Field("int", "channel of the rate", minimum=0),
                "below_Hz": num("the condition holds while the rate is below this (Hz)"),
            }), "extra conditions, all required"),
        }, optional=("rate_conditions",)), "outcome -> dopamine event, first match wins"),
        "none_in_last_episodes": Field("int", "episodes at the end of the phases without "
                                       "dopamine (not those of a run stopped early by "
                                       "protocol.episodes)",
                                       minimum=0),
        "eta_at_first": Field("str", "event whose first delivery applies striatum.eta to "
                              "the outgoing weights of D2 MSNs", nullable=True),
    }, doc="when SNc releases dopamine"),
    "read_populations": Field("str_list", "populations whose per-channel rates are "
                              "tabulated (MSN pools MSN_D1 and MSN_D2)"),
    "weight_summary": Record({
        "channels": Field("int_list", "channels whose D1 and D2 MSNs' mean plastic weight "
                          "is tabulated"),
        "max_targets": Field("int", "MSNs per channel and type in the fixed random sample "
                             "whose plastic synapses are averaged (null: all)", minimum=1,
                             nullable=True),
    }, doc="mean plastic weight per episode"),
    "summary_windows": MapOf(Field("range", "first and last episode (inclusive) averaged"),
                             "episode windows averaged in summary.json, by name"),
    "checkpoint_every_episodes": Field("int", "episodes between checkpoints of the "
                                       "plastic weights and protocol state", minimum=1),
})
register_protocol("plasticity", PLASTICITY_SCHEMA)
