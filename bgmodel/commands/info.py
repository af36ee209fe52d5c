"""`bgmodel info`: the derived network, without simulating (and without NEST)."""
from __future__ import annotations

from ..model.derive import derive_network
from .common import add_config_options, config_from_args


def register(sub) -> None:
    p = sub.add_parser("info", help="print the derived network (sizes, in-degrees, weights, delays)")
    p.add_argument("protocol", nargs="?", default=None, help="protocol whose config to use")
    add_config_options(p)
    p.set_defaults(func=main)


def describe(config) -> str:
    """Text tables of populations and connections."""
    plan = derive_network(config)
    lines = [f"scale {plan.scale:g} (input relays {plan.input_scale:g}), seed {config['simulation']['seed']}", "",
             f"{'population':<12}{'kind':<9}{'neurons':>8}  per channel (0..{len(plan.channel_centres) - 1})"]
    for pop in plan.populations.values():
        per_ch = " ".join(str(len(m)) for m in pop.channels) if pop.channels else "-"
        lines.append(f"{pop.name:<12}{pop.kind:<9}{pop.size:>8}  {per_ch}")
    lines += ["", f"{'projection':<11}{'source':<8}{'target':<8}{'nu':>10}{'K':>10}"
                  f"{'atten.':>8}  {'weights (pA)':<30}{'delay':>6}  {'mask':>5}  synapse / step"]
    for c in plan.connections:
        d = plan.projections[c.projection]
        w = ", ".join(f"{r} {v:.4g}" for r, v in c.weights.items())
        lines.append(f"{c.projection:<11}{c.source:<8}{c.target:<8}{d.nu:>10.2f}{c.indegree:>10.3f}"
                     f"{d.attenuation:>8.4f}  {w:<30}{c.delay_ms:>6g}  {c.mask_radius:>5g}  "
                     f"{c.synapse_model} / {c.role}")
    skipped = [n for n, d in plan.projections.items() if d.indegree <= 0]
    if skipped:
        lines.append(f"(K = 0, not wired: {', '.join(skipped)})")
    if config["connectivity"]["fractional_indegree"] == "drop":
        wired = {c.projection for c in plan.connections}
        below_one = [n for n, d in plan.projections.items() if d.indegree > 0 and n not in wired]
        lines.append("(fractional_indegree drop: K above is floor(K) per target, weights keep "
                     "nu / K" + (f"; K < 1, not wired: {', '.join(below_one)})" if below_one else ")"))
    distinct = config["connectivity"].get("distinct_sources") or []
    if distinct:
        lines.append(f"(drawn without replacement, no multapses: {', '.join(distinct)})")
    st = config["striatum"]
    signal = plan.dopamine.signal
    models = "models bg_corticostriatal_D1/D2"
    if signal is not None and signal.targets:
        blocks = ", ".join(f"{g} D1 {t['MSN_D1'][0]}-{t['MSN_D1'][1]} D2 {t['MSN_D2'][0]}-"
                           f"{t['MSN_D2'][1]}" for g, t in signal.targets.items())
        models = (f"models bg_corticostriatal_D1/D2_<group>, one per SNc group on its "
                  f"transmitter, reaching the MSN blocks [start-stop) {blocks}")
    elif signal is not None and len(signal.groups) > 1:
        shares = ", ".join(f"{g} {share:.3g}" for g, (_, share)
                           in signal.synapse_models("bg_corticostriatal_D1").items())
        models = (f"models bg_corticostriatal_D1/D2_<group>, one per SNc group on its "
                  f"transmitter, shares of every MSN's in-degree: {shares}")
    lines += ["", f"striatum: lambda {st['lambda']}, kappa {st['kappa']}, eta {st['eta']}, "
                  f"plastic {', '.join(st['plastic_projections'])} "
                  f"(x{st['plastic_weight_gain']}, {models}), "
                  f"MSN positions {st['msn_positions']}"]
    ports: dict = {}
    for name, rec in config["receptors"].items():
        ports.setdefault(rec["port"], ([], rec["tau_syn_ms"]))[0].append(name)
    lines.append(f"neurons: {config['neuron_model']['model']}, receptor ports "
                 + ", ".join(f"{port} {'+'.join(names)} (tau_syn {tau:.4g} ms)"
                             for port, (names, tau) in sorted(ports.items())))
    return "\n".join(lines)


def main(args) -> int:
    print(describe(config_from_args(args, args.protocol)))
    return 0
