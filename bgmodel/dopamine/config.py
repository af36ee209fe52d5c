"""Validation of the `dopamine:` section, with bgmodel's typed schema.

Each model declares the schema of its parameters beside its code (`schema`, a
bgmodel.model.schema.Record without the `model` key) and, where fields depend on each
other, a `consistency(section)` classmethod that yields bgmodel.model.schema.Problem
with key paths relative to the section. `section_schema` attaches those to the
section's Record as one of its checks, so the section is validated by the schema's own
walk (types and ranges, then references, then checks) like every other section of the
configuration: errors are ConfigError naming file, key, value and what is allowed.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from ..model.schema import (ConfigError, Field, Problem, Record, check, run_later,
                             source_of)

SECTION = "dopamine"


def model_field(names) -> Field:
    """The `model` key: a registered model name."""
    return Field("str", "dopamine model (`rule`: the published rule of the plasticity "
                 "protocol; the others: one file each in bgmodel/dopamine)",
                 choices=tuple(names))


def section_schema(model_cls, names, path: str = SECTION) -> Record:
    """The whole section's schema for `model_cls`: `model` plus the model's fields, with
    the model's cross-field rules as the Record's check."""
    spec = model_cls.schema

    def consistency(section: Mapping, root: Mapping) -> Iterable[Problem]:
        for problem in model_cls.consistency(section):
            key = f"{path}.{problem.path}" if problem.path else path
            yield Problem(key, problem.value, problem.allowed)

    return Record({"model": model_field(names), **spec.fields}, doc=spec.doc,
                  optional=spec.optional, checks=(consistency,))


def check_model_section(model_cls, section: Any, names, provenance: Mapping | None = None,
                        path: str = SECTION) -> None:
    """Check `section` against `model_cls`'s schema and cross-field rules.

    Parameters
    ----------
    model_cls : type
        A DopamineModel subclass (or the rule's class).
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
    later: list = []
    check(section_schema(model_cls, names, path), section, path, provenance, later)
    run_later(later, provenance, {path: section})


def probability_problems(values, probabilities, key: str,
                         tolerance: float = 1e-9) -> Iterable[Problem]:
    """Problems unless `probabilities` are >= 0, one per value, and sum to 1 within
    `tolerance` (at most one)."""
    if len(probabilities) != len(values) or not probabilities:
        yield Problem(key, probabilities, f"one probability per value ({len(values)})")
    elif any(p < 0 for p in probabilities):
        yield Problem(key, probabilities, "probabilities >= 0")
    elif abs(sum(probabilities) - 1.0) > tolerance:
        yield Problem(key, probabilities, f"probabilities summing to 1 (within {tolerance})")


def raise_first(problems: Iterable[Problem], provenance: Mapping, path: str) -> None:
    """Raise ConfigError for the first problem (its key relative to `path`)."""
    for problem in problems:
        full = f"{path}.{problem.path}" if problem.path else path
        raise ConfigError(source_of(provenance, full), full, problem.value, problem.allowed)
