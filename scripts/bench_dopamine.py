"""Cost of a plasticity episode with each dopamine model, side by side.

Runs `bgmodel run plasticity` with the same preset, seed and episode count for `rule`
and the signal models (configs/dopamine/<model>.yaml), one after the other, and prints
the mean wall, CPU and NEST-simulate time per episode from each run's episodes.csv
(the first episode, which includes one-off costs, left out).

    python scripts/bench_dopamine.py                                  # plasticity_small, 4 episodes
    python scripts/bench_dopamine.py --episodes 6 --threads 1 --models rule rpe
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

MODELS = ("rule", "physiological", "rpe")


def run(model: str, args, folder: Path) -> dict:
    cmd = [sys.executable, "-m", "bgmodel", "run", "plasticity", "--preset", args.preset,
           "--seed", str(args.seed), "-q", "--run-dir", str(folder),
           "--set", f"protocol.episodes={args.episodes}"]
    if model != "rule":
        cmd += ["-c", f"configs/dopamine/{model}.yaml"]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    table = read_episodes(folder / "results" / "episodes.csv")
    return {key: float(np.mean(table[key][1:])) for key in ("wall_s", "cpu_s", "simulate_s")}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="plasticity_small")
    parser.add_argument("--episodes", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    args = parser.parse_args(argv)
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for model in args.models:
            rows[model] = run(model, args, Path(tmp) / model)
            print(f"{model}: done", file=sys.stderr, flush=True)
    base = rows.get("rule")
    print(f"{args.preset}, seed {args.seed}, episodes 1-{args.episodes - 1} of "
          f"{args.episodes} (mean per episode)")
    print(f"{'model':<15}{'wall s':>9}{'cpu s':>9}{'simulate s':>12}{'cpu vs rule':>13}")
    for model, r in rows.items():
        rel = f"{(r['cpu_s'] / base['cpu_s'] - 1) * 100:+.1f} %" if base else "n/a"
        print(f"{model:<15}{r['wall_s']:>9.2f}{r['cpu_s']:>9.2f}{r['simulate_s']:>12.2f}"
              f"{rel:>13}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
