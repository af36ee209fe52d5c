"""The dopamine models by name, and building one from the `dopamine:` section.

`MODELS` is fixed at import (no registration at run time): adding a model is one import
and one entry in `MODEL_CLASSES`.
"""
from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

import numpy as np

from ..model.schema import ConfigError, source_of
from .base import DopamineModel
from .config import SECTION, check_model_section
from .distributional import DistributionalModel
from .physiological import PhysiologicalModel
from .rpe import RpeModel

MODEL_CLASSES = (PhysiologicalModel, RpeModel, DistributionalModel)
MODELS: Mapping[str, type] = MappingProxyType({cls.name: cls for cls in MODEL_CLASSES})


def model_class(name, provenance: Mapping | None = None,
                path: str = f"{SECTION}.model") -> type:
    """The class registered as `name`; ConfigError listing the names otherwise."""
    if name not in MODELS:
        raise ConfigError(source_of(provenance or {}, path), path, name,
                          f"one of {', '.join(MODELS)}")
    return MODELS[name]


def validate_section(section, provenance: Mapping | None = None,
                     path: str = SECTION) -> type:
    """Check a `dopamine:` section; return the model class it selects."""
    if not isinstance(section, dict):
        raise ConfigError(source_of(provenance or {}, path), path, section,
                          "a mapping with model: and the model's parameters")
    if "model" not in section:
        raise ConfigError(source_of(provenance or {}, path), f"{path}.model", None,
                          f"missing required key; one of {', '.join(MODELS)}")
    cls = model_class(section["model"], provenance, f"{path}.model")
    check_model_section(cls, section, MODELS, provenance, path)
    return cls


def make_model(section: Mapping, rng: np.random.Generator,
               provenance: Mapping | None = None) -> DopamineModel:
    """Validate `section` and build its model with the run's Generator."""
    return validate_section(section, provenance)(section, rng)
