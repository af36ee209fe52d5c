"""Validation of the `dopamine:` section, with bgmodel's typed schema.

Each model declares the schema of its parameters beside its code (`schema`, a
bgmodel.model.schema.Record without the `model` key) and, where fields depend on each other,
a `check_consistency(section, fail)` classmethod. `check_model_section` runs both and
raises bgmodel.model.schema.ConfigError (file, key, value, what is allowed), like every other
check of bgmodel's configuration.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from ..model.schema import ConfigError, Field, Record, check, source_of

SECTION = "dopamine"

Fail = Callable[[str, Any, str], None]


def model_field(names) -> Field:
    """The `model` key: a registered model name."""
    return Field("str", "dopamine model (one file each in bgmodel/dopamine)",
                 choices=tuple(names))


def section_schema(model_cls, names) -> Record:
    """The whole section's schema for `model_cls`: `model` plus the model's fields."""
    spec = model_cls.schema
    return Record({"model": model_field(names), **spec.fields}, doc=spec.doc,
                  optional=spec.optional)


def failer(provenance: Mapping[str, str], path: str) -> Fail:
    """A `fail(key, value, allowed)` that raises ConfigError for `path.key`."""
    def fail(key: str, value: Any, allowed: str) -> None:
        full = f"{path}.{key}" if key else path
        raise ConfigError(source_of(provenance, full), full, value, allowed)
    return fail


def check_model_section(model_cls, section: Any, names, provenance: Mapping | None = None,
                        path: str = SECTION) -> None:
    """Check `section` against `model_cls`'s schema and cross-field rules.

    Parameters
    ----------
    model_cls : type
        A DopamineModel subclass.
    section : Any
        The `dopamine:` mapping.
    names : iterable of str
        Every registered model name (what `model` may be).
    provenance : mapping, optional
        Key path -> file that set it (bgmodel.model.config's merge records it).
    path : str
        Key path of the section.
    """
    provenance = provenance or {}
    check(section_schema(model_cls, names), section, path, provenance)
    model_cls.check_consistency(section, failer(provenance, path))


def probabilities_fail(values, probabilities, key: str, fail: Fail,
                       tolerance: float = 1e-9) -> None:
    """Fail unless `probabilities` are >= 0, one per value, and sum to 1 within
    `tolerance`."""
    if len(probabilities) != len(values) or not probabilities:
        fail(key, probabilities, f"one probability per value ({len(values)})")
    if any(p < 0 for p in probabilities):
        fail(key, probabilities, "probabilities >= 0")
    if abs(sum(probabilities) - 1.0) > tolerance:
        fail(key, probabilities, f"probabilities summing to 1 (within {tolerance})")
