"""The dopamine models by name, and building one from the `dopamine:` section.

`MODELS` (the signal models: a spiking SNc driven by a `DopamineModel`) is fixed at
import (no registration at run time): adding a model is one import and one entry in
`MODEL_CLASSES`. `rule` (bgmodel.dopamine.rule, the published burst/dip rule and the
default) is a name of the section too, `NAMES`, but not a signal model.
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

import numpy as np

from ..model.schema import ConfigError, Record, source_of
from .base import DopamineModel
from .config import SECTION, check_model_section, section_schema
from .distributional import DistributionalModel
from .physiological import PhysiologicalModel
from .rpe import RpeModel
from .rule import RuleDopamine
from .vector import VectorModel

RULE = RuleDopamine.name
MODEL_CLASSES = (PhysiologicalModel, RpeModel, DistributionalModel, VectorModel)
MODELS: Mapping[str, type] = MappingProxyType({cls.name: cls for cls in MODEL_CLASSES})
NAMES = (RULE,) + tuple(MODELS)
DEFAULT_SECTION = {"model": RULE}


def model_name(config: Mapping) -> str:
    """The `dopamine.model` of a (validated) config; `rule` where the section is absent
    (configs frozen before the section existed)."""
    return getattr(config, "data", config).get(SECTION, DEFAULT_SECTION)["model"]


def is_signal_model(config: Mapping) -> bool:
    """Whether the config's dopamine model is a signal model (spiking tonic SNc)."""
    return model_name(config) in MODELS


def model_class(name, provenance: Mapping | None = None,
                path: str = f"{SECTION}.model") -> type:
    """The class registered as `name` (RuleDopamine for `rule`); ConfigError listing
    the names otherwise."""
    if name == RULE:
        return RuleDopamine
    if name not in MODELS:
        raise ConfigError(source_of(provenance or {}, path), path, name,
                          f"one of {', '.join(NAMES)}")
    return MODELS[name]


def section_record(section, provenance: Mapping | None = None,
                   path: str = SECTION) -> Record:
    """The schema of this `dopamine:` section: the Record of the model it names (what
    bgmodel.model.config validates the section with)."""
    if not isinstance(section, dict):
        raise ConfigError(source_of(provenance or {}, path), path, section,
                          "a mapping with model: and the model's parameters")
    if "model" not in section:
        raise ConfigError(source_of(provenance or {}, path), f"{path}.model", None,
                          f"missing required key; one of {', '.join(NAMES)}")
    cls = model_class(section["model"], provenance, f"{path}.model")
    return section_schema(cls, NAMES, path)


def validate_section(section, provenance: Mapping | None = None,
                     path: str = SECTION) -> type:
    """Check a `dopamine:` section; return the model class it selects."""
    section_record(section, provenance, path)
    cls = model_class(section["model"], provenance, f"{path}.model")
    check_model_section(cls, section, NAMES, provenance, path)
    return cls


def make_model(section: Mapping, rng: np.random.Generator,
               provenance: Mapping | None = None) -> DopamineModel:
    """Validate `section` and build its signal model with the run's Generator."""
    cls = validate_section(section, provenance)
    if cls is RuleDopamine:
        raise ValueError("`rule` is not a signal model: the plasticity protocol builds "
                         "it from protocol.dopamine (RuleDopamine.from_config)")
    return cls(section, rng)
