"""Read and check a sweep file (configs/sweeps/*.yaml).

A sweep file names a base protocol and config, the keys to vary and their values, the
seeds, and the resources of every run:

    name: paper_fig4-7            # optional; default: the file name without .yaml
    protocol: plasticity
    preset: full                  # optional (configs/presets/<name>.yaml)
    overlays: []                  # optional overlay files merged onto every point
    set:                          # optional overrides shared by every point
      protocol.episodes: 230
    grid:                         # every combination of these values
      striatum.kappa: [2, 4]
      striatum.lambda: [0.0, 0.1]
    points:                       # optional explicit points, run after the grid
      - {striatum.kappa: 4, striatum.lambda: 0.5}
    seeds: [1, 2, 3]              # every point runs once per seed
    resources:
      threads: 1                  # NEST threads per run (default 1)
      memory_gb: 4                # memory per run (default 4)
      time: "01:00:00"            # wall-time limit per run, [D-]HH:MM:SS (default 1 h)

Besides dotted config keys, `grid` and `points` accept the key `condition`: the name of
a condition overlay (configs/conditions/<name>.yaml) or null for the healthy network.

`parse_sweep(path)` returns a `SweepSpec`; every problem is a `ConfigError` naming the
file, the key, the value and what is allowed. Whether the varied keys exist in the
config is checked when the points are resolved (bgmodel.sweep.points).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..model.config import CONFIG_DIR, overlay_path, read_yaml
from ..model.schema import ConfigError

# Top-level keys of a sweep file and what each holds (used in error messages).
SWEEP_KEYS = {
    "name": "the sweep's name (letters, digits, '.', '_', '-')",
    "protocol": "the protocol every point runs",
    "preset": "a preset of configs/presets/",
    "overlays": "a list of overlay YAML files",
    "set": "a mapping of dotted config keys to values shared by every point",
    "grid": "a mapping of dotted config keys to lists of values",
    "points": "a list of mappings of dotted config keys to values",
    "seeds": "a list of distinct integer seeds >= 1",
    "resources": "threads, memory_gb and time of every run",
}
RESOURCE_DEFAULTS = {"threads": 1, "memory_gb": 4.0, "time": "01:00:00"}
# The varied key that selects a condition overlay instead of setting a config value.
CONDITION_KEY = "condition"
# Keys a sweep sets itself: seeds through `seeds`, threads through `resources.threads`.
RESERVED_KEYS = {"simulation.seed": "seeds", "simulation.threads": "resources.threads"}
NAME_PATTERN = re.compile(r"^[A-Za-z0-9._-]+$")
TIME_PATTERN = re.compile(r"^(?:(\d+)-)?(\d{1,3}):(\d{2}):(\d{2})$")


@dataclass(frozen=True)
class Resources:
    """What one run of the sweep needs."""

    threads: int
    memory_gb: float
    time: str  # [D-]HH:MM:SS, as SLURM's --time takes it

    @property
    def memory_mb(self) -> int:
        return int(round(self.memory_gb * 1024))

    @property
    def time_s(self) -> int:
        days, h, m, s = TIME_PATTERN.match(self.time).groups()
        return ((int(days or 0) * 24 + int(h)) * 60 + int(m)) * 60 + int(s)


@dataclass(frozen=True)
class SweepSpec:
    """A checked sweep file."""

    path: Path
    name: str
    protocol: str
    preset: str | None
    overlays: tuple[Path, ...]
    fixed: dict = field(default_factory=dict)      # `set`: key -> value
    grid: dict = field(default_factory=dict)       # key -> list of values, in file order
    points: tuple = ()                             # explicit points: dicts key -> value
    seeds: tuple[int, ...] = (1,)
    resources: Resources = Resources(**RESOURCE_DEFAULTS)

    @property
    def varied_keys(self) -> list[str]:
        """Keys that change between points: the grid's, then the explicit points'."""
        keys = list(self.grid)
        for point in self.points:
            keys += [k for k in point if k not in keys]
        return keys


def _fail(path: Path, key: str, value: Any, allowed: str):
    raise ConfigError(str(path), key, value, allowed)


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def resolve_file(name: str | Path, sweep_file: Path) -> Path | None:
    """A file named in a sweep file: absolute, or relative to the sweep file, the working
    directory or the repository root (where configs/ lives), first match wins."""
    path = Path(name)
    if path.is_absolute():
        return path if path.is_file() else None
    for base in (sweep_file.parent, Path.cwd(), CONFIG_DIR.parent):
        if (base / path).is_file():
            return (base / path).resolve()
    return None


def condition_file(name: str) -> Path:
    """configs/conditions/<name>.yaml."""
    return CONFIG_DIR / "conditions" / f"{name}.yaml"


def _check_key(path: Path, where: str, key: Any) -> str:
    if not isinstance(key, str) or not key or key.startswith(".") or key.endswith(".") \
            or ".." in key or "=" in key:
        _fail(path, where, key, "a dotted config key such as striatum.lambda")
    if key in RESERVED_KEYS:
        _fail(path, f"{where}", key, f"a key the sweep does not set itself; set it with "
                                     f"`{RESERVED_KEYS[key]}` instead")
    return key


def _check_condition(path: Path, where: str, value: Any) -> None:
    if value is None:
        return
    known = sorted(p.stem for p in (CONFIG_DIR / "conditions").glob("*.yaml"))
    if not isinstance(value, str) or not condition_file(value).is_file():
        _fail(path, where, value, f"null (healthy) or a condition: {', '.join(known)}")


def _check_value(path: Path, where: str, key: str, value: Any) -> None:
    if key == CONDITION_KEY:
        _check_condition(path, where, value)
    elif isinstance(value, dict):
        _fail(path, where, value, "a single value or a list (write nested keys dotted)")


def _parse_resources(path: Path, raw: Any) -> Resources:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        _fail(path, "resources", raw, "a mapping with threads, memory_gb and time")
    for key in raw:
        if key not in RESOURCE_DEFAULTS:
            _fail(path, f"resources.{key}", raw[key],
                  f"unknown key; allowed keys here: {', '.join(RESOURCE_DEFAULTS)}")
    values = {**RESOURCE_DEFAULTS, **raw}
    threads = values["threads"]
    if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
        _fail(path, "resources.threads", threads, "an integer >= 1 (NEST threads per run)")
    memory = values["memory_gb"]
    if not _is_number(memory) or memory <= 0:
        _fail(path, "resources.memory_gb", memory, "a number > 0 (GB of memory per run)")
    time = values["time"]
    if isinstance(time, int) and not isinstance(time, bool) and time > 0:
        # YAML reads 01:00:00 unquoted as a sexagesimal integer (seconds); accept it.
        time = f"{time // 86400}-{time % 86400 // 3600:02d}:{time % 3600 // 60:02d}:{time % 60:02d}"
        time = time[2:] if time.startswith("0-") else time
    if not isinstance(time, str) or not TIME_PATTERN.match(time):
        _fail(path, "resources.time", values["time"],
              "a wall-time limit per run as [D-]HH:MM:SS, e.g. \"12:00:00\" or \"2-00:00:00\"")
    return Resources(threads=threads, memory_gb=float(memory), time=time)


def parse_sweep(path: str | Path) -> SweepSpec:
    """Read and check a sweep file.

    Parameters
    ----------
    path : path
        The sweep YAML file.

    Returns
    -------
    SweepSpec

    Raises
    ------
    ConfigError
        Naming the file, the key, the value and what is allowed.
    """
    path = overlay_path(path)
    data = read_yaml(path)
    for key in data:
        if key not in SWEEP_KEYS:
            _fail(path, str(key), data[key],
                  f"unknown key; allowed keys: {', '.join(SWEEP_KEYS)}")

    name = data.get("name", path.stem.removesuffix(".sweep"))
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        _fail(path, "name", name, SWEEP_KEYS["name"])

    if "protocol" not in data:
        _fail(path, "protocol", None, "missing required key: " + SWEEP_KEYS["protocol"])
    protocol = data["protocol"]
    known = sorted(p.stem for p in (CONFIG_DIR / "protocols").glob("*.yaml"))
    if protocol not in known:
        _fail(path, "protocol", protocol, f"one of {', '.join(known)}")

    preset = data.get("preset")
    presets = sorted(p.stem for p in (CONFIG_DIR / "presets").glob("*.yaml"))
    if preset is not None and preset not in presets:
        _fail(path, "preset", preset, f"null or one of {', '.join(presets)}")

    raw_overlays = data.get("overlays") or []
    if not isinstance(raw_overlays, list):
        _fail(path, "overlays", raw_overlays, SWEEP_KEYS["overlays"])
    overlays = []
    for i, item in enumerate(raw_overlays):
        found = resolve_file(item, path) if isinstance(item, str) else None
        if found is None:
            _fail(path, f"overlays[{i}]", item, "an existing YAML file (relative to the sweep "
                                                 "file, the working folder or the repository)")
        overlays.append(found)

    fixed = data.get("set") or {}
    if not isinstance(fixed, dict):
        _fail(path, "set", fixed, SWEEP_KEYS["set"])
    for key, value in fixed.items():
        _check_key(path, f"set.{key}", key)
        if key == CONDITION_KEY:
            _fail(path, f"set.{key}", value, "a dotted config key; add a fixed condition "
                                             "to `overlays` instead")
        _check_value(path, f"set.{key}", key, value)

    grid = data.get("grid") or {}
    if not isinstance(grid, dict):
        _fail(path, "grid", grid, SWEEP_KEYS["grid"])
    for key, values in grid.items():
        _check_key(path, f"grid.{key}", key)
        if key in fixed:
            _fail(path, f"grid.{key}", values, "a key not also under `set`")
        if not isinstance(values, list) or not values:
            _fail(path, f"grid.{key}", values, "a non-empty list of values")
        for i, value in enumerate(values):
            _check_value(path, f"grid.{key}[{i}]", key, value)
        if len({repr(v) for v in values}) != len(values):
            _fail(path, f"grid.{key}", values, "distinct values")

    raw_points = data.get("points") or []
    if not isinstance(raw_points, list):
        _fail(path, "points", raw_points, SWEEP_KEYS["points"])
    points = []
    for i, point in enumerate(raw_points):
        if not isinstance(point, dict) or not point:
            _fail(path, f"points[{i}]", point, "a non-empty mapping of dotted config keys to values")
        for key, value in point.items():
            _check_key(path, f"points[{i}].{key}", key)
            if key in fixed:
                _fail(path, f"points[{i}].{key}", value, "a key not also under `set`")
            _check_value(path, f"points[{i}].{key}", key, value)
        points.append(dict(point))

    seeds = data.get("seeds", [1])
    if isinstance(seeds, int) and not isinstance(seeds, bool):
        seeds = [seeds]
    if not (isinstance(seeds, list) and seeds
            and all(isinstance(s, int) and not isinstance(s, bool) and 1 <= s <= 2**31 - 1
                    for s in seeds)
            and len(set(seeds)) == len(seeds)):
        _fail(path, "seeds", seeds, SWEEP_KEYS["seeds"])

    return SweepSpec(path=path, name=name, protocol=protocol, preset=preset,
                     overlays=tuple(overlays), fixed=dict(fixed), grid=dict(grid),
                     points=tuple(points), seeds=tuple(seeds),
                     resources=_parse_resources(path, data.get("resources")))
