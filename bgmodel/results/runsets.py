"""Find plasticity runs in folders and label them by condition, lambda, kappa and eta.

The figure commands accept, for each path given:

- a bgmodel run folder (run.json + results/authors_format/),
- one run in the authors' text format (a folder with GPi_fr.txt, e.g. .../log2),
- a condition folder of the authors (run4_k_4_l_02_m_1/ holding log0/, log1/, ...),
- any folder containing such folders (a sweep folder, ../shared/reference-data).

bgmodel runs whose status is not "done" are left out (listed in RunSet.skipped).

Each run is read with bgmodel.results.authors_format.read_run and labelled: bgmodel runs by
their frozen config.yaml (striatum.lambda/kappa/eta; the condition by comparing the STDP
amplitudes with those of configs/conditions/*.yaml), the authors' runs by
plot_labels.txt and their folder name (`_p_` Parkinson's, a trailing `_s`
schizophrenia). Runs whose folder name ends in `x` are left out (the authors mark
failed or incomplete runs so).
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import yaml

from .authors_format import AuthorsRun, read_run
from ..model.config import CONFIG_DIR, load_config
from .rundir import RunDirectory

NORMAL = "normal"
AUTHORS_FORMAT_DIR = Path("results") / "authors_format"
# How deep below a given folder runs are searched for.
MAX_DEPTH = 4


@dataclass(frozen=True)
class RunLabel:
    """Parameters that tell runs apart in the paper's figures."""

    condition: str
    lam: float
    kappa: float
    eta: float

    def matches(self, condition: str, lam: float, kappa: float, eta: float) -> bool:
        return (self.condition == condition and math.isclose(self.lam, lam, abs_tol=1e-6)
                and math.isclose(self.kappa, kappa, abs_tol=1e-6)
                and math.isclose(self.eta, eta, abs_tol=1e-6))

    def __str__(self) -> str:
        return (f"{self.condition}, lambda={self.lam:g}, kappa={self.kappa:g}, "
                f"eta={self.eta:g}")


@dataclass
class Run:
    """One plasticity run: where it is, its label and its per-episode data."""

    path: Path
    label: RunLabel
    data: AuthorsRun
    source: str  # "bgmodel" or "authors"

    @property
    def name(self) -> str:
        """Short name: the run folder, with its condition folder for the authors' runs."""
        if self.source == "authors":
            return f"{self.path.parent.name}/{self.path.name}"
        return self.path.name

    @property
    def episodes(self) -> int:
        return self.data.episodes


@dataclass
class RunSet:
    """Runs found under the paths given to a figure command."""

    runs: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (path, reason)

    def select(self, condition: str, lam: float, kappa: float, eta: float) -> list:
        """Runs with this label, in the order they were found."""
        return [r for r in self.runs if r.label.matches(condition, lam, kappa, eta)]

    def labels(self) -> list:
        """Distinct labels, in the order they were found."""
        out = []
        for r in self.runs:
            if r.label not in out:
                out.append(r.label)
        return out

    def __len__(self) -> int:
        return len(self.runs)


# ----------------------------------------------------------------------------- conditions
def condition_amplitudes() -> dict:
    """STDP amplitudes (in dc) of the normal model and of each configs/conditions/ file."""
    out = {NORMAL: load_config(None)["plasticity"]["amplitudes_in_dc"]}
    for path in sorted((CONFIG_DIR / "conditions").glob("*.yaml")):
        out[path.stem] = load_config(None, overlays=[path])["plasticity"]["amplitudes_in_dc"]
    return out


def _same_amplitudes(a: dict, b: dict) -> bool:
    try:
        return all(math.isclose(a[ev][cell][key], b[ev][cell][key], abs_tol=1e-12)
                   for ev in b for cell in b[ev] for key in b[ev][cell]) and set(a) == set(b)
    except (KeyError, TypeError):
        return False


def condition_of_amplitudes(amplitudes: dict, known: dict | None = None) -> str:
    """Name of the condition whose STDP amplitudes equal `amplitudes`, else 'custom'."""
    known = condition_amplitudes() if known is None else known
    for name, amps in known.items():
        if _same_amplitudes(amplitudes, amps):
            return name
    return "custom"


def condition_of_authors_folder(name: str) -> str:
    """The authors' folder suffixes: `_p_...` Parkinson's, a trailing `_s` schizophrenia."""
    if "_p_" in name or name.endswith("_p"):
        return "parkinson"
    if name.endswith("_s") or "_s_" in name:
        return "schizophrenia"
    return NORMAL


# ----------------------------------------------------------------------------- reading
def authors_marker(name: str) -> str:
    """Letters after logN in an authors' run folder name ('x' excluded, 'm' atypical)."""
    match = re.match(r"log\d+([a-z]*)$", name)
    return match.group(1) if match else ""


def is_authors_run(path: Path) -> bool:
    return (path / "GPi_fr.txt").is_file()


def is_bgmodel_run(path: Path) -> bool:
    return (path / "run.json").is_file()


def read_bgmodel_run(path: Path, known: dict | None = None) -> Run:
    """A bgmodel plasticity run folder, labelled from its frozen config.yaml."""
    folder = path / AUTHORS_FORMAT_DIR
    if not is_authors_run(folder):
        raise FileNotFoundError(f"{path}: no {AUTHORS_FORMAT_DIR}/GPi_fr.txt "
                                "(not a plasticity run, or it has not written an episode yet)")
    config = yaml.safe_load((path / "config.yaml").read_text())
    st = config["striatum"]
    condition = condition_of_amplitudes(config["plasticity"]["amplitudes_in_dc"], known)
    label = RunLabel(condition, float(st["lambda"]), float(st["kappa"]), float(st["eta"]))
    return Run(path=path, label=label, data=read_run(folder), source="bgmodel")


def read_authors_run(path: Path) -> Run:
    """One logN folder of the authors, labelled from plot_labels.txt and its parent's name."""
    data = read_run(path)
    missing = [k for k in ("lambda", "kappa", "eta") if k not in data.labels]
    if missing:
        raise ValueError(f"{path}: plot_labels.txt lacks {', '.join(missing)}")
    label = RunLabel(condition_of_authors_folder(path.parent.name), data.labels["lambda"],
                     data.labels["kappa"], data.labels["eta"])
    return Run(path=path, label=label, data=data, source="authors")


def _walk(path: Path, depth: int, found: RunSet, known: dict) -> None:
    if is_bgmodel_run(path):
        status = RunDirectory(path).effective_status()
        if status != "done":
            # Unfinished runs (and a sweep's attempts/) would mix partial learning
            # curves into the figures.
            found.skipped.append((path, f"status {status}, not done"))
            return
        try:
            found.runs.append(read_bgmodel_run(path, known))
        except (FileNotFoundError, KeyError, ValueError) as err:
            found.skipped.append((path, str(err)))
        return
    if is_authors_run(path):
        if "x" in authors_marker(path.name):
            found.skipped.append((path, "marked x by the authors (excluded)"))
            return
        try:
            found.runs.append(read_authors_run(path))
        except (OSError, ValueError) as err:
            found.skipped.append((path, str(err)))
        return
    if depth >= MAX_DEPTH:
        return
    for child in sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")):
        _walk(child, depth + 1, found, known)


def find_runs(paths: Iterable[str | Path]) -> RunSet:
    """Every plasticity run under `paths` (run, condition or sweep folders).

    Raises
    ------
    FileNotFoundError
        If a path does not exist.
    """
    found = RunSet()
    known = condition_amplitudes()
    for p in paths:
        path = Path(p)
        if not path.is_dir():
            raise FileNotFoundError(f"{path}: no such folder")
        _walk(path, 0, found, known)
    # A run reached through two of the paths counts once (the first time it was found).
    unique, seen = [], set()
    for run in found.runs:
        key = run.path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(run)
    found.runs = unique
    return found
