"""The authors' per-episode text format (oist/topological_BG figures/ folders).

One folder per run holds, one row per episode:
    <POP>_fr.txt      mean rate (Hz) during the stimulus, one column per channel 0-4,
                      POP in GPi, MSN, MSN_d1, MSN_d2, FSI, GPe, STN
    current_task.txt  +1 (CS+ episodes) or -1
    CS_plus.txt, CS_minus.txt   1/0 per episode
and once per run: plot_labels.txt (Lambda,<v> / kappa,<v> / Mod,<v>), do_tests.txt
(the last probe flag), centers.txt (channel centres, x y).

`read_run` reads such a folder (theirs or ours); `EpisodeWriter` appends rows as a run
goes, so that their figure script and ours read bgmodel's plasticity runs.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np

from .rundir import atomic_write_text

# Our population names -> the authors' file stems.
RATE_FILES = {"GPi": "GPi", "MSN": "MSN", "MSN_D1": "MSN_d1", "MSN_D2": "MSN_d2",
              "FSI": "FSI", "GPe": "GPe", "STN": "STN"}
LABELS = {"lambda": "Lambda", "kappa": "kappa", "eta": "Mod"}


@dataclass
class AuthorsRun:
    """One run in the authors' format."""

    path: Path
    rates: dict  # our population name -> (episodes, channels) array
    task: np.ndarray  # +1 / -1 per episode
    cs_plus: np.ndarray | None
    cs_minus: np.ndarray | None
    labels: dict  # lambda, kappa, eta
    centres: np.ndarray | None

    @property
    def episodes(self) -> int:
        return len(self.task)

    @property
    def marker(self) -> str:
        """'x' (excluded), 'm' (kept, atypical) or '' from the folder name (logNx)."""
        m = re.match(r"log\d+([a-z]*)$", self.path.name)
        return m.group(1) if m else ""


def _load_rows(path: Path) -> np.ndarray:
    return np.atleast_2d(np.loadtxt(path, ndmin=2)) if path.stat().st_size else np.zeros((0, 5))


def read_run(path: str | Path) -> AuthorsRun:
    """Read one run folder of the authors' format."""
    path = Path(path)
    if not (path / "GPi_fr.txt").is_file():
        raise FileNotFoundError(f"{path}: no GPi_fr.txt; not a run in the authors' format")
    rates = {ours: _load_rows(path / f"{stem}_fr.txt") for ours, stem in RATE_FILES.items()
             if (path / f"{stem}_fr.txt").is_file()}
    task = np.loadtxt(path / "current_task.txt", ndmin=1) if (path / "current_task.txt").is_file() else np.zeros(0)
    optional = {name: (np.loadtxt(path / f"{name}.txt", ndmin=1) if (path / f"{name}.txt").is_file() else None)
                for name in ("CS_plus", "CS_minus")}
    labels = {}
    if (path / "plot_labels.txt").is_file():
        inverse = {v: k for k, v in LABELS.items()}
        for line in (path / "plot_labels.txt").read_text().split():
            key, _, value = line.partition(",")
            if key in inverse:
                labels[inverse[key]] = float(value)
    centres = np.loadtxt(path / "centers.txt", ndmin=2) if (path / "centers.txt").is_file() else None
    n = min([len(task)] + [len(r) for r in rates.values()])
    return AuthorsRun(path=path, rates={k: v[:n] for k, v in rates.items()}, task=task[:n],
                      cs_plus=optional["CS_plus"], cs_minus=optional["CS_minus"],
                      labels=labels, centres=centres)


def read_condition(folder: str | Path, include_marked: bool = False) -> list[AuthorsRun]:
    """All runs (logN/) of one condition folder, without the 'x'-marked ones."""
    runs = [read_run(p) for p in sorted(Path(folder).glob("log*")) if p.is_dir()]
    return [r for r in runs if include_marked or r.marker != "x"]


def _fmt(values) -> str:
    return " ".join(repr(float(v)) for v in values)


class EpisodeWriter:
    """Appends one row per episode to the authors' files in `folder`.

    Appends are line-sized writes followed by fsync; `truncate(n)` cuts every file back
    to n episodes (used when a run resumes from a checkpoint). With writes=False (MPI
    ranks other than 0) nothing is written."""

    def __init__(self, folder: str | Path, labels: Mapping[str, float], centres: np.ndarray,
                 writes: bool = True):
        self.folder = Path(folder)
        self.writes = writes
        if not writes:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.folder / "plot_labels.txt",
                          "".join(f"{LABELS[k]},{labels[k]}\n" for k in LABELS))
        atomic_write_text(self.folder / "centers.txt",
                          "".join(f"{float(x)!r} {float(y)!r}\n" for x, y in np.asarray(centres)))

    def _append(self, name: str, line: str) -> None:
        with open(self.folder / name, "a") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def append(self, rates: Mapping[str, np.ndarray], task: int, probe_flag: str = "F") -> None:
        """One episode: per-channel rates by our population name, task +1/-1."""
        if not self.writes:
            return
        for ours, stem in RATE_FILES.items():
            self._append(f"{stem}_fr.txt", _fmt(rates[ours]))
        self._append("current_task.txt", str(int(task)))
        self._append("CS_plus.txt", "1" if task > 0 else "0")
        self._append("CS_minus.txt", "1" if task < 0 else "0")
        atomic_write_text(self.folder / "do_tests.txt", f"{probe_flag}\n")

    def truncate(self, episodes: int) -> None:
        """Keep the first `episodes` rows of every per-episode file."""
        if not self.writes:
            return
        for name in [f"{s}_fr.txt" for s in RATE_FILES.values()] + ["current_task.txt", "CS_plus.txt", "CS_minus.txt"]:
            path = self.folder / name
            if path.is_file():
                lines = path.read_text().splitlines()[:episodes]
                atomic_write_text(path, "".join(line + "\n" for line in lines))
