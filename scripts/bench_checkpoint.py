#!/usr/bin/env python
"""Cost of a plasticity checkpoint: reading every plastic synapse's node ids and weight
from NEST, and setting the weights back, with the time and the peak memory of each step.

Usage: python scripts/bench_checkpoint.py [--scale S] [--threads N] [--chunk C]
                                          [--access bulk pynest]

Builds the plasticity network at the given scale (full by default), simulates 10 ms
(NEST prepares its connections on the first simulate) and then does what a checkpoint
and a resume do (bgmodel.simulator.synapse_io.endpoints / weights / set_weights, and
writing results/checkpoint.npz into a temporary folder), once per access path, side by
side in the same process on the same network: `bulk` through bgmodel's NEST extension
(bgmodel.simulator.synapse_bulk, the default when the extension is loaded), `pynest`
through PyNEST's SynapseCollection.get / set. `--chunk` sets how many synapses one
PyNEST call reads (bgmodel.simulator.synapse_set.SYNAPSE_CHUNK).
"""
from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--chunk", type=int, default=None)
    ap.add_argument("--access", nargs="+", choices=("bulk", "pynest"),
                    default=["bulk", "pynest"])
    args = ap.parse_args()

    from bgmodel.simulator import network as network_module
    from bgmodel.simulator import nest_extension, synapse_bulk, synapse_io, synapse_set
    from bgmodel.protocols.plasticity.checkpoint import (Checkpoint, SynapseState,
                                                         save_checkpoint)
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
    print(f"plastic synapses: {n:,}; PyNEST chunk {synapse_set.SYNAPSE_CHUNK:,}")
    library = nest_extension.library_path()
    for access in args.access:
        if access == "bulk":
            synapse_bulk.attach(library)
        else:
            synapse_bulk.detach()
        synapses = net.plastic_synapses()  # fresh set: nothing cached between paths
        print(f"--- {access}")
        total = 0.0
        for label, step in (("node ids", lambda: synapse_io.endpoints(synapses)),
                            ("weights", lambda: synapse_io.weights(synapses))):
            t = time.perf_counter()
            out = step()
            dt = time.perf_counter() - t
            total += dt
            print(f"read {label}: {dt:.2f} s ({dt / n * 1e6:.2f} us per synapse), "
                  f"peak {peak_mb():.0f} MB")
        src, tgt = synapse_io.endpoints(synapses)
        weights = out
        with tempfile.TemporaryDirectory() as tmp:
            # The first checkpoint of a run also writes the node ids (plastic_synapses.npz).
            for label in ("first, with node ids", "later"):
                t = time.perf_counter()
                save_checkpoint(Path(tmp) / "checkpoint.npz",
                                Checkpoint(1, SynapseState(src, tgt, weights), False, {}))
                dt = time.perf_counter() - t
                size = sum(f.stat().st_size for f in Path(tmp).iterdir()) / 1e6
                print(f"write checkpoint ({label}): {dt:.2f} s ({size:.0f} MB in all)")
        t = time.perf_counter()
        synapse_io.set_weights(synapses, weights)
        dt = time.perf_counter() - t
        print(f"set weights: {dt:.2f} s ({dt / n * 1e6:.2f} us per synapse), "
              f"peak {peak_mb():.0f} MB")

if __name__ == "__main__":
    main()
