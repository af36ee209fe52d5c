#!/usr/bin/env python
"""Cost of a plasticity checkpoint: reading every plastic synapse's node ids and weight
from NEST, and setting the weights back, with the time and the peak memory of each step.

Usage: python scripts/bench_checkpoint.py [--scale S] [--threads N] [--chunk C]

Builds the plasticity network at the given scale (full by default), simulates 10 ms
(NEST prepares its connections on the first simulate) and then does what a checkpoint
and a resume do (bgmodel.simulator.synapse_io.endpoints / weights /
set_weights). `--chunk` sets how many synapses one PyNEST call reads
(bgmodel.simulator.synapse_set.SYNAPSE_CHUNK); a chunk larger than the synapse count reads all at once.
"""
from __future__ import annotations

import argparse
import resource
import time


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--chunk", type=int, default=None)
    args = ap.parse_args()

    from bgmodel.simulator import network as network_module
    from bgmodel.simulator import synapse_io, synapse_set
    from bgmodel.model.config import load_config
    from bgmodel.model.derive import derive_network
    if args.chunk:
        synapse_set.SYNAPSE_CHUNK = args.chunk
    cfg = load_config("plasticity", overrides=[f"simulation.scale={args.scale}",
                                               f"simulation.threads={args.threads}"])
    t = time.perf_counter()
    net = network_module.build_network(derive_network(cfg))
    net.simulate(10.0)
    print(f"build + 10 ms: {time.perf_counter() - t:.1f} s, peak {peak_mb():.0f} MB")
    synapses = net.plastic_synapses()
    n = len(synapses)
    print(f"plastic synapses: {n:,}; chunk {synapse_set.SYNAPSE_CHUNK:,}")
    for label, step in (("node ids", lambda: synapse_io.endpoints(synapses)),
                        ("weights", lambda: synapse_io.weights(synapses))):
        t = time.perf_counter()
        out = step()
        dt = time.perf_counter() - t
        print(f"read {label}: {dt:.1f} s ({dt / n * 1e6:.1f} us per synapse), "
              f"peak {peak_mb():.0f} MB")
    weights = out
    t = time.perf_counter()
    synapse_io.set_weights(synapses, weights)
    dt = time.perf_counter() - t
    print(f"set weights: {dt:.1f} s ({dt / n * 1e6:.1f} us per synapse), peak {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
