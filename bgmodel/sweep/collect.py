"""Gather the points of sweep folders into one table.

One row per point: sweep, index, name, the varied values (one column per dotted key),
seed, status, error, wall time (from run.json's status history; 1 s resolution), the
phases of run.json's timings_s, peak memory, and every numeric leaf of the run's results/summary.json, flattened to dotted
column names (``rates.GPi.rate_Hz``; list items get ``[i]``; true/false become 1/0).
Flattening is generic, so a protocol's new summary numbers need no change here. A
summary leaf whose name is taken by a fixed or varied column is prefixed ``summary.``.

The table is written twice: CSV for people and spreadsheets, and an .npz of columns for
programs (`read_table`): NumPy is already a dependency, the file keeps float precision
and dtypes exactly, and loads one column without parsing text. Parquet would need
pyarrow (tens of MB) for the same use.
"""
from __future__ import annotations

import csv
import io
import json
import math
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from ..results.rundir import atomic_save_npz, atomic_write_text
from .folder import SweepFolder

FIXED_COLUMNS = ("sweep", "index", "name", "seed", "status", "error", "wall_time_s",
                 "peak_memory_mb", "run_dir")
# Longer lists in a summary (per-episode traces) are left out of the table: they belong
# in the run's own results files.
MAX_LIST_ITEMS = 64


def flatten_numeric(data: Any, prefix: str = "") -> dict[str, float]:
    """Numeric leaves of nested dicts and lists as {dotted.key[i]: float}."""
    out: dict[str, float] = {}
    if isinstance(data, bool):
        out[prefix] = float(data)
    elif isinstance(data, (int, float)):
        out[prefix] = float(data)
    elif isinstance(data, dict):
        for key, value in data.items():
            out.update(flatten_numeric(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, list) and len(data) <= MAX_LIST_ITEMS:
        for i, value in enumerate(data):
            out.update(flatten_numeric(value, f"{prefix}[{i}]"))
    return out


def _seconds(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def wall_time_s(meta: dict) -> float:
    """Seconds a run spent running, over all its attempts (resumed runs have several):
    from each "running" entry of run.json's status_history to the status that ended it.
    (timings_s also holds protocols' sub-phases, so its sum would count them twice.)"""
    total, start = 0.0, None
    for entry in meta.get("status_history", []):
        if entry["status"] == "running":
            start = _seconds(entry["at"])
        elif start is not None:
            total += _seconds(entry["at"]) - start
            start = None
    if total == 0.0 and meta.get("started_at") and meta.get("finished_at"):
        total = _seconds(meta["finished_at"]) - _seconds(meta["started_at"])
    return total if total > 0 else math.nan


def _row(folder: SweepFolder, manifest: dict, point) -> tuple[dict, dict, dict]:
    """(fixed columns, varied values, summary numbers) of one point."""
    rundir = folder.run_dir(point)
    meta = rundir.read_meta()
    status = folder.status(point)
    timings = meta.get("timings_s") or {}
    fixed = {"sweep": manifest["sweep"], "index": point.index, "name": point.name,
             # A point that is not valid failed before it could run.
             "seed": point.seed, "status": "failed" if status == "invalid" else status,
             "error": "" if status == "done" else (
                 f"invalid configuration: {point.error}" if status == "invalid"
                 else folder.error(point) or ""),
             "wall_time_s": wall_time_s(meta),
             "peak_memory_mb": float(meta.get("peak_memory_mb", math.nan)),
             "run_dir": str(rundir.path)}
    fixed.update({f"timings_s.{k}": float(v) for k, v in timings.items()})
    numbers = {}
    summary_file = rundir.results / "summary.json"
    if status == "done" and summary_file.is_file():
        numbers = flatten_numeric(json.loads(summary_file.read_text()))
    return fixed, dict(point.params), numbers


def collect(sweep_dirs: Iterable[str | Path], done_only: bool = False) -> dict[str, list]:
    """The table of one or more sweep folders as {column: values}.

    Parameters
    ----------
    sweep_dirs : iterable of paths
        Laid-out sweep folders (bgmodel.sweep.folder).
    done_only : bool
        Keep only points whose run is done.
    """
    rows = []
    for path in sweep_dirs:
        folder = SweepFolder(path)
        manifest = folder.manifest()
        for point in folder.points():
            row = _row(folder, manifest, point)
            if done_only and row[0]["status"] != "done":
                continue
            rows.append(row)
    fixed_cols = list(FIXED_COLUMNS)
    for fixed, _, _ in rows:
        fixed_cols += [k for k in fixed if k not in fixed_cols]
    param_cols: list[str] = []
    for _, params, _ in rows:
        param_cols += [k for k in params if k not in param_cols]
    taken = set(fixed_cols) | set(param_cols)
    summary_cols: list[str] = []
    for _, _, numbers in rows:
        summary_cols += [k for k in numbers if k not in summary_cols]
    rename = {k: (f"summary.{k}" if k in taken else k) for k in summary_cols}
    # Column order: point identity, varied values, bookkeeping, then the results.
    order = ["sweep", "index", "name"] + param_cols + \
            [c for c in fixed_cols if c not in ("sweep", "index", "name")] + \
            [rename[k] for k in summary_cols]
    table: dict[str, list] = {c: [] for c in order}
    for fixed, params, numbers in rows:
        for c in fixed_cols:
            table[c].append(fixed.get(c, math.nan))
        for c in param_cols:
            table[c].append(params.get(c))
        for k in summary_cols:
            table[rename[k]].append(numbers.get(k, math.nan))
    return table


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else repr(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def table_csv(table: dict[str, list]) -> str:
    """The table as CSV text (floats written with full precision, NaN as empty)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    columns = list(table)
    writer.writerow(columns)
    n = len(next(iter(table.values()))) if table else 0
    for i in range(n):
        writer.writerow([_csv_cell(table[c][i]) for c in columns])
    return buf.getvalue()


def column_array(values: list) -> np.ndarray:
    """One column as a NumPy array: int64, float64 (NaN for missing) or unicode."""
    present = [v for v in values if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if present and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                       for v in present) and len(present) == len(values):
        return np.asarray(values, dtype=np.int64)
    if all(isinstance(v, (int, float, np.number)) or v is None for v in values):
        return np.asarray([math.nan if v is None else float(v) for v in values], dtype=np.float64)
    return np.asarray([_csv_cell(v) for v in values], dtype=str)


def write_table(table: dict[str, list], prefix: str | Path) -> tuple[Path, Path]:
    """Write PREFIX.csv and PREFIX.npz (one array per column; the column order is kept
    in the array ``__columns__``)."""
    prefix = Path(prefix)
    csv_path = atomic_write_text(prefix.with_suffix(".csv"), table_csv(table))
    arrays = {c: column_array(v) for c, v in table.items()}
    arrays["__columns__"] = np.asarray(list(table), dtype=str)
    npz_path = atomic_save_npz(prefix.with_suffix(".npz"), **arrays)
    return csv_path, npz_path


def read_table(path: str | Path) -> dict[str, np.ndarray]:
    """Read a table written by `write_table` (.npz) as {column: array}, in order."""
    with np.load(path, allow_pickle=False) as data:
        return {str(c): data[str(c)] for c in data["__columns__"]}
