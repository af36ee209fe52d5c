#!/usr/bin/env python
"""The first CS+ episodes of the plasticity protocol run by the authors' code, with the
mean plastic weight onto the D1 MSNs of channels 1 and 2 read after every episode: the
same readout as the w_MSN_D1_ch1/ch2 columns of bgmodel's episodes.csv, so that their
learning and bgmodel's can be compared episode by episode, long before the rates show
it.

The authors' code runs from a temporary copy of the folder given to --authors
(scripts/validation/authors_code.py): their NEST 3 code (top_BG_nest3/) under this environment's
NEST 3, or their NEST 2.20 code (the repository's top-level .py files, which made the
published runs) under a NEST 2.20 build (docs/model-notes.md says how to build one).
Only parameter values are replaced in memory: the mode (plasticity), threads, seed and
the MSN constant current (default 24.5 pA, the value of the NEST 2.20 code; their NEST
3 code has 26). Hooks replace functions, the code itself is not touched:
- nest_routine.get_events_from_ascii (NEST 3 only): their NEST 3 code reads a
  recorder's spikes from the file that recorder.get("filenames") names, which in NEST
  3.10 is the file of one thread only (a recorder writes one file per thread), so with
  T threads it sees about 1/T of the spikes: rates divided by T, and the channel
  selection (GPi channel 1 below channel 2) decided on part of the GPi. The hook reads
  every thread's file, as their NEST 2.20 code did (in-memory events of all threads).
  --their-readout keeps theirs. (NEST 3.10 rewrites these files at every Simulate
  call, so they hold the last call's spikes only.)
- NEST 2 spike detectors: their NEST 2.20 code reads all of a detector's events since
  the start of the run after every episode's stimulus and keeps those of the stimulus
  window, so its readout grows with every episode (118 s for episode 1, 158 s for
  episode 4 at full scale on 2 threads). The probe empties the detectors at the start
  of every episode and turns their file output off: the same rates, at a constant cost.
  --keep-events keeps theirs.
- nest.Simulate: after each episode's second call (the dopamine window) the weights are
  read; the run stops before episode --episodes starts.
- nest.Create('volume_transmitter'): --deliver-interval sets its delivery interval
  (their code keeps NEST's default, 1; bgmodel's is 100: the interval changes only the
  order of floating-point operations, docs/model-notes.md, and costs them most of
  their run time).

Writes OUT/episodes.csv (episode, wall seconds, mean weights onto D1 and D2 MSNs of
channels 1 and 2) and copies their per-episode rate files (GPi_fr.txt, MSN_d1_fr.txt,
...) to OUT/, after every episode: a stopped probe keeps its finished episodes.

Usage:
    python scripts/validation/authors_plasticity_probe.py --authors PATH/top_BG_nest3 \
        --episodes 20 --threads 2 --seed 1 --deliver-interval 100 --out DIR
    PYTHONPATH=REPO NEST2_VENV/bin/python scripts/validation/authors_plasticity_probe.py \
        --authors PATH/nest2_code --episodes 20 --threads 2 --seed 1 \
        --deliver-interval 100 --out DIR
    python scripts/validation/authors_plasticity_probe.py --summary DIR... BGMODEL_RUN... [--episodes 20]
The second form prints, for probe folders and bgmodel run folders alike, the table of
docs/plasticity.md: over episodes 1 to N-1, rewarded episodes (CS+: GPi channel 1
below channel 2), D1 rates, GPi contrast and the weight change per rewarded episode,
also per hertz of D1.
Their stdout goes to OUT/authors_stdout.log (it prints each episode's dopamine event).
Full scale, 2 threads: about 2 minutes per episode with --deliver-interval 100.
"""
from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
import time
import os
import warnings
from pathlib import Path

import numpy as np

from bgmodel.model import derive

RATE_FILES = ("GPi_fr.txt", "MSN_fr.txt", "MSN_d1_fr.txt", "MSN_d2_fr.txt", "FSI_fr.txt",
              "GPe_fr.txt", "STN_fr.txt", "CS_plus.txt", "CS_minus.txt", "current_task.txt")
CHANNELS = (1, 2)  # their channel_1_idx and channel_2_idx


class EnoughEpisodes(Exception):
    """Raised from the Simulate hook once the asked-for episodes are done."""


def channel_members(positions_file: Path, centers: np.ndarray, radius: float) -> dict:
    """Node ids within `radius` of the centres of channels 1 and 2, from their own log of
    positions (node id, x, y). Their layers are 2 x 2, so distances never wrap."""
    table = np.loadtxt(positions_file)
    inside = derive.channel_members(table[:, 1:3], centers, radius, extent=2.0)
    return {ch: sorted(int(g) for g in table[inside[ch], 0]) for ch in CHANNELS}


def spikes_of_all_threads(recorder) -> dict:
    """Senders and times from every per-thread file of an ASCII spike recorder
    (NEST 3 names them LABEL-NODEID-THREAD.dat; get("filenames") lists one)."""
    named = recorder.get("filenames")
    named = [named] if isinstance(named, str) else list(named)
    senders, times = [], []
    for name in named:
        stem = Path(name).name.rsplit("-", 1)[0]
        for path in sorted(Path(name).parent.glob(f"{stem}-*.dat")):
            with warnings.catch_warnings():  # a thread that recorded no spike yet
                warnings.simplefilter("ignore", UserWarning)
                data = np.loadtxt(path, skiprows=3, ndmin=2)
            if data.size:
                senders.append(data[:, 0].astype(int))
                times.append(data[:, 1])
    if not senders:
        return {"senders": np.zeros(0, dtype=int), "times": np.zeros(0)}
    return {"senders": np.concatenate(senders), "times": np.concatenate(times)}


def save_progress(out: Path, rows: list, log: Path) -> None:
    """OUT/episodes.csv and copies of their rate files, rewritten after every episode
    (each through a temporary file and a rename), so a probe stopped in its third hour
    keeps every finished episode. Their NEST 3 code appends an episode's line to its
    rate files before the dopamine window that ends the episode here, their NEST 2.20
    code after it: there the copies hold one episode less until the probe ends."""
    tmp = out / "episodes.csv.tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, out / "episodes.csv")
    for name in RATE_FILES:
        if (log / name).is_file():
            shutil.copy(log / name, out / f"{name}.tmp")
            os.replace(out / f"{name}.tmp", out / name)


def learning_columns(folder: Path, episodes: int) -> dict:
    """Per-episode D1 weights (ch1, ch2), D1 rates, GPi contrast and reward of a probe
    folder or a bgmodel run folder, first `episodes` episodes."""
    if (folder / "results" / "episodes.csv").is_file():  # bgmodel run
        rows = list(csv.DictReader(open(folder / "results" / "episodes.csv")))[:episodes]
        col = lambda k: np.array([float(r[k]) for r in rows])  # noqa: E731
        return {"w1": col("w_MSN_D1_ch1"), "w2": col("w_MSN_D1_ch2"),
                "d1": col("MSN_D1_ch1_Hz"), "d2": col("MSN_D1_ch2_Hz"),
                "gpi": col("GPi_ch1_Hz") - col("GPi_ch2_Hz"),
                "rewarded": np.array([r["dopamine_event"] == "burst" for r in rows])}
    rows = list(csv.DictReader(open(folder / "episodes.csv")))[:episodes]
    d1 = np.loadtxt(folder / "MSN_d1_fr.txt", ndmin=2)[:len(rows)]
    gpi = np.loadtxt(folder / "GPi_fr.txt", ndmin=2)[:len(rows)]
    rows = rows[:len(gpi)]  # rate files one episode behind (save_progress)
    contrast = gpi[:, 1] - gpi[:, 2]
    return {"w1": np.array([float(r["w_MSN_D1_ch1"]) for r in rows]),
            "w2": np.array([float(r["w_MSN_D1_ch2"]) for r in rows]),
            "d1": d1[:, 1], "d2": d1[:, 2], "gpi": contrast,
            "rewarded": contrast < 0}  # their CS+ rule: burst when GPi ch1 < ch2


def summary(folders: list[Path], episodes: int) -> str:
    """Markdown table of learning per rewarded episode and per hertz of D1, episodes
    1 to episodes-1 (weight change from the end of episode 0)."""
    lines = ["| run | rewarded | D1 ch1 / ch2 (Hz) | GPi ch1 - ch2 (Hz) | "
             "dw D1 ch1 / ch2 per rewarded episode (1e-6) | per Hz of D1 (1e-6) |",
             "|---|---|---|---|---|---|"]
    for folder in folders:
        c = learning_columns(folder, episodes)
        r = c["rewarded"][1:]
        k = int(r.sum())
        if k == 0:
            lines.append(f"| {folder.name} | 0 of {len(r)} | - | - | - | - |")
            continue
        dw1 = (c["w1"][-1] - c["w1"][0]) / k * 1e6
        dw2 = (c["w2"][-1] - c["w2"][0]) / k * 1e6
        lines.append(
            f"| {folder.name} | {k} of {len(r)} | {c['d1'][1:].mean():.3f} / "
            f"{c['d2'][1:].mean():.3f} | {c['gpi'][1:].mean():.1f} | {dw1:.1f} / {dw2:.1f} | "
            f"{dw1 / c['d1'][1:][r].mean():.0f} / {dw2 / c['d2'][1:][r].mean():.0f} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--summary", type=Path, nargs="+", metavar="FOLDER",
                    help="print the learning table of probe and bgmodel run folders")
    ap.add_argument("--authors", type=Path, help="their top_BG_nest3 folder")
    ap.add_argument("--episodes", type=int, default=20)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ie-msn", type=float, default=24.5,
                    help="MSN I_e in pA (24.5: the published runs' code; theirs in NEST 3: 26)")
    ap.add_argument("--deliver-interval", type=int, default=None,
                    help="volume transmitter delivery interval (default: theirs, NEST's 1)")
    ap.add_argument("--keep-events", action="store_true",
                    help="NEST 2.20 code: keep every spike in memory, as theirs does "
                         "(module docstring)")
    ap.add_argument("--their-readout", action="store_true",
                    help="keep their spike readout, which sees one thread's file (module docstring)")
    ap.add_argument("--out", type=Path)
    args = ap.parse_args()
    least = 2 if args.summary else 1  # a summary needs episode 0 and one more
    if args.episodes < least:
        ap.error(f"--episodes must be at least {least}, got {args.episodes}")
    if args.summary:
        print(summary(args.summary, args.episodes))
        return 0
    if args.authors is None or args.out is None:
        ap.error("--authors and --out are needed to run their code (or use --summary)")
    if not (args.authors / "stim_all_model.py").is_file():
        ap.error(f"--authors {args.authors}: no stim_all_model.py there")
    args.out.mkdir(parents=True, exist_ok=True)
    authors = args.authors.resolve()
    out = args.out.resolve()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from authors_code import authors_copy

    random.seed(args.seed)  # their 300-relay subsets come from Python's random module
    with authors_copy(authors) as code:
        import nest
        import fetch_params  # their modules
        import nest_routine
        import stim_all_model

        read_sim, read_bg = fetch_params.read_sim, fetch_params.read_bg
        nest3 = hasattr(nest, "NodeCollection")  # else their NEST 2.20 code on NEST 2

        def patched_read_sim():
            sim = read_sim()
            for mode in sim["sim_model"]:
                sim["sim_model"][mode]["on"] = mode == "plasticity"
            sim["nbcpu"], sim["msd"] = args.threads, args.seed
            return sim

        def patched_read_bg():
            bg = read_bg()
            bg["IeMSN"] = args.ie_msn
            return bg

        fetch_params.read_sim, fetch_params.read_bg = patched_read_sim, patched_read_bg

        if nest3 and not args.their_readout:  # their NEST 2 code reads events from memory
            nest_routine.get_events_from_ascii = spikes_of_all_threads

        create, simulate = nest.Create, nest.Simulate

        detectors = []  # NEST 2 spike detectors, emptied at every episode's start

        def hooked_create(model, *a, **k):
            made = create(model, *a, **k)
            if model == "spike_detector" and not args.keep_events:
                nest.SetStatus(made, {"to_file": False})  # they read memory only
                detectors.append(made)
            if model == "volume_transmitter" and args.deliver_interval:
                if nest3:
                    made.set(deliver_interval=args.deliver_interval)
                else:
                    nest.SetStatus(made, {"deliver_interval": args.deliver_interval})
            return made

        state = {"calls": 0, "t0": None, "synapses": None, "rows": []}

        def weight_sets():
            centers = np.loadtxt("log/centers.txt")
            radius = fetch_params.read_sim()["channels_radius"]
            sets = {}
            for cell, model in (("D1", "syn_d1"), ("D2", "syn_d2")):
                members = channel_members(Path(f"log/MSN_{cell.lower()}.txt"), centers, radius)
                for ch, ids in members.items():
                    sets[f"w_MSN_{cell}_ch{ch}"] = nest.GetConnections(
                        target=nest.NodeCollection(ids) if nest3 else ids,
                        synapse_model=model)
            return sets

        def hooked_simulate(t):
            calls = state["calls"]
            # call 0 is the 1000 ms warm-up; episode e is calls 2e+1 and 2e+2
            if calls % 2 == 1 and (calls - 1) // 2 >= args.episodes:
                raise EnoughEpisodes
            if state["t0"] is None:
                state["t0"] = time.perf_counter()
            if calls % 2 == 1 and detectors:
                # their NEST 2.20 code reads a detector's events since the start and
                # keeps this episode's stimulus window: older events are never used
                nest.SetStatus(sum(detectors, ()), {"n_events": 0})
            simulate(t)
            state["calls"] = calls + 1
            if calls == 0:
                state["synapses"] = weight_sets()
            elif calls % 2 == 0:
                episode = calls // 2 - 1
                row = {"episode": episode,
                       "wall_s": round(time.perf_counter() - state["t0"], 1)}
                for key, conns in state["synapses"].items():
                    weights = conns.get("weight") if nest3 else nest.GetStatus(conns, "weight")
                    row[key] = float(np.mean(weights))
                state["rows"].append(row)
                save_progress(out, state["rows"], code / "log")
                state["t0"] = time.perf_counter()
                print(f"episode {episode}: {row['wall_s']} s, "
                      f"w D1 ch1 {row['w_MSN_D1_ch1']:.7f}, ch2 {row['w_MSN_D1_ch2']:.7f}",
                      file=sys.__stderr__, flush=True)

        # PyNEST refuses attribute assignment on its module; its namespace takes it.
        namespace = vars(nest)
        namespace["Create"], namespace["Simulate"] = hooked_create, hooked_simulate
        stdout = sys.stdout
        sys.stdout = open(out / "authors_stdout.log", "w")
        try:
            stim_all_model.main()
        except EnoughEpisodes:
            pass
        finally:
            sys.stdout.close()
            sys.stdout = stdout
            namespace["Create"], namespace["Simulate"] = create, simulate
            if state["rows"]:  # their NEST 2.20 code writes an episode's rates after it
                save_progress(out, state["rows"], code / "log")
    print(f"{len(state['rows'])} episodes written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
