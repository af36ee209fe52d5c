"""Cost of a plasticity episode with each dopamine model, side by side.

Runs `bgmodel run plasticity` with the same preset, seed and episode count for `rule`
and the signal models (configs/dopamine/<model>.yaml), one after the other, and prints
the mean wall, CPU and NEST-simulate time per episode from each run's episodes.csv
(the first episode, which includes one-off costs, left out), against the first model
(`rule` by default). `vector` (per channel: three transmitters) and `distributional`
(ten) measure what SNc groups cost.

    python scripts/bench_dopamine.py                                  # plasticity_small, 4 episodes
    python scripts/bench_dopamine.py --episodes 6 --threads 1 --models rule rpe
    python scripts/bench_dopamine.py --models rpe vector distributional   # SNc groups
"""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_variants import bench, common_parser, report  # noqa: E402

MODELS = ("rule", "physiological", "rpe", "distributional", "vector")
DEFAULT = ("rule", "physiological", "rpe")


def main(argv=None) -> int:
    parser = common_parser(__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(DEFAULT), choices=MODELS,
                        help="the first is the reference (default: %(default)s)")
    args = parser.parse_args(argv)
    variants = {m: ([] if m == "rule" else [f"c:configs/dopamine/{m}.yaml"])
                for m in args.models}
    report(bench(variants, args), args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
