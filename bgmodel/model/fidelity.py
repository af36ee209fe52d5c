"""What a reduced-scale run can and cannot be trusted for, said before it runs (no NEST).

A run below full scale keeps in-degrees and weights, so its neurons see full-scale
input on average, but two things still differ from full scale, both measured against
bgmodel's own full-scale runs in docs/evidence/laptop-preset.md:

- Input relays scaled with the MSNs (simulation.input_scale at or near scale) leave an
  MSN's 114 CSN inputs to be drawn from a pool of a few hundred relays; the multapses
  make its input fluctuate more, and the MSNs start several tens of percent too fast
  (more as kappa falls). Relays at half their full size or more remove that bias.
- A channel then holds a tenth of its MSNs, so its mean rate in one seed departs from
  full scale's by tens of percent (the few most strongly driven MSNs carry it).
- At 10 % of the MSNs (72 per channel) the plasticity protocol's CS+ learning lags full
  scale's: the weight earned per D1 spike is the same, but near 0.2 Hz the D1 rate
  stalls for tens of episodes, so the learned GPi contrast at episode 100 is a fraction
  of full scale's. At 30 % (215 per channel, the plasticity_medium preset) the stall is
  gone or short, and the run is told what its seeds did against full scale's.

`caveats(config)` returns one line per applicable point, which the runner prints and
records in run.json.
"""
from __future__ import annotations

import math
from typing import Mapping

from .derive import MSN_D1, derive_projection, input_scale, mask_fraction, population_sizes

# Relays at least this fraction of full size showed no start-up bias in the MSN rates.
TRUSTED_INPUT_SCALE = 0.5
# Largest seed-to-seed departure of a channel's 10-episode D1 / D2 rate from full
# scale's (one full-scale seed) at 10 % MSNs with relays at 0.5 or 1.0: 41 % for the
# fastest channel, 59-62 % for the slowest (3 seeds each); taken to shrink as
# 1 / sqrt(MSNs per channel). At 30 % MSNs the largest of 3 seeds was 40 % (a D2 rate),
# above the 35 % the rule gives: the rule is a rough guide, and the line says what was
# measured (docs/evidence/laptop-preset.md, 2026-12-05).
SCATTER_AT_TENTH = 0.6
MEASURED_SCATTER = "up to 62 % in 3 seeds at scale 0.1, up to 40 % in 3 seeds at scale 0.3"
# CS+ of the published-runs variant at kappa 4, lambda 0.2 (docs/evidence/
# laptop-preset.md): GPi ch1 - ch2 over episodes 90-99, and D1 channel 1's growth from
# episodes 0-9 to 90-99, per seed. Full scale: seeds 1 and 2.
FULL_CONTRAST_HZ = (-25.1, -21.5)
FULL_D1_GROWTH = (11.5, 10.4)
# The lag, at LAG_SCALE with relays at 0.5 (2 seeds).
LAG_SCALE = 0.1
LAG_CONTRAST_HZ = (-5.7, -4.2)
# The smallest scale whose CS+ learning was measured to follow full scale's pace
# (plasticity_medium), and its seeds 1-3.
FULL_PACE_SCALE = 0.3
FULL_PACE_D1_GROWTH = (10.7, 10.1, 9.1)
FULL_PACE_CONTRAST_HZ = (-36.9, -15.3, -19.5)
# How far each condition's learning at FULL_PACE_SCALE was checked; a run is told all
# three, so that it knows whether its own condition was.
FULL_PACE_MEASURED = ("kappa 4, lambda 0.2 (3 seeds, the whole protocol in 2), kappa 2, "
                      "lambda 0.02, kappa 4, lambda 0 and Parkinson's at kappa 4, lambda "
                      "0.2 (1 seed each, against the published runs), with the "
                      "published-runs variant")
FULL_PACE_START_ONLY = "kappa 2 and 4 with lambda 0, 0.2 and 0.4"
FULL_PACE_NOT_RUN = "eta 2 and 4, schizophrenia"


def msns_per_channel(cfg: Mapping) -> float:
    """Expected D1 MSNs inside one channel disc at the config's scale."""
    sizes = population_sizes(cfg)
    channels = cfg["channels"]
    extent = cfg["connectivity"]["layer_extent"]
    return sizes[MSN_D1] * mask_fraction(channels["radius"], extent)


def caveats(cfg: Mapping) -> list[str]:
    """Lines that say where a reduced-scale config departs from full scale."""
    cfg = getattr(cfg, "data", cfg)
    sim = cfg["simulation"]
    if sim["scale"] >= 1.0:
        return []
    lines = []
    relays = input_scale(sim)
    if relays < TRUSTED_INPUT_SCALE and "CSN->MSN" in cfg["projections"]:
        d = derive_projection(cfg, "CSN->MSN")
        pool = population_sizes(cfg)["CSN"] * mask_fraction(
            d.mask_radius, cfg["connectivity"]["layer_extent"])
        lines.append(
            f"input relays at {relays:g} of full size: each MSN draws its "
            f"{math.floor(d.indegree)} CSN inputs from about {pool:.0f} relays (multapses), "
            "and the MSNs start too fast (D1 +60 to +120 % at scale 0.1, more as kappa "
            f"falls); set simulation.input_scale to {TRUSTED_INPUT_SCALE:g} or more "
            "(docs/evidence/laptop-preset.md)")
    per_channel = msns_per_channel(cfg)
    full = per_channel / sim["scale"]
    scatter = SCATTER_AT_TENTH * math.sqrt(0.1 * full / per_channel) if per_channel else 1.0
    lines.append(
        f"about {per_channel:.0f} MSNs of each type per channel (full scale: {full:.0f}): "
        f"a channel's MSN rates in one seed can depart from full scale's by up to about "
        f"+-{scatter:.0%} (the slower the channel, the more; measured: {MEASURED_SCATTER}); "
        "compare conditions over several seeds (docs/evidence/laptop-preset.md)")
    if cfg.get("protocol", {}).get("name") == "plasticity":
        lines.append(_learning_pace(sim["scale"]))
    return lines


def _learning_pace(scale: float) -> str:
    full_lo, full_hi = FULL_CONTRAST_HZ
    if scale < FULL_PACE_SCALE:
        lo, hi = LAG_CONTRAST_HZ
        return (
            f"plasticity at scale {scale:g}: CS+ learning lags full scale's (at scale "
            f"{LAG_SCALE:g}, GPi ch1 - ch2 over episodes 90-99 {lo:g} and {hi:g} Hz against "
            f"{full_lo:g} and {full_hi:g} at full scale, 2 seeds each); compare learned "
            f"contrasts only between runs of the same scale, or use scale "
            f"{FULL_PACE_SCALE:g} or more (--preset plasticity_medium; "
            "docs/evidence/laptop-preset.md)")
    growth, contrast = FULL_PACE_D1_GROWTH, FULL_PACE_CONTRAST_HZ
    full_growth = " and ".join(f"x{g:g}" for g in sorted(FULL_D1_GROWTH))
    return (
        f"plasticity below full scale: at scale {FULL_PACE_SCALE:g} CS+ was learned at "
        f"full scale's pace (D1 channel 1 x{min(growth):g} to x{max(growth):g} from "
        f"episodes 0-9 to 90-99 in {len(growth)} seeds, full scale {full_growth}), but a "
        f"seed's starting rates move its whole curve: GPi ch1 - ch2 over 90-99 "
        f"{min(contrast):g} to {max(contrast):g} Hz against {full_lo:g} and {full_hi:g} at "
        f"full scale. Learning compared at {FULL_PACE_MEASURED}; other conditions only by "
        f"their first 10 episodes ({FULL_PACE_START_ONLY}) or not at all "
        f"({FULL_PACE_NOT_RUN}). Compare conditions at the same seeds, over several seeds "
        "(docs/evidence/laptop-preset.md)")
