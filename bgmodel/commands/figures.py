"""`bgmodel figures`: the paper's figures from run folders, configs or a small network.

    bgmodel figures --list
    bgmodel figures 3C 4A --runs ../shared/reference-data --out figures/
    bgmodel figures all --runs runs/ --out figures/ --contact-sheet

A figure that needs runs the given folders do not hold is not drawn; the command says
which runs to make and how. With `all`, figures that cannot be drawn are listed and the
command still succeeds; with explicit ids it exits with status 1.
"""
from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

from .common import add_config_options, config_from_args

DEFAULT_NETWORK_PRESET = "small"


def register(sub) -> None:
    p = sub.add_parser("figures", help="draw the paper's figures (PNG and PDF)",
                       description=__doc__,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("figures", nargs="*", metavar="FIG",
                   help="figure ids (e.g. 3C 4A 8B), 1E-G, or all")
    p.add_argument("--list", action="store_true", help="list the figures and the runs they need")
    p.add_argument("--runs", nargs="+", default=[], metavar="DIR",
                   help="run folders, authors' logN folders, condition or sweep folders")
    p.add_argument("--out", default="figures", help="output folder (default figures/)")
    p.add_argument("--format", dest="formats", nargs="+", default=["png", "pdf"],
                   choices=["png", "pdf", "svg"], help="file formats (default png pdf)")
    p.add_argument("--dpi", type=float, default=None,
                   help="resolution of PNGs (default: the shared style's, 150)")
    p.add_argument("--contact-sheet", action="store_true",
                   help="also write OUT/contact_sheet.png of every figNN PNG in OUT")
    add_config_options(p)
    p.set_defaults(func=main)


def list_text() -> str:
    """The --list output: id, kind, title, what it shows, what it needs."""
    from ..plotting import registry
    lines = []
    for spec in registry.FIGURES.values():
        lines.append(f"{spec.id:<4} {spec.kind:<8} {spec.title}")
        for line in textwrap.wrap(f"shows: {spec.shows}", 88):
            lines.append(f"{'':14}{line}")
        for line in textwrap.wrap(f"needs: {spec.needs_text()}", 88):
            lines.append(f"{'':14}{line}")
        for group in spec.groups:
            make = group.command(1) if spec.runs_per_group == "one" else group.loop()
            lines.append(f"{'':14}make:  {make}")
    lines.append("")
    lines.append("Figures of kind 'runs' read plasticity runs given with --runs (bgmodel run "
                 "folders, the authors' logN folders, or folders holding them); "
                 "`bgmodel figures FIG` without them prints the commands that make them. "
                 f"Every run of every figure: bgmodel sweep {registry.PAPER_SWEEP}")
    return "\n".join(lines)


def _network_config(args):
    """The config of the network that figures 1E-G build (the small preset by default)."""
    args.preset = args.preset or DEFAULT_NETWORK_PRESET
    return config_from_args(args, None)


def main(args) -> int:
    if args.list:
        print(list_text())
        return 0
    if not args.figures:
        print("bgmodel figures: name figures (e.g. 3C 4A, or all) or use --list", file=sys.stderr)
        return 2
    from ..plotting import registry
    from ..results.runsets import RunSet, find_runs
    try:
        ids = registry.resolve_ids(args.figures)
    except KeyError as err:
        print(f"bgmodel figures: {err.args[0]}", file=sys.stderr)
        return 2
    wants_all = any(f.lower() == "all" for f in args.figures)
    out = Path(args.out)
    runset = find_runs(args.runs) if args.runs else RunSet()
    if args.runs:
        print(f"runs found: {len(runset)} in {', '.join(args.runs)}")
        for path, why in runset.skipped:
            print(f"  skipped {path}: {why}")
    sample = None
    not_drawn = []
    for fig_id in ids:
        spec = registry.FIGURES[fig_id]
        if spec.kind == "runs":
            result, notes = registry.draw_from_runs(spec, runset)
            if result is None:
                not_drawn.append(fig_id)
                print(registry.missing_message(spec, spec.missing(runset)))
                for note in notes:
                    print(f"  ({note})")
                continue
            missing = spec.missing(runset)
            if missing:
                print(f"figure {fig_id}: drawn with {len(spec.groups) - len(missing)} of "
                      f"{len(spec.groups)} run groups; missing: "
                      + "; ".join(g.describe() for g in missing))
        elif spec.kind == "config":
            result = spec.draw(overrides=list(args.overrides))
        else:
            if sample is None:
                from ..plotting.connectivity import sample_connectivity
                config = _network_config(args)
                print(f"building CSN/PTN->MSN and MSN->MSN at scale "
                      f"{config['simulation']['scale']:g} for figures 1E-G ...")
                sample = sample_connectivity(config)
            result = spec.draw(sample)
        for note in result.notes:
            print(f"  {fig_id}: {note}")
        for path in result.save(out / spec.stem, tuple(args.formats), args.dpi):
            print(path)
    if args.contact_sheet:
        from ..plotting.contact_sheet import contact_sheet
        order = {registry.FIGURES[i].stem: k for k, i in enumerate(registry.FIGURES)}
        pngs = sorted((p for p in out.glob("fig*.png") if p.stem in order), key=lambda p: order[p.stem])
        if pngs:
            print(contact_sheet(pngs, out / "contact_sheet.png", dpi=args.dpi))
    if not_drawn:
        print(f"not drawn (no runs): {', '.join(not_drawn)}")
        return 0 if wants_all else 1
    return 0
