"""Cost per plasticity episode of config variants, side by side on one machine.

Runs `bgmodel run plasticity` once per variant with the same preset, seed, episode
count and thread count, one after the other, and prints the mean wall, CPU and
NEST-simulate time per episode from each run's episodes.csv (the first episode, which
includes one-off costs, left out), each against the first variant.

    python scripts/bench_variants.py --variant relay simulation.relay_model=bg_spike_relay \
        --variant injector simulation.relay_model=spike_train_injector \
        --set simulation.input_scale=1.0 --episodes 4 --threads 1

A variant is a label and any number of KEY=VALUE overrides or `-c FILE` overlays
(written `c:FILE`).
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bgmodel.protocols.plasticity.episodes import read_episodes  # noqa: E402

TIMES = ("wall_s", "cpu_s", "simulate_s")


def variant_args(items) -> list[str]:
    """KEY=VALUE -> --set KEY=VALUE; c:FILE -> -c FILE."""
    args = []
    for item in items:
        args += ["-c", item[2:]] if item.startswith("c:") else ["--set", item]
    return args


def run_variant(items, args, folder: Path) -> dict:
    cmd = [sys.executable, "-m", "bgmodel", "run", "plasticity", "--preset", args.preset,
           "--seed", str(args.seed), "-q", "--run-dir", str(folder),
           "--set", f"protocol.episodes={args.episodes}"]
    cmd += variant_args(args.set or ())
    cmd += variant_args(items)
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    table = read_episodes(folder / "results" / "episodes.csv")
    return {key: float(np.mean(table[key][1:])) for key in TIMES}


def bench(variants: dict, args) -> dict:
    """Label -> mean times per episode, variants run in the order given."""
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for label, items in variants.items():
            rows[label] = run_variant(items, args, Path(tmp) / label)
            print(f"{label}: done", file=sys.stderr, flush=True)
    return rows


def report(rows: dict, args) -> None:
    base = next(iter(rows.values()))
    first = next(iter(rows))
    print(f"{args.preset}, seed {args.seed}, threads {args.threads or 'preset'}, episodes "
          f"1-{args.episodes - 1} of {args.episodes} (mean per episode)")
    print(f"{'variant':<15}{'wall s':>9}{'cpu s':>9}{'simulate s':>12}{'cpu vs ' + first:>18}")
    for label, r in rows.items():
        rel = f"{(r['cpu_s'] / base['cpu_s'] - 1) * 100:+.1f} %"
        print(f"{label:<15}{r['wall_s']:>9.2f}{r['cpu_s']:>9.2f}{r['simulate_s']:>12.2f}"
              f"{rel:>18}")


def common_parser(description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--preset", default="plasticity_small")
    parser.add_argument("--episodes", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--set", action="append", metavar="KEY=VALUE",
                        help="an override (or c:FILE, an overlay) for every variant")
    return parser


def main(argv=None) -> int:
    parser = common_parser(__doc__.splitlines()[0])
    parser.add_argument("--variant", nargs="+", action="append", required=True,
                        metavar=("LABEL", "KEY=VALUE"))
    args = parser.parse_args(argv)
    if args.episodes < 2:
        parser.error("--episodes must be at least 2 (the first is left out)")
    report(bench({v[0]: v[1:] for v in args.variant}, args), args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
