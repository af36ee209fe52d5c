#!/usr/bin/env python
"""bgmodel's per-episode channel rates against the authors' readout of the same spikes
(issue 25): does the way a channel's rate is read explain a difference?

Runs the first --episodes episodes of the plasticity protocol (default the
plasticity_small preset, a few minutes) in this process, keeps every spike of the
populations the protocol records, and reads each episode's rates again as the authors'
NEST 2.20 code (stim_all_model.py, which wrote the published files) does: the spikes
with stim_start <= t <= stim_stop, divided by the 1000 ms and by the number of the
channel's neurons, the channel's neurons being those within the channel radius of the
centre in positions written with 3 decimals, on a layer whose distances do not wrap.
bgmodel's rates are those of its episodes.csv (t_start <= t < t_start + 1000 ms,
periodic distance). Prints both per population and channel, with their ratio.

Usage:
    python scripts/validation/readout_check.py [--preset plasticity_small] [-c OVERLAY]...
        [--set key=value]... [--episodes 3] [--seed 1] [--threads 2]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bgmodel.model import derive  # noqa: E402
from bgmodel.model.config import load_config  # noqa: E402
from bgmodel.protocols.plasticity.episodes import rate_column  # noqa: E402
from stimulated_path import AUTHORS_DECIMALS, AUTHORS_EXTENT, authors_rate  # noqa: E402

POPULATIONS = ("MSN_D1", "MSN_D2", "GPi")


def authors_members(plan, population: str, cfg: dict) -> tuple:
    pos = np.round(plan.populations[population].positions, AUTHORS_DECIMALS)
    return derive.channel_members(pos, derive.channel_centres(cfg["channels"]),
                                  cfg["channels"]["radius"], AUTHORS_EXTENT)


def run(cfg, episodes: int) -> tuple[dict, dict, list]:
    """Run the episodes; return all spikes per population, the plan and the table rows."""
    from bgmodel.simulator.network import build_network
    from bgmodel.protocols.plasticity.protocol import Plasticity
    from bgmodel.results.rundir import RunDirectory

    net = build_network(derive.derive_network(cfg))
    folder = Path(tempfile.mkdtemp(prefix="readout_check_"))
    proto = Plasticity(cfg, net, RunDirectory.at(folder / "run"), quiet=True)
    proto.prepare()
    kept: dict = {name: ([], []) for name in proto.recorded}
    take = proto.take_all_spikes

    def take_and_keep():
        spikes = take()
        for name, sp in spikes.items():
            kept[name][0].append(sp.senders)
            kept[name][1].append(sp.times)
        return spikes

    proto.take_all_spikes = take_and_keep
    proto.run()
    spikes = {name: (np.concatenate(s), np.concatenate(t)) for name, (s, t) in kept.items()}
    return spikes, net.plan, proto.table.as_columns()


def compare(cfg, spikes: dict, plan, table: dict) -> list[str]:
    stim = cfg["protocol"]["stimulus_ms"]
    lines = [f"{'episode':>7} {'population':<8} {'ch':>2} {'bgmodel':>9} {'authors':>9} "
             f"{'ratio':>6}  members bgmodel / authors' rule"]
    ratios = []
    for pop in POPULATIONS:
        theirs = authors_members(plan, pop, cfg)
        ours = plan.populations[pop].channels
        senders, times = spikes[pop]
        for e, t0 in enumerate(table["t_start_ms"]):
            for ch in cfg["channels"]["readout"]:
                a = authors_rate(senders, times, theirs[ch], float(t0), float(t0) + stim)
                b = float(table[rate_column(pop, ch)][e])
                r = a / b if b > 0 else float("nan")
                if b > 0:
                    ratios.append(r)
                lines.append(f"{e:>7} {pop:<8} {ch:>2} {b:>9.4f} {a:>9.4f} {r:>6.3f}  "
                             f"{len(ours[ch])} / {len(theirs[ch])}")
    r = np.asarray(ratios)
    lines.append(f"authors' readout / bgmodel's over {len(r)} nonzero rates: mean {r.mean():.4f}, "
                 f"min {r.min():.4f}, max {r.max():.4f}")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--preset", default="plasticity_small")
    ap.add_argument("-c", "--config", action="append", default=[])
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--episodes", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    cfg = load_config("plasticity", preset=args.preset, overlays=args.config,
                      overrides=[*args.set, f"simulation.seed={args.seed}",
                                 f"simulation.threads={args.threads}",
                                 f"protocol.episodes={args.episodes}",
                                 "protocol.checkpoint_every_episodes=100000"]).data
    spikes, plan, table = run(cfg, args.episodes)
    print("\n".join(compare(cfg, spikes, plan, table)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
