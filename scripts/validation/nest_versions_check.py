#!/usr/bin/env python
"""The dopamine-modulated STDP rule and the MSN neuron on two NEST versions, fed the
same spikes: are the published runs' NEST 2.20 and bgmodel's NEST 3 the same
simulator for this model?

The published per-episode results come from the authors' NEST 2.20 code; bgmodel runs
on NEST 3. Random streams differ between the versions, so whole networks cannot be
compared spike for spike. This script takes randomness out: every input spike train
is drawn in numpy from --seed and handed to NEST as spike_generator times, so the two
versions simulate exactly the same thing and should print the same numbers.

The rig: --msns MSNs (iaf_psc_alpha_multisynapse with the MSN parameters of
configs/network.yaml and the published runs' I_e, configs/variants/published_runs.yaml),
each receiving --inputs plastic corticostriatal synapses (stdp_dopamine_synapse with the
burst amplitudes of D1, AMPA and an NMDA twin, plastic weight gain applied) from a pool
of parrot relays; --episodes episodes in the protocol's
rhythm (configs/protocols/plasticity.yaml: stimulus with a higher input rate, pause,
the dopamine window with SNc's burst rate, pause), one
Simulate call per phase; volume transmitters with delivery interval 1 (NEST's default,
the authors' code) and 100 (bgmodel's default), one network each.

It runs under whichever PyNEST the interpreter imports, 2.x or 3.x, and writes one JSON
file (MSN spike times, mean plastic weight after every episode, every final weight).
Usage:
    python scripts/validation/nest_versions_check.py --out nest3.json              # NEST 3 (.venv)
    NEST2_PYTHON scripts/validation/nest_versions_check.py --out nest2.json         # a NEST 2 build
    python scripts/validation/nest_versions_check.py --compare nest2.json nest3.json
The parameters come from bgmodel's configuration and derivation (bgmodel.model.derive), which
need numpy and PyYAML only, so a bare NEST 2 environment with those runs it.
docs/model-notes.md reports what it found.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # bgmodel from this checkout, also under a NEST 2 interpreter
from bgmodel.model import derive  # noqa: E402
from bgmodel.model.config import load_config  # noqa: E402

# The published-runs configuration, as bgmodel resolves it for a plasticity run.
CONFIG = load_config(protocol="plasticity",
                     overlays=[ROOT / "configs" / "variants" / "published_runs.yaml"]).data
DT = CONFIG["simulation"]["resolution_ms"]
# One episode's phases (ms): stimulus, pause, dopamine window, pause.
PHASES = tuple((name, float(CONFIG["protocol"][key])) for name, key in (
    ("stimulus", "stimulus_ms"), ("pause", "pause_after_stimulus_ms"),
    ("dopamine", "dopamine_window_ms"), ("rest", "pause_after_dopamine_ms")))
DOPAMINE_HZ = CONFIG["snc"]["events"]["burst"]["rate_Hz"]


def model_parameters() -> dict:
    """The MSN neuron, the CSN->MSN synapse and the D1 burst amplitudes of the
    published-runs configuration (configs/variants/published_runs.yaml), derived by
    bgmodel as for a run."""
    cfg = CONFIG
    csn = derive.derive_projection(cfg, "CSN->MSN")
    gain = cfg["striatum"]["plastic_weight_gain"]
    return {
        "neuron": derive.neuron_params(cfg, cfg["nuclei"]["MSN"]),
        "synapse": {**derive.stdp_common_params(cfg), **derive.stdp_amplitudes(cfg, "burst", "D1")},
        # (port, initial weight) of the AMPA synapse and its NMDA twin
        "ports": [(cfg["receptors"][r]["port"], csn.weights[r] * gain)
                  for r in ("AMPA", "NMDA")],
        "delay_ms": float(csn.delay_ms),
    }


def poisson_times(rng, rates: np.ndarray) -> np.ndarray:
    """Spike times (ms) of a Poisson train on the 0.1 ms grid from 1 ms on, with the
    rate (Hz) of every step given."""
    fire = rng.random(rates.size) < rates * DT * 1e-3
    return np.round(1.0 + DT * np.flatnonzero(fire), 1)


def rates_in_windows(windows: list, inside: float, outside: float, t_end: float):
    """Per-step rates (Hz): `inside` within the windows (start, end), else `outside`."""
    t = 1.0 + DT * np.arange(int(round((t_end - 1.0) / DT)))
    rates = np.full(t.size, outside)
    for start, end in windows:
        rates[(t >= start) & (t < end)] = inside
    return rates


def episode_windows(episodes: int) -> list:
    """(stimulus start, stimulus end, dopamine start, dopamine end) of every episode."""
    length = sum(d for _, d in PHASES)
    out = []
    for e in range(episodes):
        t0 = 1.0 + e * length
        out.append((t0, t0 + PHASES[0][1], t0 + PHASES[0][1] + PHASES[1][1],
                    t0 + PHASES[0][1] + PHASES[1][1] + PHASES[2][1]))
    return out


def draw_inputs(args) -> dict:
    """Every spike the rig receives, from one numpy generator."""
    rng = np.random.default_rng(args.seed)
    windows = episode_windows(args.episodes)
    t_end = windows[-1][3] + PHASES[3][1]

    relay = rates_in_windows([(a, b) for a, b, _, _ in windows], args.stim_rate,
                             args.base_rate, t_end)
    dopamine = rates_in_windows([(c, d) for _, _, c, d in windows], DOPAMINE_HZ, 0.0,
                                t_end)
    relays = [poisson_times(rng, relay) for _ in range(args.relays)]
    sources = [np.sort(rng.choice(args.relays, size=args.inputs, replace=False))
               for _ in range(args.msns)]
    return {"relays": relays, "sources": sources,
            "dopamine": poisson_times(rng, dopamine), "t_end": t_end}


class Nest:
    """The few PyNEST calls of the rig, for the 2.x and 3.x interfaces."""

    def __init__(self):
        import nest
        self.nest = nest
        self.v3 = hasattr(nest, "NodeCollection")
        self.version = nest.__version__ if self.v3 else nest.version()

    def nodes(self, ids):
        return self.nest.NodeCollection(sorted(int(i) for i in ids)) if self.v3 \
            else tuple(int(i) for i in ids)

    def ids(self, nodes) -> list:
        return list(nodes.tolist()) if self.v3 else list(nodes)

    def syn(self, model, **spec):
        spec["synapse_model" if self.v3 else "model"] = model
        return spec

    def set_volume_transmitter(self, model, vt):
        key, value = ("volume_transmitter", vt) if self.v3 else ("vt", vt[0])
        self.nest.SetDefaults(model, {key: value})

    def recorder(self):
        return self.nest.Create("spike_recorder" if self.v3 else "spike_detector")

    def events(self, recorder) -> dict:
        return self.nest.GetStatus(recorder, "events")[0]

    def weights(self, model) -> list:
        conns = self.nest.GetConnections(synapse_model=model)
        return list(self.nest.GetStatus(conns, "weight")) if len(conns) else []

    def final_synapses(self, model) -> list:
        conns = self.nest.GetConnections(synapse_model=model)
        rows = self.nest.GetStatus(conns, ["source", "target", "weight"])
        return sorted((int(s), int(t), float(w)) for s, t, w in rows)


def run_rig(api: Nest, params: dict, inputs: dict, deliver_interval: int, args) -> dict:
    nest = api.nest
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": DT, "local_num_threads": 1})
    msns = nest.Create("iaf_psc_alpha_multisynapse", args.msns, params=params["neuron"])
    relays = nest.Create("parrot_neuron", args.relays)
    relay_gens = nest.Create("spike_generator", args.relays)
    for gen, times in zip(api.ids(relay_gens), inputs["relays"]):
        nest.SetStatus(api.nodes([gen]), {"spike_times": times.tolist()})
    nest.Connect(relay_gens, relays, "one_to_one")

    vt = nest.Create("volume_transmitter")
    nest.SetStatus(vt, {"deliver_interval": deliver_interval})
    snc_gen = nest.Create("spike_generator")
    nest.SetStatus(snc_gen, {"spike_times": inputs["dopamine"].tolist()})
    snc = nest.Create("parrot_neuron")
    nest.Connect(snc_gen, snc)
    nest.Connect(snc, vt)
    nest.CopyModel("stdp_dopamine_synapse", "syn_d1")
    api.set_volume_transmitter("syn_d1", vt)
    nest.SetDefaults("syn_d1", params["synapse"])

    relay_ids = api.ids(relays)
    for msn, chosen in zip(api.ids(msns), inputs["sources"]):
        pre = api.nodes([relay_ids[i] for i in chosen])
        for port, weight in params["ports"]:
            nest.Connect(pre, api.nodes([msn]), "all_to_all",
                         api.syn("syn_d1", weight=weight, delay=params["delay_ms"],
                                 receptor_type=port))
    recorder = api.recorder()
    nest.Connect(msns, recorder)

    mean_weight = []
    for _ in range(args.episodes):
        for _, duration in PHASES:
            nest.Simulate(duration)
        mean_weight.append(float(np.mean(api.weights("syn_d1"))))
    ev = api.events(recorder)
    order = np.lexsort((np.asarray(ev["senders"]), np.asarray(ev["times"])))
    msn0 = api.ids(msns)[0]
    return {"spikes": [[int(np.asarray(ev["senders"])[i]) - msn0,
                        float(np.asarray(ev["times"])[i])] for i in order],
            "mean_weight": mean_weight,
            "final": [[s, t, w] for s, t, w in api.final_synapses("syn_d1")]}


def identical(a: dict, b: dict) -> bool:
    """Same MSN spikes and the same weights, bit for bit, for every deliver interval."""
    if sorted(a["runs"]) != sorted(b["runs"]):
        return False
    return all(a["runs"][di]["spikes"] == b["runs"][di]["spikes"]
               and a["runs"][di]["mean_weight"] == b["runs"][di]["mean_weight"]
               and a["runs"][di]["final"] == b["runs"][di]["final"] for di in a["runs"])


def compare(a: dict, b: dict) -> str:
    lines = [f"{a['nest']}  against  {b['nest']}"]
    for di in a["runs"]:
        ra, rb = a["runs"][di], b["runs"][di]
        sa = {tuple(x) for x in ra["spikes"]}
        sb = {tuple(x) for x in rb["spikes"]}
        wa, wb = np.array(ra["mean_weight"]), np.array(rb["mean_weight"])
        fa = np.array([x[2] for x in ra["final"]])
        fb = np.array([x[2] for x in rb["final"]])
        w0 = a["initial_mean_weight"]
        change_a, change_b = wa[-1] - w0, wb[-1] - w0
        same_synapses = len(fa) == len(fb)
        lines.append(
            f"deliver_interval {di}: MSN spikes {len(sa)} / {len(sb)}, in both {len(sa & sb)}; "
            f"mean weight change {change_a:.6e} / {change_b:.6e} "
            f"(ratio {change_b / change_a if change_a else float('nan'):.6f}); "
            f"largest difference of one final weight "
            f"{np.max(np.abs(fa - fb)) if same_synapses else float('nan'):.3e}"
            + ("" if same_synapses else f" (synapse counts differ: {len(fa)} / {len(fb)})"))
    lines.append("verdict: " + ("IDENTICAL (spikes and weights bit for bit)" if identical(a, b)
                                else "DIFFERENT"))
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, help="JSON file to write")
    ap.add_argument("--compare", type=Path, nargs=2, metavar="JSON")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--episodes", type=int, default=10)
    ap.add_argument("--msns", type=int, default=20)
    ap.add_argument("--relays", type=int, default=400)
    ap.add_argument("--inputs", type=int, default=100, help="plastic inputs per MSN")
    ap.add_argument("--base-rate", type=float, default=2.0, help="relay rate (Hz)")
    ap.add_argument("--stim-rate", type=float, default=10.0,
                    help="relay rate during the stimulus (Hz)")
    ap.add_argument("--deliver-intervals", type=int, nargs="+", default=[1, 100])
    args = ap.parse_args()
    if args.compare:
        a, b = (json.loads(p.read_text()) for p in args.compare)
        print(compare(a, b))
        return 0 if identical(a, b) else 1
    if args.out is None:
        ap.error("--out or --compare is needed")
    if not 0 < args.inputs <= args.relays:
        ap.error(f"--inputs must be between 1 and --relays ({args.relays}), got {args.inputs}")
    params = model_parameters()
    inputs = draw_inputs(args)
    api = Nest()
    api.nest.set_verbosity("M_ERROR")
    result = {"nest": str(api.version), "python": sys.version.split()[0],
              "arguments": {k: v for k, v in vars(args).items() if k not in ("out", "compare")},
              "initial_mean_weight": float(np.mean([w for _, w in params["ports"]])),
              "runs": {}}
    for di in args.deliver_intervals:
        result["runs"][str(di)] = run_rig(api, params, inputs, di, args)
        r = result["runs"][str(di)]
        print(f"{api.version}, deliver_interval {di}: {len(r['spikes'])} MSN spikes, "
              f"mean weight {result['initial_mean_weight']:.6f} -> {r['mean_weight'][-1]:.6f}",
              file=sys.stderr)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text(json.dumps(result))
    tmp.replace(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
