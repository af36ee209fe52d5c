#!/usr/bin/env python
"""Connection statistics of the network as NEST built it: bgmodel's and, with --authors,
the authors' NEST 3 code's, pathway by pathway, side by side.

For every (source, target) pathway it samples target neurons and reports the mean,
minimum and maximum in-degree per target (one receptor: AMPA for excitatory sources,
GABA for inhibitory ones; NMDA shares AMPA's pairs), the mean weight and the mean
source-target distance on each network's own layer geometry (extent, periodic or not).
This is what showed that the authors' code wires floor(K) sources per target where
model-spec.md asks for a mean of K (docs/model-notes.md).

Each network is built in its own child process, one after the other. The authors' code
runs from a temporary copy of the folder given to --authors; only its parameter values
are replaced in memory (threads, seed).

Usage:
    python scripts/validation/compare_wiring.py [-c OVERLAY.yaml ...] [--set KEY=VALUE ...]
        [--authors PATH/top_BG_nest3] [--sample 1000] [--threads 2] [--json FILE]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

from bgmodel.model.derive import periodic_distance

SOURCES = ("CSN", "PTN", "CMPf", "MSN_D1", "MSN_D2", "FSI", "STN", "GPe", "GPi")
TARGETS = ("MSN_D1", "MSN_D2", "FSI", "STN", "GPe", "GPi")
EXCITATORY = ("CSN", "PTN", "CMPf", "STN")


def layer_geometry(nodes) -> tuple[np.ndarray, np.ndarray, bool]:
    """Positions (n, 2), extent (2,) and periodicity of a spatial NodeCollection."""
    import nest
    spatial = nodes.spatial
    pos = np.asarray(nest.GetPosition(nodes), dtype=float).reshape(len(nodes), -1)[:, :2]
    return pos, np.asarray(spatial["extent"], dtype=float)[:2], bool(spatial["edge_wrap"])


def pathway_stats(source, target, receptor: int, sample: int, rng) -> dict | None:
    """In-degree, weight and distance statistics of one pathway on sampled targets."""
    import nest
    target_ids = np.asarray(target.tolist())
    picked = np.sort(rng.choice(len(target_ids), size=min(sample, len(target_ids)),
                                replace=False))
    conns = nest.GetConnections(source=source, target=nest.NodeCollection(
        target_ids[picked].tolist()))
    if len(conns) == 0:
        return None
    data = {k: np.asarray(v) for k, v in
            conns.get(["source", "target", "weight", "receptor"]).items()}
    keep = data["receptor"] == receptor
    if not keep.any():
        return None
    src = np.searchsorted(np.asarray(source.tolist()), data["source"][keep])
    tgt = np.searchsorted(target_ids, data["target"][keep])
    per_target = np.bincount(np.searchsorted(picked, tgt), minlength=len(picked))
    spos, extent, wrap = layer_geometry(source)
    tpos, _, _ = layer_geometry(target)
    if wrap:
        distance = periodic_distance(spos[src], tpos[tgt], extent)
    else:
        distance = np.hypot(*(spos[src] - tpos[tgt]).T)
    return {"targets_sampled": int(len(picked)),
            "indegree_mean": float(per_target.mean()), "indegree_min": int(per_target.min()),
            "indegree_max": int(per_target.max()),
            "weight_mean": float(data["weight"][keep].mean()),
            "distance_mean": float(distance.mean())}


def measure(layers: dict, receptors: dict, sample: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    out = {}
    for t in TARGETS:
        for s in SOURCES:
            stats = pathway_stats(layers[s], layers[t], receptors[s], sample, rng)
            if stats is not None:
                out[f"{s}->{t}"] = stats
    return out


def child_bgmodel(args) -> dict:
    from bgmodel.model.config import load_config
    from bgmodel.model.derive import derive_network
    from bgmodel.simulator.network import build_network
    cfg = load_config("resting_state", overlays=args.config, overrides=args.set)
    plan = derive_network(cfg, args.seed)
    net = build_network(plan, threads=args.threads, seed=args.seed)
    layers = {n: net.nodes[n] for n in SOURCES}
    ports = {name: rec["port"] for name, rec in cfg.data["receptors"].items()}
    receptors = {s: ports["AMPA" if s in EXCITATORY else "GABA"] for s in SOURCES}
    return measure(layers, receptors, args.sample, args.seed)


def child_authors(args) -> dict:
    from authors_code import authors_copy
    with authors_copy(args.authors):
        import fetch_params  # their modules
        import ini_all
        import nest_routine
        sim = fetch_params.read_sim()
        sim["nbcpu"], sim["msd"] = args.threads, args.seed
        bg = fetch_params.read_bg()
        nest_routine.initialize_nest(sim)
        bg["channels"] = True
        bg["circle_center"] = nest_routine.get_channel_centers(
            sim, hex_center=[0, 0], ci=sim["channels_nb"], hex_radius=sim["hex_radius"])
        stdout = sys.stdout
        sys.stdout = sys.stderr  # their builder prints; our JSON goes to stdout
        try:
            made, _ = ini_all.instantiate_bg(bg, fake_inputs=True, ctx_inputs=None,
                                             scalefactor=sim["scalefactor"])
        finally:
            sys.stdout = stdout
        layers = {"MSN_D1": made["MSN_d1"], "MSN_D2": made["MSN_d2"]}
        layers.update({n: made[n] for n in SOURCES if n in made})
        # their receptor types: AMPA 1, NMDA 2, GABA 3
        receptors = {s: 1 if s in EXCITATORY else 3 for s in SOURCES}
        return measure(layers, receptors, args.sample, args.seed)


def run_child(which: str, args) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", which,
           "--sample", str(args.sample), "--threads", str(args.threads), "--seed", str(args.seed)]
    if args.authors:
        cmd += ["--authors", str(args.authors)]
    for path in args.config:
        cmd += ["-c", str(path)]
    for item in args.set:
        cmd += ["--set", item]
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        raise SystemExit(f"{which} network failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def table(results: dict) -> str:
    names = list(results)
    head = "| pathway | " + " | ".join(
        f"{n} K mean (min-max) | {n} weight | {n} distance" for n in names) + " |"
    lines = [head, "|---" * (1 + 3 * len(names)) + "|"]
    pathways = sorted({p for r in results.values() for p in r},
                      key=lambda p: (TARGETS.index(p.split("->")[1]),
                                     SOURCES.index(p.split("->")[0])))
    for p in pathways:
        cells = []
        for n in names:
            s = results[n].get(p)
            cells += (["-", "-", "-"] if s is None else
                      [f"{s['indegree_mean']:.2f} ({s['indegree_min']}-{s['indegree_max']})",
                       f"{s['weight_mean']:.4g}", f"{s['distance_mean']:.3f}"])
        lines.append(f"| {p} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("-c", "--config", action="append", default=[], metavar="OVERLAY",
                   help="bgmodel config overlay (repeatable)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="bgmodel config override (repeatable)")
    p.add_argument("--authors", type=Path, default=None, help="their top_BG_nest3 folder")
    p.add_argument("--sample", type=int, default=1000, help="target neurons per pathway")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", type=Path, default=None)
    p.add_argument("--child", choices=["bgmodel", "authors"], help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        result = child_authors(args) if args.child == "authors" else child_bgmodel(args)
        print(json.dumps(result))
        return 0
    if args.authors and not (args.authors / "nest_routine.py").is_file():
        p.error(f"--authors {args.authors}: no nest_routine.py there (give top_BG_nest3)")
    results = {"bgmodel": run_child("bgmodel", args)}
    if args.authors:
        results["authors"] = run_child("authors", args)
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps({"command": " ".join(sys.argv), "results": results},
                                        indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
