"""Load, merge and validate bgmodel configurations.

A run's configuration is built from layers merged recursively, later ones winning:

1. configs/network.yaml (the complete model defaults),
2. configs/protocols/<protocol>.yaml (the `protocol:` section),
3. a preset (configs/presets/<name>.yaml),
4. overlays given with ``-c FILE`` (conditions, user files),
5. single-value overrides ``--set key.path=value``.

Every leaf remembers which layer set it (its provenance), so a validation error names
the file, the key path, the value and what is allowed. Nothing is modified in place:
merging returns new dictionaries.
"""
from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from . import schema
from .schema import ConfigError

PACKAGE_ROOT = Path(__file__).resolve().parents[1]  # bgmodel/


def _config_dir() -> Path:
    """configs/: inside the package where a wheel installed it (setup.py copies it
    there), else beside the package (a source checkout, an editable install)."""
    shipped = PACKAGE_ROOT / "configs"
    return shipped if shipped.is_dir() else PACKAGE_ROOT.parent / "configs"


CONFIG_DIR = _config_dir()


def overlay_path(name: str | Path) -> Path:
    """An overlay as given (-c FILE): the file itself if it exists, else a path of the
    form configs/... read from bgmodel's own configs/ (so that the commands of the docs
    work from any directory, and with a non-editable install)."""
    path = Path(name)
    if path.is_file() or path.is_absolute() or not path.parts or path.parts[0] != "configs":
        return path
    shipped = CONFIG_DIR.joinpath(*path.parts[1:])
    return shipped if shipped.is_file() else path


@dataclass(frozen=True)
class ResolvedConfig:
    """A merged and validated configuration with the provenance of every leaf."""

    data: dict
    provenance: dict = field(default_factory=dict)
    layers: tuple = ()

    def __getitem__(self, key):
        return self.data[key]

    @property
    def protocol_name(self) -> str:
        return self.data["protocol"]["name"]

    def digest(self) -> str:
        """Short hash of the resolved values (names run folders)."""
        text = json.dumps(self.data, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:8]

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.data, sort_keys=False)


# ----------------------------------------------------------------------------- loading
def read_yaml(path: str | Path) -> dict:
    """Read one YAML file into a dict; a clear error if it is not a mapping."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(str(path), "", None, "the file does not exist")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as err:
        raise ConfigError(str(path), "", None, f"valid YAML ({err})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(str(path), "", data, "a mapping at the top level")
    return data


def _leaf_paths(data: Any, prefix: str = "") -> Iterable[str]:
    if isinstance(data, dict) and data:
        for key, value in data.items():
            yield from _leaf_paths(value, f"{prefix}.{key}" if prefix else str(key))
    else:
        yield prefix


def merge(base: Mapping, overlay: Mapping) -> dict:
    """Recursively merge `overlay` onto `base` and return a new dict."""
    out = copy.deepcopy(dict(base))
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def parse_override(text: str) -> tuple[str, Any]:
    """Parse ``key.path=value``; the value is read as YAML (numbers, lists, ...)."""
    if "=" not in text:
        raise ConfigError("--set", text, text, "the form key.path=value")
    key, raw = text.split("=", 1)
    key = key.strip()
    if not key:
        raise ConfigError("--set", text, text, "the form key.path=value")
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        value = raw
    return key, value


def _nest(path: str, value: Any) -> dict:
    out: Any = value
    for key in reversed(path.split(".")):
        out = {key: out}
    return out


def shipped_file(kind: str, name: str) -> Path:
    """configs/<kind>s/<name>.yaml of bgmodel's own configs (kind: protocol or preset);
    an unknown name is a ConfigError listing the known ones."""
    folder = CONFIG_DIR / f"{kind}s"
    path = folder / f"{name}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in folder.glob("*.yaml"))
        raise ConfigError("command line", kind, name, f"one of {', '.join(known)}")
    return path


def protocol_file(name: str) -> Path:
    return shipped_file("protocol", name)


def preset_file(name: str) -> Path:
    return shipped_file("preset", name)


def _display(path: Path) -> str:
    """Path as the user would type it: relative to the working directory if possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        try:
            return str(path.resolve().relative_to(CONFIG_DIR.parent))
        except ValueError:
            return str(path)


def load_config(protocol: str | None = "resting_state", preset: str | None = None,
                overlays: Iterable[str | Path] = (), overrides: Iterable[str] = (),
                base: str | Path | None = None) -> ResolvedConfig:
    """Build, merge and validate a run configuration.

    Parameters
    ----------
    protocol : str or None
        Protocol name (configs/protocols/<name>.yaml); None for the network only.
    preset : str or None
        Preset name (configs/presets/<name>.yaml).
    overlays : iterable of paths
        Overlay YAML files merged in order.
    overrides : iterable of str
        ``key.path=value`` strings applied last.
    base : path, optional
        Network defaults; configs/network.yaml if not given.

    Returns
    -------
    ResolvedConfig

    Raises
    ------
    ConfigError
        Naming the file, key path, value and what is allowed.
    """
    layers: list[tuple[str, dict]] = []
    base_path = Path(base) if base else CONFIG_DIR / "network.yaml"
    layers.append((_display(base_path), read_yaml(base_path)))
    if protocol:
        path = protocol_file(protocol)
        layers.append((_display(path), read_yaml(path)))
    if preset:
        path = preset_file(preset)
        layers.append((_display(path), read_yaml(path)))
    for overlay in overlays:
        path = overlay_path(overlay)
        layers.append((_display(path), read_yaml(path)))
    for text in overrides:
        key, value = parse_override(text)
        layers.append(("--set", _nest(key, value)))
    return resolve(layers)


def resolve(layers: Iterable[tuple[str, dict]]) -> ResolvedConfig:
    """Merge (source, data) layers in order, track provenance, validate."""
    data: dict = {}
    provenance: dict[str, str] = {}
    names = []
    for source, layer in layers:
        names.append(source)
        if not provenance:
            provenance[""] = source
        for path in _leaf_paths(layer):
            # Every prefix too, so that a mapping is attributed to the last file that
            # touched it (a new projection added by an overlay names the overlay).
            parts = path.split(".")
            for k in range(1, len(parts) + 1):
                provenance[".".join(parts[:k])] = source
        data = merge(data, layer)
    validate(data, provenance)
    return ResolvedConfig(data=data, provenance=provenance, layers=tuple(names))


# Keys added to bgmodel after runs had been made without them, each with the value that
# reproduces such a run: a frozen config that lacks one reloads (resume, plots) as it ran
# instead of failing validation. A new key that changes a model gets its entry here.
KEYS_ADDED_LATER = {
    "simulation.run_piece_ms": 200.0,  # run control only
    "simulation.input_scale": None,  # the relays followed simulation.scale
    "connectivity.fractional_indegree": "mean",
    "connectivity.distinct_sources": [],
    "striatum.msn_positions": "separate",
    "protocol.selection.margin_Hz": None,  # the threshold rule alone
}


def _added_keys_missing_from(frozen: Mapping) -> dict:
    """The KEYS_ADDED_LATER entries that `frozen` lacks, as one nested layer."""
    layer: dict = {}
    for key, value in KEYS_ADDED_LATER.items():
        *sections, leaf = key.split(".")
        node = frozen
        for part in sections:
            node = node.get(part) if isinstance(node, Mapping) else None
        if isinstance(node, Mapping) and leaf not in node:
            layer = merge(layer, _nest(key, value))
    return layer


def from_frozen(path: str | Path, overrides: Iterable[str] = ()) -> ResolvedConfig:
    """Reload a resolved config saved in a run or sweep folder (plus overrides).

    Keys that bgmodel gained after the run was made are filled in with the values the
    run was made with (KEYS_ADDED_LATER)."""
    frozen = read_yaml(path)
    layers = [(_display(Path(path)), frozen)]
    added = _added_keys_missing_from(frozen)
    if added:
        layers.append((f"{_display(Path(path))} (keys added to bgmodel after this run, "
                       "at the values it ran with)", added))
    for text in overrides:
        key, value = parse_override(text)
        layers.append(("--set", _nest(key, value)))
    return resolve(layers)


# ----------------------------------------------------------------------------- validation
def validate(data: dict, provenance: Mapping[str, str]) -> None:
    """Check types, ranges, unknown keys, references and the checks of the network's
    and the protocol's schema (bgmodel.model.schema) of a merged config."""
    top = dict(schema.NETWORK_SCHEMA_FIELDS)
    optional = ("protocol", "dopamine")
    if "dopamine" in data:
        # The section's fields are those of the model it names (bgmodel.dopamine);
        # absent (a config frozen before the section existed): the published rule.
        from ..dopamine.registry import section_record
        top["dopamine"] = section_record(data["dopamine"], provenance)
    if "protocol" in data:
        protocols = schema.protocol_schemas()
        proto = data["protocol"]
        name = proto.get("name") if isinstance(proto, dict) else None
        if name not in protocols:
            raise ConfigError(schema.source_of(provenance, "protocol.name"), "protocol.name",
                              name, f"one of {', '.join(sorted(protocols))}")
        top["protocol"] = protocols[name]
    schema.validate_tree(schema.Record(top, optional=optional, checks=schema.NETWORK_CHECKS),
                         data, provenance)


# Keys of the plasticity protocol that only a signal dopamine model accepts
# (bgmodel.protocols.plasticity.schema).
SIGNAL_ONLY_KEYS = ("external_controller", "efference_copy", "choice_groups",
                    "rewarded_channels")


def validate_files(paths: Iterable[str | Path]) -> list[str]:
    """Validate files for `bgmodel validate`.

    A file holding the complete network (it has `nuclei` and `projections`) is validated
    as a whole config; any other file is an overlay and is merged onto the defaults (and
    onto its protocol's defaults when it has a `protocol.name`; a protocol overlay
    without a name must fit one protocol, alone or after one of the dopamine overlays
    of configs/dopamine/). Returns one line per file; raises ConfigError at the first
    bad file (the first error met).
    """
    lines = []
    for path in paths:
        data = read_yaml(path)
        section = data.get("protocol")
        proto = section.get("name") if isinstance(section, dict) else None
        if "nuclei" in data and "projections" in data:
            resolve([(_display(Path(path)), data)])
            lines.append(f"ok  {path}  (complete config)")
            continue
        base = [(_display(CONFIG_DIR / "network.yaml"), read_yaml(CONFIG_DIR / "network.yaml"))]
        if isinstance(section, dict) and proto is None:
            # An overlay of protocol settings without a name (a preset): valid if it
            # fits at least one protocol.
            # A task overlay may need a signal dopamine model (an external controller,
            # choice groups): it fits when it fits with one of configs/dopamine/.
            first_error = signal_error = None
            dopamine = [None] + sorted((CONFIG_DIR / "dopamine").glob("*.yaml"))
            for name in sorted(schema.protocol_schemas()):
                pf = protocol_file(name)
                for model in dopamine:
                    extra = [] if model is None else [(_display(model), read_yaml(model))]
                    try:
                        resolve(base + [(_display(pf), read_yaml(pf))] + extra
                                + [(_display(Path(path)), data)])
                    except ConfigError as err:
                        first_error = first_error or err
                        if name == "plasticity" and model is not None and \
                                model.name == "rpe.yaml":
                            # the most general signal model: its error is the telling one
                            # for an overlay that needs a signal model
                            signal_error = err
                        continue
                    with_model = "" if model is None else f", with {_display(model)}"
                    lines.append(f"ok  {path}  (overlay on the defaults, protocol "
                                 f"{name}{with_model})")
                    break
                else:
                    continue
                break
            else:
                needs_signal = any(k in data.get("protocol", {}) for k in SIGNAL_ONLY_KEYS)
                raise (signal_error if needs_signal and signal_error else first_error)
            continue
        layers = list(base)
        if proto:
            pf = protocol_file(proto)
            layers.append((_display(pf), read_yaml(pf)))
        resolve(layers + [(_display(Path(path)), data)])
        lines.append(f"ok  {path}  (overlay on the defaults)")
    return lines
