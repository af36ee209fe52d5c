"""Which input relays of a channel receive a protocol's extra Poisson rate (no NEST).

The protocols stimulate a channel through a sample of the relays inside it (200 per
channel at full scale for action selection). Relays shrink with simulation.scale while
in-degrees do not, so keeping the count fixed would give each MSN a larger share of
stimulated inputs at small scale; `relays_to_sample` can scale the count with the
network to keep that share.
"""
from __future__ import annotations

import numpy as np


def relays_to_sample(per_channel: int, scale: float, scale_with_network: bool,
                     available: int) -> int:
    """Number of relays to stimulate in one channel.

    Parameters
    ----------
    per_channel : int
        Count at full scale.
    scale : float
        simulation.scale.
    scale_with_network : bool
        Multiply per_channel by scale (rounded, at least 1).
    available : int
        Relays inside the channel: the result never exceeds it.
    """
    n = max(1, int(round(per_channel * scale))) if scale_with_network else int(per_channel)
    return min(n, int(available))


def sample_relays(members: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """`n` distinct relay indices drawn from a channel's `members`, sorted."""
    members = np.asarray(members, dtype=np.int64)
    if n > len(members):
        raise ValueError(f"cannot sample {n} relays from a channel of {len(members)}")
    return np.sort(rng.choice(members, size=n, replace=False))
