"""Drift of the plastic weights under tonic dopamine alone (no stimulus, no task).

Builds the plasticity network of a preset with a dopamine model, lets it run at rest
(background input and tonic SNc only) and prints the mean plastic weight every
--every-s simulated seconds, with its relative change from the start. A signal model's
baseline b is set from its tonic rate so that tonic firing leaves the weights
unchanged on average (docs/dopamine.md); this measures how well it does.

    python scripts/dopamine_drift.py --preset plasticity_small \
        -c configs/dopamine/physiological.yaml --seconds 60 --every-s 10 --threads 2
"""
from __future__ import annotations

import argparse
import time

from bgmodel.model.config import load_config
from bgmodel.model.derive import derive_network
from bgmodel.simulator import synapse_io
from bgmodel.simulator.network import build_network


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--preset", default="plasticity_small")
    ap.add_argument("-c", dest="overlays", action="append", default=[],
                    help="overlay (repeatable), e.g. configs/dopamine/physiological.yaml")
    ap.add_argument("--set", dest="overrides", action="append", default=[],
                    help="key.path=value (repeatable)")
    ap.add_argument("--seconds", type=float, default=60.0, help="simulated time (s)")
    ap.add_argument("--every-s", type=float, default=10.0, help="report interval (s)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    config = load_config("plasticity", preset=args.preset, overlays=args.overlays,
                         overrides=[*args.overrides, f"simulation.threads={args.threads}",
                                    f"simulation.seed={args.seed}"])
    t0 = time.perf_counter()
    net = build_network(derive_network(config))
    plastic = net.plastic_synapses()
    start = synapse_io.mean_weight(plastic)
    print(f"dopamine model {config['dopamine']['model']}, {len(plastic)} plastic synapses, "
          f"mean weight {start:.9f} (build {time.perf_counter() - t0:.0f} s)", flush=True)
    done = 0.0
    while done < args.seconds - 1e-9:
        step = min(args.every_s, args.seconds - done)
        net.simulate(step * 1000.0)
        done += step
        mean = synapse_io.mean_weight(plastic)
        print(f"t = {done:6.1f} s  mean weight {mean:.9f}  change {(mean - start) / start:+.3e} "
              f"({(mean - start) / start * 100:+.4f} %)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
