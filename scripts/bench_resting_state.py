#!/usr/bin/env python
"""Speed and memory of the resting state, bgmodel variants and the authors' NEST 3 code,
measured side by side by one command.

Each variant runs in its own child process (so that peak memory is its own) one after
the other on the same machine:

    bgmodel-injector      bgmodel as shipped (spike_train_injector relays, the neuron
                          model of configs/network.yaml)
    bgmodel-parrot        bgmodel with parrot relays fed by poisson_generator_ps
    bgmodel-2port         bgmodel-injector with bgmodel's compiled two-port neuron
                          (neuron_model.model: bg_iaf_psc_alpha_2port, the default)
    bgmodel-multisynapse  bgmodel-injector with NEST's iaf_psc_alpha_multisynapse
    authors               the authors' top_BG_nest3 code (pass its folder with
                          --authors), run unmodified from a temporary copy; only its
                          parameter files' values are replaced in memory (resting state
                          on, threads, duration)

Usage:
    python scripts/bench_resting_state.py --scale 1 --threads 2 --duration 3000 \
        [--authors PATH/top_BG_nest3 --authors-duration 1000] [--variants ...]

Prints one line per variant: build time, simulate time, seconds per simulated second,
peak memory and the mean rates, and writes them as JSON with --json FILE.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

RATES = ("MSN", "FSI", "STN", "GPe", "GPi")
NEURON_MODEL = {"bgmodel-2port": ["neuron_model.model=bg_iaf_psc_alpha_2port"],
                "bgmodel-multisynapse": ["neuron_model.model=iaf_psc_alpha_multisynapse"]}


def child_bgmodel(args) -> dict:
    """Build and run bgmodel's resting state in this process; report numbers."""
    from bgmodel.results.analysis import mean_rate, window
    from bgmodel.model.config import load_config
    from bgmodel.model.derive import derive_network, population_of_nucleus
    from bgmodel.simulator.network import build_network

    relay = "parrot_neuron" if args.variant == "bgmodel-parrot" else "spike_train_injector"
    cfg = load_config("resting_state", overrides=[
        f"simulation.scale={args.scale}", f"simulation.threads={args.threads}",
        f"simulation.seed={args.seed}", f"simulation.relay_model={relay}",
        f"simulation.input_horizon_ms={args.duration}",
        *NEURON_MODEL.get(args.variant, []),
        *args.set])
    t0 = time.perf_counter()
    plan = derive_network(cfg)
    net = build_network(plan)
    pops = [p for p, v in plan.populations.items() if v.kind == "nucleus"]
    net.record_spikes(pops)
    build = time.perf_counter() - t0
    t0 = time.perf_counter()
    net.simulate(args.duration)
    simulate = time.perf_counter() - t0
    start = min(1000.0, args.duration / 3)
    rates = {}
    for name in RATES:
        members = population_of_nucleus(name)
        spikes = [net.take_spikes(m) for m in members] if name == "MSN" else [net.take_spikes(name)]
        n = sum(plan.populations[m].size for m in members)
        count = sum(int(window(s.times, start, args.duration).sum()) for s in spikes)
        rates[name] = mean_rate(count, n, args.duration - start)
    return {"build_s": build, "simulate_s": simulate, "connections": net.num_connections(),
            "rates_Hz": rates}


def child_authors(args) -> dict:
    """Run the authors' code (a temporary copy of their folder) for the resting state."""
    sys.path.insert(0, str(Path(__file__).resolve().parent / "validation"))
    from authors_code import authors_copy
    with authors_copy(args.authors):
        import fetch_params  # their module
        import nest_routine  # their module

        read_sim = fetch_params.read_sim

        def patched_read_sim():
            sim = read_sim()
            for mode in sim["sim_model"]:
                sim["sim_model"][mode]["on"] = mode == "resting_state"
            sim["nbcpu"] = args.threads
            sim["msd"] = args.seed
            sim["simDuration"] = float(args.duration)
            sim["start_time_sp"] = float(round(min(1000.0, args.duration / 3)))
            return sim

        fetch_params.read_sim = patched_read_sim
        # Their A(t) loop runs for minutes after the simulation and is not what we time.
        nest_routine.instantaneous_fr = lambda *a, **k: []
        import stim_all_model  # their module

        t0 = time.perf_counter()
        stim_all_model.main()
        total = time.perf_counter() - t0
        simulate = None
        perf = Path("log/performance.txt")
        if perf.is_file():
            for line in perf.read_text().splitlines():
                if line.startswith("Simulation_Elapse_Time"):
                    simulate = float(line.split()[1])
        rates = json.loads(Path("log/mean_fr.json").read_text())
    msn = rates.get("MSN")
    return {"build_s": total - (simulate or 0.0), "simulate_s": simulate,
            "rates_Hz": {k: rates.get(k) for k in ("FSI", "STN", "GPe", "GPi")} | {"MSN": msn}}


def run_child(variant: str, args) -> dict:
    cmd = [sys.executable, __file__, "--child", variant, "--scale", str(args.scale),
           "--threads", str(args.threads), "--seed", str(args.seed),
           "--duration", str(args.authors_duration if variant == "authors" else args.duration)]
    if args.authors:
        cmd += ["--authors", str(args.authors)]
    for item in args.set:
        cmd += ["--set", item]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if res.returncode != 0:
        return {"variant": variant, "error": res.stderr[-2000:]}
    out = json.loads(res.stdout.strip().splitlines()[-1])
    out.update(variant=variant, wall_s=wall)
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--variants", nargs="+", default=["bgmodel-injector", "bgmodel-parrot"],
                   choices=["bgmodel-injector", "bgmodel-parrot", "bgmodel-2port",
                            "bgmodel-multisynapse", "authors"])
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--duration", type=float, default=3000.0, help="bgmodel simulated ms")
    p.add_argument("--authors", type=Path, default=None, help="their top_BG_nest3 folder")
    p.add_argument("--authors-duration", type=float, default=1000.0)
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="extra config override for the bgmodel variants (repeatable)")
    p.add_argument("--json", type=Path, default=None)
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        args.variant = args.child
        result = child_authors(args) if args.child == "authors" else child_bgmodel(args)
        duration = args.duration
        result["simulated_ms"] = duration
        if result.get("simulate_s"):
            result["s_per_simulated_s"] = result["simulate_s"] / (duration / 1000.0)
        result["peak_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return 0
    if "authors" in args.variants and not args.authors:
        p.error("--authors PATH is needed for the authors variant")
    header = {"date": date.today().isoformat(), "machine": f"{platform.node()} "
              f"{os.cpu_count()} cores, {platform.machine()}", "python": platform.python_version(),
              "scale": args.scale, "threads": args.threads, "command": " ".join(sys.argv)}
    print(json.dumps(header))
    results = []
    for variant in args.variants:
        r = run_child(variant, args)
        results.append(r)
        if "error" in r:
            print(f"{variant}: FAILED\n{r['error']}")
            continue
        rates = ", ".join(f"{k} {v:.3g}" for k, v in r["rates_Hz"].items() if v is not None)
        print(f"{variant:<17} build {r['build_s']:7.1f} s  simulate {r['simulate_s']:7.1f} s "
              f"for {r['simulated_ms']:.0f} ms = {r['s_per_simulated_s']:6.1f} s/s  "
              f"peak {r['peak_memory_mb'] / 1024:5.2f} GB  rates: {rates}", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"header": header, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
