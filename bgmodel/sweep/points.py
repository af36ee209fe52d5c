"""Expand a sweep into points and resolve each point's configuration.

A point is one run: the varied values (a grid combination or an explicit point) and a
seed. Points are ordered seed by seed (all parameter sets with the first seed, then
with the second, ...), so that a sweep that gains seeds keeps the indices of its earlier
points, and a partly finished sweep already holds a complete first replicate.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import re
from dataclasses import dataclass
from typing import Any

from ..model.config import ResolvedConfig, load_config
from ..model.schema import ConfigError
from .spec import CONDITION_KEY, SweepSpec, condition_file

# Longer point names are cut and completed with a hash (file systems allow 255 bytes).
MAX_NAME_LENGTH = 120


@dataclass(frozen=True)
class SweepPoint:
    """One run of a sweep.

    Attributes
    ----------
    index : int
        Position in the sweep (SLURM array index).
    name : str
        Run folder name, made from the varied values and the seed.
    params : dict
        Varied key -> value (including `condition` when it is varied).
    seed : int
        simulation.seed of the run.
    """

    index: int
    name: str
    params: dict
    seed: int


def _format_value(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format(value, "g")
    if isinstance(value, (list, tuple)):
        return "-".join(_format_value(v) for v in value)
    return re.sub(r"[^A-Za-z0-9.+]+", "-", str(value)).strip("-") or "x"


def key_labels(keys: list[str]) -> dict[str, str]:
    """Short labels for varied keys: the last part of the dotted key, or the whole key
    when two varied keys share their last part."""
    last = [k.rsplit(".", 1)[-1] for k in keys]
    return {k: (tail if last.count(tail) == 1 else k) for k, tail in zip(keys, last)}


def point_name(params: dict, seed: int, labels: dict[str, str]) -> str:
    """Folder name of a point, e.g. ``kappa-2_lambda-0.1_eta-1_seed-3``."""
    parts = [f"{labels[k]}-{_format_value(v)}" for k, v in params.items()]
    name = "_".join(parts + [f"seed-{seed}"])
    if len(name) > MAX_NAME_LENGTH:
        digest = hashlib.sha1(name.encode()).hexdigest()[:8]
        name = f"{name[:MAX_NAME_LENGTH - 9]}_{digest}"
    return name


def expand_points(spec: SweepSpec) -> list[SweepPoint]:
    """All points of a sweep: grid combinations, then explicit points, for every seed.

    Raises
    ------
    ConfigError
        When two points would have the same values and seed (for example an explicit
        point that is also on the grid).
    """
    combos: list[dict] = []
    if spec.grid:
        keys = list(spec.grid)
        for values in itertools.product(*(spec.grid[k] for k in keys)):
            combos.append(dict(zip(keys, values)))
    combos += [dict(p) for p in spec.points]
    if not combos:
        combos = [{}]
    labels = key_labels(spec.varied_keys)
    points, seen = [], {}
    for seed in spec.seeds:
        for params in combos:
            name = point_name(params, seed, labels)
            if name in seen:
                raise ConfigError(str(spec.path), "points", params,
                                  f"points that differ from each other; this one repeats "
                                  f"point {seen[name]} ({name})")
            seen[name] = len(points)
            points.append(SweepPoint(index=len(points), name=name, params=params, seed=seed))
    return points


def _yaml_value(value: Any) -> str:
    # JSON is valid YAML for scalars and lists, so --set parses it back unchanged.
    return json.dumps(value)


def point_overrides(spec: SweepSpec, point: SweepPoint) -> list[str]:
    """``key=value`` overrides of a point: the shared `set`, the varied values, the seed
    and the threads."""
    items = dict(spec.fixed)
    items.update({k: v for k, v in point.params.items() if k != CONDITION_KEY})
    overrides = [f"{k}={_yaml_value(v)}" for k, v in items.items()]
    overrides += [f"simulation.seed={point.seed}",
                  f"simulation.threads={spec.resources.threads}"]
    return overrides


def point_overlays(spec: SweepSpec, point: SweepPoint) -> list:
    """Overlay files of a point: the sweep's, then its condition's (if any)."""
    overlays = list(spec.overlays)
    condition = point.params.get(CONDITION_KEY)
    if condition is not None:
        overlays.append(condition_file(condition))
    return overlays


def resolve_point(spec: SweepSpec, point: SweepPoint) -> ResolvedConfig:
    """The validated configuration of one point.

    Raises
    ------
    ConfigError
        With the sweep file and point named when a varied or shared value is at fault.
    """
    try:
        return load_config(spec.protocol, preset=spec.preset,
                           overlays=point_overlays(spec, point),
                           overrides=point_overrides(spec, point))
    except ConfigError as err:
        if err.source == "--set":
            raise ConfigError(f"{spec.path} (point {point.index}, {point.name})", err.path,
                              err.value, err.allowed) from None
        raise


def resolve_points(spec: SweepSpec, points: list[SweepPoint]
                   ) -> list[tuple[SweepPoint, ResolvedConfig | None, ConfigError | None]]:
    """Resolve every point before anything runs: (point, config, None) when valid,
    (point, None, error) when not."""
    out = []
    for point in points:
        try:
            out.append((point, resolve_point(spec, point), None))
        except ConfigError as err:
            out.append((point, None, err))
    return out
