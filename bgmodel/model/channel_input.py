"""Which input relays of a channel receive a protocol's extra Poisson rate (no NEST).

The protocols stimulate a channel through a sample of the relays inside it (200 per
channel at full scale for action selection). Relays shrink with the input scale
(simulation.input_scale, or simulation.scale) while in-degrees do not, so keeping the
count fixed would give each MSN a larger share of stimulated inputs at small scale;
`relays_to_sample` can scale the count with the relays to keep that share.
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
        The input relays' scale (NetworkPlan.input_scale).
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


def sample_stimulated_relays(plan, inputs, channels, sampled_relays: dict, scale: float,
                             rng: np.random.Generator) -> dict:
    """The relays of each (input, channel) that a protocol stimulates.

    Parameters
    ----------
    plan : NetworkPlan
        Gives each input's channel membership.
    inputs, channels : iterables
        Input names (CSN, PTN) and channel indices to stimulate.
    sampled_relays : dict
        The protocol's `sampled_relays` section (per_channel, scale_with_network).
    scale : float
        The input relays' scale (NetworkPlan.input_scale).
    rng : numpy Generator
        Seeded from the run's seed.

    Returns
    -------
    dict mapping (input, channel) to sorted relay indices.
    """
    sampled = {}
    for input_name in inputs:
        for ch in channels:
            members = plan.populations[input_name].channels[ch]
            n = relays_to_sample(sampled_relays["per_channel"], scale,
                                 sampled_relays["scale_with_network"], len(members))
            if n == 0:
                raise ValueError(f"channel {ch} of {input_name} holds no relay at scale "
                                 f"{scale}; nothing to stimulate")
            sampled[(input_name, ch)] = sample_relays(members, n, rng)
    return sampled


def stimulus_key(input_name: str, channel: int) -> str:
    """Name of the extra input of one (input, channel), e.g. CSN_ch1."""
    return f"{input_name}_ch{channel}"
