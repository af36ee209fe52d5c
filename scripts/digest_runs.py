"""Digests of short runs of every protocol: same code, same seed -> same digests.

Runs the resting state, a few steps of the action-selection grid and a few plasticity
episodes through the command line (`python -m bgmodel run ...`), each into a folder of
its own, and hashes what they wrote: spike trains, rate tables, episode tables,
authors' files, sampled relays and checkpoints. Columns that hold wall-clock or CPU
times are dropped before hashing, so two runs of the same code and seed give the same
digests bit for bit, and a change that alters what the model computes changes them.

    python scripts/digest_runs.py                         # small preset, prints JSON
    python scripts/digest_runs.py --json before.json      # ... and saves it
    python scripts/digest_runs.py --check before.json     # exit 1 when a digest differs
    python scripts/digest_runs.py --profile tiny          # 2 % scale (tests)

tests/test_digest.py checks the tiny profile against tests/data/digests_tiny.json.
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

# Columns with wall-clock or CPU seconds: they differ from run to run.
TIMING_COLUMNS = {"wall_s", "simulate_s", "cpu_s"}
# Files a run writes that hold the run's results (not its timings or metadata).
RESULT_FILES = ("spikes.npz", "population_rate.npz", "rates.csv", "rest_rates.csv",
                "selection.csv", "sampled_relays.npz", "episodes.csv", "checkpoint.npz")

SHORT = {
    "resting_state": ["--set", "protocol.duration_ms=1500", "--set",
                      "protocol.analysis_start_ms=500"],
    "action_selection": ["--set", "protocol.grid.channel1_levels=[0,6]", "--set",
                         "protocol.grid.channel2_levels=[3]"],
    "plasticity": ["--set", "protocol.episodes=4", "--set",
                   "protocol.checkpoint_every_episodes=2"],
}
PROFILES = {
    # The presets users run, shortened in time only; plasticity_small with its relays at
    # the MSNs' scale, as it was when tests/data/digests_small.json was recorded (its
    # relays are at 0.5 since 2026-12-05).
    "small": {"resting_state": ["--preset", "small"],
              "action_selection": ["--preset", "small"],
              "plasticity": ["--preset", "plasticity_small",
                             "--set", "simulation.input_scale=null"]},
    # 2 % of the MSNs and relays, one thread: seconds per run (tests).
    "tiny": {name: ["--preset", "small", "--scale", "0.02", "--threads", "1"]
             for name in SHORT},
}


def digest_bytes(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8, "little"))
        h.update(part)
    return h.hexdigest()[:16]


def digest_npz(path: Path) -> str:
    """Names, dtypes, shapes and bytes of every array of an npz file."""
    parts = []
    with np.load(path, allow_pickle=False) as data:
        for name in sorted(data.files):
            arr = np.ascontiguousarray(data[name])
            parts += [name.encode(), str(arr.dtype).encode(), str(arr.shape).encode(),
                      arr.tobytes()]
    return digest_bytes(*parts)


def digest_checkpoint(path: Path) -> str:
    """What a checkpoint holds, whatever its file format: episodes done, eta flag,
    protocol state, and the plastic synapses' node ids and weights."""
    from bgmodel.protocols.plasticity.checkpoint import load_checkpoint
    cp = load_checkpoint(path)
    head = json.dumps({"episodes_done": cp.episodes_done, "eta_applied": cp.eta_applied,
                       "state": cp.state}, sort_keys=True)
    return digest_bytes(head.encode(), *(np.ascontiguousarray(a).tobytes() for a in (
        cp.plastic.source.astype(np.int64), cp.plastic.target.astype(np.int64),
        cp.plastic.weight.astype(np.float64))))


def digest_csv(path: Path) -> str:
    """The table without its timing columns."""
    rows = list(csv.reader(io.StringIO(path.read_text())))
    keep = [i for i, name in enumerate(rows[0]) if name not in TIMING_COLUMNS] if rows else []
    text = "\n".join(",".join(r[i] for i in keep) for r in rows if r)
    return digest_bytes(text.encode())


def digest_run(run: Path) -> dict:
    """Digest of every result file of one run folder (and of its authors' files)."""
    results = run / "results"
    out = {}
    for name in RESULT_FILES:
        path = results / name
        if path.is_file():
            if name == "checkpoint.npz":
                out[name] = digest_checkpoint(path)
            elif name.endswith(".npz"):
                out[name] = digest_npz(path)
            else:
                out[name] = digest_csv(path)
    authors = results / "authors_format"
    if authors.is_dir():
        files = sorted(authors.glob("*.txt"))
        out["authors_format"] = digest_bytes(*(p.name.encode() + p.read_bytes() for p in files))
    return out


def run_protocol(protocol: str, profile: str, seed: int, out: Path) -> Path:
    """Run one protocol through the CLI into `out`; return its run folder."""
    cmd = [sys.executable, "-m", "bgmodel", "run", protocol, *PROFILES[profile][protocol],
           *SHORT[protocol], "--seed", str(seed), "--out", str(out), "-q"]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{res.stdout[-2000:]}{res.stderr[-3000:]}")
    (run,) = [p for p in out.iterdir() if p.is_dir()]
    return run


def nest_version() -> str:
    res = subprocess.run([sys.executable, "-c", "import os; os.environ['PYNEST_QUIET']='1'; "
                          "import nest; print(nest.__version__)"],
                         capture_output=True, text=True)
    return res.stdout.strip().splitlines()[-1] if res.returncode == 0 else "unknown"


def digests(profile: str = "small", seed: int = 7, protocols=tuple(SHORT),
            workdir: Path | None = None) -> dict:
    """{"nest": version, "profile", "seed", "runs": {protocol: {file: digest}}}."""
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        runs = {}
        for protocol in protocols:
            out = Path(tmp) / protocol
            out.mkdir()
            runs[protocol] = digest_run(run_protocol(protocol, profile, seed, out))
    return {"nest": nest_version(), "profile": profile, "seed": seed, "runs": runs}


def differences(expected: dict, actual: dict) -> list[str]:
    """Lines naming every digest that differs (empty: identical)."""
    lines = []
    for protocol, files in expected["runs"].items():
        got = actual["runs"].get(protocol, {})
        for name in sorted(set(files) | set(got)):
            if files.get(name) != got.get(name):
                lines.append(f"{protocol}/{name}: expected {files.get(name)}, got {got.get(name)}")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="small")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--protocol", action="append", choices=sorted(SHORT),
                        help="only this protocol (repeatable; default: all three)")
    parser.add_argument("--json", type=Path, help="save the digests to this file")
    parser.add_argument("--check", type=Path, help="compare with digests saved earlier")
    args = parser.parse_args(argv)
    if args.check:
        expected = json.loads(args.check.read_text())
        args.profile, args.seed = expected["profile"], expected["seed"]
        if args.protocol:
            expected["runs"] = {k: v for k, v in expected["runs"].items() if k in args.protocol}
    result = digests(args.profile, args.seed, tuple(args.protocol or SHORT))
    text = json.dumps(result, indent=2, sort_keys=True)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    if args.check:
        diff = differences(expected, result)
        for line in diff:
            print(line, file=sys.stderr)
        print("identical" if not diff else f"{len(diff)} digests differ", file=sys.stderr)
        return 1 if diff else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
