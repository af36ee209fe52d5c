"""`bgmodel resume RUN`: continue an interrupted run from its last checkpoint."""
from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("resume", help="continue an interrupted run (from its last checkpoint)")
    p.add_argument("run", help="run folder")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    p.add_argument("--episodes", type=int, metavar="N",
                   help="extend a plasticity run to N episodes (e.g. a CS+-only run of 101 "
                        "to the whole protocol of 230); it continues from its last checkpoint")
    p.add_argument("--force", action="store_true",
                   help="resume a run that run.json says is running on another host "
                        "(its process is gone: lost node, killed job)")
    p.add_argument("--checkpoint-every", type=int, metavar="K",
                   help="save a checkpoint every K episodes from now on")
    p.set_defaults(func=main)


def main(args) -> int:
    from ..protocols import protocol_class
    from ..runner import resume_run
    rundir, summary = resume_run(args.run, quiet=args.quiet, episodes=args.episodes,
                                 checkpoint_every=args.checkpoint_every,
                                 force=args.force)
    if not rundir.writes:
        return 0  # MPI ranks other than 0: rank 0 reports
    print(protocol_class(rundir.read_meta()["protocol"]).report(summary))
    print(f"results: {rundir.path}")
    return 0
