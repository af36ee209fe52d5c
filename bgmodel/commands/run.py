"""`bgmodel run PROTOCOL`: run a protocol into a new run folder."""
from __future__ import annotations

import sys

from .common import add_config_options, config_from_args


def register(sub) -> None:
    p = sub.add_parser("run", help="run a protocol (resting_state, action_selection, plasticity)")
    p.add_argument("protocol", help="protocol name (configs/protocols/<name>.yaml)")
    add_config_options(p)
    p.add_argument("--out", default="log", help="parent folder of the run folder (default log/)")
    p.add_argument("--run-dir", default=None, help="exact run folder (sweeps, SLURM tasks)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    p.set_defaults(func=main)


def main(args) -> int:
    config = config_from_args(args, args.protocol)
    from ..runner import run_protocol
    from ..protocols import protocol_class
    rundir, summary = run_protocol(config, out=args.out, run_dir=args.run_dir,
                                   command_line=["bgmodel"] + sys.argv[1:], quiet=args.quiet)
    if not rundir.writes:
        return 0  # MPI ranks other than 0: rank 0 reports
    protocol = protocol_class(config.protocol_name)
    print(protocol.report(summary))
    meta = rundir.read_meta()
    t = meta.get("timings_s", {})
    print("timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in t.items())
          + f"; peak memory {meta.get('peak_memory_mb', 0):.0f} MB")
    print(f"results: {rundir.path}")
    return 0
