"""SLURM job arrays for sweeps: script from a template, submission, status, resubmission.

The job script is made from a template (slurm/array.sh.template by default) whose
`{{name}}` placeholders are filled from the cluster settings (slurm/defaults.yaml, then
a user's cluster file, then command-line flags; slurm/README.md documents them) and from
the sweep (its resources, folder and point indices). One array task runs one point:
`python -m bgmodel sweep-task SWEEP_DIR $SLURM_ARRAY_TASK_ID`, which reloads the point's
frozen configuration from the sweep folder.

Status comes from the run folders and from squeue / scontrol (no accounting database
needed): scontrol still knows finished jobs for a few minutes (MinJobAge), which tells a
time-out or an out-of-memory kill from a task that never wrote its run folder.
"""
from __future__ import annotations

import json
import re
import shlex
import shutil
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..model.config import CONFIG_DIR, read_yaml
from ..results.rundir import atomic_write_json, atomic_write_text, now_iso
from ..model.schema import ConfigError
from .folder import SweepFolder

SLURM_DIR = CONFIG_DIR.parent / "slurm"
DEFAULTS_FILE = SLURM_DIR / "defaults.yaml"
TEMPLATE_FILE = SLURM_DIR / "array.sh.template"
# Settings a user may give (defaults.yaml documents each); lists become lines.
SETTING_KINDS = {"partition": str, "account": str, "qos": str, "modules": list, "setup": list,
                 "python": str, "max_parallel": int, "extra_sbatch": list, "template": str}
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
ACTIVE_STATES = {"PENDING": "pending", "CONFIGURING": "pending", "REQUEUED": "pending",
                 "REQUEUE_HOLD": "pending", "RESIZING": "pending", "SUSPENDED": "pending",
                 "RUNNING": "running", "COMPLETING": "running", "STAGE_OUT": "running"}


# ----------------------------------------------------------------------------- settings
def load_settings(cluster_file: str | Path | None = None, base: dict | None = None,
                  **flags) -> dict:
    """Cluster settings: slurm/defaults.yaml (or `base`, e.g. the settings saved by an
    earlier submission), then `cluster_file`, then the flags that are not None. Unknown
    keys and wrong types are a ConfigError."""
    settings = {}
    first = ("saved settings", base) if base else (str(DEFAULTS_FILE), read_yaml(DEFAULTS_FILE))
    for source, data in (first,
                         (str(cluster_file), read_yaml(cluster_file) if cluster_file else {}),
                         ("command line", {k: v for k, v in flags.items() if v is not None})):
        for key, value in data.items():
            if key not in SETTING_KINDS:
                raise ConfigError(source, key, value,
                                  f"unknown setting; allowed: {', '.join(SETTING_KINDS)}")
            kind = SETTING_KINDS[key]
            if value is None:
                value = [] if kind is list else ("" if kind is str else value)
            if kind is list and isinstance(value, str):
                value = [value]
            if not isinstance(value, kind) or (kind is list and
                                               not all(isinstance(v, str) for v in value)):
                raise ConfigError(source, key, value, f"a {'list of strings' if kind is list else kind.__name__}")
            if key == "max_parallel" and value < 1:
                raise ConfigError(source, key, value, "an integer >= 1")
            settings[key] = value
    return settings


# ----------------------------------------------------------------------------- rendering
def render(template: str, values: dict, source: str = "template") -> str:
    """Fill `{{name}}` placeholders.

    A line whose placeholders are all empty is dropped when it is an ``#SBATCH`` line or
    holds nothing but the placeholder, so optional options (partition, account) vanish
    instead of reaching sbatch empty. An unknown placeholder is a ConfigError.
    """
    out = []
    for line in template.splitlines():
        names = PLACEHOLDER.findall(line)
        for name in names:
            if name not in values:
                raise ConfigError(source, "{{" + name + "}}", name,
                                  f"a known placeholder: {', '.join(sorted(values))}")
        if names and all(values[n] in ("", None) for n in names):
            bare = PLACEHOLDER.sub("", line).strip()
            if line.lstrip().startswith("#SBATCH") or not bare:
                continue
        out.append(PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), line))
    return "\n".join(out) + "\n"


def array_spec(indices: list[int], max_parallel: int) -> str:
    """SLURM --array value: ranges of consecutive indices and a %N throttle."""
    indices = sorted(set(indices))
    parts, start = [], None
    for k, i in enumerate(indices):
        if start is None:
            start = i
        if k + 1 == len(indices) or indices[k + 1] != i + 1:
            parts.append(str(i) if i == start else f"{start}-{i}")
            start = None
    return ",".join(parts) + f"%{max_parallel}"


def template_values(folder: SweepFolder, settings: dict, indices: list[int]) -> dict:
    """Everything a template may use."""
    manifest = folder.manifest()
    res = manifest["resources"]
    sweep_dir = folder.path.resolve()
    modules = settings.get("modules", [])
    return {
        "job_name": f"bg-{manifest['sweep']}"[:64],
        "sweep_name": manifest["sweep"],
        "array": array_spec(indices, settings.get("max_parallel", 1)),
        "cpus_per_task": res["threads"],
        "memory": f"{int(round(res['memory_gb'] * 1024))}M",
        "time": res["time"],
        "partition": settings.get("partition", ""),
        "account": settings.get("account", ""),
        "qos": settings.get("qos", ""),
        "extra_sbatch": "\n".join(f"#SBATCH {opt}" for opt in settings.get("extra_sbatch", [])),
        "log_dir": shlex.quote(str(sweep_dir / "slurm" / "logs")),
        "modules": f"module load {' '.join(modules)}" if modules else "",
        "setup": "\n".join(settings.get("setup", [])),
        "python": shlex.quote(settings.get("python") or sys.executable),
        "sweep_dir": shlex.quote(str(sweep_dir)),
        "points": len(indices),
        "written_at": now_iso(),
    }


def write_script(folder: SweepFolder, settings: dict, indices: list[int],
                 tag: str = "array") -> Path:
    """Write slurm/<tag>.sh for `indices`; also freeze the settings used."""
    if not indices:
        raise ValueError("no points to put in a job array")
    template = Path(settings.get("template") or TEMPLATE_FILE)
    if not template.is_file():
        raise ConfigError("settings", "template", str(template), "an existing template file")
    text = render(template.read_text(), template_values(folder, settings, indices), str(template))
    slurm_dir = folder.path / "slurm"
    (slurm_dir / "logs").mkdir(parents=True, exist_ok=True)
    atomic_write_text(slurm_dir / "settings.yaml", yaml.safe_dump(settings, sort_keys=False))
    path = atomic_write_text(slurm_dir / f"{tag}.sh", text)
    path.chmod(0o755)
    return path


def saved_settings(folder: SweepFolder) -> dict:
    """The settings of the last script written for this sweep ({} if none)."""
    path = folder.path / "slurm" / "settings.yaml"
    return read_yaml(path) if path.is_file() else {}


# ----------------------------------------------------------------------------- commands
def _slurm_command(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SystemExit(f"bgmodel slurm: `{name}` is not on PATH; run this on a SLURM login "
                         f"node (or load the cluster's slurm module)")
    return path


def submit(folder: SweepFolder, script: Path, indices: list[int]) -> str:
    """sbatch the script; record the job id in slurm/jobs.json and return it."""
    result = subprocess.run([_slurm_command("sbatch"), "--parsable", str(script)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"bgmodel slurm: sbatch failed: {result.stderr.strip()}")
    job_id = result.stdout.strip().split(";")[0]
    jobs = submitted_jobs(folder)
    jobs.append({"job_id": job_id, "script": script.name, "indices": sorted(indices),
                 "submitted_at": now_iso()})
    atomic_write_json(folder.path / "slurm" / "jobs.json", jobs)
    return job_id


def submitted_jobs(folder: SweepFolder) -> list[dict]:
    path = folder.path / "slurm" / "jobs.json"
    return json.loads(path.read_text()) if path.is_file() else []


@dataclass
class TaskState:
    """What SLURM says about one array task."""

    job_id: str
    state: str  # SLURM's JobState, e.g. PENDING, RUNNING, COMPLETED, TIMEOUT
    reason: str = ""


def _parse_index_list(text: str) -> list[int]:
    """'3' or '0-4%2' or '1,3,5-7' -> the indices."""
    text = text.split("%")[0]
    out = []
    for part in text.split(","):
        if "-" in part:
            a, b = part.split("-")
            out += range(int(a), int(b) + 1)
        elif part.strip():
            out.append(int(part))
    return out


def query_tasks(job_ids: list[str]) -> dict[int, TaskState]:
    """Array index -> what SLURM knows, over the given array jobs (later jobs win).

    squeue lists queued and running tasks; scontrol also lists tasks that ended within
    the last few minutes (with TIMEOUT, OUT_OF_MEMORY, FAILED, ...).
    """
    states: dict[int, TaskState] = {}
    if not job_ids:
        return states
    scontrol, squeue = _slurm_command("scontrol"), _slurm_command("squeue")
    for job_id in job_ids:
        shown = subprocess.run([scontrol, "-o", "show", "job", job_id],
                               capture_output=True, text=True)
        for line in shown.stdout.splitlines():
            fields = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
            if fields.get("ArrayJobId") != job_id or "ArrayTaskId" not in fields:
                continue
            for index in _parse_index_list(fields["ArrayTaskId"]):
                states[index] = TaskState(fields.get("JobId", job_id),
                                          fields.get("JobState", "UNKNOWN"),
                                          fields.get("Reason", ""))
        queued = subprocess.run([squeue, "--noheader", "--array", "--format=%i|%T|%r",
                                 f"--jobs={job_id}"], capture_output=True, text=True)
        for line in queued.stdout.splitlines():
            task, state, reason = (line.split("|") + ["", ""])[:3]
            if "_" not in task:
                continue
            for index in _parse_index_list(task.split("_", 1)[1].strip("[]")):
                states[index] = TaskState(task, state, reason)
    return states


def point_states(folder: SweepFolder, tasks: dict[int, TaskState] | None = None) -> list[dict]:
    """Each point's state: done, running, pending, failed or missing, with a detail."""
    if tasks is None:
        tasks = query_tasks([j["job_id"] for j in submitted_jobs(folder)])
    rows = []
    for point in folder.points():
        status = folder.status(point)
        task = tasks.get(point.index)
        queue = ACTIVE_STATES.get(task.state) if task else None
        error = folder.error(point)
        if status == "done":
            state, detail = "done", ""
        elif queue is not None:
            state, detail = queue, f"job {task.job_id}"
        elif status == "invalid":
            state, detail = "failed", f"invalid point: {error}"
        elif status in ("failed", "interrupted"):
            state = "failed"
            detail = error or status
            if task and task.state not in ("COMPLETED",):
                detail = f"job {task.job_id} {task.state}: {detail}"
        elif status == "running":
            meta = folder.run_dir(point).read_meta()
            if meta.get("host") == socket.gethostname():
                # effective_status found its process alive: a run outside SLURM.
                state, detail = "running", f"pid {meta.get('pid')} on this host"
            else:
                # Its run folder says running, yet no job runs it: killed hard.
                state = "failed"
                detail = (f"job {task.job_id} ended ({task.state}) while running" if task
                          else "its run says running but no SLURM job runs it")
        else:  # missing
            if task and task.state not in ("COMPLETED",):
                state, detail = "failed", f"job {task.job_id} {task.state} before the run started"
            else:
                state, detail = "missing", ""
        rows.append({"index": point.index, "name": point.name, "state": state,
                     "detail": detail})
    return rows


def resubmittable(rows: list[dict], folder: SweepFolder) -> list[int]:
    """Indices of failed and missing points that can run (valid points only)."""
    valid = {p.index for p in folder.points() if p.valid}
    return [r["index"] for r in rows if r["state"] in ("failed", "missing") and r["index"] in valid]
