"""`bgmodel plot RUN...`: the standard views of a run folder, by its protocol.

Each protocol has a module bgmodel/plotting/<protocol>.py with
`plot_run(run_dir, out_dir=None) -> list[Path]` (default out_dir: RUN/figures/)."""
from __future__ import annotations

import importlib

from ..results.rundir import RunDirectory


def register(sub) -> None:
    p = sub.add_parser("plot", help="draw the standard views of run folders (PNG and PDF)")
    p.add_argument("runs", nargs="+", help="run folders")
    p.add_argument("--out", default=None, help="output folder (default: RUN/figures/)")
    p.set_defaults(func=main)


def main(args) -> int:
    for path in args.runs:
        meta = RunDirectory(path).read_meta()
        if not meta:
            raise SystemExit(f"bgmodel plot: {path} has no run.json; not a bgmodel run folder")
        module = importlib.import_module(f"bgmodel.plotting.{meta['protocol']}")
        for written in module.plot_run(path, args.out):
            print(written)
    return 0
