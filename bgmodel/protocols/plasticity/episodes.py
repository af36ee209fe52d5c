"""The plasticity protocol's per-episode table (results/episodes.csv), without NEST.

One row per episode, one column per quantity (the episode is the observation):
    episode, phase, task, pattern, probe, stdp_event, t_start_ms,
    input_<INPUT>_ch<c>_Hz      extra rate of the sampled relays of competing channel c
    <POP>_ch<c>_Hz              mean rate of POP's neurons in readout channel c during the
                                stimulus (POP in protocol.read_populations)
    selected_channel            lowest GPi rate among the competing channels (-1: none);
                                with protocol.choice_groups, of the first group
    dopamine_event              the event SNc delivered after the episode, or "none"
    snc_spikes_<event>          SNc spikes of each event's relays during the episode
    (signal dopamine models instead: rewarded_channel, reward, rewarded, omitted, the
    model's record and snc_<group>_<window>: bgmodel.protocols.plasticity.signal_dopamine)
    w_<MSN_D1|MSN_D2>_ch<c>     mean plastic weight onto those MSNs after the episode
    eta_applied                 whether striatum.eta has been applied (at or before it)
    wall_s, simulate_s          wall-clock time of the episode, of which in NEST.Simulate
    cpu_s                       CPU time of the process (all threads) in the episode: the
                                cost without the waiting on a shared machine

`EpisodeTable` rewrites the file atomically after every episode (the whole table is a
few hundred rows) and can be cut back to a checkpoint's episode count. `read_episodes`
reads it back as columns; `window_means` averages windows of episodes for summaries.
"""
from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

from ...results.rundir import atomic_write_text

# (chooser, snc_response: columns of signal dopamine models)
TEXT_COLUMNS = ("phase", "pattern", "stdp_event", "dopamine_event", "chooser", "snc_response")
NO_SELECTION = -1


def table_columns(stimulated_inputs: Iterable[str], competing: Sequence[int],
                  read_populations: Iterable[str], readout: Sequence[int],
                  events: Iterable[str], weight_channels: Sequence[int]) -> list[str]:
    """Column names of episodes.csv in order."""
    cols = ["episode", "phase", "task", "pattern", "probe", "stdp_event", "t_start_ms"]
    cols += [f"input_{inp}_ch{c}_Hz" for inp in stimulated_inputs for c in competing]
    cols += [rate_column(pop, c) for pop in read_populations for c in readout]
    cols += ["selected_channel", "dopamine_event"]
    cols += [f"snc_spikes_{e}" for e in events]
    cols += [weight_column(cell, c) for cell in ("MSN_D1", "MSN_D2") for c in weight_channels]
    cols += ["eta_applied", "wall_s", "cpu_s", "simulate_s"]
    return cols


def rate_column(population: str, channel: int) -> str:
    return f"{population}_ch{channel}_Hz"


def weight_column(cell: str, channel: int) -> str:
    return f"w_{cell}_ch{channel}"


def group_weight_column(cell: str, channel: int, group: str) -> str:
    """Mean weight of the synapses on SNc group `group`'s transmitter."""
    return f"w_{cell}_ch{channel}_{group}"


def _format(value) -> str:
    if isinstance(value, (bool, np.bool_)):
        return "1" if value else "0"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return "nan" if math.isnan(value) else repr(float(value))
    return str(value)


class EpisodeTable:
    """episodes.csv of one run, kept in memory and rewritten atomically per episode.

    Parameters
    ----------
    path : path
        The CSV file.
    columns : list of str
        Column names (`table_columns`).
    writes : bool
        False keeps the table in memory only (MPI ranks other than 0).
    """

    def __init__(self, path: str | Path, columns: Sequence[str], writes: bool = True):
        self.path = Path(path)
        self.columns = list(columns)
        self.lines: list[str] = []
        self.writes = writes

    def __len__(self) -> int:
        return len(self.lines)

    def append(self, row: Mapping) -> None:
        """Add one episode's row and rewrite the file; a missing column is an error."""
        missing = [c for c in self.columns if c not in row]
        if missing:
            raise KeyError(f"episode row lacks columns {missing}")
        self.lines.append(",".join(_format(row[c]) for c in self.columns))
        self.write()

    def text(self) -> str:
        return ",".join(self.columns) + "\n" + "".join(line + "\n" for line in self.lines)

    def write(self) -> None:
        if self.writes:
            atomic_write_text(self.path, self.text())

    def as_columns(self) -> dict[str, np.ndarray]:
        """The rows held in memory as columns (as `read_episodes` returns them)."""
        return parse_episodes(self.text())

    def resume(self, episodes: int) -> None:
        """Load the rows of an earlier run, keep its first `episodes` rows, rewrite.

        Raises ValueError when the file has other columns or fewer rows."""
        if episodes == 0 and not self.path.is_file():
            self.lines = []
            self.write()
            return
        text = self.path.read_text().splitlines()
        if not text or text[0].split(",") != self.columns:
            raise ValueError(f"{self.path}: its columns differ from this run's; cannot resume")
        rows = [line for line in text[1:] if line]
        if len(rows) < episodes:
            raise ValueError(f"{self.path}: {len(rows)} episodes written but the checkpoint "
                             f"holds {episodes}; cannot resume")
        self.lines = rows[:episodes]
        self.write()


def read_episodes(path: str | Path) -> dict[str, np.ndarray]:
    """episodes.csv as columns: text columns as str arrays, the others as floats."""
    path = Path(path)
    if path.is_dir():
        path = path / "results" / "episodes.csv"
    with open(path, newline="") as fh:
        return parse_episodes(fh.read())


def parse_episodes(text: str) -> dict[str, np.ndarray]:
    """The text of an episodes.csv as columns."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    rows = [r for r in reader if r]
    out = {}
    for i, name in enumerate(header):
        values = [r[i] for r in rows]
        out[name] = np.array(values, dtype=str if name in TEXT_COLUMNS else float)
    return out


def window_means(table: Mapping[str, np.ndarray], windows: Mapping[str, Sequence[int]],
                 competing: Sequence[int], weight_channels: Sequence[int]) -> dict:
    """Means over windows of episodes [first, last] (clipped to the episodes run).

    For each window: episodes averaged, GPi(c1) - GPi(c2), GPi, D1 and D2 rates of the
    two first competing channels, mean plastic weights, the fraction of episodes in
    which c1 was selected and the dopamine events delivered. A window with no episode
    run is left out.
    """
    c1, c2 = competing[0], competing[1]
    episode = table["episode"]
    out = {}
    for name, (first, last) in windows.items():
        sel = (episode >= first) & (episode <= last)
        if not sel.any():
            continue

        def mean(col):
            return float(np.mean(table[col][sel])) if col in table else float("nan")

        events, counts = np.unique(table["dopamine_event"][sel], return_counts=True)
        entry = {
            "episodes": [int(episode[sel].min()), int(episode[sel].max())],
            "count": int(sel.sum()),
            f"GPi_ch{c1}_minus_ch{c2}_Hz": mean(rate_column("GPi", c1))
            - mean(rate_column("GPi", c2)),
            f"channel_{c1}_selected_fraction":
                float(np.mean(table["selected_channel"][sel] == c1)),
            "dopamine_events": {str(e): int(n) for e, n in zip(events, counts)},
        }
        for pop in ("GPi", "MSN_D1", "MSN_D2"):
            for c in (c1, c2):
                entry[rate_column(pop, c)] = mean(rate_column(pop, c))
        for cell in ("MSN_D1", "MSN_D2"):
            for c in weight_channels:
                entry[weight_column(cell, c)] = mean(weight_column(cell, c))
        out[name] = entry
    return out
