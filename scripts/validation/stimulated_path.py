#!/usr/bin/env python
"""The stimulated path of the plasticity protocol, bgmodel against the authors' code
(issue 25): which relays get the extra rate, how many of them reach each MSN of the
stimulated channels, what trains they fire, and which spikes count in a channel's rate.

Everything is derived without simulating a network:
- bgmodel: the network plan (bgmodel.derive) and the protocol's sampled relays for the
  run's seed (bgmodel.protocols.plasticity.protocol_rng draws them first, so these are
  the relays of results/sampled_relays.npz of a run with the same config and seed); the
  stimulus trains from bgmodel.model.inputs.PoissonInputs, which the default relay model
  (spike_train_injector) loads.
- the authors' code (oist/topological_BG, NEST 2.20 code at the repository root, which
  made the published runs), rebuilt from its rules as read there: MSNs uniform on the
  unit square, a D1 and a D2 MSN at each place; relays on a 190 x 190 grid of cell
  corners with the surplus dropped at random; layers of extent 2 x 2, so distances do
  not wrap inside the unit square; a channel's members are the neurons within the
  channel radius of its centre in the positions file they write (3 decimals); 300 relays
  drawn uniformly without replacement from a channel's relays, per input, at any scale;
  floor(K) sources per MSN drawn uniformly (multapses allowed) among the relays within
  the focused radius. With --authors-log the positions come from a log folder of their
  code instead (MSN_d1.txt, MSN_d2.txt, CSN.txt, PTN.txt, centers.txt: a published
  run's folder holds them).

Stimulated inputs of one MSN: with s sampled and m relays within the focused radius,
floor(K) uniform draws give Binomial(floor(K), s/m) sampled sources; bgmodel's
fractional remainder (connectivity.fractional_indegree: mean) adds Binomial(s, p) with
the pairwise probability p that bgmodel.network.Network.connect_one uses. The table
gives the distribution over the MSNs of a channel (one draw per MSN and --draws).

--nest-trains also measures the authors' stimulus construction in this environment's
NEST (a poisson_generator per channel into 300 parrot relays with weight 1 and delay
2 ms, on top of each relay's own background generator): a few hundred parrots for one
episode, seconds.

Usage:
    python scripts/validation/stimulated_path.py -c configs/variants/published_runs.yaml \
        -c configs/variants/published_wiring.yaml --set striatum.kappa=4 \
        --set striatum.lambda=0.2 --seed 1 [--authors-log PATH/figures/RUN/log0] \
        [--nest-trains] [--json OUT]
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bgmodel.model import derive  # noqa: E402
from bgmodel.model.channel_input import sample_stimulated_relays  # noqa: E402
from bgmodel.model.config import load_config  # noqa: E402
from bgmodel.model.inputs import PoissonInputs  # noqa: E402
from bgmodel.protocols.plasticity.protocol import protocol_rng  # noqa: E402

INPUTS = ("CSN", "PTN")
CELLS = (derive.MSN_D1, derive.MSN_D2)
# The authors' code, as read in oist/topological_BG (root .py files): its layers span
# 2 x 2 around the unit square, it writes positions with 3 decimals, samples 300 relays
# per channel at any scale, feeds them through a generator connection of 2 ms, and
# counts a spike in the rate if start <= t <= stop.
AUTHORS_EXTENT = 2.0
AUTHORS_DECIMALS = 3
AUTHORS_SAMPLE = 300
AUTHORS_STIM_DELAY_MS = 2.0


@dataclass
class Side:
    """One code's stimulated path: positions, members, samples, in-degrees."""

    name: str
    extent: float  # periodic extent of the layers for distances
    msn: dict  # cell -> (n, 2) positions
    members: dict  # cell -> per channel indices (the readout's neurons)
    relays: dict  # input -> (n, 2) positions
    relay_members: dict  # input -> per channel indices
    sampled: dict  # (input, channel) -> relay indices
    indegree: dict  # input -> (integer part, fractional part)
    mask_radius: float
    weights: dict  # input -> AMPA weight onto MSNs (pA)
    notes: dict = field(default_factory=dict)


# ----------------------------------------------------------------------------- sides
def background_drive(cfg: dict, floor_k: bool) -> float:
    """Mean excitatory input (pA/s, AMPA) of one MSN from every relay input at its
    resting rate: the sum of in-degree x rate x weight. floor_k: the authors' floor(K),
    otherwise the in-degree of cfg's connectivity.fractional_indegree."""
    st = cfg["striatum"]
    drop = floor_k or cfg["connectivity"]["fractional_indegree"] == "drop"
    total = 0.0
    for name, inp in cfg["inputs"].items():
        proj = f"{name}->MSN"
        if proj not in cfg["projections"]:
            continue
        d = derive.derive_projection(cfg, proj)
        k = math.floor(d.indegree + 1e-9) if drop else d.indegree
        gain = st["plastic_weight_gain"] if proj in st["plastic_projections"] else 1.0
        total += k * inp["rate_Hz"] * d.weights["AMPA"] * gain
    return total


def bgmodel_side(cfg: dict, seed: int) -> Side:
    """bgmodel's plan and sampled relays for `seed` (what a run builds)."""
    plan = derive.derive_network(cfg, seed)
    proto = cfg["protocol"]
    sampled = sample_stimulated_relays(plan, proto["stimulated_inputs"],
                                       proto["competing_channels"], proto["sampled_relays"],
                                       plan.input_scale, protocol_rng(seed))
    indegree, weights, radius = {}, {}, None
    for c in plan.connections:
        if c.target == derive.MSN_D1 and c.source in INPUTS:
            indegree[c.source] = (c.integer_indegree, c.fractional_indegree)
            weights[c.source] = c.weights["AMPA"]
            radius = c.mask_radius
    pops = plan.populations
    return Side("bgmodel", plan.extent, {c: pops[c].positions for c in CELLS},
                {c: pops[c].channels for c in CELLS},
                {i: pops[i].positions for i in INPUTS},
                {i: pops[i].channels for i in INPUTS}, sampled, indegree, radius, weights,
                {"fractional_indegree": cfg["connectivity"]["fractional_indegree"]})


def authors_grid(n: int, rng: np.random.Generator) -> np.ndarray:
    """Their relay grid: cell corners of the smallest square grid holding n points on
    [-0.5, 0.5), the surplus points dropped at random."""
    side = int(math.ceil(math.sqrt(n)))
    coords = np.arange(side) / side - 0.5
    xx, yy = np.meshgrid(coords, coords, indexing="ij")
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    if len(grid) > n:
        grid = grid[np.sort(rng.choice(len(grid), size=n, replace=False))]
    return grid


def read_positions(path: Path) -> np.ndarray:
    """(x, y) columns of one of their positions files (node id, x, y)."""
    return np.loadtxt(path, ndmin=2)[:, 1:3]


def authors_side(cfg: dict, seed: int, log_dir: Path | None = None) -> Side:
    """The authors' stimulated path, from their rules (or their positions files)."""
    rng = np.random.default_rng([seed, 0xA07])
    centres = derive.channel_centres(cfg["channels"])
    if log_dir is not None:
        msn = {derive.MSN_D1: read_positions(log_dir / "MSN_d1.txt"),
               derive.MSN_D2: read_positions(log_dir / "MSN_d2.txt")}
        relays = {i: read_positions(log_dir / f"{i}.txt") for i in INPUTS}
        if (log_dir / "centers.txt").is_file():
            centres = np.loadtxt(log_dir / "centers.txt", ndmin=2)
    else:
        n_msn = derive.scaled_size(cfg["nuclei"]["MSN"]["neurons"], cfg["simulation"]["scale"])
        places = rng.uniform(-0.5, 0.5, size=(n_msn // 2, 2))
        msn = {derive.MSN_D1: places, derive.MSN_D2: places.copy()}
        n_in = {i: derive.scaled_size(cfg["inputs"][i]["relays"],
                                      derive.input_scale(cfg["simulation"])) for i in INPUTS}
        relays = {i: authors_grid(n_in[i], rng) for i in INPUTS}
    radius = cfg["channels"]["radius"]

    def members(pos):  # from the written (rounded) positions; no wrap on a 2 x 2 layer
        return derive.channel_members(np.round(pos, AUTHORS_DECIMALS), centres, radius,
                                      AUTHORS_EXTENT)

    relay_members = {i: members(p) for i, p in relays.items()}
    sampled = {}
    for i in INPUTS:
        for ch in cfg["protocol"]["competing_channels"]:
            pool = relay_members[i][ch]
            if len(pool) < AUTHORS_SAMPLE:
                raise ValueError(f"{i} channel {ch} holds {len(pool)} relays: their code "
                                 f"samples {AUTHORS_SAMPLE} at any scale and would fail")
            sampled[(i, ch)] = np.sort(rng.choice(pool, size=AUTHORS_SAMPLE, replace=False))
    gain = cfg["striatum"]["plastic_weight_gain"]
    indegree, weights = {}, {}
    for i in INPUTS:
        d = derive.derive_projection(cfg, f"{i}->MSN")
        # floor(K) per target; their remainder kernel wires ~1/frac(K) synapses in all
        indegree[i] = (int(math.floor(d.indegree)), 0.0)
        weights[i] = d.weights["AMPA"] * gain
    return Side("authors", AUTHORS_EXTENT, msn, {c: members(p) for c, p in msn.items()},
                relays, relay_members, sampled, indegree,
                cfg["connectivity"]["focused_radius"], weights,
                {"positions": str(log_dir) if log_dir else "their rules, seeded here"})


# ----------------------------------------------------------------------------- statistics
def sources_in_mask(side: Side, input_name: str, targets: np.ndarray,
                    sampled: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per target: relays (m) and sampled relays (s) within the focused radius."""
    pos = side.relays[input_name]
    centre = targets.mean(axis=0) if len(targets) else np.zeros(2)
    reach = derive.periodic_distance(targets, centre, side.extent).max(initial=0.0)
    near = pos[derive.periodic_distance(pos, centre, side.extent) <= reach + side.mask_radius
               + 1e-9]
    stim = pos[sampled]
    m = np.array([np.count_nonzero(derive.periodic_distance(near, t, side.extent)
                                   <= side.mask_radius) for t in targets])
    s = np.array([np.count_nonzero(derive.periodic_distance(stim, t, side.extent)
                                   <= side.mask_radius) for t in targets])
    return m, s


def pairwise_probability(side: Side, input_name: str) -> float:
    """bgmodel's probability per source in the mask for the fractional remainder."""
    frac = side.indegree[input_name][1]
    if frac <= 1e-12:
        return 0.0
    in_mask = len(side.relays[input_name]) * math.pi * side.mask_radius ** 2 / side.extent ** 2
    return min(1.0, frac / in_mask)


def stimulated_counts(side: Side, input_name: str, cell: str, channel: int,
                      rng: np.random.Generator, draws: int) -> dict:
    """Distribution of the number of sampled (stimulated) relays among the sources of
    the MSNs of `cell` in `channel`."""
    targets = side.msn[cell][side.members[cell][channel]]
    sampled = side.sampled.get((input_name, channel), np.zeros(0, dtype=int))
    m, s = sources_in_mask(side, input_name, targets, sampled)
    k, _ = side.indegree[input_name]
    p = pairwise_probability(side, input_name)
    share = np.divide(s, m, out=np.zeros(len(m)), where=m > 0)
    counts = rng.binomial(k, share, size=(draws, len(m)))
    if p > 0:
        counts = counts + rng.binomial(s, p, size=(draws, len(m)))
    expected = k * share + s * p
    flat = counts.ravel()
    return {"msns": int(len(m)), "expected_mean": float(expected.mean()) if len(m) else 0.0,
            "mean": float(flat.mean()) if flat.size else 0.0,
            "sd": float(flat.std()) if flat.size else 0.0,
            "p10": float(np.percentile(flat, 10)) if flat.size else 0.0,
            "median": float(np.median(flat)) if flat.size else 0.0,
            "p90": float(np.percentile(flat, 90)) if flat.size else 0.0,
            "max": int(flat.max()) if flat.size else 0,
            "fraction_zero": float(np.mean(flat == 0)) if flat.size else 1.0,
            "sources_in_mask_mean": float(m.mean()) if len(m) else 0.0,
            "sampled_in_mask_mean": float(s.mean()) if len(m) else 0.0}


def sampled_geometry(side: Side, input_name: str, channel: int, centre: np.ndarray) -> dict:
    """How many relays a channel holds, how many are sampled and where they lie."""
    pool = side.relay_members[input_name][channel]
    idx = side.sampled[(input_name, channel)]
    dist = derive.periodic_distance(side.relays[input_name][idx], centre, side.extent)
    pool_dist = derive.periodic_distance(side.relays[input_name][pool], centre, side.extent)
    return {"relays_in_channel": int(len(pool)), "sampled": int(len(idx)),
            "distinct": int(len(np.unique(idx))),
            "all_inside": bool(np.isin(idx, pool).all()),
            "sampled_distance_mean": float(dist.mean()),
            "channel_distance_mean": float(pool_dist.mean())}


def train_stats(times_per_relay: list, relays: np.ndarray, others: np.ndarray, t0: float,
                t1: float, total_ms: float, bin_ms: float = 5.0) -> dict:
    """Rates of stimulated relays inside and outside [t0, t1), of unstimulated ones, the
    first and last spike time of the extra rate, and the Fano factor of the pooled
    stimulated train in bins (1 for independent Poisson trains, n for one shared train)."""
    def rate(group, a, b):
        n = sum(int(np.count_nonzero((times_per_relay[i] >= a) & (times_per_relay[i] < b)))
                for i in group)
        return n / (len(group) * (b - a) / 1000.0)

    pooled = np.concatenate([times_per_relay[i] for i in relays])
    inside = pooled[(pooled >= t0) & (pooled < t1)]
    counts, _ = np.histogram(inside, bins=np.arange(t0, t1 + bin_ms / 2, bin_ms))
    return {"rate_in_window_Hz": rate(relays, t0, t1),
            "rate_outside_Hz": (rate(relays, 0.0, t0) * t0 + rate(relays, t1, total_ms)
                                * (total_ms - t1)) / (total_ms - (t1 - t0)),
            "unstimulated_rate_in_window_Hz": rate(others, t0, t1),
            "pooled_fano": float(counts.var() / counts.mean()) if counts.mean() > 0 else 0.0}


def bgmodel_trains(cfg: dict, side: Side, seed: int, input_name: str, channel: int,
                   rate_Hz: float) -> dict:
    """bgmodel's trains for one stimulated group over one episode (NEST-free)."""
    h = cfg["simulation"]["resolution_ms"]
    sizes = {i: len(side.relays[i]) for i in INPUTS}
    rates = {i: cfg["inputs"][i]["rate_Hz"] for i in INPUTS}
    inputs = PoissonInputs(sizes, rates, h, seed)
    idx = side.sampled[(input_name, channel)]
    inputs.add_stimulus("stim", input_name, idx)
    t0, t1 = 1000.0, 1000.0 + cfg["protocol"]["stimulus_ms"]
    total = t1 + 1000.0
    inputs.set_stimulus("stim", rate_Hz, t0, t1)
    trains = inputs.draw(input_name, 0.0, total)
    others = np.setdiff1d(side.relay_members[input_name][channel], idx)
    out = train_stats(trains, idx, others, t0, t1, total)
    out["extra_first_ms"] = float(min(trains[i][trains[i] >= t0].min(initial=np.inf)
                                      for i in idx) - t0)
    return out


def authors_trains_nest(cfg: dict, input_name: str, rate_Hz: float, n: int = 300,
                        seed: int = 1) -> dict:
    """The authors' construction in this environment's NEST: each parrot relay driven by
    its background generator (one generator, one_to_one), and one channel generator at
    the extra rate, weight 1, delay 2 ms, onto `n` relays; `n` more relays unstimulated."""
    import os
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest
    nest.ResetKernel()
    nest.verbosity = nest.VerbosityLevel.ERROR
    nest.SetKernelStatus({"resolution": cfg["simulation"]["resolution_ms"], "rng_seed": seed})
    relays = nest.Create("parrot_neuron", 2 * n)
    background = nest.Create("poisson_generator", params={"rate": cfg["inputs"][input_name]["rate_Hz"]})
    nest.Connect(background, relays, "all_to_all")
    t0, t1 = 1000.0, 1000.0 + cfg["protocol"]["stimulus_ms"]
    stim = nest.Create("poisson_generator", params={"rate": rate_Hz, "start": t0, "stop": t1})
    nest.Connect(stim, relays[:n], syn_spec={"weight": 1.0, "delay": AUTHORS_STIM_DELAY_MS})
    rec = nest.Create("spike_recorder")
    nest.Connect(relays, rec)
    total = t1 + 1000.0
    nest.Simulate(total)
    ev = rec.get("events")
    senders = np.asarray(ev["senders"]) - relays[0].global_id
    times = np.asarray(ev["times"], dtype=float)
    trains = [times[senders == i] for i in range(2 * n)]
    # their readout window is [t0, t1]; the extra spikes reach the relays 2 ms late
    out = train_stats(trains, np.arange(n), np.arange(n, 2 * n), t0, t1, total)
    late = train_stats(trains, np.arange(n), np.arange(n, 2 * n), t0 + AUTHORS_STIM_DELAY_MS,
                       t1 + AUTHORS_STIM_DELAY_MS, total)
    out["rate_in_shifted_window_Hz"] = late["rate_in_window_Hz"]
    return out


def readout_members(cfg: dict, bg: Side) -> dict:
    """Readout members of bgmodel's positions under bgmodel's rule (periodic, <= r)
    and under the authors' (3-decimal positions, no wrap, <= r): the same neurons?"""
    centres = derive.channel_centres(cfg["channels"])
    r = cfg["channels"]["radius"]
    out = {}
    for cell in CELLS:
        theirs = derive.channel_members(np.round(bg.msn[cell], AUTHORS_DECIMALS), centres, r,
                                        AUTHORS_EXTENT)
        for ch in cfg["channels"]["readout"]:
            ours = bg.members[cell][ch]
            out[f"{cell}_ch{ch}"] = {"bgmodel": int(len(ours)), "authors_rule": int(len(theirs[ch])),
                                     "differ": int(len(np.setxor1d(ours, theirs[ch])))}
    return out


def authors_rate(senders: np.ndarray, times: np.ndarray, members: np.ndarray, t0: float,
                 t1: float) -> float:
    """A channel's rate as their code computes it: spikes of the members with
    t0 <= t <= t1, over (t1 - t0) and the number of members."""
    sel = (times >= t0) & (times <= t1) & np.isin(senders, members)
    return float(np.count_nonzero(sel) / ((t1 - t0) * len(members)) * 1000.0)


# ----------------------------------------------------------------------------- report
def measure(cfg: dict, seed: int, draws: int, log_dir: Path | None, nest_trains: bool) -> dict:
    bg = bgmodel_side(cfg, seed)
    au = authors_side(cfg, seed, log_dir)
    centres = derive.channel_centres(cfg["channels"])
    proto = cfg["protocol"]
    levels = proto["input_levels_Hz"]
    pattern = proto["patterns"][proto["phases"]["CS+"]["pattern"]]
    extra = {ch: levels[lv] for ch, lv in zip(proto["competing_channels"], pattern)}
    rng = np.random.default_rng([seed, 0x5717])
    result = {"seed": seed, "draws": draws, "sides": {}, "extra_rate_Hz": {}}
    for side in (bg, au):
        res = {"indegree": {i: list(side.indegree[i]) for i in INPUTS},
               "background_drive": background_drive(cfg, floor_k=side is au),
               "weights_pA": dict(side.weights), "notes": side.notes,
               "geometry": {}, "stimulated_inputs": {}}
        for i in INPUTS:
            for ch in proto["competing_channels"]:
                res["geometry"][f"{i}_ch{ch}"] = sampled_geometry(side, i, ch, centres[ch])
                for cell in CELLS:
                    res["stimulated_inputs"][f"{i}_{cell}_ch{ch}"] = stimulated_counts(
                        side, i, cell, ch, rng, draws)
        # extra input per MSN: stimulated inputs x extra rate x AMPA weight (pA/s)
        res["extra_drive"] = {}
        for cell in CELLS:
            for ch in proto["competing_channels"]:
                res["extra_drive"][f"{cell}_ch{ch}"] = sum(
                    res["stimulated_inputs"][f"{i}_{cell}_ch{ch}"]["expected_mean"]
                    * extra[ch] * proto["stimulated_inputs"][i] * side.weights[i] for i in INPUTS)
        result["sides"][side.name] = res
    for i in INPUTS:
        for ch in proto["competing_channels"]:
            result["extra_rate_Hz"][f"{i}_ch{ch}"] = extra[ch] * proto["stimulated_inputs"][i]
    result["trains"] = {"bgmodel": {}, "authors_nest": {}}
    for i in INPUTS:
        ch = proto["competing_channels"][0]
        rate = result["extra_rate_Hz"][f"{i}_ch{ch}"]
        result["trains"]["bgmodel"][f"{i}_ch{ch}"] = bgmodel_trains(cfg, bg, seed, i, ch, rate)
        if nest_trains:
            result["trains"]["authors_nest"][f"{i}_ch{ch}"] = authors_trains_nest(
                cfg, i, rate, seed=seed)
    result["readout_members"] = readout_members(cfg, bg)
    result["readout"] = {"bgmodel": "spikes with t0 <= t < t0 + stimulus_ms, / stimulus_ms "
                                    "and channel members (periodic distance <= radius)",
                         "authors": "spikes with t0 <= t <= t0 + stimulus_ms, / stimulus_ms "
                                    "and channel members (their positions file, no wrap, "
                                    "distance <= radius)"}
    return result


def fmt_counts(d: dict) -> str:
    return (f"{d['mean']:.2f} +- {d['sd']:.2f} ({d['p10']:.0f}/{d['median']:.0f}/"
            f"{d['p90']:.0f}, max {d['max']}, none {100 * d['fraction_zero']:.0f} %)")


def table(result: dict, channels) -> str:
    b, a = result["sides"]["bgmodel"], result["sides"]["authors"]
    rows = [("quantity", "bgmodel", "authors' code")]
    for i in INPUTS:
        rows.append((f"{i}->MSN in-degree (integer + fraction)",
                     "{} + {:.3f}".format(*b["indegree"][i]), "{} + {:.3f}".format(*a["indegree"][i])))
        rows.append((f"{i}->MSN AMPA weight (pA)", f"{b['weights_pA'][i]:.4f}",
                     f"{a['weights_pA'][i]:.4f}"))
    for i in INPUTS:
        for ch in channels:
            key = f"{i}_ch{ch}"
            gb, ga = b["geometry"][key], a["geometry"][key]
            rows.append((f"{i} ch{ch}: relays in channel / sampled (distinct, inside)",
                         f"{gb['relays_in_channel']} / {gb['sampled']} ({gb['distinct']}, {gb['all_inside']})",
                         f"{ga['relays_in_channel']} / {ga['sampled']} ({ga['distinct']}, {ga['all_inside']})"))
            rows.append((f"{i} ch{ch}: mean distance from centre, sampled / all in channel",
                         f"{gb['sampled_distance_mean']:.4f} / {gb['channel_distance_mean']:.4f}",
                         f"{ga['sampled_distance_mean']:.4f} / {ga['channel_distance_mean']:.4f}"))
            rows.append((f"{i} ch{ch}: extra rate (Hz)", f"{result['extra_rate_Hz'][key]:.2f}",
                         f"{result['extra_rate_Hz'][key]:.2f}"))
    for i in INPUTS:
        for cell in CELLS:
            for ch in channels:
                key = f"{i}_{cell}_ch{ch}"
                sb, sa = b["stimulated_inputs"][key], a["stimulated_inputs"][key]
                rows.append((f"stimulated {i} inputs per {cell} of ch{ch} ({sb['msns']} / {sa['msns']} MSNs): "
                             "mean +- sd (p10/median/p90)", fmt_counts(sb), fmt_counts(sa)))
    rows.append(("input onto an MSN from CSN, PTN, CMPf at resting rates: K x rate x AMPA "
                 "weight (pA/s)", f"{b['background_drive']:.1f}", f"{a['background_drive']:.1f}"))
    for key in b["extra_drive"]:
        rows.append((f"extra input onto {key}: stimulated inputs x rate x AMPA weight (pA/s)",
                     f"{b['extra_drive'][key]:.1f}", f"{a['extra_drive'][key]:.1f}"))
    for key, tb in result["trains"]["bgmodel"].items():
        ta = result["trains"]["authors_nest"].get(key)
        rows.append((f"{key} stimulated relays: rate in [t0, t0+T) / outside (Hz)",
                     f"{tb['rate_in_window_Hz']:.2f} / {tb['rate_outside_Hz']:.2f}",
                     f"{ta['rate_in_window_Hz']:.2f} / {ta['rate_outside_Hz']:.2f} "
                     f"(+2 ms: {ta['rate_in_shifted_window_Hz']:.2f})" if ta else "not run (--nest-trains)"))
        rows.append((f"{key} unstimulated relays of the channel in the window (Hz)",
                     f"{tb['unstimulated_rate_in_window_Hz']:.2f}",
                     f"{ta['unstimulated_rate_in_window_Hz']:.2f}" if ta else "-"))
        rows.append((f"{key} pooled stimulated train, Fano factor in 5 ms bins (1: independent)",
                     f"{tb['pooled_fano']:.2f}", f"{ta['pooled_fano']:.2f}" if ta else "-"))
    rows.append(("readout window", "[t0, t0 + 1000 ms)", "[t0, t0 + 1000 ms]"))
    for key, m in result["readout_members"].items():
        if m["differ"] or key.endswith(tuple(f"ch{c}" for c in channels)):
            rows.append((f"readout members {key}: bgmodel rule / authors' rule on the same "
                         "positions (differ)", f"{m['bgmodel']}", f"{m['authors_rule']} ({m['differ']})"))
    widths = [max(len(r[k]) for r in rows) for k in range(3)]
    lines = ["| " + " | ".join(r[k].ljust(widths[k]) for k in range(3)) + " |" for r in rows]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def seed_spread(args, n: int) -> str:
    """Mean and sd over seeds 1..n of the extra input per MSN (one sample per seed)."""
    drives: dict = {}
    for seed in range(1, n + 1):
        cfg = load_config("plasticity", preset=args.preset, overlays=args.config,
                          overrides=[*args.set, f"simulation.seed={seed}"]).data
        res = measure(cfg, seed, 1, None, False)
        for side, r in res["sides"].items():
            for key, v in r["extra_drive"].items():
                drives.setdefault((side, key), []).append(v)
    lines = [f"extra input per MSN (pA/s), seeds 1-{n}: mean +- sd over seeds"]
    for (side, key), v in sorted(drives.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        lines.append(f"  {key:<12} {side:<8} {np.mean(v):7.1f} +- {np.std(v):.1f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-c", "--config", action="append", default=[], help="overlay YAML")
    ap.add_argument("--set", action="append", default=[], help="key.path=value")
    ap.add_argument("--preset", default=None, help="preset name (default: full scale)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--draws", type=int, default=20, help="wiring draws per MSN")
    ap.add_argument("--authors-log", type=Path, default=None,
                    help="a log folder of their code (positions files) for their side")
    ap.add_argument("--nest-trains", action="store_true",
                    help="measure their stimulus construction in NEST (seconds)")
    ap.add_argument("--json", type=Path, default=None, help="write the numbers here")
    ap.add_argument("--seed-spread", type=int, default=0, metavar="N",
                    help="instead: the extra input onto the MSNs of each stimulated channel "
                         "for seeds 1..N, mean and sd over the seeds, both codes")
    args = ap.parse_args(argv)
    if args.seed_spread:
        print(seed_spread(args, args.seed_spread))
        return 0
    cfg = load_config("plasticity", preset=args.preset, overlays=args.config,
                      overrides=[*args.set, f"simulation.seed={args.seed}"]).data
    result = measure(cfg, args.seed, args.draws, args.authors_log, args.nest_trains)
    print(table(result, cfg["protocol"]["competing_channels"]))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
