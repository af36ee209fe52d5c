"""`bgmodel bench`: what a run costs on this machine, at the scales and threads asked.

    bgmodel bench --scales 0.1 1 --threads 1 2 --episodes 3 --resting-ms 500

For every scale and thread count: the resting state for --resting-ms and a plasticity
run of --episodes episodes (a checkpoint every --checkpoint-every episodes and after
the last), each in its own child process (`python -m bgmodel run ...`), one after the
other. The figures come from each run folder's run.json and go, with a description of
the machine, into a JSON (--output, default bench.json) that `bgmodel sweep --dry-run
--bench` and `bgmodel slurm --bench` use to project a sweep's wall time.
"""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from ..results.rundir import atomic_write_json


def register(sub) -> None:
    p = sub.add_parser("bench", help="measure run costs on this machine (for sweep planning)",
                       description=__doc__.split("\n\n", 1)[1],
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scales", type=float, nargs="+", default=[0.1],
                   help="network scales to measure (0 < scale <= 1; default 0.1)")
    p.add_argument("--threads", type=int, nargs="+", default=[1],
                   help="NEST thread counts to measure (each at most the cores available; "
                        "default 1)")
    p.add_argument("--episodes", type=int, default=3,
                   help="plasticity episodes per measurement (default 3)")
    p.add_argument("--checkpoint-every", type=int, default=1,
                   help="plasticity checkpoint every N episodes (default 1: every episode, "
                        "so that the mean covers several)")
    p.add_argument("--resting-ms", type=float, default=500.0,
                   help="simulated ms of the resting state (default 500)")
    p.add_argument("--protocols", nargs="+", default=["resting_state", "plasticity"],
                   choices=["resting_state", "plasticity"], help="what to measure (default both)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="config override passed to every run (repeatable)")
    p.add_argument("--runs-dir", default=None,
                   help="keep the run folders here (default: a temporary folder, removed)")
    p.add_argument("--output", "-o", default="bench.json", help="the JSON written "
                   "(default bench.json in the current directory)")
    p.set_defaults(func=main)


def main(args) -> int:
    from ..bench.machine import describe_machine
    from ..bench.measure import BenchSettings, check_settings, measure, summary_line
    settings = BenchSettings(scales=tuple(args.scales), threads=tuple(args.threads),
                             episodes=args.episodes, resting_ms=args.resting_ms,
                             checkpoint_every=args.checkpoint_every,
                             overrides=tuple(args.overrides))
    machine = describe_machine()
    check_settings(settings, machine["available_cores"])
    output = Path(args.output)
    plan = [(protocol, scale, threads) for scale in settings.scales
            for threads in settings.threads for protocol in args.protocols]
    print(f"bgmodel bench: {len(plan)} measurement(s) on {machine['hostname']} "
          f"({machine['available_cores']} cores available), one child process each")
    with tempfile.TemporaryDirectory(prefix="bgmodel-bench-") as tmp:
        runs_dir = Path(args.runs_dir) if args.runs_dir else Path(tmp)
        runs_dir.mkdir(parents=True, exist_ok=True)
        records = []
        for protocol, scale, threads in plan:
            record = measure(protocol, scale, threads, settings, runs_dir)
            if not args.runs_dir:
                record.pop("run_dir")  # removed with the temporary folder
            records.append(record)
            print(summary_line(record), flush=True)
            # Written after every measurement: an interrupted bench keeps what it measured.
            _write(output, machine, settings, args.protocols, records)
    failed = sum(r["status"] != "done" for r in records)
    print(f"wrote {output}" + (f"; {failed} measurement(s) failed" if failed else ""))
    return 1 if failed else 0


def _write(output: Path, machine: dict, settings, protocols, records) -> None:
    versions = next((r["versions"] for r in records if r.get("versions")), {})
    machine = dict(machine, nest=versions.get("nest"))
    atomic_write_json(output, {
        "bench_format": 1, "machine": machine,
        "settings": {"scales": list(settings.scales), "threads": list(settings.threads),
                     "protocols": list(protocols), "episodes": settings.episodes,
                     "checkpoint_every": settings.checkpoint_every,
                     "resting_ms": settings.resting_ms, "overrides": list(settings.overrides)},
        "measurements": records})
