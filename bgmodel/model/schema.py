"""Typed schema of bgmodel's configuration, with a docstring on every field.

The schema is data: `Field`, `Ref`, `Record`, `MapOf` and `ListOf` nodes that know how to
check a value and say what is allowed. `validate_tree(spec, config, provenance)` walks a
merged config and raises `ConfigError` naming the file that set the offending value, its
key path, the value and what is allowed. It checks in three passes: types and ranges of
every value; then references (`Ref`: a name that must exist elsewhere in the config,
such as a projection's nuclei or a phase's dopamine event); then the checks a `Record`
declares for what no field can express (phases that follow each other, a delay of at
least the resolution). A check returns `Problem`s; the walk raises the first.

This module holds the network's schema; each protocol declares the schema of its
`protocol:` section beside its code (bgmodel.protocols) and registers it with
`register_protocol`. docs/configuration.md is generated from the docstrings
(`python -m bgmodel.model.reference`).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, NamedTuple

# bgmodel's compiled two-port neuron (bgmodel.simulator.nest_extension.MODEL).
TWO_PORT_MODEL = "bg_iaf_psc_alpha_2port"


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
        return f"expected {self.words()}: {self.doc}"

    def words(self) -> str:
        """What is allowed, without the docstring."""
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
        return words


class Problem(NamedTuple):
    """What a check found: the key path, the value and what would be allowed."""

    path: str
    value: Any
    allowed: str


@dataclass
class Ref:
    """A name (or channel index) that must exist elsewhere in the config.

    `among` lists config paths: a mapping there contributes its keys, a list its items,
    an integer n the indices 0..n-1. `allowed` says what is allowed, with {names} (the
    allowed names, comma-separated), {list} (them as a list) and {last} (n-1 of a count)
    filled in. `kind` is "str" or "int", or "str_list" / "int_list" for a list whose
    every item must be allowed (an error then names the list)."""

    doc: str
    among: tuple
    allowed: str = "{names}"
    kind: str = "str"
    extra: tuple = ()  # names allowed besides those found
    where: Callable[[str], bool] | None = None  # keeps only the names it accepts
    nullable: bool = False
    sort: bool = False

    def names(self, root: Mapping) -> list:
        found: list = []
        for path in self.among:
            node = lookup(root, path)
            if isinstance(node, Mapping):
                found += list(node)
            elif isinstance(node, list):
                found += list(node)
            elif isinstance(node, int) and not isinstance(node, bool):
                found += list(range(node))
        found += [n for n in self.extra if n not in found]
        if self.where is not None:
            found = [n for n in found if self.where(n)]
        return sorted(found) if self.sort else found

    def allowed_text(self, root: Mapping) -> str:
        names = self.names(root)
        last = len(names) - 1
        return self.allowed.format(names=", ".join(map(str, names)), list=names, last=last)

    def describe(self) -> str:
        """What is allowed, in words, without a config (docs)."""
        where = ", ".join(f"`{p}`" for p in self.among)
        names = f"those of {where}" + (f", or {', '.join(self.extra)}" if self.extra else "")
        return (self.allowed.replace("{names}", names).replace("{list}", names)
                .replace("{last}", f"{where} - 1"))


@dataclass
class Pair:
    """A key of two references joined by `sep`, e.g. a projection's SOURCE->TARGET."""

    sep: str
    first: Ref
    second: Ref
    doc: str


Check = Callable[[Any, Mapping], Iterable[Problem]]


@dataclass
class Record:
    """A mapping with a fixed set of named fields, all required unless optional.

    `checks` are functions (value, root config) -> Problems for what the fields cannot
    express; they run after every type and reference is known to be right."""

    fields: Mapping[str, Any]
    doc: str = ""
    optional: tuple = ()
    checks: tuple = ()


@dataclass
class MapOf:
    """A mapping from free keys (each checked by `key`, a Ref or Pair, when given) to
    values of one schema."""

    value: Any
    doc: str
    key: Any = None
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


def validate_tree(spec: Any, data: Any, provenance: Mapping[str, str]) -> None:
    """Check `data` against `spec`: types and ranges, then references, then the
    records' checks; raise ConfigError at the first problem."""
    later: list = []
    check(spec, data, "", provenance, later)
    run_later(later, provenance, data)


def run_later(later: list, provenance: Mapping[str, str], root: Mapping) -> None:
    """Check the references and run the records' checks that `check` put in `later`
    (after every type is known right); raise ConfigError at the first problem."""
    for kind, node, value, path in later:
        if kind == "ref":
            _check_ref(node, value, path, provenance, root)
        else:
            for problem in node(value, root):
                raise ConfigError(source_of(provenance, problem.path), problem.path,
                                  problem.value, problem.allowed)


def check(spec: Any, value: Any, path: str, provenance: Mapping[str, str],
          later: list | None = None) -> None:
    """Check the types and ranges of `value` against `spec`; raise ConfigError at the
    first problem. References and records' checks are appended to `later` (left out
    when None) as (kind, node, value, path), to run once every type is known right."""
    later = [] if later is None else later
    source = source_of(provenance, path)
    if isinstance(spec, Field):
        _check_leaf(spec, value, path, source)
        return
    if isinstance(spec, Ref):
        _check_leaf(Field(spec.kind, spec.doc, nullable=spec.nullable), value, path, source)
        later.append(("ref", spec, value, path))
        return
    if isinstance(spec, ListOf):
        if not isinstance(value, list):
            raise ConfigError(source, path, value, f"expected a list: {spec.doc}")
        for i, item in enumerate(value):
            check(spec.item, item, f"{path}[{i}]", provenance, later)
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
            check(sub, value[key], _join(path, key), provenance, later)
        later.extend(("check", fn, value, path) for fn in spec.checks)
        return
    if isinstance(spec, MapOf):
        if len(value) < spec.min_items:
            raise ConfigError(source, path, value, f"at least {spec.min_items} entries: {spec.doc}")
        for key, sub in value.items():
            sub_path = _join(path, str(key))
            if spec.key is not None:
                later.append(("ref", spec.key, str(key), sub_path))
            check(spec.value, sub, sub_path, provenance, later)
        return
    raise TypeError(f"unknown schema node {spec!r}")


def _check_ref(spec, value: Any, path: str, provenance: Mapping[str, str],
               root: Mapping) -> None:
    """Raise ConfigError unless `value` names what `spec` (a Ref or Pair) allows."""
    def fail(bad, allowed):
        raise ConfigError(source_of(provenance, path), path, bad, allowed)

    if isinstance(spec, Pair):
        parts = value.split(spec.sep)
        if len(parts) != 2:
            fail(value, f"a key of the form {spec.doc}")
        for ref, part in zip((spec.first, spec.second), parts):
            _check_ref(ref, part, path, provenance, root)
        return
    if value is None:
        return  # nullable (the type pass refused null otherwise)
    names = spec.names(root)
    items = value if spec.kind in ("str_list", "int_list") else [value]
    for item in items:
        if item not in names:
            fail(item, spec.allowed_text(root))


def lookup(root: Mapping, path: str) -> Any:
    """The value at dotted `path` of a config (None where it does not exist)."""
    node: Any = root
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


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
        "relay_model": Field("str", "input relays: bgmodel's relays or NEST's injectors "
                             "(the same spikes) loaded with numpy-drawn Poisson "
                             "trains, or parrots fed by poisson_generator_ps",
                             choices=("bg_spike_relay", "spike_train_injector",
                                      "parrot_neuron")),
        "input_horizon_ms": pos("how far ahead input trains are drawn (ms)"),
        "run_piece_ms": pos("longest piece of simulated time between checks for signals "
                            "(ms)"),
    }, doc="kernel and run settings"),
    "neuron_model": Record({
        "model": Field("str", "NEST model of every BG neuron: NEST's "
                       "iaf_psc_alpha_multisynapse, or bgmodel's bg_iaf_psc_alpha_2port "
                       "(the same equations on exactly two ports, compiled by `python -m "
                       "bgmodel.simulator.nest_extension`)",
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
        "plastic_projections": ListOf(
            Ref("a plastic projection onto MSN", among=("projections",),
                where=lambda name: name.endswith("->MSN"),
                allowed="a projection onto MSN listed under projections"),
            "projections onto MSN that are plastic"),
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
        "distinct_sources": ListOf(
            Ref("a projection", among=("projections",),
                allowed="a projection listed under projections"),
            "projections whose targets draw their floor(K) sources inside the mask without "
            "replacement (no multapses); the others draw with replacement, as "
            "model-spec.md says. For reduced scales, where small pools turn many draws "
            "into multapses"),
    }),
    "channels": Record({
        "count": Field("int", "number of action channels", minimum=1),
        "radius": pos("channel disc radius"),
        "hex_radius": num("distance of channel centres from the origin", minimum=0),
        "first_corner_angle_deg": num("angle of channel 0's centre (degrees)"),
        "readout": ListOf(Ref("a channel whose rates the protocols read",
                              among=("channels.count",), kind="int",
                              allowed="a channel index in 0..{last}"),
                          "channels whose rates the protocols read"),
    }),
    "projections": MapOf(PROJECTION, "projections 'SOURCE->TARGET'", min_items=1,
                         key=Pair("->", Ref("the projection's source", among=("nuclei", "inputs"),
                                            allowed="a source among the nuclei or inputs: "
                                                    "{names}"),
                                  Ref("the projection's target", among=("nuclei",),
                                      allowed="a target among the nuclei: {names}"),
                                  doc="SOURCE->TARGET")),
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
                        min_items=1,
                        key=Ref("a dopamine event", among=("plasticity.amplitudes_in_dc",),
                                allowed="an event with STDP amplitudes: {names}")),
    }),
}

# ----------------------------------------------------------------------------- checks
# What the network's fields cannot express, checked once every type and reference is
# known to be right (each yields Problems; validate_tree raises the first).
def check_receptor_ports(data: Mapping, root: Mapping) -> Iterable[Problem]:
    """Receptors share a port only with equal time constants; ports 1, 2, ...; the
    two-port neuron has exactly two."""
    ports: dict = {}
    for name, rec in data["receptors"].items():
        other = ports.setdefault(rec["port"], (name, rec["tau_syn_ms"]))
        if other[1] != rec["tau_syn_ms"]:
            yield Problem(f"receptors.{name}.port", rec["port"],
                          f"a port of its own: it is shared with {other[0]}, whose "
                          "tau_syn_ms differs")
    if sorted(ports) != list(range(1, len(ports) + 1)):
        yield Problem("receptors", sorted(ports), "ports numbered 1, 2, ... without gaps")
    model = data["neuron_model"]["model"]
    if model == TWO_PORT_MODEL and len(ports) != 2:
        yield Problem("neuron_model.model", model,
                      f"a model for {len(ports)} receptor ports: {TWO_PORT_MODEL} has "
                      "exactly 2 (AMPA and GABA sharing port 1); use "
                      "iaf_psc_alpha_multisynapse")


def check_populations(data: Mapping, root: Mapping) -> Iterable[Problem]:
    """MSN exists, grid boxes fit their grids and the layer, input names are new."""
    nuclei, inputs = data["nuclei"], data["inputs"]
    if "MSN" not in nuclei:
        yield Problem("nuclei", sorted(nuclei), "the nuclei must include MSN (the striatum)")
    half = data["connectivity"]["layer_extent"] / 2
    for section, pops in (("nuclei", nuclei), ("inputs", inputs)):
        for name, pop in pops.items():
            box = pop.get("grid_box")
            if box is None:
                continue
            path = f"{section}.{name}.grid_box"
            if pop["placement"] != "grid":
                yield Problem(path, box, f"no grid_box: {section}.{name}.placement is "
                                         f"{pop['placement']!r}, and a grid_box places a grid")
            # A small tolerance: a box given in decimals (-0.4 + 0.9) may end a rounding
            # error past the layer's edge.
            if box["lower"] < -half - 1e-9 or box["lower"] + box["size"] > half + 1e-9:
                yield Problem(path, box, f"a square inside the layer [{-half}, {half}]: lower "
                                         f">= {-half} and lower + size <= {half}")
    overlap = set(nuclei) & set(inputs)
    if overlap:
        yield Problem("inputs", sorted(overlap), "names not already used by nuclei")


def check_delays(data: Mapping, root: Mapping) -> Iterable[Problem]:
    """Every delay is at least the resolution."""
    resolution = data["simulation"]["resolution_ms"]
    for name, proj in data["projections"].items():
        if proj["delay_ms"] < resolution:
            yield Problem(f"projections.{name}.delay_ms", proj["delay_ms"],
                          f"a delay >= simulation.resolution_ms ({resolution} ms)")


def check_striatum(data: Mapping, root: Mapping) -> Iterable[Problem]:
    """Paired MSN positions need as many D1 as D2 MSNs."""
    striatum = data["striatum"]
    if striatum["msn_positions"] == "paired" and striatum["d1_fraction"] != 0.5:
        yield Problem("striatum.msn_positions", "paired",
                      f"'separate' when striatum.d1_fraction is not 0.5 (it is "
                      f"{striatum['d1_fraction']}): a pair is one D1 and one D2 MSN")


def check_distinct_sources(data: Mapping, root: Mapping) -> Iterable[Problem]:
    """Projections drawn without replacement find enough sources in their masks."""
    from .derive import distinct_sources_shortfalls  # derive builds on validated data
    for name, why in distinct_sources_shortfalls(data).items():
        yield Problem("connectivity.distinct_sources", name,
                      f"a projection whose mask holds enough sources: {why}")
    groups = snc_group_count(data)
    for name in data["connectivity"].get("distinct_sources", ()):
        if groups > 1 and name in data["striatum"]["plastic_projections"]:
            yield Problem("connectivity.distinct_sources", name,
                          f"a static projection: with {groups} SNc groups a plastic one is "
                          "drawn group by group, and sources drawn without replacement "
                          "within each group could repeat across groups")


def snc_group_count(data: Mapping) -> int:
    """SNc groups of the run's dopamine model (1 for `rule` and where the dopamine
    section is invalid: its own checks report that)."""
    from ..dopamine.registry import is_signal_model, make_model
    section = data.get("dopamine")
    if not section or not is_signal_model(data):
        return 1
    try:
        import numpy as np
        return len(make_model(section, np.random.default_rng(0)).groups)
    except Exception:  # noqa: BLE001 - reported by the dopamine section's checks
        return 1


NETWORK_CHECKS = (check_receptor_ports, check_populations, check_delays, check_striatum,
                  check_distinct_sources)


# ----------------------------------------------------------------------------- protocols
# The schema of each protocol's `protocol:` section is declared beside the protocol's
# code (bgmodel.protocols), with the checks of that section, and registered here.
PROTOCOL_SCHEMAS: dict[str, Record] = {}
PROTOCOLS_PACKAGE = "bgmodel.protocols"


def register_protocol(name: str, record: Record) -> None:
    """Register the schema of the `protocol:` section of protocol `name`."""
    PROTOCOL_SCHEMAS[name] = record


def protocol_schemas() -> dict[str, Record]:
    """Every registered protocol schema. The protocols register theirs when the
    protocols package is imported; it is imported here, by name, on first use, so that
    the model layer does not import the protocols (and none of them imports NEST)."""
    importlib.import_module(PROTOCOLS_PACKAGE)
    return PROTOCOL_SCHEMAS
